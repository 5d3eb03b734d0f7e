import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ID } from '@vendure/core';

import { RedisOutageLog } from '../../shared/redis';
import { LocationPingRateLimitError } from '../api/thrown-errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions, LocationPingLimit } from '../options';
import { FixedWindowCounters } from './fixed-window-counters';
import { PingAllowance } from './ping-batch';

/**
 * Counts each driver's location pings against `locationPingLimit` (a fixed window per driver),
 * many drivers at a time: the ping batcher asks once per flush for all the drivers that pinged.
 *
 * - With `redisUrl`, the counters live in Redis (`<redisKeyPrefix>:ping-limit:<driverId>`, one
 *   script per call over every driver in it), so every server process counts together and the
 *   limit holds exactly across them. The client fails fast (no offline queue, 1 s command
 *   timeout): while Redis is unreachable pings are let through, not refused nor delayed, and the
 *   outage is logged once; a limit is a guard against floods, never a reason to lose a driver's
 *   position.
 * - Without it (the embedded default, one process), the counters live in this process's memory.
 */
@Injectable()
export class PingRateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
    readonly limit: LocationPingLimit;
    private readonly counters: FixedWindowCounters;

    constructor(
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        options: Pick<DriverDispatchPluginOptions, 'redisUrl' | 'redisKeyPrefix' | 'locationPingLimit'>,
    ) {
        this.limit = options.locationPingLimit ?? defaultDriverDispatchOptions.locationPingLimit;
        assertLimit(this.limit);
        this.counters = new FixedWindowCounters({
            redisUrl: options.redisUrl,
            // The hash tag of the prefix keeps every counter on one shard (the script takes many).
            keyPrefix: `${options.redisKeyPrefix ?? defaultDriverDispatchOptions.redisKeyPrefix}:ping-limit`,
            connectionName: 'driver-dispatch:ping-limit',
            points: this.limit.points,
            windowMs: this.limit.durationSeconds * 1000,
            outageLog: new RedisOutageLog(
                'Location ping limit',
                loggerCtx,
                'letting pings through unlimited until it answers again',
            ),
        });
    }

    /** Where the counters live: `redis` (shared by all processes) or `memory` (this process). */
    get store(): 'redis' | 'memory' {
        return this.counters.store;
    }

    /** A Redis that is down at start must not stop the server: pings pass until it is back. */
    async onApplicationBootstrap(): Promise<void> {
        await this.counters.connect();
    }

    async onApplicationShutdown(): Promise<void> {
        await this.counters.close();
    }

    /**
     * Counts `requests` (pings per driver id) in one step and says, per driver, how many of them
     * are within the limit. Drivers missing from the answer are let through: the counters were
     * unreachable (Redis down); the position matters more than the flood guard.
     */
    take(requests: ReadonlyMap<string, number>): Promise<Map<string, PingAllowance>> {
        return this.counters.take(requests);
    }

    /**
     * Counts one ping of the driver. Throws {@link LocationPingRateLimitError} when the driver is
     * past the limit; the caller records nothing then.
     */
    async admit(driverId: ID): Promise<void> {
        const key = String(driverId);
        const allowance = (await this.take(new Map([[key, 1]]))).get(key);
        if (allowance && allowance.admitted < 1) throw this.refusal(allowance.msBeforeNext);
    }

    /** The error a refused ping gets: the limit, and when the driver may ping again. */
    refusal(msBeforeNext: number): LocationPingRateLimitError {
        return new LocationPingRateLimitError(
            this.limit.points,
            this.limit.durationSeconds,
            Math.max(1, Math.ceil(msBeforeNext / 1000)),
        );
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
