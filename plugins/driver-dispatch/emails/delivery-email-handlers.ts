import { EmailEventHandler, EmailEventListener } from '@vendure/email-plugin';

import {
    DeliveryNotificationEvent,
    DeliveryNotificationKind,
} from '../notifications/delivery-notification-event';
import { mockDeliveryNotificationEvent } from './mock-delivery-notification-event';

/**
 * The email type of each notification: the `EmailEventListener` type, and so the name of the
 * template folder (`<type>/body.hbs`) a shop overrides.
 */
export const DELIVERY_EMAIL_TYPES = {
    [DeliveryNotificationKind.DRIVER_ASSIGNED]: 'delivery-driver-assigned',
    [DeliveryNotificationKind.PICKED_UP]: 'delivery-picked-up',
    [DeliveryNotificationKind.DELIVERED]: 'delivery-delivered',
    [DeliveryNotificationKind.FAILED]: 'delivery-failed',
} as const satisfies Record<DeliveryNotificationKind, string>;

export type DeliveryEmailType = (typeof DELIVERY_EMAIL_TYPES)[DeliveryNotificationKind];

/** What a failure means for the customer, by the reason code the driver or staff gave. */
const FAILURE_REASONS: Record<string, string> = {
    PICKUP_FAILED: 'the driver could not collect your order from the store',
    DELIVERY_FAILED: 'the driver could not hand your order over at your address',
    TIMEOUT: 'the delivery took too long to complete',
};

/**
 * The variables every delivery template gets (besides the email plugin's `globalTemplateVars`,
 * e.g. `fromAddress`). A value that is not known is null, never undefined, so a template's
 * `{{#if}}` leaves it out.
 */
export interface DeliveryEmailTemplateVars {
    kind: DeliveryNotificationKind;
    orderCode: string;
    customerFirstName: string | null;
    customerLastName: string | null;
    storeName: string | null;
    sellerName: string | null;
    driverName: string | null;
    etaMinutes: number | null;
    trackingUrl: string | null;
    deliveryCode: string | null;
    reasonCode: string | null;
    /** FAILED: the reason in words ("the driver could not hand your order over at your address"). */
    failureReason: string | null;
}

export function deliveryEmailTemplateVars(event: DeliveryNotificationEvent): DeliveryEmailTemplateVars {
    const { details, recipient } = event;
    return {
        kind: event.kind,
        orderCode: details.orderCode,
        customerFirstName: recipient.firstName,
        customerLastName: recipient.lastName,
        storeName: details.storeName,
        sellerName: details.sellerName,
        driverName: details.driverName,
        etaMinutes: details.etaMinutes,
        trackingUrl: details.trackingUrl,
        deliveryCode: details.deliveryCode,
        reasonCode: details.reasonCode,
        failureReason:
            event.kind === DeliveryNotificationKind.FAILED
                ? (FAILURE_REASONS[details.reasonCode ?? ''] ?? 'the delivery could not be completed')
                : null,
    };
}

function deliveryEmail<T extends DeliveryEmailType>(
    kind: DeliveryNotificationKind,
    type: T,
    subject: string,
): EmailEventHandler<T, DeliveryNotificationEvent> {
    return (
        new EmailEventListener(type)
            .on(DeliveryNotificationEvent)
            .filter(event => event.kind === kind)
            .setRecipient(event => event.recipient.emailAddress)
            .setFrom('{{ fromAddress }}')
            .setSubject(subject)
            .setTemplateVars(event => ({ ...deliveryEmailTemplateVars(event) }))
            // On the email plugin's EmailSendEvent: which delivery and step an email (or its failure) was.
            .setMetadata(event => ({
                type,
                kind: event.kind,
                assignmentId: event.assignmentId,
                orderId: event.orderId,
                driverId: event.driverId,
                attempt: event.attempt,
            }))
            .setMockEvent(mockDeliveryNotificationEvent(kind))
    );
}

/** "Your driver is on the way": the driver's name, the ETA, the tracking link and the delivery code. */
export const deliveryDriverAssignedEmailHandler = deliveryEmail(
    DeliveryNotificationKind.DRIVER_ASSIGNED,
    DELIVERY_EMAIL_TYPES.DRIVER_ASSIGNED,
    'Your driver is on the way with order {{ orderCode }}',
);

export const deliveryPickedUpEmailHandler = deliveryEmail(
    DeliveryNotificationKind.PICKED_UP,
    DELIVERY_EMAIL_TYPES.PICKED_UP,
    'Order {{ orderCode }} has been picked up',
);

export const deliveryDeliveredEmailHandler = deliveryEmail(
    DeliveryNotificationKind.DELIVERED,
    DELIVERY_EMAIL_TYPES.DELIVERED,
    'Order {{ orderCode }} has been delivered',
);

/** "We could not deliver your order": why, and what happens next (the order is not cancelled). */
export const deliveryFailedEmailHandler = deliveryEmail(
    DeliveryNotificationKind.FAILED,
    DELIVERY_EMAIL_TYPES.FAILED,
    'We could not deliver order {{ orderCode }}',
);

/**
 * @description
 * The delivery emails, for the shop's `EmailPlugin.init`, next to Vendure's own:
 *
 * ```ts
 * EmailPlugin.init({
 *     handlers: [...defaultEmailHandlers, ...deliveryEmailHandlers],
 *     templateLoader: new DeliveryEmailTemplateLoader(path.join(__dirname, 'static/email/templates')),
 *     // ...
 * });
 * ```
 */
export const deliveryEmailHandlers: Array<EmailEventHandler<DeliveryEmailType, DeliveryNotificationEvent>> = [
    deliveryDriverAssignedEmailHandler,
    deliveryPickedUpEmailHandler,
    deliveryDeliveredEmailHandler,
    deliveryFailedEmailHandler,
];
