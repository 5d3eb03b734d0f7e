import { ID, RequestContext, VendureEvent } from '@vendure/core';

import { DeliveryStatus } from '../types';

/**
 * @description
 * Published on every move of a delivery from one status to another (also the assignment, next to
 * {@link DeliveryAssignedEvent}).
 */
export class DeliveryStatusEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public assignmentId: ID,
        public orderId: ID,
        public fromStatus: DeliveryStatus | null,
        public toStatus: DeliveryStatus,
        /** Why it moved, e.g. `CANCELLED_BY_ADMIN`; null for the ordinary steps. */
        public reasonCode: string | null,
        /** Ties the events and log lines of one delivery together. */
        public correlationId: string,
    ) {
        super();
    }
}
