import { ID, RequestContext, VendureEvent } from '@vendure/core';

import { DeliveryStatus } from '../types';

/**
 * @description
 * Published on every move of a delivery from one status to another (also the assignment, next to
 * {@link DeliveryAssignedEvent}), and when a delivery is created (`fromStatus` null). It carries
 * what subscribers need, so none re-reads the delivery after commit.
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
        /** The driver on the delivery after the move (still set on a FAILED one: who failed it). */
        public driverId: ID | null = null,
        /** The driver on the delivery before the move: differs when a driver was taken off. */
        public previousDriverId: ID | null = null,
        /** The channels the delivery belongs to (the default channel and the seller's). */
        public channelIds: ID[] = [],
        /** The {@link DeliveryEvent} row this move appended: one id per move, for subscribers that act once per move. */
        public deliveryEventId: ID | null = null,
        /** The delivery's attempt after the move (`DeliveryAssignment.attempt`): a retry raises it. */
        public attempt = 0,
    ) {
        super();
    }
}
