/**
 * What went wrong, in one line, for a log message or a wrapping error: the message of an `Error`,
 * else the value as a string (a rejection may carry anything).
 */
export function describeError(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
