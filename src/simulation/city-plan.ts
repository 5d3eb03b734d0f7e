import { LatLng } from '../../plugins/shared/geo';
import { SeededRandom } from './random';
import { LoadProfile } from './simulation-options';

/** City minutes a driver spends at the store and at the door. */
export const DWELL_MINUTES = 1;
/** Drop-off points lie this close to a store, well inside the 5 km rule. */
export const DROPOFF_RADIUS_KM = 3;
/** Where drivers start: around a store (they wait where the orders come from). */
export const DRIVER_START_RADIUS_KM = 2;
/** Share of the fleet's capacity a steady city orders; peak orders this much in its middle half. */
export const STEADY_LOAD = 0.6;
export const PEAK_LOAD = 2.5;
// Rough legs of one delivery, for the capacity estimate only.
const TYPICAL_PICKUP_KM = 1.5;
const TYPICAL_DROPOFF_KM = 1.5;

export interface PlannedStore {
    name: string;
    latitude: number;
    longitude: number;
}

/** One customer's order: when (city ms from the start), where, and how its delivery will go. */
export interface PlannedOrder {
    atMs: number;
    /** The store the customer lives near (the server picks the store that serves them). */
    store: string;
    dropoff: LatLng;
    /** City ms the seller takes to prepare the order before marking it ready. */
    prepMs: number;
    /** The first driver assigned turns it down. */
    declined: boolean;
    /** The delivery fails at the door. */
    fails: boolean;
    /** Which of the deliverable variants the customer buys, as a share of their list (0..1). */
    pick: number;
}

/** A driver of the simulation: where they start and when they are on duty (city ms windows). */
export interface PlannedDriver {
    start: LatLng;
    shifts: Array<{ fromMs: number; toMs: number }>;
}

export interface CityPlanInput {
    seed: number;
    drivers: number;
    ordersPerMinute?: number;
    profile: LoadProfile;
    /** City minutes the plan covers. */
    cityMinutes: number;
    speedKmh: number;
    declineRate: number;
    failRate: number;
    center: LatLng;
    stores: PlannedStore[];
}

export interface CityPlan {
    orders: PlannedOrder[];
    drivers: PlannedDriver[];
    /** Orders per city minute the fleet can deliver, roughly. */
    capacityPerMinute: number;
}

/** Deliveries per city minute `drivers` drivers can make at `speedKmh`, roughly. */
export function fleetCapacityPerMinute(drivers: number, speedKmh: number): number {
    const cycleMinutes = ((TYPICAL_PICKUP_KM + TYPICAL_DROPOFF_KM) / speedKmh) * 60 + 2 * DWELL_MINUTES;
    return drivers / cycleMinutes;
}

/** Orders per city minute at `share` (0..1) of the run. */
export function orderRate(input: CityPlanInput, share: number): number {
    if (input.ordersPerMinute !== undefined) return input.ordersPerMinute;
    const capacity = fleetCapacityPerMinute(input.drivers, input.speedKmh);
    const peak = input.profile === 'peak' && share >= 0.25 && share < 0.75;
    return capacity * (peak ? PEAK_LOAD : STEADY_LOAD);
}

/**
 * The whole city of a run, decided up front from the seed: the same seed gives the same orders,
 * places, preparation times, declines, failures, driver starts and shifts. Only what the server
 * does with them (who gets which order, how fast) differs between runs.
 */
export function planCity(input: CityPlanInput): CityPlan {
    if (!input.stores.length) throw new Error('The city has no stores to order from');
    const root = new SeededRandom(input.seed);
    const orderRandom = root.fork('orders');
    const durationMs = input.cityMinutes * 60_000;
    const maxRatePerMs =
        Math.max(orderRate(input, 0), orderRate(input, 0.5), orderRate(input, 0.99)) / 60_000;
    const orders: PlannedOrder[] = [];
    // Thinning: candidates at the highest rate, each kept with the rate at its moment.
    for (let at = orderRandom.exponential(maxRatePerMs); at < durationMs;) {
        const keep = orderRandom.next() < orderRate(input, at / durationMs) / 60_000 / maxRatePerMs;
        const store = orderRandom.pick(input.stores);
        const order: PlannedOrder = {
            atMs: Math.round(at),
            store: store.name,
            dropoff: orderRandom.pointNear(store, DROPOFF_RADIUS_KM),
            prepMs: Math.round(orderRandom.between(2, 6) * 60_000),
            declined: orderRandom.chance(input.declineRate),
            fails: orderRandom.chance(input.failRate),
            pick: orderRandom.next(),
        };
        if (keep) orders.push(order);
        at += orderRandom.exponential(maxRatePerMs);
    }
    const drivers = Array.from({ length: input.drivers }, (_, index) => {
        const random = root.fork(`driver-${index}`);
        const start = random.pointNear(random.pick(input.stores), DRIVER_START_RADIUS_KM);
        const shifts: PlannedDriver['shifts'] = [];
        let at = random.chance(0.85) ? 0 : random.between(5, 40) * 60_000;
        while (at < durationMs) {
            const toMs = at + random.between(60, 240) * 60_000;
            shifts.push({ fromMs: Math.round(at), toMs: Math.round(toMs) });
            at = toMs + random.between(10, 45) * 60_000;
        }
        return { start, shifts };
    });
    return {
        orders,
        drivers,
        capacityPerMinute: fleetCapacityPerMinute(input.drivers, input.speedKmh),
    };
}

/** Whether a driver's plan has them on duty at city time `atMs`. */
export function onDutyAt(driver: PlannedDriver, atMs: number): boolean {
    return driver.shifts.some(shift => atMs >= shift.fromMs && atMs < shift.toMs);
}
