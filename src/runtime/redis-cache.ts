import { RedisCacheStrategy } from '@vendure/core';
import type { Redis } from 'ioredis';

import { closeRedisClient } from '../../plugins/shared/redis';

/**
 * Vendure's Redis cache, with a shutdown that cannot fail. `RedisCacheStrategy.destroy()` of 3.7.3
 * is a bare `quit()`, which a client without an offline queue (as configured here: a cache read
 * must not wait for a Redis that is down) refuses while it is not connected ("Stream isn't
 * writeable"). A process stopped while its cache client is between reconnections (Redis down, or
 * back for less than the client's retry delay of up to 2 s) then failed its shutdown and exited 1.
 */
export class ClosingRedisCacheStrategy extends RedisCacheStrategy {
    override async destroy(): Promise<void> {
        // Private in the package, so read structurally (set by `init()`).
        const client = (this as unknown as { client?: Redis }).client;
        if (client) await closeRedisClient(client);
    }
}
