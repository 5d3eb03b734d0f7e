/** The bench's city: a square of drivers and pickup points, from a seeded generator. */
import { IndexedDriver } from '../../plugins/driver-dispatch/strategies/driver-location-index/driver-location-index';
import { DriverStatus } from '../../plugins/driver-dispatch/types';
import { LatLng } from '../../plugins/shared/geo';
import { SeededRandom } from '../../src/simulation/random';

/** The Loop (Chicago), the demo city's centre. */
const CENTRE: LatLng = { latitude: 41.8858, longitude: -87.6181 };
const KM_PER_DEGREE_LATITUDE = 111.32;

/** Deterministic pseudo-random numbers in [0, 1), the simulator's generator, so runs compare like with like. */
export function seededRandom(seed: number): () => number {
    const source = new SeededRandom(seed);
    return () => source.next();
}

/** A point uniformly distributed over the `sideKm` × `sideKm` square around the centre. */
export function pointInCity(next: () => number, sideKm: number): LatLng {
    const northKm = (next() - 0.5) * sideKm;
    const eastKm = (next() - 0.5) * sideKm;
    const kmPerDegreeLongitude = KM_PER_DEGREE_LATITUDE * Math.cos((CENTRE.latitude * Math.PI) / 180);
    return {
        latitude: CENTRE.latitude + northKm / KM_PER_DEGREE_LATITUDE,
        longitude: CENTRE.longitude + eastKm / kmPerDegreeLongitude,
    };
}

/** `count` AVAILABLE drivers with a fresh heartbeat, spread uniformly over the city. */
export function cityFleet(count: number, sideKm: number, seed: number): IndexedDriver[] {
    const next = seededRandom(seed);
    const now = new Date();
    return Array.from({ length: count }, (_, i) => ({
        id: String(i + 1),
        status: DriverStatus.AVAILABLE,
        ...pointInCity(next, sideKm),
        lastSeenAt: now,
        lastDeliveredAt: null,
    }));
}
