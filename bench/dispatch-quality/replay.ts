/**
 * Replays a {@link CityTrace} on a simulated clock through one dispatch mode, with no server:
 * `nearest` claims as `DeliveryMatcherService` does (the growing radius, nearest then longest idle
 * then id; a driver coming free takes the oldest waiting delivery), `batch` runs the plugin's own
 * {@link planBatch} every window as `BatchDispatchService` calls it. Drivers drive straight lines at
 * their speed to the store, spend a fixed pickup time there, drive to the drop-off and are free there.
 */
import { performance } from 'node:perf_hooks';

import {
    BatchPlan,
    NEARBY_LIMIT,
    planBatch,
    WaitingDelivery,
    WINDOW_DELIVERIES,
} from '../../plugins/driver-dispatch/services/batch-plan';
import { NearbyDriver } from '../../plugins/driver-dispatch/strategies/driver-location-index/driver-location-index';
import { distanceKm, LatLng, radiusSteps } from '../../plugins/shared/geo';
import { CityTrace, TraceOrder } from './trace';

export type DispatchModeName = 'nearest' | 'batch';

export interface ReplayOptions {
    mode: DispatchModeName;
    /** City ms a driver spends at the store picking up. */
    pickupMs: number;
    /** The matcher's first radius (it doubles up to `maxRadiusKm`). */
    startRadiusKm: number;
    maxRadiusKm: number;
    batchWindowMs: number;
    batchNearestDrivers: number;
    batchStarvationSeconds: number;
    batchSolveBudgetMs: number;
}

/** What happened to one order. */
export interface DeliveryOutcome {
    orderId: number;
    driverId: number;
    placedAtMs: number;
    readyAtMs: number;
    assignedAtMs: number;
    deliveredAtMs: number;
    pickupKm: number;
    dropoffKm: number;
}

export interface ReplayResult {
    mode: DispatchModeName;
    deliveries: DeliveryOutcome[];
    /** Kilometres the whole fleet drove (to stores and to doors). */
    driverKm: number;
    /** Batch windows that ran a plan, by the solver it used. */
    solvers: Record<BatchPlan['solver'], number>;
    /** Wall-clock ms of each `planBatch` call (the simulated clock does not wait for it). */
    solveMs: number[];
}

export interface DriverState {
    id: number;
    position: LatLng;
    speedKmh: number;
    /** City ms the current delivery ends; undefined when free. */
    busyUntilMs: number | undefined;
    /** Where the current delivery ends. */
    nextPosition: LatLng;
    lastDeliveredAtMs: number | undefined;
}

/** Replays the whole trace; every order ends delivered (the fleet never leaves). */
export function replay(trace: CityTrace, options: ReplayOptions): ReplayResult {
    const drivers: DriverState[] = trace.drivers.map(driver => ({
        id: driver.id,
        position: driver.start,
        speedKmh: driver.speedKmh,
        busyUntilMs: undefined,
        nextPosition: driver.start,
        lastDeliveredAtMs: undefined,
    }));
    const byId = new Map(drivers.map(driver => [driver.id, driver]));
    const orders = trace.orders;
    const result: ReplayResult = {
        mode: options.mode,
        deliveries: [],
        driverKm: 0,
        solvers: { munkres: 0, nearest: 0, none: 0 },
        solveMs: [],
    };
    let waiting: TraceOrder[] = [];
    let nextOrder = 0;
    let nextWindowMs = options.mode === 'batch' ? options.batchWindowMs : Infinity;

    const assign = (order: TraceOrder, driver: DriverState, nowMs: number, pickupKm: number) => {
        if (driver.busyUntilMs !== undefined) throw new Error(`Driver ${driver.id} assigned twice`);
        const dropoffKm = distanceKm(order.pickup, order.dropoff);
        const kmPerMs = driver.speedKmh / 3_600_000;
        const deliveredAtMs = nowMs + pickupKm / kmPerMs + options.pickupMs + dropoffKm / kmPerMs;
        driver.busyUntilMs = deliveredAtMs;
        driver.nextPosition = order.dropoff;
        result.driverKm += pickupKm + dropoffKm;
        result.deliveries.push({
            orderId: order.id,
            driverId: driver.id,
            placedAtMs: order.placedAtMs,
            readyAtMs: order.readyAtMs,
            assignedAtMs: nowMs,
            deliveredAtMs,
            pickupKm,
            dropoffKm,
        });
    };
    const dispatchNearest = (order: TraceOrder, nowMs: number): boolean => {
        const claimed = claimNearest(drivers, order.pickup, options);
        if (!claimed) return false;
        assign(order, claimed.driver, nowMs, claimed.distanceKm);
        return true;
    };

    while (result.deliveries.length < orders.length) {
        let freeAtMs = Infinity;
        for (const driver of drivers) {
            if (driver.busyUntilMs !== undefined && driver.busyUntilMs < freeAtMs)
                freeAtMs = driver.busyUntilMs;
        }
        const readyAtMs = nextOrder < orders.length ? orders[nextOrder].readyAtMs : Infinity;
        const nowMs = Math.min(freeAtMs, readyAtMs, nextWindowMs);
        if (nowMs === Infinity) throw new Error('Replay stuck: orders wait and no driver will come free');
        if (freeAtMs === nowMs) {
            for (const driver of drivers) {
                if (driver.busyUntilMs !== nowMs) continue;
                driver.busyUntilMs = undefined;
                driver.position = driver.nextPosition;
                driver.lastDeliveredAtMs = nowMs;
                if (options.mode !== 'nearest') continue;
                // The matcher on a driver coming free: the oldest waiting delivery within reach is
                // dispatched, and its claim takes the nearest free driver around that store.
                const oldest = waiting.find(
                    order => distanceKm(driver.position, order.pickup) <= options.maxRadiusKm,
                );
                if (oldest && dispatchNearest(oldest, nowMs))
                    waiting = waiting.filter(order => order !== oldest);
            }
        } else if (readyAtMs === nowMs) {
            const order = orders[nextOrder++];
            if (options.mode === 'batch' || !dispatchNearest(order, nowMs)) waiting.push(order);
        } else {
            nextWindowMs += options.batchWindowMs;
            if (!waiting.length || drivers.every(driver => driver.busyUntilMs !== undefined)) continue;
            const started = performance.now();
            const plan = planBatch(windowDeliveries(waiting, drivers, nowMs, options), {
                maxRadiusKm: options.maxRadiusKm,
                nearestDriversPerDelivery: options.batchNearestDrivers,
                starvationSeconds: options.batchStarvationSeconds,
                solveBudgetMs: options.batchSolveBudgetMs,
            });
            result.solveMs.push(performance.now() - started);
            result.solvers[plan.solver] += 1;
            const assigned = new Set<number>();
            for (const choice of plan.assignments) {
                const order = waiting.find(entry => entry.id === choice.deliveryId);
                const driver = byId.get(Number(choice.driverId));
                if (!order || !driver || driver.busyUntilMs !== undefined || assigned.has(order.id)) {
                    throw new Error(`planBatch planned an impossible pair ${JSON.stringify(choice)}`);
                }
                assign(order, driver, nowMs, choice.distanceKm);
                assigned.add(order.id);
            }
            waiting = waiting.filter(order => !assigned.has(order.id));
        }
    }
    return result;
}

/**
 * The nearest free driver as the location index claims one: radius by radius (0.25 km doubling to
 * the maximum), the nearest in whole metres within the first radius that holds anyone, then the
 * longest idle (never delivered first), then the lowest id.
 */
export function claimNearest(
    drivers: readonly DriverState[],
    point: LatLng,
    options: Pick<ReplayOptions, 'startRadiusKm' | 'maxRadiusKm'>,
): { driver: DriverState; distanceKm: number } | undefined {
    const free = drivers
        .filter(driver => driver.busyUntilMs === undefined)
        .map(driver => ({ driver, distanceKm: distanceKm(point, driver.position) }));
    for (const radiusKm of radiusSteps(options.startRadiusKm, options.maxRadiusKm)) {
        const inside = free.filter(entry => entry.distanceKm <= radiusKm);
        if (inside.length) return inside.sort(byIndexOrder)[0];
    }
    return undefined;
}

/** The window's view: the oldest waiting deliveries, each with the free drivers around its store. */
function windowDeliveries(
    waiting: readonly TraceOrder[],
    drivers: readonly DriverState[],
    nowMs: number,
    options: ReplayOptions,
): WaitingDelivery[] {
    const seen = waiting.slice(0, WINDOW_DELIVERIES);
    const perStore = new Map<string, { point: LatLng; deliveries: number }>();
    for (const order of seen) {
        const store = perStore.get(order.store) ?? { point: order.pickup, deliveries: 0 };
        store.deliveries += 1;
        perStore.set(order.store, store);
    }
    const candidates = new Map<string, NearbyDriver[]>();
    for (const [name, store] of perStore) {
        const limit = Math.min(NEARBY_LIMIT, options.batchNearestDrivers * store.deliveries);
        candidates.set(
            name,
            drivers
                .filter(driver => driver.busyUntilMs === undefined)
                .map(driver => ({ driver, distanceKm: distanceKm(store.point, driver.position) }))
                .filter(entry => entry.distanceKm <= options.maxRadiusKm)
                .sort(byIndexOrder)
                .slice(0, limit)
                .map(entry => ({ driverId: entry.driver.id, distanceKm: entry.distanceKm })),
        );
    }
    return seen.map(order => ({
        id: order.id,
        waitedSeconds: (nowMs - order.readyAtMs) / 1000,
        pickupKey: order.store,
        excludedDriverIds: [],
        candidates: candidates.get(order.store) ?? [],
    }));
}

function byIndexOrder(
    a: { driver: DriverState; distanceKm: number },
    b: { driver: DriverState; distanceKm: number },
): number {
    return (
        Math.round(a.distanceKm * 1000) - Math.round(b.distanceKm * 1000) ||
        (a.driver.lastDeliveredAtMs ?? -Infinity) - (b.driver.lastDeliveredAtMs ?? -Infinity) ||
        a.driver.id - b.driver.id
    );
}
