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
