import { Redis, Result } from 'ioredis';

import { closeRedisClient, connectRedisClient, createRedisClient, RedisOutageLog } from '../../shared/redis';
import { MemoryPingCounters, PingAllowance } from './ping-batch';

/**
 * Takes up to N of several counters in one step. Per key (KEYS[i]) it starts a window of ARGV[2]
 * ms when there is none, admits what fits under ARGV[1] of the ARGV[i + 2] asked for, and answers
 * the admitted count and the window's ms left. What is refused is not counted: a flooding client
 * does not lengthen its own lockout.
 */
const TAKE_SCRIPT = `
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
        vqdTakeFixedWindow(...args: Array<string | number>): Result<number[], Context>;
    }
}

export interface FixedWindowCountersOptions {
    /** Where the counters are shared by every process; without it, this process's memory. */
    redisUrl?: string;
    /** Redis keys are `<keyPrefix>:<key>`: keep one hash tag in it, the script takes many keys. */
    keyPrefix: string;
    connectionName: string;
    points: number;
    windowMs: number;
    /** Logs an outage once; the counters let everything through while Redis is unreachable. */
    outageLog: RedisOutageLog;
}

/**
 * Fixed-window counters (`points` per `windowMs` per key), in Redis (one script per call, so every
 * server process counts together and the limit holds exactly across them) or in memory. The Redis
 * client fails fast; while Redis is unreachable nothing is counted and everything passes: these
 * counters guard against floods, they must not take a feature away.
 */
export class FixedWindowCounters {
    private readonly memory: MemoryPingCounters | undefined;
    private readonly redis: Redis | undefined;

    constructor(private readonly options: FixedWindowCountersOptions) {
        if (options.redisUrl) {
            this.redis = createRedisClient({
                server: options.redisUrl,
                connectionName: options.connectionName,
                outageLog: options.outageLog,
            });
            this.redis.defineCommand('vqdTakeFixedWindow', { lua: TAKE_SCRIPT });
        } else {
            this.memory = new MemoryPingCounters(options.points, options.windowMs);
        }
    }

    /** Where the counters live: `redis` (shared by all processes) or `memory` (this process). */
    get store(): 'redis' | 'memory' {
        return this.redis ? 'redis' : 'memory';
    }

    /** A Redis that is down at start must not stop the server: everything passes until it is back. */
    async connect(): Promise<void> {
        if (this.redis) await connectRedisClient(this.redis);
    }

    async close(): Promise<void> {
        if (this.redis) await closeRedisClient(this.redis);
    }

    /**
     * Counts `requests` (how many per key) in one step and says, per key, how many of them are
     * within the limit (`points`, if not the options'). Keys missing from the answer are let
     * through: Redis was unreachable.
     */
    async take(
        requests: ReadonlyMap<string, number>,
        points = this.options.points,
    ): Promise<Map<string, PingAllowance>> {
        if (this.memory) return this.memory.take(requests, Date.now(), points);
        const redis = this.redis;
        if (!redis || requests.size === 0) return new Map();
        const keys = [...requests.keys()];
        let flat: number[];
        try {
            flat = await redis.vqdTakeFixedWindow(
                keys.length,
                ...keys.map(key => `${this.options.keyPrefix}:${key}`),
                points,
                this.options.windowMs,
                ...keys.map(key => requests.get(key) ?? 0),
            );
        } catch (error) {
            this.options.outageLog.lost(error);
            return new Map();
        }
        this.options.outageLog.back();
        return new Map(
            keys.map((key, i) => [
                key,
                { admitted: Number(flat[2 * i]), msBeforeNext: Number(flat[2 * i + 1]) },
            ]),
        );
    }
}
