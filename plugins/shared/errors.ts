/**
 * What went wrong, in one line, for a log message or a wrapping error: the message of an `Error`
 * (with the name of its class when `withName`, e.g. a client's `ConnectionError`), then the message
 * of its `cause` if it has one (`fetch failed (connect ECONNREFUSED …)`), else the value as a
 * string (a rejection may carry anything).
 */
export function describeError(error: unknown, options: { withName?: boolean } = {}): string {
    if (!(error instanceof Error)) return String(error);
    const message = options.withName ? `${error.name}: ${error.message}` : error.message;
    const cause: unknown = error.cause;
    return cause instanceof Error ? `${message} (${cause.message})` : message;
}
