import { ID, Injector, TransactionalConnection } from '@vendure/core';

import { boundingBox, EARTH_RADIUS_KM, LatLng, radiusSteps } from '../../../shared/geo';
import { DriverStatus } from '../../types';
import {
    ClaimedDriver,
    ClaimOptions,
    DriverLocationIndex,
    IndexedDriver,
    NearbyDriver,
} from './driver-location-index';

/** Options of the {@link SqlDriverLocationIndex}. */
export interface SqlDriverLocationIndexOptions {
    /**
     * A driver whose `lastSeenAt` is older than this is not claimable (DESIGN: unseen 45 s means
     * OFFLINE; the sweep then marks the row so).
     *
     * @default 45
     */
    heartbeatTtlSeconds?: number;
}

/**
 * The only part of TypeORM this index uses: one statement at a time, autocommitted on the
 * DataSource, or within a transaction on a transaction's repository ({@link inTransaction}).
 */
export interface RawQuery {
    query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

interface ClaimRow {
    id: string;
    distance: number;
}

/**
 * Great-circle distance in km from ($1 latitude, $2 longitude) to the row `d`, by the haversine
 * formula on the same sphere as `distanceKm` of plugins/shared/geo, so both agree on what "within the
 * radius" means. `least(1, …)` keeps asin defined when rounding pushes h a hair above 1.
 */
const DISTANCE_SQL = `2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(
    power(sin(radians(d.latitude - $1) / 2), 2)
    + cos(radians($1)) * cos(radians(d.latitude)) * power(sin(radians(d.longitude - $2) / 2), 2)
)))`;

/**
 * Drivers are compared in whole metres, so one 0.4 m beyond a radius step is as near as one 0.4 m
 * inside it: each step's bounding box is widened by half a metre, lest two equally near drivers
 * fall on different sides of a step and the tie-break never see them together.
 */
const CLAIM_RADIUS_MARGIN_KM = 0.0005;

/**
 * A driver the index may hand out: AVAILABLE, with a heartbeat after `cutoff` (a parameter) and a
 * position. The one definition for the claims, the radius search and {@link availableDriverIds}.
 */
function claimable(alias: string, cutoff: string): string {
    const column = (name: string) => (alias ? `${alias}.${name}` : name);
    return `${column('status')} = '${DriverStatus.AVAILABLE}' AND ${column('"lastSeenAt"')} > ${cutoff}
        AND ${column('latitude')} IS NOT NULL AND ${column('longitude')} IS NOT NULL`;
}

/**
 * The claimable drivers within a radius, nearest first: distances in whole metres, the radius too
 * (see {@link CLAIM_RADIUS_MARGIN_KM}), so "equally near" and "within the radius" mean the same as
 * in the Redis index; then longest idle (never delivered first), then id. Parameters: $1 latitude,
 * $2 longitude, $3 radius in whole metres, $4 heartbeat cutoff, $5/$6 latitude band, $7/$8
 * longitude band; `select` and `condition` may use more.
 */
function withinRadiusSql(crossesAntimeridian: boolean, select: string, condition = 'TRUE'): string {
    // A box across the antimeridian is the union of [min, 180] and [-180, max].
    const longitudeBand = crossesAntimeridian
        ? '(d.longitude >= $7 OR d.longitude <= $8)'
        : 'd.longitude BETWEEN $7 AND $8';
    return `
        SELECT ${select}
        FROM driver d
        CROSS JOIN LATERAL (SELECT ${DISTANCE_SQL} AS distance) g
        WHERE ${claimable('d', '$4')}
          AND d.latitude BETWEEN $5 AND $6
          AND ${longitudeBand}
          AND round(g.distance * 1000) <= $3
          AND ${condition}
        ORDER BY round(g.distance * 1000), d."lastDeliveredAt" ASC NULLS FIRST, d.id`;
}

/**
 * The claim for one radius: one statement, so atomic across processes. The inner SELECT locks the
 * chosen row and SKIP LOCKED lets a concurrent claim move on to the next driver instead of waiting;
 * `status = 'AVAILABLE'` in the UPDATE is re-checked on the row's latest version, so a driver
 * taken in between is never taken twice. $9: excluded ids as text.
 */
function claimSql(crossesAntimeridian: boolean): string {
    return `
        WITH candidate AS (
            ${withinRadiusSql(crossesAntimeridian, 'd.id, g.distance', 'd.id::text <> ALL($9::text[])')}
            LIMIT 1
            FOR UPDATE OF d SKIP LOCKED
        )
        UPDATE driver SET status = '${DriverStatus.BUSY}'
        FROM candidate
        WHERE driver.id = candidate.id AND driver.status = '${DriverStatus.AVAILABLE}'
        RETURNING driver.id::text AS id, candidate.distance AS distance`;
}

/** The claimable drivers within a radius, read without locking. $9: the limit. */
function nearbySql(crossesAntimeridian: boolean): string {
    return `${withinRadiusSql(crossesAntimeridian, 'd.id::text AS id, g.distance')}
        LIMIT $9`;
}

/**
 * The {@link DriverLocationIndex} over the `driver` table itself: bounding box plus great-circle
 * distance, and the claim as one conditional UPDATE. The embedded default, and the fallback while
 * Redis is down. The table is the index, so {@link rebuild} has nothing to do.
 *
 * Positions are as fresh as the caller writes them: pings reach the table in batches (write-behind
 * in the dispatch service), not through one UPDATE per ping.
 *
 * Timestamps: `lastSeenAt` is a `timestamp` (without time zone) written from JavaScript Dates, as
 * TypeORM writes it; the heartbeat cutoff is passed as a Date the same way rather than compared
 * with the database's `now()`, so the server's and the database's time zones cannot disagree.
 */
export class SqlDriverLocationIndex implements DriverLocationIndex {
    private readonly heartbeatTtlMs: number;
    private database: RawQuery;

    constructor(options: SqlDriverLocationIndexOptions = {}) {
        this.heartbeatTtlMs = (options.heartbeatTtlSeconds ?? 45) * 1000;
    }

    init(injector: Injector): void {
        this.database = injector.get(TransactionalConnection).rawConnection;
    }

    /**
     * This index on a transaction of the caller's. A claim made while that transaction holds row
     * locks (a batch window that assigned drivers already) must run in it: on a connection of its
     * own, it can wait for a statement that waits for the caller's locks (the ping write-behind
     * updating many drivers), and that cycle runs through this process, where PostgreSQL cannot
     * see it, so nobody ever ends it. In the transaction, a cycle is PostgreSQL's to detect.
     */
    inTransaction(database: RawQuery): SqlDriverLocationIndex {
        const bound = new SqlDriverLocationIndex({ heartbeatTtlSeconds: this.heartbeatTtlMs / 1000 });
        bound.database = database;
        return bound;
    }

    async recordPosition(driverId: ID, position: LatLng, at: Date): Promise<void> {
        await this.database.query(
            'UPDATE driver SET latitude = $2, longitude = $3, "lastSeenAt" = $4 WHERE id = $1',
            [String(driverId), position.latitude, position.longitude, at],
        );
    }

    async setStatus(driverId: ID, status: DriverStatus): Promise<void> {
        await this.database.query('UPDATE driver SET status = $2 WHERE id = $1', [String(driverId), status]);
    }

    /** The row is the service's to delete; until then a removed driver must not be claimable. */
    async remove(driverId: ID): Promise<void> {
        await this.setStatus(driverId, DriverStatus.OFFLINE);
    }

    async claimNearest(point: LatLng, options: ClaimOptions): Promise<ClaimedDriver | undefined> {
        const excluded = (options.excludeDriverIds ?? []).map(id => String(id));
        const heartbeatCutoff = this.heartbeatCutoff();
        for (const radiusKm of radiusSteps(options.startRadiusKm, options.maxRadiusKm)) {
            const box = boundingBox(point, radiusKm + CLAIM_RADIUS_MARGIN_KM);
            const crossesAntimeridian = box.minLongitude > box.maxLongitude;
            const result = await this.database.query(claimSql(crossesAntimeridian), [
                point.latitude,
                point.longitude,
                Math.round(radiusKm * 1000),
                heartbeatCutoff,
                box.minLatitude,
                box.maxLatitude,
                box.minLongitude,
                box.maxLongitude,
                excluded,
            ]);
            const claimed = updatedRows<ClaimRow>(result)[0];
            if (claimed) return { driverId: claimed.id, distanceKm: Number(claimed.distance) };
        }
        return undefined;
    }

    async nearbyAvailable(point: LatLng, radiusKm: number, limit: number): Promise<NearbyDriver[]> {
        if (limit <= 0) return [];
        const box = boundingBox(point, radiusKm + CLAIM_RADIUS_MARGIN_KM);
        const rows = (await this.database.query(nearbySql(box.minLongitude > box.maxLongitude), [
            point.latitude,
            point.longitude,
            Math.round(radiusKm * 1000),
            this.heartbeatCutoff(),
            box.minLatitude,
            box.maxLatitude,
            box.minLongitude,
            box.maxLongitude,
            Math.floor(limit),
        ])) as ClaimRow[];
        return rows.map(row => ({ driverId: row.id, distanceKm: Number(row.distance) }));
    }

    /** One conditional UPDATE: only a claimable driver becomes BUSY, so two claims never both win. */
    async claimById(driverId: ID): Promise<boolean> {
        const result = await this.database.query(
            `UPDATE driver SET status = '${DriverStatus.BUSY}'
             WHERE id = $1 AND ${claimable('', '$2')}
             RETURNING id::text AS id`,
            [String(driverId), this.heartbeatCutoff()],
        );
        return updatedRows<{ id: string }>(result).length > 0;
    }

    async release(driverId: ID): Promise<void> {
        await this.database.query(
            `UPDATE driver SET status = '${DriverStatus.AVAILABLE}'
             WHERE id = $1 AND status = '${DriverStatus.BUSY}'`,
            [String(driverId)],
        );
    }

    async availableDriverIds(): Promise<ID[]> {
        const rows = (await this.database.query(
            `SELECT id::text AS id FROM driver WHERE ${claimable('', '$1')} ORDER BY id`,
            [this.heartbeatCutoff()],
        )) as Array<{ id: string }>;
        return rows.map(row => row.id);
    }

    /** The table is the index: nothing to rebuild. */
    rebuild(_drivers: IndexedDriver[]): Promise<void> {
        return Promise.resolve();
    }

    private heartbeatCutoff(): Date {
        return new Date(Date.now() - this.heartbeatTtlMs);
    }
}

/**
 * TypeORM's PostgreSQL driver answers an UPDATE … RETURNING with `[rows, affectedCount]`, a SELECT
 * with the rows; accept both so the index does not depend on that detail.
 */
function updatedRows<T>(result: unknown): T[] {
    if (!Array.isArray(result)) return [];
    if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
        return result[0] as T[];
    }
    return result as T[];
}
