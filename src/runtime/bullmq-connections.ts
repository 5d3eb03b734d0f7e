import { Injector, Logger, PluginCommonModule, VendurePlugin } from '@vendure/core';
// Not re-exported by the package's index: imported from their own files.
import { BullMQJobQueueStrategy } from '@vendure/job-queue-plugin/package/bullmq/bullmq-job-queue-strategy';
import { BULLMQ_PLUGIN_OPTIONS } from '@vendure/job-queue-plugin/package/bullmq/constants';
import { RedisHealthIndicator } from '@vendure/job-queue-plugin/package/bullmq/redis-health-indicator';
import { RedisJobBufferStorageStrategy } from '@vendure/job-queue-plugin/package/bullmq/redis-job-buffer-storage-strategy';
import type { BullMQPluginOptions } from '@vendure/job-queue-plugin/package/bullmq/types';
import { Redis, RedisOptions } from 'ioredis';

import { describeError } from '../../plugins/shared/errors';
import {
    createRedisClient,
    failFastRedisOptions,
    logRedisOutages,
    RedisOutageLog,
} from '../../plugins/shared/redis';

const loggerCtx = 'BullMQConnections';

type StartProcess = Parameters<BullMQJobQueueStrategy['start']>[1];

/** How long start-up waits for the job queue's first contact with Redis before going on without it. */
const INIT_WAIT_MS = 3000;

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
    /** Settles when the strategy's own `init` is done: at start, or once Redis answers. */
    private initialised: Promise<boolean> = Promise.resolve(false);
    private ready = false;
    private destroyed = false;

    /**
     * `init()` of 3.7.3 throws when its Redis health check fails (and that check's connection then
     * crashes the process, see {@link failFastHealthIndicator}), and after it waits on Redis for as
     * long as it is down (`queue.isPaused()`), so a server or worker started while Redis is down
     * never starts, though everything else here works without Redis (SQL driver index, the sweep
     * dispatching directly). Here the failed health check is only logged, and start-up goes on
     * after {@link INIT_WAIT_MS}: the queue finishes initialising when Redis answers, and queues
     * started meanwhile start then. Jobs added meanwhile wait in ioredis's offline queue, as they
     * do when Redis goes away later.
     */
    override async init(injector: Injector): Promise<void> {
        // The package's own options and services, its health check replaced.
        const tolerant = Object.create(injector) as Injector;
        tolerant.get = ((token: unknown) =>
            token === RedisHealthIndicator
                ? failFastHealthIndicator(injector.get<BullMQPluginOptions>(BULLMQ_PLUGIN_OPTIONS))
                : injector.get(token as never)) as Injector['get'];
        this.initialised = super.init(tolerant).then(
            () => {
                // Its job-cancellation subscriber, opened last, has no error listener of its own.
                const { cancellationSub } = this as unknown as OwnedClients;
                if (cancellationSub)
                    logRedisOutages(
                        cancellationSub,
                        new RedisOutageLog('Job cancellation subscriber', loggerCtx),
                    );
                return (this.ready = true);
            },
            (error: unknown) => {
                Logger.error(`The BullMQ job queue could not initialise: ${describeError(error)}`, loggerCtx);
                return false;
            },
        );
        // `super.init` has opened its command connection by now; its errors are logged once its
        // queue listens (after the health check). Before that one would be ioredis's "Unhandled
        // error event".
        (this as unknown as OwnedClients).redisConnection?.on('error', () => undefined);
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<'waiting'>(resolve => {
            timer = setTimeout(() => resolve('waiting'), INIT_WAIT_MS);
        });
        const outcome = await Promise.race([this.initialised, waited]);
        clearTimeout(timer);
        if (outcome === 'waiting') {
            Logger.warn(
                'Redis does not answer: starting without the job queue, which starts when Redis answers',
                loggerCtx,
            );
            void this.initialised.then(ok => {
                if (ok && !this.destroyed) Logger.info('Redis answers: the job queue is up', loggerCtx);
            });
        }
    }

    override async start(queueName: string, process: StartProcess): Promise<void> {
        if (this.ready) return super.start(queueName, process);
        // Not initialised yet (Redis down at start): the workers start once it is.
        void this.initialised.then(async ok => {
            if (!ok || this.destroyed) return;
            await super.start(queueName, process).catch((error: unknown) => {
                Logger.error(`Could not start the ${queueName} queue: ${describeError(error)}`, loggerCtx);
            });
        });
    }

    override async destroy(): Promise<void> {
        this.destroyed = true;
        await super.destroy();
        const own = this as unknown as OwnedClients;
        own.cancellationSub?.disconnect();
        own.redisConnection?.disconnect();
    }
}

/**
 * Stands in for the health check of `init()`. The package's own one throws when Redis is down,
 * and its BullMQ connection then emits an `error` after it was closed, with no listener left: an
 * uncaught exception that ends the process. This one pings once with a client that gives up.
 */
function failFastHealthIndicator(options: BullMQPluginOptions): Pick<RedisHealthIndicator, 'isHealthy'> {
    return {
        isHealthy: async (key: string) => {
            const connection = options.connection;
            // One attempt, no reconnection: the answer is wanted now.
            const oneAttempt: RedisOptions = { maxRetriesPerRequest: 0, retryStrategy: () => null };
            const connectionName = 'bullmq:health-check';
            const client =
                connection instanceof Redis
                    ? connection.duplicate({ ...failFastRedisOptions({}, connectionName), ...oneAttempt })
                    : createRedisClient({
                          server: (connection as RedisOptions | undefined) ?? {},
                          connectionName,
                          overrides: oneAttempt,
                      });
            client.on('error', () => undefined);
            let up = false;
            try {
                await client.connect();
                up = (await client.ping()) === 'PONG';
            } catch {
                up = false;
            } finally {
                client.disconnect();
            }
            return { [key]: { status: up ? 'up' : 'down' } };
        },
    };
}

/**
 * `RedisJobBufferStorageStrategy` of 3.7.3 has no `destroy()` for the client it opens, and no
 * error listener on it: while Redis is down ioredis printed "[ioredis] Unhandled error event" at
 * every reconnection attempt. Here an outage is logged once, and its end.
 */
export class ClosingRedisJobBufferStorageStrategy extends RedisJobBufferStorageStrategy {
    override init(injector: Injector): void {
        super.init(injector);
        const { redis } = this as unknown as OwnedClients;
        if (redis) logRedisOutages(redis, new RedisOutageLog('Job buffer', loggerCtx));
    }

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
