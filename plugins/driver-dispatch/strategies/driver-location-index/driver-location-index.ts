import { ID, InjectableStrategy } from '@vendure/core';

import { LatLng } from '../../../shared/geo';
import { DriverStatus } from '../../types';

/** What the index knows of a driver when it is (re)built from the database. */
export interface IndexedDriver {
    id: ID;
    status: DriverStatus;
    latitude: number | null;
    longitude: number | null;
    lastSeenAt: Date | null;
    lastDeliveredAt: Date | null;
}

export interface ClaimOptions {
    /** The search starts at this radius and doubles up to `maxRadiusKm`. */
    startRadiusKm: number;
    maxRadiusKm: number;
    /** Drivers never to claim (e.g. the one who declined). */
    excludeDriverIds?: ID[];
}

export interface ClaimedDriver {
    driverId: ID;
    distanceKm: number;
}

/** One driver's ping, for {@link DriverLocationIndex.recordPositions}. */
export interface PositionUpdate extends LatLng {
    driverId: ID;
    at: Date;
}

/** A claimable driver near a point, as {@link DriverLocationIndex.nearbyAvailable} lists them. */
export interface NearbyDriver {
    driverId: ID;
    /** Great-circle distance from the point, in km. */
    distanceKm: number;
}

/** A driver as the database holds them, for {@link DriverLocationIndex.reconcile}. */
export interface ReconciledDriver {
    id: ID;
    /**
     * What Redis should hold: AVAILABLE only for an enabled driver AVAILABLE in the database without
     * an open delivery.
     */
    status: DriverStatus;
    latitude: number | null;
    longitude: number | null;
}

/** What a reconciliation changed in the GEO set. */
export interface ReconcileResult {
    /** Drivers put back into the GEO set. */
    restored: string[];
    /** Drivers taken out of it. */
    removed: string[];
}

/**
 * Where the AVAILABLE drivers are, and the atomic claim of the nearest one. Two implementations
 * pass one contract suite: Redis GEO (production) and SQL over the Driver table (embedded default,
 * and the fallback while Redis is down).
 */
export interface DriverLocationIndex extends InjectableStrategy {
    /** A ping: position and heartbeat only, never the status. */
    recordPosition(driverId: ID, position: LatLng, at: Date): Promise<void>;
    /**
     * Optional: the pings of many drivers (at most one each) in one step, as the ping batcher
     * flushes them; the Redis index sends them in one round trip. Without it the plugin calls
     * {@link recordPosition} for each ({@link recordPositionsIn}), so an index of your own keeps
     * working unchanged.
     */
    recordPositions?(updates: PositionUpdate[]): Promise<void>;
    /** AVAILABLE drivers with a live heartbeat are claimable; BUSY and OFFLINE ones are not. */
    setStatus(driverId: ID, status: DriverStatus): Promise<void>;
    remove(driverId: ID): Promise<void>;
    /**
     * Takes the nearest claimable driver within the growing radius and marks it BUSY in one atomic
     * step: two claims never take the same driver. Ties: nearest, then longest idle, then id.
     */
    claimNearest(point: LatLng, options: ClaimOptions): Promise<ClaimedDriver | undefined>;
    /**
     * The claimable drivers within `radiusKm` of `point` (in whole metres, as the claim counts),
     * nearest first, ties as in {@link claimNearest}, at most `limit`. Reads only: a batch window
     * plans with it and then takes each chosen driver with {@link claimById}.
     */
    nearbyAvailable(point: LatLng, radiusKm: number, limit: number): Promise<NearbyDriver[]>;
    /**
     * Takes this driver if they are claimable right now, marking them BUSY in one atomic step
     * (the same rules as {@link claimNearest}: AVAILABLE, positioned, live heartbeat). False when
     * they are not: taken by another claim meanwhile, gone OFFLINE, or unknown.
     */
    claimById(driverId: ID): Promise<boolean>;
    /** Gives a claimed driver back (the assignment could not be written). */
    release(driverId: ID): Promise<void>;
    /** Ids of the claimable drivers (for checks and stats). */
    availableDriverIds(): Promise<ID[]>;
    /** Replaces the index content with the database's drivers. */
    rebuild(drivers: IndexedDriver[]): Promise<void>;
    /**
     * For an index kept apart from the database (Redis): calls `listener` each time the index is
     * reachable again after it was lost, so the plugin rebuilds it from the database.
     */
    onReconnect?(listener: () => void): void;
    /**
     * For an index kept apart from the database, whose claims and releases run ahead of their
     * transaction: brings it in line with `drivers` (the database's view, read just before),
     * leaving alone what it wrote within `graceMs`. The sweep calls it.
     */
    reconcile?(drivers: ReconciledDriver[], graceMs: number): Promise<ReconcileResult>;
}

/** Records a flush's pings: in one step where the index can, else one {@link recordPosition} each. */
export async function recordPositionsIn(
    index: DriverLocationIndex,
    updates: PositionUpdate[],
): Promise<void> {
    if (updates.length === 0) return;
    if (index.recordPositions) {
        await index.recordPositions(updates);
        return;
    }
    await Promise.all(
        updates.map(update =>
            index.recordPosition(
                update.driverId,
                { latitude: update.latitude, longitude: update.longitude },
                update.at,
            ),
        ),
    );
}
