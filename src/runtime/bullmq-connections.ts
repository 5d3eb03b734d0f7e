import { PluginCommonModule, VendurePlugin } from '@vendure/core';
// Not re-exported by the package's index: imported from their own files.
import { BullMQJobQueueStrategy } from '@vendure/job-queue-plugin/package/bullmq/bullmq-job-queue-strategy';
import { RedisJobBufferStorageStrategy } from '@vendure/job-queue-plugin/package/bullmq/redis-job-buffer-storage-strategy';
import type { Redis } from 'ioredis';

/**
 * The Redis clients a strategy of `@vendure/job-queue-plugin` 3.7.3 opens itself (private there,
 * so read structurally). This project passes connection options, never a client, so the strategies
 * own every client they hold.
 */
interface OwnedClients {
    redisConnection?: Redis;
    cancellationSub?: Redis;
    redis?: Redis;
}

/**
 * `BullMQJobQueueStrategy.destroy()` of 3.7.3 closes the queue and the workers but not the two
 * clients it opened itself (the command connection and the cancellation subscriber). Left open,
 * they reconnect for ever once Redis goes away, and keep a process that closed Vendure (a test
 * run, an embedding app) from exiting.
 */
export class ClosingBullMQJobQueueStrategy extends BullMQJobQueueStrategy {
    override async destroy(): Promise<void> {
        await super.destroy();
        const own = this as unknown as OwnedClients;
        own.cancellationSub?.disconnect();
        own.redisConnection?.disconnect();
    }
}

/** `RedisJobBufferStorageStrategy` of 3.7.3 has no `destroy()` for the client it opens. */
export class ClosingRedisJobBufferStorageStrategy extends RedisJobBufferStorageStrategy {
    destroy(): void {
        (this as unknown as OwnedClients).redis?.disconnect();
    }
}

/**
 * Put after `BullMQJobQueuePlugin` in the plugin list: swaps its strategies for ones that close
 * every Redis client they opened when Vendure shuts down.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    configuration: config => {
        config.jobQueueOptions.jobQueueStrategy = new ClosingBullMQJobQueueStrategy();
        config.jobQueueOptions.jobBufferStorageStrategy = new ClosingRedisJobBufferStorageStrategy();
        return config;
    },
    compatibility: '^3.7.0',
})
export class BullMQConnectionsPlugin {}
