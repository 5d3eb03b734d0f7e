import { ID, idsAreEqual } from '@vendure/core';
import { munkres } from 'munkres';

import { NearbyDriver } from '../strategies/driver-location-index/driver-location-index';

/** Deliveries one window looks at, oldest first; the next window takes the rest. */
export const WINDOW_DELIVERIES = 500;
/** Drivers asked of the index per pickup store, at most. */
export const NEARBY_LIMIT = 500;

/** A PENDING delivery as a batch window sees it. */
export interface WaitingDelivery {
    id: ID;
    /** Seconds since the delivery was opened (the database's clock). */
    waitedSeconds: number;
    /** Deliveries with the same key share a pickup store, and so their nearest drivers. */
    pickupKey: string;
    /** Drivers who declined, were taken off or failed it: never offered it again. */
    excludedDriverIds: ID[];
    /** Claimable drivers around the pickup store with their distances, nearest first. */
    candidates: NearbyDriver[];
}

export interface BatchPlanOptions {
    /** Pairs farther apart than this (in whole metres) are forbidden. */
    maxRadiusKm: number;
    /**
     * Each delivery is offered its k nearest eligible drivers only (at least as many as deliveries
     * wait at its store, so a busy store can use as many drivers as it has orders).
     */
    nearestDriversPerDelivery: number;
    /** A delivery waiting this long is served before any that waited less, where a driver allows. */
    starvationSeconds: number;
    /** The solver runs only if its estimated time fits; else the plan is nearest-first. */
    solveBudgetMs: number;
    /**
     * Estimated ms per elementary step of the solver (rows × columns × min(rows, columns) steps).
     *
     * @default {@link DEFAULT_SOLVER_MS_PER_STEP}
     */
    solverMsPerStep?: number;
}

export interface PlannedAssignment {
    deliveryId: ID;
    driverId: ID;
    distanceKm: number;
}

export interface BatchPlan {
    /** At most one per delivery and one per driver, starved and older deliveries first. */
    assignments: PlannedAssignment[];
    /** `munkres` when the solver ran, `nearest` when the budget sent it to the fallback. */
    solver: 'munkres' | 'nearest' | 'none';
    /** Size of the problem the solver saw: deliveries with a candidate × distinct drivers. */
    rows: number;
    columns: number;
}

/**
 * The cost of a forbidden pair (beyond the radius, an excluded driver, past the k nearest): large
 * and finite, so the solver prefers any number of allowed pairs; such pairs are dropped from its answer.
 */
export const FORBIDDEN_COST = 1e9;

/**
 * A cautious 5 ns per step of the `munkres` package (its worst case is cubic; on these machines a dense
 * random 200 × 200 solved in ~20 ms, a 400 × 400 in ~10 ms once warm).
 */
export const DEFAULT_SOLVER_MS_PER_STEP = 5e-6;

interface Candidate {
    driverId: ID;
    distanceKm: number;
}

interface Row {
    delivery: WaitingDelivery;
    starved: boolean;
    candidates: Candidate[];
}

/**
 * Plans one batch window: which waiting delivery each free driver takes, for the minimum total
 * pickup distance, solved as an assignment problem by the `munkres` package (Hungarian method).
 * Pure: the caller reads deliveries and drivers, and claims what the plan says.
 *
 * Starvation: every pair of a delivery that has not waited `starvationSeconds` costs
 * `maxRadiusKm + 1` km more. A starved delivery then always displaces a fresh one from a driver it
 * could take (the swap saves more than any pickup distance adds), while among deliveries of the same
 * kind the distance decides.
 */
export function planBatch(deliveries: WaitingDelivery[], options: BatchPlanOptions): BatchPlan {
    const rows = eligibleRows(deliveries, options);
    const columnIds: ID[] = [];
    const columnOf = new Map<string, number>();
    for (const row of rows) {
        for (const candidate of row.candidates) {
            const key = String(candidate.driverId);
            if (!columnOf.has(key)) {
                columnOf.set(key, columnIds.length);
                columnIds.push(candidate.driverId);
            }
        }
    }
    const size = { rows: rows.length, columns: columnIds.length };
    if (!rows.length) return { assignments: [], solver: 'none', ...size };

    const steps = rows.length * columnIds.length * Math.min(rows.length, columnIds.length);
    const estimatedMs = steps * (options.solverMsPerStep ?? DEFAULT_SOLVER_MS_PER_STEP);
    if (estimatedMs > options.solveBudgetMs) {
        return { assignments: nearestFirst(rows), solver: 'nearest', ...size };
    }

    const starvationPenaltyKm = options.maxRadiusKm + 1;
    const costs = rows.map(row => {
        const line = new Array<number>(columnIds.length).fill(FORBIDDEN_COST);
        const penalty = row.starved ? 0 : starvationPenaltyKm;
        for (const candidate of row.candidates) {
            line[columnOf.get(String(candidate.driverId)) ?? -1] = candidate.distanceKm + penalty;
        }
        return line;
    });
    const assignments: PlannedAssignment[] = [];
    for (const [rowIndex, columnIndex] of munkres(costs)) {
        if (costs[rowIndex][columnIndex] >= FORBIDDEN_COST) continue;
        const row = rows[rowIndex];
        const driverId = columnIds[columnIndex];
        const candidate = row.candidates.find(entry => idsAreEqual(entry.driverId, driverId));
        if (!candidate) continue;
        assignments.push({ deliveryId: row.delivery.id, driverId, distanceKm: candidate.distanceKm });
    }
    const order = new Map(rows.map((row, i) => [String(row.delivery.id), i]));
    assignments.sort(
        (a, b) => (order.get(String(a.deliveryId)) ?? 0) - (order.get(String(b.deliveryId)) ?? 0),
    );
    return { assignments, solver: 'munkres', ...size };
}

/** Sum of the pickup distances of a plan (for logs and tests). */
export function totalPickupKm(assignments: PlannedAssignment[]): number {
    return assignments.reduce((sum, assignment) => sum + assignment.distanceKm, 0);
}

/**
 * Deliveries with at least one allowed driver, starved first, then oldest first (the order
 * nearest-first would serve them); each with its k nearest allowed drivers.
 */
function eligibleRows(deliveries: WaitingDelivery[], options: BatchPlanOptions): Row[] {
    const radiusMetres = Math.round(options.maxRadiusKm * 1000);
    const perStore = new Map<string, number>();
    for (const delivery of deliveries) {
        perStore.set(delivery.pickupKey, (perStore.get(delivery.pickupKey) ?? 0) + 1);
    }
    const seen = new Set<string>();
    const rows: Row[] = [];
    for (const delivery of deliveries) {
        if (seen.has(String(delivery.id))) continue;
        seen.add(String(delivery.id));
        const k = Math.max(1, options.nearestDriversPerDelivery, perStore.get(delivery.pickupKey) ?? 1);
        const byDriver = new Map<string, Candidate>();
        for (const candidate of delivery.candidates) {
            const key = String(candidate.driverId);
            if (Math.round(candidate.distanceKm * 1000) > radiusMetres) continue;
            if (delivery.excludedDriverIds.some(id => idsAreEqual(id, candidate.driverId))) continue;
            const known = byDriver.get(key);
            if (!known || candidate.distanceKm < known.distanceKm) byDriver.set(key, candidate);
        }
        // A stable sort keeps the index's tie-break (longest idle, then id) among equal distances.
        const candidates = [...byDriver.values()]
            .sort((a, b) => Math.round(a.distanceKm * 1000) - Math.round(b.distanceKm * 1000))
            .slice(0, k);
        if (!candidates.length) continue;
        rows.push({ delivery, starved: delivery.waitedSeconds >= options.starvationSeconds, candidates });
    }
    return rows.sort(
        (a, b) =>
            Number(b.starved) - Number(a.starved) || b.delivery.waitedSeconds - a.delivery.waitedSeconds,
    );
}

/** The fallback: each delivery in turn (starved, then oldest first) takes its nearest driver left. */
function nearestFirst(rows: Row[]): PlannedAssignment[] {
    const taken = new Set<string>();
    const assignments: PlannedAssignment[] = [];
    for (const row of rows) {
        const candidate = row.candidates.find(entry => !taken.has(String(entry.driverId)));
        if (!candidate) continue;
        taken.add(String(candidate.driverId));
        assignments.push({
            deliveryId: row.delivery.id,
            driverId: candidate.driverId,
            distanceKm: candidate.distanceKm,
        });
    }
    return assignments;
}
