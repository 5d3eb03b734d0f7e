import { RedisCacheStrategy } from '@vendure/core';
import type { Redis } from 'ioredis';

/**
 * Vendure's Redis cache, with a shutdown that cannot fail. `RedisCacheStrategy.destroy()` of 3.7.3
 * ends with `quit()`, which a client without an offline queue (as configured here: a cache read
 * must not wait for a Redis that is down) refuses while it is not connected ("Stream isn't
 * writeable"). A process stopped while its cache client is between reconnections (Redis down, or
 * back for less than the client's retry delay of up to 2 s) then failed its shutdown and exited 1.
 * A client that is not connected is disconnected instead: it has nothing left to send.
 */
export class ClosingRedisCacheStrategy extends RedisCacheStrategy {
    override async destroy(): Promise<void> {
        // Private in the package, so read structurally (set by `init()`).
        const client = (this as unknown as { client?: Redis }).client;
        if (client?.status === 'ready') {
            try {
                await client.quit();
                return;
            } catch {
                // The connection went away while quitting: nothing left to close gracefully.
            }
        }
        client?.disconnect();
    }
}
