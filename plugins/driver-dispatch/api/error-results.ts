import { ErrorResult } from '../../shared/error-result';
import { DeliveryStatus } from '../types';

/** Expected refusals of this plugin's API, returned in result unions (see {@link ErrorResult}). */

/** Going OFFLINE while holding an open delivery: the delivery must end or be reassigned first. */
export class DriverHasOpenAssignmentError extends ErrorResult {
    constructor(message: string) {
        super('DriverHasOpenAssignmentError', 'DRIVER_HAS_OPEN_ASSIGNMENT_ERROR', message);
    }
}

/** A delivery asked to move where its state table does not lead (e.g. delivered before pickup). */
export class DeliveryTransitionError extends ErrorResult {
    constructor(
        readonly fromStatus: DeliveryStatus,
        readonly toStatus: DeliveryStatus,
    ) {
        super(
            'DeliveryTransitionError',
            'DELIVERY_TRANSITION_ERROR',
            `A delivery cannot move from ${fromStatus} to ${toStatus}`,
        );
    }
}

/** The order cannot be handed to a driver yet; the message says what is missing. */
export class OrderNotReadyForDispatchError extends ErrorResult {
    constructor(message: string) {
        super('OrderNotReadyForDispatchError', 'ORDER_NOT_READY_FOR_DISPATCH_ERROR', message);
    }
}

/** A wrong or missing delivery code, or a delivery locked after too many wrong ones. */
export class DeliveryCodeError extends ErrorResult {
    constructor(
        message: string,
        readonly attemptsLeft: number,
    ) {
        super('DeliveryCodeError', 'DELIVERY_CODE_ERROR', message);
    }
}
