import { ID, RequestContext, VendureEvent } from '@vendure/core';

import { DriverStatus } from '../types';

/**
 * @description
 * Published when a driver's status changed: they went on or off duty, staff changed it, dispatch
 * made them BUSY or released them, or the sweep found their heartbeat expired. Subscribers see it
 * after the change committed.
 */
export class DriverStatusEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public driverId: ID,
        public status: DriverStatus,
    ) {
        super();
    }
}
