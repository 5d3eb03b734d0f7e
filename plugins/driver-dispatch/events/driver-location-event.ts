import { ID, VendureEvent } from '@vendure/core';

/**
 * @description
 * Published for every location ping of a driver (their app, or the demo fleet). A ping is not
 * part of a database transaction (positions are written in batches), so the event carries no
 * RequestContext and subscribers see it at once.
 */
export class DriverLocationEvent extends VendureEvent {
    constructor(
        public driverId: ID,
        public latitude: number,
        public longitude: number,
        /** When the driver was at this position. */
        public at: Date,
    ) {
        super();
    }
}
