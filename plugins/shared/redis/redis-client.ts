import { Logger } from '@vendure/core';
import { Redis, RedisOptions } from 'ioredis';

import { describeError } from '../errors';
import { failFastRedisOptions } from './redis-options';

/**
 * Logs an outage of one Redis-backed feature once when it starts and once when it ends, however
 * many commands fail or reconnection attempts ioredis reports in between.
 */
export class RedisOutageLog {
    private down = false;

    /**
     * @param what names the feature in the log lines, e.g. `'Redis driver index'`.
     * @param whileDown what the feature does meanwhile, appended to the warning.
     */
    constructor(
        private readonly what: string,
        private readonly loggerCtx: string,
        private readonly whileDown?: string,
    ) {}

    /** True between a failure and the next success. */
    get isDown(): boolean {
        return this.down;
    }

    /** A failure: logged if it is the first of an outage. Returns whether it was. */
    lost(error: unknown): boolean {
        if (this.down) return false;
        this.down = true;
        const consequence = this.whileDown ? `; ${this.whileDown}` : '';
        Logger.warn(
            `${this.what}: Redis unreachable (${describeError(error)})${consequence}`,
            this.loggerCtx,
        );
        return true;
    }

    /** A success: logged if it ends an outage. Returns whether it did. */
    back(): boolean {
        if (!this.down) return false;
        this.down = false;
        Logger.info(`${this.what}: Redis reachable again`, this.loggerCtx);
        return true;
    }
}

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
    /** `redis://` or `rediss://` URL of the server, or its connection options (host, port, …). */
    server: string | RedisOptions;
    /** The client's name in Redis (`CLIENT LIST`): which part of the suite holds the connection. */
    connectionName: string;
    /**
     * Where connection losses and recoveries are logged, once per outage. Without it the client
     * logs nothing and the caller reports outages itself.
     */
    outageLog?: RedisOutageLog;
    /** ioredis options that differ from {@link failFastRedisOptions} (e.g. no reconnection). */
    overrides?: RedisOptions;
}

/**
 * The suite's Redis client: fail-fast options ({@link failFastRedisOptions}: nothing waits on a
 * Redis that is down, reconnection in the background), not connected yet (call
 * {@link connectRedisClient}), and an `error` listener, so a lost connection never becomes an
 * unhandled `error` event; with `outageLog`, the loss and the return are logged once each.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
    const client = new Redis({
        ...failFastRedisOptions(options.server, options.connectionName),
        ...options.overrides,
    });
    if (options.outageLog) return logRedisOutages(client, options.outageLog);
    // Errors are the caller's to report; unheard, ioredis would print each one.
    return client.on('error', () => undefined);
}

/** Logs a client's connection losses and recoveries through `outageLog`, once per outage. */
export function logRedisOutages(client: Redis, outageLog: RedisOutageLog): Redis {
    return client.on('error', (error: Error) => outageLog.lost(error)).on('ready', () => outageLog.back());
}

/**
 * Connects a client made by {@link createRedisClient}. A Redis that is down is not an error here:
 * the client's `error` listener saw it, and ioredis keeps reconnecting in the background.
 */
export async function connectRedisClient(client: Redis): Promise<void> {
    try {
        await client.connect();
    } catch {
        // Reported by the error listener; the client retries by itself.
    }
}

/** Closes a client: politely (QUIT) when connected, at once when not. */
export async function closeRedisClient(client: Redis): Promise<void> {
    try {
        await client.quit();
    } catch {
        // Not connected: nothing to say goodbye to.
        client.disconnect();
    }
}
