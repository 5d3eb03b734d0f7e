import { ID, RequestContext, VendureEvent } from '@vendure/core';

/**
 * @description
 * Published when a driver was given a delivery, by dispatch or by staff (the driver is BUSY from
 * now on).
 */
export class DeliveryAssignedEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public assignmentId: ID,
        public orderId: ID,
        public driverId: ID,
        /** Distance of the driver from the pickup store when dispatch claimed them; null when staff chose. */
        public pickupDistanceKm: number | null,
        /** Ties the events and log lines of one delivery together. */
        public correlationId: string,
        /** The driver who held it last before (declined it, was taken off it or failed it), if any. */
        public previousDriverId: ID | null = null,
        /** The channels the delivery belongs to (the default channel and the seller's). */
        public channelIds: ID[] = [],
        /** The delivery's attempt (`DeliveryAssignment.attempt`): how often staff had retried it. */
        public attempt = 0,
    ) {
        super();
    }
}
