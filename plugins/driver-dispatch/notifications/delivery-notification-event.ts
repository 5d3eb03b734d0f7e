import { ID, RequestContext, VendureEvent } from '@vendure/core';

/** The moments of a delivery the customer is told about. */
export enum DeliveryNotificationKind {
    /** A driver was given the delivery: their name, the ETA, the tracking link and the code. */
    DRIVER_ASSIGNED = 'DRIVER_ASSIGNED',
    PICKED_UP = 'PICKED_UP',
    DELIVERED = 'DELIVERED',
    /** It could not be completed (FAILED, by its driver or by staff): what happens next. */
    FAILED = 'FAILED',
}

/** Who is told: the customer of the order they placed (the aggregate order in a marketplace). */
export interface DeliveryNotificationRecipient {
    emailAddress: string;
    firstName: string | null;
    lastName: string | null;
}

/** What the customer is told, as it was when the step happened. */
export interface DeliveryNotificationDetails {
    /** The code of the order the customer placed (in a marketplace the aggregate order's). */
    orderCode: string;
    /** The store the order is picked up from. */
    storeName: string | null;
    /** The seller of the delivered (seller) order, in a marketplace. */
    sellerName: string | null;
    /** The driver's name as staff entered it. */
    driverName: string | null;
    /** Minutes until the driver should arrive, while the delivery is with them and their position is known. */
    etaMinutes: number | null;
    /** The customer's tracking page (`DeliveryTracking.trackingUrl`); null without `publicBaseUrl`. */
    trackingUrl: string | null;
    /** The code the customer gives the driver at the door, while the delivery is open. */
    deliveryCode: string | null;
    /** FAILED: the reason code the driver or staff gave (`PICKUP_FAILED`, `DELIVERY_FAILED`, `TIMEOUT`). */
    reasonCode: string | null;
}

/**
 * @description
 * Published once per delivery, step, attempt and driver for the customer of the delivery (see
 * {@link DeliveryNotificationKind}), after the step committed: the `delivery_notification` table's
 * unique key decides, across processes, which handling of a (possibly repeated) delivery event
 * publishes it. The delivery emails (`deliveryEmailHandlers` of `plugins/driver-dispatch/emails`)
 * listen to it; so can SMS or push senders of a shop's own.
 */
export class DeliveryNotificationEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public kind: DeliveryNotificationKind,
        public assignmentId: ID,
        /** The delivered order (a seller order in a marketplace). */
        public orderId: ID,
        /** The driver of the step; null for a delivery staff failed while it waited for a driver. */
        public driverId: ID | null,
        public recipient: DeliveryNotificationRecipient,
        public details: DeliveryNotificationDetails,
        /**
         * How often staff had retried the delivery before this step (0 for the first attempt):
         * with `assignmentId`, `kind` and `driverId`, what makes a notification once.
         */
        public attempt = 0,
    ) {
        super();
    }
}
