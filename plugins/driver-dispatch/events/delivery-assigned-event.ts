import { ID, RequestContext, VendureEvent } from '@vendure/core';

/**
 * @description
 * Published when dispatch assigned a driver to a delivery (the driver is BUSY from now on).
 */
export class DeliveryAssignedEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public assignmentId: ID,
        public orderId: ID,
        public driverId: ID,
        /** Distance of the driver from the pickup store when claimed. */
        public pickupDistanceKm: number,
        /** Ties the events and log lines of one delivery together. */
        public correlationId: string,
    ) {
        super();
    }
}
