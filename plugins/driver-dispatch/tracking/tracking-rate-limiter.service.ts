import { createHash } from 'node:crypto';

import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Redis, Result } from 'ioredis';

import { closeRedisClient, connectRedisClient, createRedisClient, RedisOutageLog } from '../../shared/redis';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions } from '../options';
import { MemoryPingCounters } from '../services/ping-batch';
import { resolveTrackingPageOptions } from './tracking-options';

const WINDOW_MS = 60_000;

/** Counts one request in a fixed window: answers the count so far and the window's ms left. */
const COUNT_REQUEST_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local msLeft = redis.call('PTTL', KEYS[1])
if msLeft < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    msLeft = tonumber(ARGV[1])
end
return { count, msLeft }
`;

declare module 'ioredis' {
    interface RedisCommander<Context> {
        vqdCountTrackingRequest(key: string, windowMs: number): Result<[number, number], Context>;
    }
}

/** The answer for one request: let through, or refused until `retryAfterSeconds`. */
export type TrackingAllowance = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The per-token limit of the tracking page (`tracking.requestsPerMinute`, a fixed minute per
 * token). With `redisUrl` the counters are Redis keys `<redisKeyPrefix>:track-limit:<hash>` (the
 * SHA-256 of the token, so Redis never holds a working link), shared by every server process;
 * while Redis is unreachable requests pass (logged once per outage): the limit guards against
 * floods, it must not take the page away. Without Redis, this process's memory.
 */
@Injectable()
export class TrackingRateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
    readonly requestsPerMinute: number;
    private readonly keyPrefix: string;
    private readonly memory: MemoryPingCounters | undefined;
    private readonly redis: Redis | undefined;
    private readonly outageLog = new RedisOutageLog(
        'Tracking page limit',
        loggerCtx,
        'letting tracking requests through unlimited until it answers again',
    );

    constructor(
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        options: Pick<DriverDispatchPluginOptions, 'redisUrl' | 'redisKeyPrefix' | 'tracking'>,
    ) {
        this.requestsPerMinute = resolveTrackingPageOptions(options.tracking).requestsPerMinute;
        this.keyPrefix = `${options.redisKeyPrefix ?? defaultDriverDispatchOptions.redisKeyPrefix}:track-limit`;
        if (options.redisUrl) {
            this.redis = createRedisClient({
                server: options.redisUrl,
                connectionName: 'driver-dispatch:track-limit',
                outageLog: this.outageLog,
            });
            this.redis.defineCommand('vqdCountTrackingRequest', {
                numberOfKeys: 1,
                lua: COUNT_REQUEST_SCRIPT,
            });
        } else {
            this.memory = new MemoryPingCounters(this.requestsPerMinute, WINDOW_MS);
        }
    }

    /** Where the counters live: `redis` (shared by all processes) or `memory` (this process). */
    get store(): 'redis' | 'memory' {
        return this.redis ? 'redis' : 'memory';
    }

    async onApplicationBootstrap(): Promise<void> {
        if (this.redis) await connectRedisClient(this.redis);
    }

    async onApplicationShutdown(): Promise<void> {
        if (this.redis) await closeRedisClient(this.redis);
    }

    /** Counts one request of the token (well-formed, looked up or not) against the limit. */
    async take(token: string): Promise<TrackingAllowance> {
        const key = createHash('sha256').update(token).digest('base64url').slice(0, 32);
        if (this.memory) {
            const allowance = this.memory.take(new Map([[key, 1]]), Date.now()).get(key);
            return allowance && allowance.admitted < 1 ? refused(allowance.msBeforeNext) : { allowed: true };
        }
        const redis = this.redis;
        if (!redis) return { allowed: true };
        try {
            const [count, msLeft] = await redis.vqdCountTrackingRequest(
                `${this.keyPrefix}:${key}`,
                WINDOW_MS,
            );
            this.outageLog.back();
            return Number(count) > this.requestsPerMinute ? refused(Number(msLeft)) : { allowed: true };
        } catch (error) {
            this.outageLog.lost(error);
            return { allowed: true };
        }
    }
}

function refused(msLeft: number): TrackingAllowance {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
}
