import { I18nError, LogLevel } from '@vendure/core';

/**
 * Errors this plugin throws (not ErrorResults): refusals that a result union cannot carry without
 * changing an operation's type.
 */

/**
 * A driver's app sent more location pings than the limit allows. Thrown (code
 * `TOO_MANY_REQUESTS`, `retryAfterSeconds` in the GraphQL error's extensions) because
 * `updateDriverLocation` returns `Driver!`. The message names the limit and when to retry.
 */
export class LocationPingRateLimitError extends I18nError {
    constructor(
        readonly points: number,
        readonly durationSeconds: number,
        readonly retryAfterSeconds: number,
    ) {
        // The message is final text, no i18n key: no variables to interpolate.
        super(
            `Too many location pings: at most ${points} per ${durationSeconds} s per driver. ` +
                `This ping was not recorded; retry in ${retryAfterSeconds} s`,
            {},
            'TOO_MANY_REQUESTS',
            // A flooding app is the client's problem, not the server's: keep the log quiet.
            LogLevel.Verbose,
        );
        this.extensions.retryAfterSeconds = retryAfterSeconds;
    }
}
