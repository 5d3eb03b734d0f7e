import { ID, RequestContext, VendureEvent } from '@vendure/core';

import { DeliveryDelayStage } from '../types';

/**
 * @description
 * Published once per delivery and stage when a delivery took longer than the plugin allows:
 * `WAITING_FOR_DRIVER` when it has been PENDING for more than `pendingAlertAfterSeconds` since it
 * was marked ready, `OUT_FOR_DELIVERY` when it has been with its driver (ASSIGNED or PICKED_UP)
 * for more than `deliveryAlertAfterMinutes` since it was assigned. The `dispatch-sweep` task
 * detects it; a database column per stage makes it once across processes and restarts.
 */
export class DeliveryDelayedEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public assignmentId: ID,
        public orderId: ID,
        public stage: DeliveryDelayStage,
        /** When the stage's clock started: marked ready (WAITING_FOR_DRIVER) or assigned (OUT_FOR_DELIVERY). */
        public since: Date,
        /** The driver on the delivery (null while waiting for one). */
        public driverId: ID | null,
        /** Ties the events and log lines of one delivery together. */
        public correlationId: string,
        /** The channels the delivery belongs to (the default channel and the seller's). */
        public channelIds: ID[] = [],
    ) {
        super();
    }
}
