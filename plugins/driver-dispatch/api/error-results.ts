import { DeliveryStatus } from '../types';

/**
 * Expected refusals of this plugin's API, returned in result unions (Vendure's ErrorResult
 * pattern): `__typename` picks the GraphQL type, `errorCode` and `message` are what clients show.
 */

/** Going OFFLINE while holding an open delivery: the delivery must end or be reassigned first. */
export class DriverHasOpenAssignmentError {
    readonly __typename = 'DriverHasOpenAssignmentError';
    readonly errorCode = 'DRIVER_HAS_OPEN_ASSIGNMENT_ERROR';

    constructor(readonly message: string) {}
}

/** A delivery asked to move where its state table does not lead (e.g. delivered before pickup). */
export class DeliveryTransitionError {
    readonly __typename = 'DeliveryTransitionError';
    readonly errorCode = 'DELIVERY_TRANSITION_ERROR';
    readonly message: string;

    constructor(
        readonly fromStatus: DeliveryStatus,
        readonly toStatus: DeliveryStatus,
    ) {
        this.message = `A delivery cannot move from ${fromStatus} to ${toStatus}`;
    }
}

/** The order cannot be handed to a driver yet; the message says what is missing. */
export class OrderNotReadyForDispatchError {
    readonly __typename = 'OrderNotReadyForDispatchError';
    readonly errorCode = 'ORDER_NOT_READY_FOR_DISPATCH_ERROR';

    constructor(readonly message: string) {}
}

/** A wrong or missing delivery code, or a delivery locked after too many wrong ones. */
export class DeliveryCodeError {
    readonly __typename = 'DeliveryCodeError';
    readonly errorCode = 'DELIVERY_CODE_ERROR';

    constructor(
        readonly message: string,
        readonly attemptsLeft: number,
    ) {}
}
