import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ID } from '@vendure/core';
import { Redis } from 'ioredis';
import {
    RateLimiterAbstract,
    RateLimiterMemory,
    RateLimiterRedis,
    RateLimiterRes,
} from 'rate-limiter-flexible';

import { closeRedisClient, connectRedisClient, createRedisClient, RedisOutageLog } from '../../shared/redis';
import { LocationPingRateLimitError } from '../api/thrown-errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions, LocationPingLimit } from '../options';

/**
 * Counts each driver's location pings against `locationPingLimit` (a fixed window per driver).
 *
 * - With `redisUrl`, the counters live in Redis (one atomic script per ping), so every server
 *   process counts together. The client fails fast (no offline queue, 1 s command timeout): while
 *   Redis is unreachable pings are let through, not refused nor delayed, and the outage is logged
 *   once; a limit is a guard against floods, never a reason to lose a driver's position.
 * - Without it (the embedded default, one process), the counters live in this process's memory.
 */
@Injectable()
export class PingRateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
    private readonly limit: LocationPingLimit;
    private readonly limiter: RateLimiterAbstract;
    private readonly redis: Redis | undefined;
    private readonly outageLog = new RedisOutageLog(
        'Location ping limit',
        loggerCtx,
        'letting pings through unlimited until it answers again',
    );

    constructor(
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        options: Pick<DriverDispatchPluginOptions, 'redisUrl' | 'redisKeyPrefix' | 'locationPingLimit'>,
    ) {
        this.limit = options.locationPingLimit ?? defaultDriverDispatchOptions.locationPingLimit;
        assertLimit(this.limit);
        const limiterOptions = {
            // `<redisKeyPrefix>:ping-limit:<driverId>`: the hash tag keeps them on one shard.
            keyPrefix: `${options.redisKeyPrefix ?? defaultDriverDispatchOptions.redisKeyPrefix}:ping-limit`,
            points: this.limit.points,
            duration: this.limit.durationSeconds,
        };
        if (options.redisUrl) {
            this.redis = createRedisClient({
                server: options.redisUrl,
                connectionName: 'driver-dispatch:ping-limit',
                outageLog: this.outageLog,
            });
            this.limiter = new RateLimiterRedis({
                ...limiterOptions,
                storeClient: this.redis,
                // Not connected: refuse at once (and so let the ping through) instead of waiting.
                rejectIfRedisNotReady: true,
            });
        } else {
            this.limiter = new RateLimiterMemory(limiterOptions);
        }
    }

    /** Where the counters live: `redis` (shared by all processes) or `memory` (this process). */
    get store(): 'redis' | 'memory' {
        return this.redis ? 'redis' : 'memory';
    }

    /** A Redis that is down at start must not stop the server: pings pass until it is back. */
    async onApplicationBootstrap(): Promise<void> {
        if (this.redis) await connectRedisClient(this.redis);
    }

    async onApplicationShutdown(): Promise<void> {
        if (this.redis) await closeRedisClient(this.redis);
    }

    /**
     * Counts one ping of the driver. Throws {@link LocationPingRateLimitError} when the driver is
     * past the limit; the caller records nothing then.
     */
    async admit(driverId: ID): Promise<void> {
        try {
            await this.limiter.consume(String(driverId));
        } catch (rejection) {
            if (rejection instanceof RateLimiterRes) {
                this.outageLog.back();
                throw new LocationPingRateLimitError(
                    this.limit.points,
                    this.limit.durationSeconds,
                    Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
                );
            }
            // Redis failed: fail open.
            this.outageLog.lost(rejection);
            return;
        }
        this.outageLog.back();
    }
}

function assertLimit(limit: LocationPingLimit) {
    for (const [name, value] of Object.entries(limit)) {
        if (!Number.isInteger(value) || value < 1) {
            throw new Error(
                `DriverDispatchPlugin option locationPingLimit.${name} must be a positive whole number, got ${String(value)}`,
            );
        }
    }
}
