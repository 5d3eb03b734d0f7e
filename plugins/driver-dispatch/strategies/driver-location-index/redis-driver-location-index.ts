import { ID, Injector } from '@vendure/core';
import { Redis, Result } from 'ioredis';

import { EARTH_RADIUS_KM, LatLng, radiusSteps } from '../../../shared/geo';
import {
    closeRedisClient,
    connectRedisClient,
    createRedisClient,
    RedisOutageLog,
} from '../../../shared/redis';
import { DEFAULT_REDIS_KEY_PREFIX, HEARTBEAT_TTL_SECONDS, loggerCtx } from '../../constants';
import { DriverStatus } from '../../types';
import {
    ClaimedDriver,
    ClaimOptions,
    DriverLocationIndex,
    IndexedDriver,
    NearbyDriver,
    ReconciledDriver,
    ReconcileResult,
} from './driver-location-index';

export type { ReconciledDriver, ReconcileResult } from './driver-location-index';

/** Options of the {@link RedisDriverLocationIndex}. */
export interface RedisDriverLocationIndexOptions {
    /** `redis://` or `rediss://` URL of the Redis server (7 or later: GEOSEARCH). */
    redisUrl: string;
    /**
     * Prefix of every key of this index. Keep a hash tag (`{…}`) in it, one per region: all keys of
     * a region then live on one Redis Cluster shard, which the claim script needs.
     *
     * @default '{driver-dispatch}:drivers'
     */
    namespace?: string;
    /**
     * Lifetime of a driver's heartbeat after their last ping: a driver unseen this long is not
     * claimable (DESIGN: unseen 45 s means OFFLINE).
     *
     * @default 45
     */
    heartbeatTtlSeconds?: number;
}

/**
 * Redis measures GEO distances on a sphere of 6372.797560856 km, plugins/shared/geo on one of
 * 6371.0088 km: the claim script converts, so that both indexes agree to the metre on what "within
 * the radius" means.
 */
const REDIS_EARTH_RADIUS_KM = 6372.797560856;
const TO_REDIS_KM = REDIS_EARTH_RADIUS_KM / EARTH_RADIUS_KM;

/** How many GEOSEARCH results the claim script looks at first; it widens when they do not decide. */
const CLAIM_SEARCH_COUNT = 16;

/** Keys per batch when reading heartbeats and writing a rebuild. */
const BATCH_SIZE = 1000;

/**
 * Lua for "now" in ms by Redis's own clock: every status write and the reconciliation's cut-off use
 * it, so the clocks of the processes writing do not matter. (Redis 7 replicates script effects, so
 * TIME may precede writes.)
 */
const REDIS_NOW_MS = `(function() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end)()`;

/**
 * The claim: for each radius, the nearest members of the GEO set (which holds only AVAILABLE
 * drivers); members whose heartbeat key has expired, or whose status is not AVAILABLE, are stale
 * and leave the set; excluded ids are skipped. Among the live candidates at the smallest distance
 * (in whole metres) the longest idle wins, then the smallest id. The winner leaves the GEO set and
 * becomes BUSY in the same script, so two claims can never take the same driver; the time of the
 * claim is kept, so the sweep's reconciliation can tell a claim still being committed from a stale one.
 *
 * Distances are compared in whole metres of plugins/shared/geo's sphere, the radius too: each search
 * reaches half a metre further and keeps what rounds to within the radius, as the SQL index does,
 * so equally near drivers on both sides of a radius step are seen together.
 *
 * KEYS: geo, status, idle, status-at. ARGV: longitude, latitude, heartbeat key prefix, Redis km per km,
 * number of radii, the radii (whole metres), then the excluded ids. Returns [id, distance in
 * Redis km] or nil.
 */
const CLAIM_SCRIPT = `
local geo, statusKey, idleKey, statusAtKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local lng, lat, alivePrefix = ARGV[1], ARGV[2], ARGV[3]
local toRedisKm = tonumber(ARGV[4])
local radiusCount = tonumber(ARGV[5])
local excluded = {}
for i = 6 + radiusCount, #ARGV do excluded[ARGV[i]] = true end

local function idBefore(a, b)
    local na, nb = tonumber(a), tonumber(b)
    if na and nb and na ~= nb then return na < nb end
    return a < b
end

for r = 1, radiusCount do
    local limitMetres = tonumber(ARGV[5 + r])
    local searchKm = (limitMetres + 0.5) / 1000 * toRedisKm
    local count = ${CLAIM_SEARCH_COUNT}
    while true do
        local found = redis.call('GEOSEARCH', geo, 'FROMLONLAT', lng, lat, 'BYRADIUS', searchKm, 'km',
            'ASC', 'WITHDIST', 'COUNT', count)
        local best, bestMetres, bestIdle, bestDistance
        local lastMetres = -1
        for _, entry in ipairs(found) do
            local id, distance = entry[1], entry[2]
            local metres = math.floor(tonumber(distance) / toRedisKm * 1000 + 0.5)
            lastMetres = metres
            if metres > limitMetres or (best and metres > bestMetres) then break end
            if not excluded[id] then
                if redis.call('EXISTS', alivePrefix .. id) == 0
                    or redis.call('HGET', statusKey, id) ~= '${DriverStatus.AVAILABLE}' then
                    redis.call('ZREM', geo, id)
                else
                    local idle = tonumber(redis.call('HGET', idleKey, id) or '0') or 0
                    if not best or idle < bestIdle or (idle == bestIdle and idBefore(id, best)) then
                        best, bestMetres, bestIdle, bestDistance = id, metres, idle, distance
                    end
                end
            end
        end
        -- A full page decides only if a winner was found and the page went past its distance;
        -- otherwise equally near (or any live) candidates may lie beyond it: look at more.
        local decided = #found < count or lastMetres > limitMetres or (best ~= nil and lastMetres > bestMetres)
        if decided then
            if best then
                redis.call('ZREM', geo, best)
                redis.call('HSET', statusKey, best, '${DriverStatus.BUSY}')
                redis.call('HSET', statusAtKey, best, ${REDIS_NOW_MS})
                return { best, bestDistance }
            end
            break
        end
        count = count * 4
    end
end
return nil
`;

/**
 * The live claimable members of the GEO set within a radius, for a batch window to plan with: read
 * only (stale members are skipped, the claim removes them). Distances in whole metres as in the
 * claim; the page widens until the `limit` nearest are certain. The caller orders ties.
 *
 * KEYS: geo, status, idle. ARGV: longitude, latitude, heartbeat key prefix, Redis km per km, radius
 * (whole metres), limit. Returns a flat list: id, distance in Redis km, idle ms ('0' when never).
 */
const NEARBY_SCRIPT = `
local geo, statusKey, idleKey = KEYS[1], KEYS[2], KEYS[3]
local lng, lat, alivePrefix = ARGV[1], ARGV[2], ARGV[3]
local toRedisKm = tonumber(ARGV[4])
local limitMetres = tonumber(ARGV[5])
local limit = tonumber(ARGV[6])
local searchKm = (limitMetres + 0.5) / 1000 * toRedisKm
local count = limit + ${CLAIM_SEARCH_COUNT}
while true do
    local found = redis.call('GEOSEARCH', geo, 'FROMLONLAT', lng, lat, 'BYRADIUS', searchKm, 'km',
        'ASC', 'WITHDIST', 'COUNT', count)
    local live, liveMetres = {}, {}
    local lastMetres = -1
    for _, entry in ipairs(found) do
        local id, distance = entry[1], entry[2]
        local metres = math.floor(tonumber(distance) / toRedisKm * 1000 + 0.5)
        lastMetres = metres
        if metres > limitMetres then break end
        if redis.call('EXISTS', alivePrefix .. id) == 1
            and redis.call('HGET', statusKey, id) == '${DriverStatus.AVAILABLE}' then
            live[#live + 1] = id
            live[#live + 1] = distance
            live[#live + 1] = redis.call('HGET', idleKey, id) or '0'
            liveMetres[#liveMetres + 1] = metres
        end
    end
    -- Decided when the page was not full, went past the radius, or went past the limit-th live
    -- driver's distance (so every driver tied with it is in the page).
    local enough = #liveMetres >= limit and lastMetres > liveMetres[limit]
    if #found < count or lastMetres > limitMetres or enough then return live end
    count = count * 4
end
`;

/**
 * The claim of one named driver: only if they are AVAILABLE, in the GEO set and their heartbeat
 * is live; they then leave the set and become BUSY in the same script, as in the nearest claim.
 *
 * KEYS: geo, status, status-at, heartbeat. ARGV: id. Returns 1 when claimed, else 0.
 */
const CLAIM_BY_ID_SCRIPT = `
local geo, statusKey, statusAtKey, alive = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id = ARGV[1]
if redis.call('HGET', statusKey, id) ~= '${DriverStatus.AVAILABLE}'
    or redis.call('EXISTS', alive) == 0
    or redis.call('ZSCORE', geo, id) == false then
    return 0
end
redis.call('ZREM', geo, id)
redis.call('HSET', statusKey, id, '${DriverStatus.BUSY}')
redis.call('HSET', statusAtKey, id, ${REDIS_NOW_MS})
return 1
`;

/**
 * A ping: last position, heartbeat, and back into the GEO set if the driver is AVAILABLE (a ping
 * never changes the status). The heartbeat only ever lengthens, so a late ping cannot shorten it.
 *
 * KEYS: geo, status, positions, heartbeat. ARGV: id, longitude, latitude, heartbeat ms left.
 */
const RECORD_POSITION_SCRIPT = `
local geo, statusKey, positions, alive = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, lng, lat, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
redis.call('HSET', positions, id, lng .. ',' .. lat)
if ttl > redis.call('PTTL', alive) then redis.call('SET', alive, '1', 'PX', ttl) end
if redis.call('HGET', statusKey, id) == '${DriverStatus.AVAILABLE}' and redis.call('EXISTS', alive) == 1 then
    redis.call('GEOADD', geo, lng, lat, id)
end
return 1
`;

/**
 * A status change. AVAILABLE puts the driver into the GEO set at their last position if their
 * heartbeat is live; any other status takes them out. AVAILABLE after BUSY is the end of a
 * delivery for the idle tie-break (the database's lastDeliveredAt arrives with the next rebuild).
 * With ARGV[4] = 'release' it only acts on a BUSY driver and leaves the idle time alone.
 *
 * The time of the write is kept in Redis's clock, as the claim's is.
 *
 * KEYS: geo, status, positions, heartbeat, idle, status-at. ARGV: id, status, now ms, mode.
 */
const SET_STATUS_SCRIPT = `
local geo, statusKey, positions, alive, idleKey, statusAtKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, status, now, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local previous = redis.call('HGET', statusKey, id)
if mode == 'release' and previous ~= '${DriverStatus.BUSY}' then return 0 end
redis.call('HSET', statusKey, id, status)
redis.call('HSET', statusAtKey, id, ${REDIS_NOW_MS})
if status ~= '${DriverStatus.AVAILABLE}' then
    redis.call('ZREM', geo, id)
    return 1
end
if mode ~= 'release' and previous == '${DriverStatus.BUSY}' then redis.call('HSET', idleKey, id, now) end
local position = redis.call('HGET', positions, id)
if position and redis.call('EXISTS', alive) == 1 then
    local comma = string.find(position, ',', 1, true)
    redis.call('GEOADD', geo, string.sub(position, 1, comma - 1), string.sub(position, comma + 1), id)
else
    redis.call('ZREM', geo, id)
end
return 1
`;

/**
 * The reconciliation with the database, one batch of drivers. For each: the status the database
 * holds ('' for an id the database does not know), and its position there ('' when unknown).
 *
 * A driver whose Redis status was last written before the cut-off and disagrees with the database
 * on being AVAILABLE takes the database's status: a claim whose transaction never committed (the
 * job died), a release whose transaction rolled back. A write after the cut-off may belong to a
 * transaction still committing, and is left alone. Then the GEO set follows the status: in it when
 * AVAILABLE with a live heartbeat and a position, out of it otherwise.
 *
 * KEYS: geo, status, positions, status-at. ARGV: heartbeat key prefix, grace ms, then per driver:
 * id, database status, longitude, latitude. Returns { restored ids, removed ids }.
 */
const RECONCILE_SCRIPT = `
local geo, statusKey, positions, statusAtKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local alivePrefix, cutoff = ARGV[1], ${REDIS_NOW_MS} - tonumber(ARGV[2])
local available = '${DriverStatus.AVAILABLE}'
local restored, removed = {}, {}
for i = 3, #ARGV, 4 do
    local id, wanted, lng, lat = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local status = redis.call('HGET', statusKey, id)
    local writtenAt = tonumber(redis.call('HGET', statusAtKey, id) or '0') or 0
    if wanted ~= '' and (status == available) ~= (wanted == available) and writtenAt <= cutoff then
        redis.call('HSET', statusKey, id, wanted)
        status = wanted
    end
    local position = redis.call('HGET', positions, id)
    if not position and lng ~= '' then
        position = lng .. ',' .. lat
        redis.call('HSET', positions, id, position)
    end
    local member = redis.call('ZSCORE', geo, id) ~= false
    local belongs
    if wanted == '' then
        -- Unknown to the database: deleted, or created by a transaction still committing.
        belongs = member and writtenAt > cutoff
    else
        belongs = status == available and position ~= nil and redis.call('EXISTS', alivePrefix .. id) == 1
    end
    if belongs and not member then
        local comma = string.find(position, ',', 1, true)
        redis.call('GEOADD', geo, string.sub(position, 1, comma - 1), string.sub(position, comma + 1), id)
        restored[#restored + 1] = id
    elseif member and not belongs then
        redis.call('ZREM', geo, id)
        removed[#removed + 1] = id
    end
end
return { restored, removed }
`;

declare module 'ioredis' {
    interface RedisCommander<Context> {
        vqdClaimNearestDriver(...args: Array<string | number>): Result<[string, string] | null, Context>;
        vqdNearbyDrivers(...args: Array<string | number>): Result<string[], Context>;
        vqdClaimDriverById(...args: Array<string | number>): Result<number, Context>;
        vqdRecordDriverPosition(...args: Array<string | number>): Result<number, Context>;
        vqdSetDriverStatus(...args: Array<string | number>): Result<number, Context>;
        vqdReconcileDrivers(...args: Array<string | number>): Result<[string[], string[]], Context>;
    }
}

/**
 * The {@link DriverLocationIndex} in Redis: a GEO set holding exactly the AVAILABLE drivers with a
 * live heartbeat, a status hash, a heartbeat key per driver with a TTL, the idle time and the last
 * position of every driver (so a driver turning AVAILABLE enters the set where they were last
 * seen), and when each status was last written (claims and releases run ahead of their database
 * transaction: {@link reconcile} must not undo one still committing). The claim is one Lua script.
 *
 * The client fails fast (no offline queue, 1 s command timeout, 2 s connect timeout): while Redis
 * is down every call rejects at once and the caller falls back to the SQL index. The client keeps
 * reconnecting in the background; {@link onReconnect} tells the caller when to {@link rebuild}.
 */
export class RedisDriverLocationIndex implements DriverLocationIndex {
    private readonly namespace: string;
    private readonly heartbeatTtlMs: number;
    private readonly reconnectListeners: Array<() => void> = [];
    private redis: Redis;
    private readyBefore = false;
    private readonly outageLog = new RedisOutageLog('Redis driver index', loggerCtx);

    constructor(private readonly options: RedisDriverLocationIndexOptions) {
        this.namespace = options.namespace ?? `${DEFAULT_REDIS_KEY_PREFIX}:drivers`;
        this.heartbeatTtlMs = (options.heartbeatTtlSeconds ?? HEARTBEAT_TTL_SECONDS) * 1000;
    }

    /** Connects; a Redis that is down at start is not an error (the caller uses SQL meanwhile). */
    async init(_injector?: Injector): Promise<void> {
        this.redis = createRedisClient({
            server: this.options.redisUrl,
            connectionName: 'driver-dispatch:location-index',
            outageLog: this.outageLog,
        });
        this.redis.defineCommand('vqdClaimNearestDriver', { numberOfKeys: 4, lua: CLAIM_SCRIPT });
        this.redis.defineCommand('vqdNearbyDrivers', { numberOfKeys: 3, lua: NEARBY_SCRIPT });
        this.redis.defineCommand('vqdClaimDriverById', { numberOfKeys: 4, lua: CLAIM_BY_ID_SCRIPT });
        this.redis.defineCommand('vqdRecordDriverPosition', { numberOfKeys: 4, lua: RECORD_POSITION_SCRIPT });
        this.redis.defineCommand('vqdSetDriverStatus', { numberOfKeys: 6, lua: SET_STATUS_SCRIPT });
        this.redis.defineCommand('vqdReconcileDrivers', { numberOfKeys: 4, lua: RECONCILE_SCRIPT });
        this.redis.on('ready', () => {
            if (this.readyBefore) {
                for (const listener of this.reconnectListeners) listener();
            }
            this.readyBefore = true;
        });
        await connectRedisClient(this.redis);
    }

    async destroy(): Promise<void> {
        await closeRedisClient(this.redis);
    }

    /**
     * Calls `listener` each time the connection is ready again after it was lost: the keys may have
     * missed changes (or Redis restarted empty), so the caller rebuilds from the database.
     */
    onReconnect(listener: () => void): void {
        this.reconnectListeners.push(listener);
    }

    async recordPosition(driverId: ID, position: LatLng, at: Date): Promise<void> {
        const id = String(driverId);
        const heartbeatMsLeft = this.heartbeatMsLeft(at);
        if (heartbeatMsLeft <= 0) {
            // A ping older than the heartbeat window proves nothing about now; keep the position.
            await this.redis.hset(this.key('positions'), id, `${position.longitude},${position.latitude}`);
            return;
        }
        await this.redis.vqdRecordDriverPosition(
            this.key('geo'),
            this.key('status'),
            this.key('positions'),
            this.heartbeatKey(id),
            id,
            position.longitude,
            position.latitude,
            heartbeatMsLeft,
        );
    }

    async setStatus(driverId: ID, status: DriverStatus): Promise<void> {
        await this.changeStatus(driverId, status, 'set');
    }

    async remove(driverId: ID): Promise<void> {
        const id = String(driverId);
        await this.redis
            .multi()
            .zrem(this.key('geo'), id)
            .hdel(this.key('status'), id)
            .hdel(this.key('positions'), id)
            .hdel(this.key('idle'), id)
            .hdel(this.key('status-at'), id)
            .del(this.heartbeatKey(id))
            .exec();
    }

    async claimNearest(point: LatLng, options: ClaimOptions): Promise<ClaimedDriver | undefined> {
        const radiiMetres = radiusSteps(options.startRadiusKm, options.maxRadiusKm).map(km =>
            Math.round(km * 1000),
        );
        const excluded = (options.excludeDriverIds ?? []).map(id => String(id));
        const claimed = await this.redis.vqdClaimNearestDriver(
            this.key('geo'),
            this.key('status'),
            this.key('idle'),
            this.key('status-at'),
            point.longitude,
            point.latitude,
            this.heartbeatKey(''),
            TO_REDIS_KM,
            radiiMetres.length,
            ...radiiMetres,
            ...excluded,
        );
        if (!claimed) return undefined;
        return { driverId: claimed[0], distanceKm: Number(claimed[1]) / TO_REDIS_KM };
    }

    async nearbyAvailable(point: LatLng, radiusKm: number, limit: number): Promise<NearbyDriver[]> {
        if (limit <= 0) return [];
        const flat = await this.redis.vqdNearbyDrivers(
            this.key('geo'),
            this.key('status'),
            this.key('idle'),
            point.longitude,
            point.latitude,
            this.heartbeatKey(''),
            TO_REDIS_KM,
            Math.round(radiusKm * 1000),
            Math.floor(limit),
        );
        const found: Array<NearbyDriver & { metres: number; idle: number }> = [];
        for (let i = 0; i + 2 < flat.length; i += 3) {
            const distanceKm = Number(flat[i + 1]) / TO_REDIS_KM;
            found.push({
                driverId: flat[i],
                distanceKm,
                metres: Math.round(distanceKm * 1000),
                idle: Number(flat[i + 2]) || 0,
            });
        }
        // The claim's order: whole metres, then longest idle (never delivered first), then id.
        found.sort(
            (a, b) =>
                a.metres - b.metres || a.idle - b.idle || compareIds(String(a.driverId), String(b.driverId)),
        );
        return found.slice(0, limit).map(({ driverId, distanceKm }) => ({ driverId, distanceKm }));
    }

    async claimById(driverId: ID): Promise<boolean> {
        const id = String(driverId);
        const claimed = await this.redis.vqdClaimDriverById(
            this.key('geo'),
            this.key('status'),
            this.key('status-at'),
            this.heartbeatKey(id),
            id,
        );
        return claimed === 1;
    }

    async release(driverId: ID): Promise<void> {
        await this.changeStatus(driverId, DriverStatus.AVAILABLE, 'release');
    }

    /** The GEO set's members whose heartbeat is live (an expired one leaves at the next claim or sweep). */
    async availableDriverIds(): Promise<ID[]> {
        const members = await this.redis.zrange(this.key('geo'), 0, -1);
        const live: string[] = [];
        for (let start = 0; start < members.length; start += BATCH_SIZE) {
            const batch = members.slice(start, start + BATCH_SIZE);
            const heartbeats = await this.redis.mget(batch.map(id => this.heartbeatKey(id)));
            batch.forEach((id, i) => {
                if (heartbeats[i] !== null) live.push(id);
            });
        }
        return live;
    }

    /**
     * Replaces every key with the database's drivers in one MULTI/EXEC, so a claim sees either the
     * old index or the new one. A heartbeat lives on for what is left of `lastSeenAt` + the TTL.
     */
    async rebuild(drivers: IndexedDriver[]): Promise<void> {
        const staleHeartbeats = await this.scanKeys(`${globEscape(this.heartbeatKey(''))}*`);
        const transaction = this.redis.multi();
        transaction.del(
            this.key('geo'),
            this.key('status'),
            this.key('positions'),
            this.key('idle'),
            this.key('status-at'),
        );
        for (let start = 0; start < staleHeartbeats.length; start += BATCH_SIZE) {
            transaction.del(...staleHeartbeats.slice(start, start + BATCH_SIZE));
        }
        for (let start = 0; start < drivers.length; start += BATCH_SIZE) {
            const batch = drivers.slice(start, start + BATCH_SIZE);
            const statuses: string[] = [];
            const positions: string[] = [];
            const idle: string[] = [];
            const geo: Array<string | number> = [];
            for (const driver of batch) {
                const id = String(driver.id);
                statuses.push(id, driver.status);
                if (driver.lastDeliveredAt) idle.push(id, String(driver.lastDeliveredAt.getTime()));
                if (driver.latitude == null || driver.longitude == null) continue;
                positions.push(id, `${driver.longitude},${driver.latitude}`);
                const heartbeatMsLeft = driver.lastSeenAt ? this.heartbeatMsLeft(driver.lastSeenAt) : 0;
                if (heartbeatMsLeft <= 0) continue;
                transaction.set(this.heartbeatKey(id), '1', 'PX', heartbeatMsLeft);
                if (driver.status === DriverStatus.AVAILABLE) geo.push(driver.longitude, driver.latitude, id);
            }
            if (statuses.length) transaction.hset(this.key('status'), ...statuses);
            if (positions.length) transaction.hset(this.key('positions'), ...positions);
            if (idle.length) transaction.hset(this.key('idle'), ...idle);
            if (geo.length) transaction.geoadd(this.key('geo'), ...geo);
        }
        const results = await transaction.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) {
            throw failed?.[0] ?? new Error('Rebuilding the Redis driver index was aborted');
        }
    }

    /**
     * Brings Redis in line with the database (the source of truth), for `drivers`, the database's
     * view of every driver, read just before. A status Redis wrote within `graceMs` is left alone:
     * it may be a claim or a release whose transaction is still committing. GEO members the
     * database does not know leave the set too (same grace). One script per batch of drivers.
     */
    async reconcile(drivers: ReconciledDriver[], graceMs: number): Promise<ReconcileResult> {
        const known = new Set(drivers.map(driver => String(driver.id)));
        const unknown = (await this.redis.zrange(this.key('geo'), 0, -1)).filter(id => !known.has(id));
        const entries: Array<[string, string, string, string]> = [
            ...drivers.map((driver): [string, string, string, string] => [
                String(driver.id),
                driver.status,
                driver.longitude == null || driver.latitude == null ? '' : String(driver.longitude),
                driver.longitude == null || driver.latitude == null ? '' : String(driver.latitude),
            ]),
            ...unknown.map((id): [string, string, string, string] => [id, '', '', '']),
        ];
        const result: ReconcileResult = { restored: [], removed: [] };
        for (let start = 0; start < entries.length; start += BATCH_SIZE) {
            const [restored, removed] = await this.redis.vqdReconcileDrivers(
                this.key('geo'),
                this.key('status'),
                this.key('positions'),
                this.key('status-at'),
                this.heartbeatKey(''),
                graceMs,
                ...entries.slice(start, start + BATCH_SIZE).flat(),
            );
            result.restored.push(...restored);
            result.removed.push(...removed);
        }
        return result;
    }

    private async changeStatus(driverId: ID, status: DriverStatus, mode: 'set' | 'release'): Promise<void> {
        const id = String(driverId);
        await this.redis.vqdSetDriverStatus(
            this.key('geo'),
            this.key('status'),
            this.key('positions'),
            this.heartbeatKey(id),
            this.key('idle'),
            this.key('status-at'),
            id,
            status,
            Date.now(),
            mode,
        );
    }

    private async scanKeys(pattern: string): Promise<string[]> {
        const keys: string[] = [];
        let cursor = '0';
        do {
            const [next, found] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH_SIZE);
            keys.push(...found);
            cursor = next;
        } while (cursor !== '0');
        return keys;
    }

    private heartbeatMsLeft(lastSeenAt: Date): number {
        return Math.floor(lastSeenAt.getTime() + this.heartbeatTtlMs - Date.now());
    }

    private key(name: 'geo' | 'status' | 'positions' | 'idle' | 'status-at'): string {
        return `${this.namespace}:${name}`;
    }

    private heartbeatKey(driverId: string): string {
        return `${this.namespace}:alive:${driverId}`;
    }
}

/** Numeric ids by value, others as strings (the claim script's `idBefore`). */
function compareIds(a: string, b: string): number {
    const na = Number(a);
    const nb = Number(b);
    if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A literal string as a SCAN MATCH pattern. */
function globEscape(text: string): string {
    return text.replace(/[*?[\]\\]/g, '\\$&');
}
