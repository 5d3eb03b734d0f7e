/**
 * Reads until `done` holds or the time is up, and returns the last value read: the caller's
 * assertion on it then says what was wrong instead of a bare timeout.
 */
export async function eventually<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 10_000,
): Promise<T> {
    const until = Date.now() + timeoutMs;
    let value = await read();
    while (!done(value) && Date.now() < until) {
        await new Promise(resolve => setTimeout(resolve, 200));
        value = await read();
    }
    return value;
}
