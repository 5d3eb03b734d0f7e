/**
 * The seeded city trace the dispatch-quality bench replays: when and where orders come in around
 * the demo city's stores, when they are ready, where the drivers start and how fast they drive.
 * Places follow the simulator's city (`planCity`: drop-offs within 3 km of a store, drivers
 * starting within 2 km of one, 2–6 minutes of preparation); the load is the bench's own, as a
 * share of the simulator's fleet-capacity estimate, because that estimate assumes 1.5 km pickups
 * and nearest-first already falls behind at about half of it (see docs/BENCHMARKS.md).
 */
import { LatLng } from '../../plugins/shared/geo';
import {
    DRIVER_START_RADIUS_KM,
    DROPOFF_RADIUS_KM,
    fleetCapacityPerMinute,
    PlannedStore,
} from '../../src/simulation/city-plan';
import { SeededRandom } from '../../src/simulation/random';
import { LoadProfile } from '../../src/simulation/simulation-options';

export interface TraceOrder {
    id: number;
    /** City ms the customer checked out. */
    placedAtMs: number;
    /** City ms the seller marked it ready: from here it waits for a driver. */
    readyAtMs: number;
    /** The pickup store's name (deliveries of one store share their nearest drivers). */
    store: string;
    pickup: LatLng;
    dropoff: LatLng;
}

export interface TraceDriver {
    id: number;
    start: LatLng;
    speedKmh: number;
}

export interface CityTrace {
    seed: number;
    load: LoadProfile;
    /** Ordered by ready time, then id. */
    orders: TraceOrder[];
    drivers: TraceDriver[];
    /** Orders per city minute, off peak and in the peak (the same for `steady`). */
    ratePerMinute: { base: number; peak: number };
    cityMinutes: number;
}

export interface TraceInput {
    seed: number;
    load: LoadProfile;
    drivers: number;
    /** About this many orders: the run lasts as long as the load needs to place them. */
    orders: number;
    /** The fleet's mean speed; each driver drives at 75–125 % of it. */
    speedKmh: number;
    /** Orders per minute all along (and off peak), as a share of the simulator's capacity estimate. */
    steadyLoad: number;
    /** Orders per minute in the middle half of a `peak` run, as a share of that estimate. */
    peakLoad: number;
    stores: PlannedStore[];
}

const PREP_MINUTES = { min: 2, max: 6 };

/** Whether city time `share` (0..1 of the run) lies in the peak: its middle half, as the simulator's. */
export function inPeak(share: number): boolean {
    return share >= 0.25 && share < 0.75;
}

/** The trace of one seed and load: the same input gives the same trace on every machine. */
export function cityTrace(input: TraceInput): CityTrace {
    if (!input.stores.length) throw new Error('The city has no stores to order from');
    const capacity = fleetCapacityPerMinute(input.drivers, input.speedKmh);
    const base = input.steadyLoad * capacity;
    const peak = input.load === 'peak' ? input.peakLoad * capacity : base;
    const cityMinutes = input.orders / ((base + peak) / 2);
    const durationMs = cityMinutes * 60_000;
    const root = new SeededRandom(input.seed);
    const random = root.fork('orders');
    const maxRatePerMs = Math.max(base, peak) / 60_000;
    const orders: TraceOrder[] = [];
    // A Poisson process of varying rate by thinning: candidates at the highest rate, each kept
    // with the rate of its moment.
    for (let at = random.exponential(maxRatePerMs); at < durationMs; at += random.exponential(maxRatePerMs)) {
        const rate = inPeak(at / durationMs) ? peak : base;
        const keep = random.next() < rate / 60_000 / maxRatePerMs;
        const store = random.pick(input.stores);
        const dropoff = random.pointNear(store, DROPOFF_RADIUS_KM);
        const prepMs = random.between(PREP_MINUTES.min, PREP_MINUTES.max) * 60_000;
        if (!keep) continue;
        orders.push({
            id: orders.length + 1,
            placedAtMs: Math.round(at),
            readyAtMs: Math.round(at + prepMs),
            store: store.name,
            pickup: { latitude: store.latitude, longitude: store.longitude },
            dropoff,
        });
    }
    orders.sort((a, b) => a.readyAtMs - b.readyAtMs || a.id - b.id);
    const drivers = Array.from({ length: input.drivers }, (_, index) => {
        const driverRandom = root.fork(`driver-${index}`);
        return {
            id: index + 1,
            start: driverRandom.pointNear(driverRandom.pick(input.stores), DRIVER_START_RADIUS_KM),
            speedKmh: input.speedKmh * driverRandom.between(0.75, 1.25),
        };
    });
    return {
        seed: input.seed,
        load: input.load,
        orders,
        drivers,
        ratePerMinute: { base, peak },
        cityMinutes,
    };
}
