import { ID, Injector } from '@vendure/core';
import { Redis } from 'ioredis';

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
    PositionUpdate,
    ReconciledDriver,
    ReconcileResult,
} from './driver-location-index';
import { defineDriverLocationCommands } from './redis-driver-location-scripts';

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

/** Keys per batch when reading heartbeats and writing a rebuild. */
const BATCH_SIZE = 1000;

/** A rebuild's command timeout: the index's usual 1 s, and 0.5 ms more per key it writes or deletes. */
const REBUILD_TIMEOUT_MS = 1000;
const REBUILD_TIMEOUT_MS_PER_KEY = 0.5;

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
        defineDriverLocationCommands(this.redis);
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

    /**
     * Many drivers' pings in one script call (one round trip), each with {@link recordPosition}'s
     * rules; batches of {@link BATCH_SIZE} drivers keep one call short.
     */
    async recordPositions(updates: PositionUpdate[]): Promise<void> {
        for (let start = 0; start < updates.length; start += BATCH_SIZE) {
            const args: Array<string | number> = [];
            for (const update of updates.slice(start, start + BATCH_SIZE)) {
                args.push(
                    String(update.driverId),
                    update.longitude,
                    update.latitude,
                    this.heartbeatMsLeft(update.at),
                );
            }
            await this.redis.vqdRecordDriverPositions(
                this.key('geo'),
                this.key('status'),
                this.key('positions'),
                this.heartbeatKey(''),
                ...args,
            );
        }
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
        await this.withRebuildClient(drivers.length + staleHeartbeats.length, client =>
            this.replaceKeys(client, drivers, staleHeartbeats),
        );
    }

    /**
     * A connection of its own for one rebuild: it sends about a command per driver in one MULTI, and
     * ioredis times each command from when it was sent, so the index's 1 s timeout failed rebuilds of
     * 60,000 drivers on a busy machine. Here the timeout grows with the rebuild; the connection
     * fails fast like the index's (no offline queue, no reconnection) when Redis is down.
     */
    private async withRebuildClient(keys: number, rebuild: (client: Redis) => Promise<void>): Promise<void> {
        const client = createRedisClient({
            server: this.options.redisUrl,
            connectionName: 'driver-dispatch:location-index-rebuild',
            overrides: {
                commandTimeout: REBUILD_TIMEOUT_MS + keys * REBUILD_TIMEOUT_MS_PER_KEY,
                retryStrategy: () => null,
            },
        });
        try {
            await client.connect();
            await rebuild(client);
        } finally {
            await closeRedisClient(client);
        }
    }

    private async replaceKeys(
        client: Redis,
        drivers: IndexedDriver[],
        staleHeartbeats: string[],
    ): Promise<void> {
        const transaction = client.multi();
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
