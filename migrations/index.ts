// The schema of record, in order. Written by `npm run migration:generate -- <name>`.
import { InitialSchema1795733480607 } from './1795733480607-initial-schema';
import { DeliveryLocations1795735168340 } from './1795735168340-delivery-locations';
import { DeliveryFromShippingAddress1795736225435 } from './1795736225435-delivery-from-shipping-address';
import { Drivers1795737030896 } from './1795737030896-drivers';
import { DeliveryAssignments1795738372135 } from './1795738372135-delivery-assignments';
import { DeliveryCodes1795744377433 } from './1795744377433-delivery-codes';
import { DriverEnabled1795744466131 } from './1795744466131-driver-enabled';
import { DeliveryReferences1795760000000 } from './1795760000000-delivery-references';
import { IdsOfAnyStrategy1795770000000 } from './1795770000000-ids-of-any-strategy';
import { DeliveryInstructions1795780000000 } from './1795780000000-delivery-instructions';
import { StoreOpeningHours1795790000000 } from './1795790000000-store-opening-hours';
import { SellerVerification1795800000000 } from './1795800000000-seller-verification';
import { DeliveryDelays1795810000000 } from './1795810000000-delivery-delays';
import { DeliveryTrackingTokens1795820000000 } from './1795820000000-delivery-tracking-tokens';
import { DeliveryWebhooks1795830000000 } from './1795830000000-delivery-webhooks';
import { DeliveryNotifications1795840000000 } from './1795840000000-delivery-notifications';
import { DeliveryNotificationOutbox1795850000000 } from './1795850000000-delivery-notification-outbox';
import { DeliveryNotificationAttempts1795860000000 } from './1795860000000-delivery-notification-attempts';

export const migrations: Array<new () => object> = [
    InitialSchema1795733480607,
    DeliveryLocations1795735168340,
    DeliveryFromShippingAddress1795736225435,
    Drivers1795737030896,
    DeliveryAssignments1795738372135,
    DeliveryCodes1795744377433,
    DriverEnabled1795744466131,
    DeliveryReferences1795760000000,
    IdsOfAnyStrategy1795770000000,
    DeliveryInstructions1795780000000,
    StoreOpeningHours1795790000000,
    SellerVerification1795800000000,
    DeliveryDelays1795810000000,
    DeliveryTrackingTokens1795820000000,
    DeliveryWebhooks1795830000000,
    DeliveryNotifications1795840000000,
    DeliveryNotificationOutbox1795850000000,
    DeliveryNotificationAttempts1795860000000,
];
