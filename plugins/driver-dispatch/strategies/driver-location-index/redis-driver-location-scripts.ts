/**
 * The Lua scripts of the {@link RedisDriverLocationIndex}, each one atomic step on one region's keys
 * (all keys of a call share the namespace's hash tag), and their registration as ioredis commands.
 * Kept apart so the index reads as TypeScript; the key and argument order of each script is its
 * contract with the index.
 */
import { Redis, Result } from 'ioredis';

import { DriverStatus } from '../../types';

/** How many GEOSEARCH results the claim script looks at first; it widens when they do not decide. */
const CLAIM_SEARCH_COUNT = 16;

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
 * The pings of many drivers, each as {@link RECORD_POSITION_SCRIPT} does it: one call per flush of
 * the ping batcher instead of one per ping. The heartbeat keys are the prefix and the id (as the
 * claim script reads them), all under the namespace's hash tag.
 *
 * KEYS: geo, status, positions. ARGV: heartbeat key prefix, then per driver id, longitude,
 * latitude, heartbeat ms left (0 or less: keep the position only, the ping is too old to prove
 * the driver is there now).
 */
const RECORD_POSITIONS_SCRIPT = `
local geo, statusKey, positions = KEYS[1], KEYS[2], KEYS[3]
local alivePrefix = ARGV[1]
for i = 2, #ARGV, 4 do
    local id, lng, lat, ttl = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
    redis.call('HSET', positions, id, lng .. ',' .. lat)
    if ttl > 0 then
        local alive = alivePrefix .. id
        if ttl > redis.call('PTTL', alive) then redis.call('SET', alive, '1', 'PX', ttl) end
        if redis.call('HGET', statusKey, id) == '${DriverStatus.AVAILABLE}' then
            redis.call('GEOADD', geo, lng, lat, id)
        end
    end
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
        vqdRecordDriverPositions(...args: Array<string | number>): Result<number, Context>;
        vqdSetDriverStatus(...args: Array<string | number>): Result<number, Context>;
        vqdReconcileDrivers(...args: Array<string | number>): Result<[string[], string[]], Context>;
    }
}
/** Registers the scripts on a client as commands (EVALSHA, falling back to EVAL once per script). */
export function defineDriverLocationCommands(redis: Redis): void {
    redis.defineCommand('vqdClaimNearestDriver', { numberOfKeys: 4, lua: CLAIM_SCRIPT });
    redis.defineCommand('vqdNearbyDrivers', { numberOfKeys: 3, lua: NEARBY_SCRIPT });
    redis.defineCommand('vqdClaimDriverById', { numberOfKeys: 4, lua: CLAIM_BY_ID_SCRIPT });
    redis.defineCommand('vqdRecordDriverPosition', { numberOfKeys: 4, lua: RECORD_POSITION_SCRIPT });
    redis.defineCommand('vqdRecordDriverPositions', { numberOfKeys: 3, lua: RECORD_POSITIONS_SCRIPT });
    redis.defineCommand('vqdSetDriverStatus', { numberOfKeys: 6, lua: SET_STATUS_SCRIPT });
    redis.defineCommand('vqdReconcileDrivers', { numberOfKeys: 4, lua: RECONCILE_SCRIPT });
}
