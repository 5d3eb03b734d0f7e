import {
    BeforeApplicationShutdown,
    Inject,
    Injectable,
    OnApplicationBootstrap,
    OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventBus, ID, Injector, Logger, RequestContext, TransactionalConnection } from '@vendure/core';

import { describeError } from '../../shared/errors';
import { LatLng } from '../../shared/geo';
import { RedisOutageLog } from '../../shared/redis';
import {
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    HEARTBEAT_TTL_SECONDS,
    loggerCtx,
    POSITION_FLUSH_INTERVAL_MS,
} from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DriverLocationEvent } from '../events/driver-location-event';
import { ResolvedDriverDispatchOptions, resolveStrategy } from '../options';
import {
    DriverLocationIndex,
    PositionUpdate,
    ReconciledDriver,
    ReconcileResult,
    recordPositionsIn,
} from '../strategies/driver-location-index/driver-location-index';
import { SqlDriverLocationIndex } from '../strategies/driver-location-index/sql-driver-location-index';
import { DriverStatus, OPEN_WITH_DRIVER } from '../types';

/** The latest ping of a driver that the database has not received yet. */
export interface PendingPosition extends LatLng {
    driverId: ID;
    at: Date;
}

/**
 * Where the drivers are: owns the {@link DriverLocationIndex} of this process (the plugin's
 * `driverLocationIndex` option; this service runs its init/destroy) and the write-behind of
 * location pings.
 *
 * - An index kept apart from the database (the default with `redisUrl`: Redis GEO) gets a ping at
 *   once. The SQL index (the Driver table) stays beside it as the fallback: when a call fails, the
 *   failure is logged once per outage and reads go to SQL until the index answers again; the index
 *   is rebuilt from the database at start, when it reports a reconnect, and when it answers after
 *   an outage.
 * - A {@link SqlDriverLocationIndex} (the default without `redisUrl`) is the Driver table itself.
 *
 * Pings reach the database write-behind, never one row write per ping: the latest position per
 * driver is kept in memory and every {@link POSITION_FLUSH_INTERVAL_MS} (and at shutdown) the batch
 * is written with one UPDATE. So in SQL mode the positions that matching reads are at most that old
 * (2 s by default), well inside the 20 s ping interval of a driver app. Status changes do not wait:
 * the DriverService writes them to the database at once and tells the index here.
 */
@Injectable()
export class DriverLocationService
    implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
    /** The Driver table: the index itself, or the fallback of {@link redisIndex}. */
    private readonly sqlIndex: SqlDriverLocationIndex;
    /** The configured index when it is kept apart from the database (Redis GEO by default). */
    private readonly redisIndex: DriverLocationIndex | undefined;
    /** Latest unwritten ping per driver id. */
    private pending = new Map<string, PendingPosition>();
    /** The batch being written: still newer than the database until the UPDATE is done. */
    private writing = new Map<string, PendingPosition>();
    private flushing: Promise<void> | undefined;
    private flushTimer: NodeJS.Timeout | undefined;
    /** Failed calls of the index, not its client's connection: logged once per outage. */
    private readonly outageLog = new RedisOutageLog(
        'Driver index calls',
        loggerCtx,
        'using the database until it answers again',
    );
    private rebuilding: Promise<void> | undefined;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly moduleRef: ModuleRef,
        private readonly eventBus: EventBus,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) options: ResolvedDriverDispatchOptions,
    ) {
        // Made here, once per app: two apps in one process (tests) never share an index.
        const index = resolveStrategy(options.driverLocationIndex, options);
        if (index instanceof SqlDriverLocationIndex) {
            this.sqlIndex = index;
        } else {
            this.sqlIndex = new SqlDriverLocationIndex({ heartbeatTtlSeconds: HEARTBEAT_TTL_SECONDS });
            this.redisIndex = index;
        }
    }

    // The index lives in plugin options, not in Vendure's config, so Vendure does not call its
    // init/destroy: this service does, once.
    async onApplicationBootstrap(): Promise<void> {
        const injector = new Injector(this.moduleRef);
        this.sqlIndex.init(injector);
        if (this.redisIndex) {
            const redisIndex = this.redisIndex;
            // A Redis that is down at start must not stop the server: SQL serves until it is back.
            await this.onRedis('connect', async () => {
                await redisIndex.init?.(injector);
            });
            // Writes made while Redis was unreachable went only to the database: catch up.
            redisIndex.onReconnect?.(() => void this.rebuildRedis('after Redis reconnected'));
            await this.rebuildRedis('at start');
        }
        this.flushTimer = setInterval(() => void this.flush(), POSITION_FLUSH_INTERVAL_MS);
        this.flushTimer.unref();
    }

    /** The last pings must reach the database while its connection is still open. */
    async beforeApplicationShutdown(): Promise<void> {
        if (this.flushTimer) clearInterval(this.flushTimer);
        this.flushTimer = undefined;
        await this.flush();
    }

    async onApplicationShutdown(): Promise<void> {
        await this.redisIndex?.destroy?.();
    }

    /**
     * Runs a read or a claim on the index that is answering: Redis when configured and reachable,
     * else the SQL index (same radius rules, positions at most one flush interval old). A caller
     * inside a transaction passes its `ctx`: a claim that falls to the SQL index then runs in that
     * transaction (see {@link SqlDriverLocationIndex.inTransaction}).
     */
    async withIndex<T>(
        operation: string,
        fn: (index: DriverLocationIndex) => Promise<T>,
        ctx?: RequestContext,
    ): Promise<T> {
        const redisIndex = this.redisIndex;
        if (redisIndex) {
            const answer = await this.onRedis(operation, () => fn(redisIndex));
            if (answer.ok) return answer.value;
        }
        return fn(
            ctx ? this.sqlIndex.inTransaction(this.connection.getRepository(ctx, Driver)) : this.sqlIndex,
        );
    }

    /**
     * A ping: position and heartbeat only. Goes to Redis at once (when configured) and to the
     * database with the next batch.
     */
    async recordPosition(driverId: ID, position: LatLng, at: Date): Promise<void> {
        await this.recordPositions([
            { driverId, latitude: position.latitude, longitude: position.longitude, at },
        ]);
    }

    /**
     * The pings of a flush of the ping batcher (at most one per driver: the newest): one
     * `DriverLocationEvent` per driver whose position is newer than the one this process holds,
     * one call to the Redis index for all of them (one round trip), and the database with the
     * next write-behind batch.
     */
    async recordPositions(updates: PositionUpdate[]): Promise<void> {
        for (const update of updates) {
            const key = String(update.driverId);
            const previous = this.pending.get(key);
            // Pings may arrive out of order: keep the newest.
            if (previous && previous.at > update.at) continue;
            this.pending.set(key, { ...update });
            await this.eventBus.publish(
                new DriverLocationEvent(update.driverId, update.latitude, update.longitude, update.at),
            );
        }
        const redisIndex = this.redisIndex;
        if (redisIndex) {
            await this.onRedis('record positions', () => recordPositionsIn(redisIndex, updates));
        }
    }

    /**
     * After the DriverService wrote a status to the database. In SQL mode the database is the index
     * already; a second write here would also wait on the row lock of the caller's transaction.
     */
    async statusChanged(driverId: ID, status: DriverStatus): Promise<void> {
        const redisIndex = this.redisIndex;
        if (redisIndex) await this.onRedis('set a status', () => redisIndex.setStatus(driverId, status));
    }

    /** After the driver was deleted: forget their unwritten ping and take them out of the index. */
    async removed(driverId: ID): Promise<void> {
        this.pending.delete(String(driverId));
        const redisIndex = this.redisIndex;
        if (redisIndex) await this.onRedis('remove a driver', () => redisIndex.remove(driverId));
    }

    /**
     * Brings the Redis index in line with the database, the source of truth: claims and releases
     * reach Redis before their transaction commits, so a process killed in between, or a rollback,
     * leaves Redis wrong until now. Writes Redis made within `graceMs` are left alone (their
     * transaction may still be committing). One query and one script per 1000 drivers. Nothing to do
     * without Redis, while it is down, or while a rebuild is under way.
     */
    async reconcileRedis(graceMs: number): Promise<ReconcileResult> {
        const reconcile = this.redisIndex?.reconcile?.bind(this.redisIndex);
        if (!reconcile || this.rebuilding) return { restored: [], removed: [] };
        const readAt = Date.now();
        const drivers = await this.driversAsTheDatabaseHoldsThem();
        // The grace counts from the read: what Redis wrote after it, the read could not see.
        const answer = await this.onRedis('reconcile', () =>
            reconcile(drivers, graceMs + (Date.now() - readAt)),
        );
        return answer.ok ? answer.value : { restored: [], removed: [] };
    }

    /** Every driver's status for the index: AVAILABLE only if enabled and not on a delivery. */
    private async driversAsTheDatabaseHoldsThem(): Promise<ReconciledDriver[]> {
        const driverTable = this.connection.rawConnection.getMetadata(Driver).tableName;
        const assignmentTable = this.connection.rawConnection.getMetadata(DeliveryAssignment).tableName;
        const rows: Array<{
            id: ID;
            status: DriverStatus;
            enabled: boolean;
            latitude: number | null;
            longitude: number | null;
            onDelivery: boolean;
        }> = await this.connection.rawConnection.query(
            `SELECT d.id, d.status, d.enabled, d.latitude, d.longitude,
                    EXISTS (SELECT 1 FROM "${assignmentTable}" a
                             WHERE a."driverId" = d.id AND a.status = ANY($1)) AS "onDelivery"
               FROM "${driverTable}" d`,
            [OPEN_WITH_DRIVER],
        );
        return rows.map(row => ({
            id: row.id,
            status:
                row.status !== DriverStatus.AVAILABLE
                    ? row.status
                    : !row.enabled
                      ? DriverStatus.OFFLINE
                      : row.onDelivery
                        ? DriverStatus.BUSY
                        : DriverStatus.AVAILABLE,
            latitude: row.latitude,
            longitude: row.longitude,
        }));
    }

    /** The newest ping the database may not have yet, so API reads show where the driver is now. */
    pendingPosition(driverId: ID): PendingPosition | undefined {
        const key = String(driverId);
        return this.pending.get(key) ?? this.writing.get(key);
    }

    /** Writes the buffered pings now (also called by the timer and at shutdown). */
    async flush(): Promise<void> {
        // One write at a time: the next flush takes what arrived meanwhile.
        if (this.flushing) await this.flushing;
        if (this.pending.size === 0) return;
        this.writing = this.pending;
        this.pending = new Map();
        const batch = [...this.writing.values()];
        this.flushing = this.writeBatch(batch)
            .catch((error: unknown) => {
                // Keep them for the next flush, unless a newer ping arrived meanwhile.
                for (const ping of batch) {
                    if (!this.pending.has(String(ping.driverId)))
                        this.pending.set(String(ping.driverId), ping);
                }
                Logger.warn(
                    `Could not write ${batch.length} driver positions, retrying: ${describeError(error)}`,
                    loggerCtx,
                );
            })
            .finally(() => {
                this.writing = new Map();
                this.flushing = undefined;
            });
        await this.flushing;
    }

    /**
     * One statement for the whole batch, whatever its size (arrays, not one parameter per value). A
     * ping older than the row's `lastSeenAt` (another process wrote a newer one) changes nothing.
     * Rows another transaction holds (a dispatch step assigning or releasing that driver) are
     * skipped, not waited for, and their pings kept for the next flush: the write-behind then never
     * waits on a dispatch step, so it can never close a lock cycle with one.
     */
    private async writeBatch(batch: PendingPosition[]): Promise<void> {
        const metadata = this.connection.rawConnection.getMetadata(Driver);
        // The id column's own type (integer, uuid, ...), so the join on it can use the primary key.
        const [idColumn] = metadata.primaryColumns;
        const idType = this.connection.rawConnection.driver.normalizeType(idColumn);
        const rows: Array<{ id: string; written: boolean }> = await this.connection.rawConnection.query(
            `WITH ping AS (
                  SELECT * FROM unnest($1::${idType}[], $2::double precision[], $3::double precision[], $4::timestamp[])
                         AS ping(id, latitude, longitude, seen_at)
              ),
              locked AS (
                  SELECT driver.id FROM "${metadata.tableName}" AS driver
                   WHERE driver.id IN (SELECT id FROM ping)
                     FOR NO KEY UPDATE SKIP LOCKED
              ),
              written AS (
                  UPDATE "${metadata.tableName}" AS driver
                     SET "latitude" = ping.latitude, "longitude" = ping.longitude, "lastSeenAt" = ping.seen_at
                    FROM ping
                   WHERE driver.id = ping.id AND driver.id IN (SELECT id FROM locked)
                     AND (driver."lastSeenAt" IS NULL OR driver."lastSeenAt" <= ping.seen_at)
              )
            SELECT driver.id::text AS id, driver.id IN (SELECT id FROM locked) AS written
              FROM "${metadata.tableName}" AS driver
             WHERE driver.id IN (SELECT id FROM ping)`,
            [
                batch.map(ping => String(ping.driverId)),
                batch.map(ping => ping.latitude),
                batch.map(ping => ping.longitude),
                batch.map(ping => ping.at),
            ],
        );
        // A driver deleted meanwhile has no row: nothing to keep for them.
        const skipped = new Set(rows.filter(row => !row.written).map(row => row.id));
        for (const ping of batch) {
            const key = String(ping.driverId);
            if (skipped.has(key) && !this.pending.has(key)) this.pending.set(key, ping);
        }
    }

    /** Replaces the Redis index content with the database's drivers (after the pending pings). */
    private rebuildRedis(reason: string): Promise<void> {
        const redisIndex = this.redisIndex;
        if (!redisIndex) return Promise.resolve();
        // Reconnect events can come in bursts: one rebuild at a time is enough.
        this.rebuilding ??= (async () => {
            try {
                await this.flush();
                const drivers = await this.connection.rawConnection.getRepository(Driver).find({
                    select: ['id', 'status', 'latitude', 'longitude', 'lastSeenAt', 'lastDeliveredAt'],
                });
                if ((await this.onRedis('rebuild', () => redisIndex.rebuild(drivers), false)).ok) {
                    Logger.info(
                        `Rebuilt the Redis driver index (${drivers.length} drivers) ${reason}`,
                        loggerCtx,
                    );
                }
            } catch (error) {
                Logger.error(
                    `Could not rebuild the Redis driver index ${reason}: ${describeError(error)}`,
                    loggerCtx,
                );
            } finally {
                this.rebuilding = undefined;
            }
        })();
        return this.rebuilding;
    }

    /**
     * Runs a Redis index call. A failure is logged once per outage and reported as not ok, so the
     * caller goes on with the database; the first success after an outage logs the recovery and
     * rebuilds the index, which missed the writes made meanwhile.
     */
    private async onRedis<T>(
        operation: string,
        call: () => Promise<T>,
        rebuildOnRecovery = true,
    ): Promise<{ ok: true; value: T } | { ok: false }> {
        let value: T;
        try {
            value = await call();
        } catch (error) {
            this.outageLog.lost(`${operation}: ${describeError(error)}`);
            return { ok: false };
        }
        if (this.outageLog.back() && rebuildOnRecovery) void this.rebuildRedis('after the Redis outage');
        return { ok: true, value };
    }
}
