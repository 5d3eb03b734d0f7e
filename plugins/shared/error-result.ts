/**
 * The base of the suite's expected refusals, returned in GraphQL result unions (Vendure's
 * ErrorResult pattern): `__typename` picks the GraphQL type, `errorCode` and `message` are what
 * clients show. A refusal is then its names and its message, e.g.
 *
 * ```ts
 * export class NoDriverAvailableError extends ErrorResult {
 *     constructor(message: string) {
 *         super('NoDriverAvailableError', 'NO_DRIVER_AVAILABLE_ERROR', message);
 *     }
 * }
 * ```
 *
 * Broken contracts are thrown (`UserInputError`, `ForbiddenError`), never returned.
 */
export abstract class ErrorResult {
    protected constructor(
        readonly __typename: string,
        readonly errorCode: string,
        readonly message: string,
    ) {}
}
