import { ID, RequestContext, VendureEvent } from '@vendure/core';

/**
 * @description
 * Published when a driver became AVAILABLE: they went on duty, staff set them available, or their
 * delivery ended. Dispatch then gives the oldest waiting deliveries another try.
 */
export class DriverAvailableEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public driverId: ID,
    ) {
        super();
    }
}
