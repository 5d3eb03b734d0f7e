import { once } from 'node:events';

import { Logger, RedisCacheStrategy } from '@vendure/core';
import type { Redis } from 'ioredis';

import { freePort } from './embedded-postgres';
import { ClosingRedisCacheStrategy } from './redis-cache';

describe('ClosingRedisCacheStrategy', () => {
    beforeEach(() => {
        // The cache client logs each refused connection.
        jest.spyOn(Logger, 'error').mockImplementation(() => undefined);
    });

    afterEach(() => jest.restoreAllMocks());

    /** The cache's options as the app configures them, on a port nobody listens on. */
    async function unreachable() {
        return {
            namespace: 'test:cache',
            redisOptions: { host: '127.0.0.1', port: await freePort(), enableOfflineQueue: false },
        };
    }

    it("shuts down while Redis is unreachable, where Vendure's own strategy fails", async () => {
        const options = await unreachable();
        const vendures = new RedisCacheStrategy(options);
        await vendures.init();
        const closing = new ClosingRedisCacheStrategy(options);
        await closing.init();
        try {
            // What made a worker stopped during an outage exit 1.
            await expect(vendures.destroy()).rejects.toThrow("Stream isn't writeable");
            await expect(closing.destroy()).resolves.toBeUndefined();
            // Disconnected for good: it ends instead of reconnecting.
            const client = (closing as unknown as { client: Redis }).client;
            if (client.status !== 'end') await once(client, 'end');
            expect(client.status).toBe('end');
        } finally {
            (vendures as unknown as { client: { disconnect(): void } }).client.disconnect();
        }
    });

    it('reads nothing and fails nothing while Redis is unreachable', async () => {
        const closing = new ClosingRedisCacheStrategy(await unreachable());
        await closing.init();
        try {
            await expect(closing.get('key')).resolves.toBeUndefined();
            await expect(closing.set('key', 1)).resolves.toBeUndefined();
        } finally {
            await closing.destroy();
        }
    });
});
