import { Inject, Injectable } from '@nestjs/common';
import { ID, idsAreEqual, Logger, RequestContext, TransactionalConnection } from '@vendure/core';

import { describeError } from '../../shared/errors';
import { EARTH_RADIUS_KM, LatLng } from '../../shared/geo';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { ResolvedDriverDispatchOptions } from '../options';
import { NearbyDriver } from '../strategies/driver-location-index/driver-location-index';
import { DeliveryStatus } from '../types';
import { BatchPlan, NEARBY_LIMIT, planBatch, WaitingDelivery, WINDOW_DELIVERIES } from './batch-plan';
import { DeliveryDriversService } from './delivery-drivers.service';
import { DeliveryLifecycleService } from './delivery-lifecycle.service';
import { DriverLocationService } from './driver-location.service';

/** What one window did, over all the regions it ran for. */
export interface BatchWindowResult {
    /** Regions whose window ran here. */
    regions: string[];
    /** Regions skipped because another window (in this or another process) held them. */
    regionsBusy: string[];
    /** PENDING deliveries the window looked at. */
    waiting: number;
    /** Deliveries assigned by this window. */
    assigned: ID[];
    /** Deliveries whose chosen driver was taken meanwhile: left for the next window. */
    claimsLost: ID[];
    /** Total pickup distance of the assignments, in km. */
    pickupKm: number;
    /** The solver each region used. */
    solvers: Array<BatchPlan['solver']>;
}

/** The advisory lock class of batch windows: `pg_try_advisory_xact_lock(class, hashtext(region))`. */
export const BATCH_WINDOW_LOCK_CLASS = 0x76716462; // 'vqdb'
const KM_PER_DEGREE = (EARTH_RADIUS_KM * Math.PI) / 180;

interface WaitingRow {
    id: ID;
    waitedSeconds: number;
    latitude: number | null;
    longitude: number | null;
    storeName: string;
}

/**
 * The batch dispatch window (`dispatchMode: 'batch'`): per region, the PENDING deliveries and the
 * AVAILABLE drivers within `maxSearchRadiusKm` of them are matched by {@link planBatch}, each chosen
 * driver is claimed by id and the delivery assigned through the lifecycle gate. One window per
 * region runs at a time across processes: the region's window holds a PostgreSQL advisory lock
 * for its transaction, so a window of a dead worker ends with its connection and the next window
 * takes the region over. When it runs is the {@link DeliveryMatcherService}'s business.
 */
@Injectable()
export class BatchDispatchService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly lifecycle: DeliveryLifecycleService,
        private readonly drivers: DeliveryDriversService,
        private readonly locations: DriverLocationService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: ResolvedDriverDispatchOptions,
    ) {}

    /** Runs one window over every region with waiting deliveries. Safe to call concurrently. */
    async runWindow(ctx: RequestContext): Promise<BatchWindowResult> {
        const result: BatchWindowResult = {
            regions: [],
            regionsBusy: [],
            waiting: 0,
            assigned: [],
            claimsLost: [],
            pickupKm: 0,
            solvers: [],
        };
        const byRegion = new Map<string, WaitingRow[]>();
        for (const row of await this.waitingDeliveries()) {
            const region = this.regionOf(row);
            byRegion.set(region, [...(byRegion.get(region) ?? []), row]);
        }
        for (const [region, rows] of byRegion) {
            await this.runRegion(ctx, region, rows, result);
        }
        if (result.assigned.length || result.claimsLost.length) {
            Logger.info(
                `Batch window: ${result.assigned.length} of ${result.waiting} waiting deliveries assigned ` +
                    `(${result.pickupKm.toFixed(2)} km of pickups, ${result.solvers.join('/')}), ` +
                    `${result.claimsLost.length} claims lost to a race` +
                    (result.regionsBusy.length
                        ? `, regions busy elsewhere: ${result.regionsBusy.join(', ')}`
                        : ''),
                loggerCtx,
            );
        }
        return result;
    }

    private async runRegion(
        ctx: RequestContext,
        region: string,
        rows: WaitingRow[],
        result: BatchWindowResult,
    ): Promise<void> {
        const claimed: ID[] = [];
        const kept: ID[] = [];
        try {
            await this.connection.withTransaction(ctx, async txCtx => {
                const [{ locked }] = await this.connection
                    .getRepository(txCtx, DeliveryAssignment)
                    .query('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked', [
                        BATCH_WINDOW_LOCK_CLASS,
                        region,
                    ]);
                if (!locked) {
                    result.regionsBusy.push(region);
                    return;
                }
                result.regions.push(region);
                // Rows staff are moving right now are skipped; the next window sees them.
                const lockedDeliveries = await this.connection
                    .getRepository(txCtx, DeliveryAssignment)
                    .createQueryBuilder('assignment')
                    .setLock('pessimistic_write')
                    .setOnLocked('skip_locked')
                    .where('assignment.id IN (:...ids)', { ids: rows.map(row => row.id) })
                    .andWhere('assignment.status = :status', { status: DeliveryStatus.PENDING })
                    .getMany();
                result.waiting += lockedDeliveries.length;
                const deliveries = await this.withCandidates(rows, lockedDeliveries);
                const plan = planBatch(deliveries, {
                    maxRadiusKm: this.options.maxSearchRadiusKm,
                    nearestDriversPerDelivery: this.options.batchNearestDrivers,
                    starvationSeconds: this.options.batchStarvationSeconds,
                    solveBudgetMs: this.options.batchSolveBudgetMs,
                });
                result.solvers.push(plan.solver);
                const assignedHere = new Set<string>();
                for (const choice of plan.assignments) {
                    const taken = await this.locations.withIndex(
                        'claim',
                        index => index.claimById(choice.driverId),
                        txCtx,
                    );
                    if (!taken) {
                        result.claimsLost.push(choice.deliveryId);
                        continue;
                    }
                    claimed.push(choice.driverId);
                    const assigned = await this.lifecycle.assign(
                        txCtx,
                        choice.deliveryId,
                        { driverId: choice.driverId, distanceKm: choice.distanceKm, claimedByIndex: true },
                        { actor: 'system', from: [DeliveryStatus.PENDING] },
                    );
                    if (
                        assigned instanceof DeliveryAssignment &&
                        assigned.status === DeliveryStatus.ASSIGNED &&
                        idsAreEqual(assigned.driverId ?? undefined, choice.driverId)
                    ) {
                        kept.push(choice.driverId);
                        assignedHere.add(String(choice.deliveryId));
                        result.assigned.push(choice.deliveryId);
                        result.pickupKm += choice.distanceKm;
                    } else {
                        // Disabled or gone offline since the claim: the next window tries again.
                        result.claimsLost.push(choice.deliveryId);
                    }
                }
                for (const delivery of deliveries) {
                    if (assignedHere.has(String(delivery.id)) || delivery.candidates.length) continue;
                    const row = rows.find(entry => idsAreEqual(entry.id, delivery.id));
                    await this.recordNoDriver(txCtx, delivery.id, row?.storeName ?? 'the pickup store');
                }
            });
        } catch (error) {
            // Rolled back: every driver claimed for it goes back into the index.
            await this.drivers.giveBackClaimed(claimed);
            Logger.error(`Batch window of region ${region} failed: ${describeError(error)}`, loggerCtx);
            return;
        }
        await this.drivers.giveBackClaimed(
            claimed.filter(id => !kept.some(keptId => idsAreEqual(keptId, id))),
        );
    }

    /** The PENDING deliveries, oldest first, with their pickup store and how long they waited. */
    private async waitingDeliveries(): Promise<WaitingRow[]> {
        const rows = await this.connection.rawConnection
            .getRepository(DeliveryAssignment)
            .createQueryBuilder('assignment')
            .innerJoin('assignment.pickupStockLocation', 'pickup')
            .select('assignment.id', 'id')
            .addSelect('EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - assignment.createdAt))', 'waitedSeconds')
            .addSelect('"pickup"."customFieldsLatitude"', 'latitude')
            .addSelect('"pickup"."customFieldsLongitude"', 'longitude')
            .addSelect('pickup.name', 'storeName')
            .where('assignment.status = :status', { status: DeliveryStatus.PENDING })
            .orderBy('assignment.createdAt', 'ASC')
            .addOrderBy('assignment.id', 'ASC')
            .limit(WINDOW_DELIVERIES)
            .getRawMany<{
                id: number;
                waitedSeconds: string;
                latitude: number | null;
                longitude: number | null;
                storeName: string;
            }>();
        return rows.map(row => ({ ...row, waitedSeconds: Number(row.waitedSeconds) }));
    }

    /** Each locked delivery with the claimable drivers around its pickup store (one index read per store). */
    private async withCandidates(
        rows: WaitingRow[],
        locked: DeliveryAssignment[],
    ): Promise<WaitingDelivery[]> {
        const stores = new Map<string, { point: LatLng; deliveries: number; excluded: number }>();
        const deliveries: Array<{ delivery: DeliveryAssignment; key: string | undefined; waited: number }> =
            [];
        for (const delivery of locked) {
            const row = rows.find(entry => idsAreEqual(entry.id, delivery.id));
            const point =
                row?.latitude != null && row.longitude != null
                    ? { latitude: row.latitude, longitude: row.longitude }
                    : undefined;
            const key = point ? `${point.latitude},${point.longitude}` : undefined;
            if (point && key) {
                const store = stores.get(key) ?? { point, deliveries: 0, excluded: 0 };
                store.deliveries += 1;
                store.excluded = Math.max(store.excluded, delivery.excludedDriverIds.length);
                stores.set(key, store);
            }
            deliveries.push({ delivery, key, waited: row?.waitedSeconds ?? 0 });
        }
        const candidates = new Map<string, NearbyDriver[]>();
        const k = this.options.batchNearestDrivers;
        for (const [key, store] of stores) {
            const limit = Math.min(NEARBY_LIMIT, k * store.deliveries + store.excluded);
            candidates.set(
                key,
                await this.locations.withIndex('nearby', index =>
                    index.nearbyAvailable(store.point, this.options.maxSearchRadiusKm, limit),
                ),
            );
        }
        return deliveries.map(({ delivery, key, waited }) => ({
            id: delivery.id,
            waitedSeconds: waited,
            pickupKey: key ?? `no-pickup-${String(delivery.id)}`,
            excludedDriverIds: delivery.excludedDriverIds,
            candidates: key ? (candidates.get(key) ?? []) : [],
        }));
    }

    /**
     * The reason a delivery still waits, on the row: once per reason (not once per window), so
     * `attempts` counts changes of fortune rather than ticks of the clock.
     */
    private async recordNoDriver(ctx: RequestContext, assignmentId: ID, storeName: string): Promise<void> {
        const reason = `No available driver within ${this.options.maxSearchRadiusKm} km of ${storeName}`;
        await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder()
            .update(DeliveryAssignment)
            .set({ lastError: reason, attempts: () => 'attempts + 1' })
            .where('id = :id AND status = :status', { id: assignmentId, status: DeliveryStatus.PENDING })
            .andWhere('("lastError" IS NULL OR "lastError" <> :reason)', { reason })
            .execute();
    }

    /** The region of a delivery: one for everything, or the map cell of its pickup store. */
    private regionOf(row: WaitingRow): string {
        const cellKm = this.options.batchRegionCellKm;
        if (!cellKm || row.latitude == null || row.longitude == null) return 'all';
        const latitudeStep = cellKm / KM_PER_DEGREE;
        const rowIndex = Math.floor(row.latitude / latitudeStep);
        const rowMiddle = (rowIndex + 0.5) * latitudeStep;
        const longitudeStep = latitudeStep / Math.max(0.01, Math.cos((rowMiddle * Math.PI) / 180));
        return `cell:${rowIndex}:${Math.floor(row.longitude / longitudeStep)}`;
    }
}
