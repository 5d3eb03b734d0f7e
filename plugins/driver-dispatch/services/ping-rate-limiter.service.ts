import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ID } from '@vendure/core';
import { Redis, Result } from 'ioredis';

import { closeRedisClient, connectRedisClient, createRedisClient, RedisOutageLog } from '../../shared/redis';
import { LocationPingRateLimitError } from '../api/thrown-errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions, LocationPingLimit } from '../options';
import { MemoryPingCounters, PingAllowance } from './ping-batch';

/**
 * Takes up to N pings for each of several drivers in one step. Per key (KEYS[i], the driver's
 * counter) it starts a window of ARGV[2] ms when there is none, admits what fits under ARGV[1]
 * of the ARGV[i + 2] pings asked for, and answers the admitted count and the window's ms left.
 * Refused pings are not counted: a flooding app does not lengthen its own lockout.
 */
const TAKE_PINGS_SCRIPT = `
local points, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local answers = {}
for i, key in ipairs(KEYS) do
    local wanted = tonumber(ARGV[i + 2])
    local msLeft = redis.call('PTTL', key)
    if msLeft < 0 then
        redis.call('SET', key, 0, 'PX', windowMs)
        msLeft = windowMs
    end
    local used = tonumber(redis.call('GET', key))
    local admitted = math.min(wanted, math.max(0, points - used))
    if admitted > 0 then redis.call('INCRBY', key, admitted) end
    answers[#answers + 1] = admitted
    answers[#answers + 1] = msLeft
end
return answers
`;

declare module 'ioredis' {
    interface RedisCommander<Context> {
        vqdTakePings(...args: Array<string | number>): Result<number[], Context>;
    }
}

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
    private readonly keyPrefix: string;
    private readonly memory: MemoryPingCounters | undefined;
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
        // The hash tag of the prefix keeps every counter on one shard (the script takes many).
        this.keyPrefix = `${options.redisKeyPrefix ?? defaultDriverDispatchOptions.redisKeyPrefix}:ping-limit`;
        if (options.redisUrl) {
            this.redis = createRedisClient({
                server: options.redisUrl,
                connectionName: 'driver-dispatch:ping-limit',
                outageLog: this.outageLog,
            });
            this.redis.defineCommand('vqdTakePings', { lua: TAKE_PINGS_SCRIPT });
        } else {
            this.memory = new MemoryPingCounters(this.limit.points, this.limit.durationSeconds * 1000);
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
     * Counts `requests` (pings per driver id) in one step and says, per driver, how many of them
     * are within the limit. Drivers missing from the answer are let through: the counters were
     * unreachable (Redis down).
     */
    async take(requests: ReadonlyMap<string, number>): Promise<Map<string, PingAllowance>> {
        if (this.memory) return this.memory.take(requests, Date.now());
        const redis = this.redis;
        if (!redis || requests.size === 0) return new Map();
        const driverIds = [...requests.keys()];
        let flat: number[];
        try {
            flat = await redis.vqdTakePings(
                driverIds.length,
                ...driverIds.map(id => `${this.keyPrefix}:${id}`),
                this.limit.points,
                this.limit.durationSeconds * 1000,
                ...driverIds.map(id => requests.get(id) ?? 0),
            );
        } catch (error) {
            // Fail open: the position matters more than the flood guard.
            this.outageLog.lost(error);
            return new Map();
        }
        this.outageLog.back();
        return new Map(
            driverIds.map((id, i) => [
                id,
                { admitted: Number(flat[2 * i]), msBeforeNext: Number(flat[2 * i + 1]) },
            ]),
        );
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
