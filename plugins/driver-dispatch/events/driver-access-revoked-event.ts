import { ID, RequestContext, VendureEvent } from '@vendure/core';

/**
 * @description
 * Published when a driver lost access: staff disabled or deleted them, and their sessions were
 * revoked. The live connections of that driver (event streams, the driver channel) end at once in
 * every process. Subscribers see it after the change committed.
 */
export class DriverAccessRevokedEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public driverId: ID,
        public reason: 'disabled' | 'deleted',
    ) {
        super();
    }
}
