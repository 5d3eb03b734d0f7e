import { LatLng } from '../../plugins/shared/geo';

const KM_PER_DEGREE_LATITUDE = 111.32;

/**
 * A seeded pseudo-random source (mulberry32: 32 bits of state, fast, good enough for a city
 * trace). The same seed gives the same sequence on every machine, so `--seed` replays a city.
 */
export class SeededRandom {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** A uniform number in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) | 0;
        let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** A uniform number in [min, max). */
    between(min: number, max: number): number {
        return min + (max - min) * this.next();
    }

    /** A whole number in [0, count). */
    index(count: number): number {
        return Math.floor(this.next() * count);
    }

    pick<T>(items: readonly T[]): T {
        if (!items.length) throw new Error('Cannot pick from an empty list');
        return items[this.index(items.length)];
    }

    chance(probability: number): boolean {
        return this.next() < probability;
    }

    /** The wait until the next event of a Poisson process with this rate (events per unit). */
    exponential(rate: number): number {
        return -Math.log(1 - this.next()) / rate;
    }

    /** A point uniformly inside a circle of `radiusKm` around `center` (flat-earth: a city is small). */
    pointNear(center: LatLng, radiusKm: number): LatLng {
        const distance = radiusKm * Math.sqrt(this.next());
        const bearing = this.between(0, 2 * Math.PI);
        const kmPerDegreeLongitude = KM_PER_DEGREE_LATITUDE * Math.cos((center.latitude * Math.PI) / 180);
        return {
            latitude: center.latitude + (distance * Math.cos(bearing)) / KM_PER_DEGREE_LATITUDE,
            longitude: center.longitude + (distance * Math.sin(bearing)) / kmPerDegreeLongitude,
        };
    }

    /** An independent stream for one part of the city (driver i, the orders), stable per seed. */
    fork(label: string): SeededRandom {
        let hash = 2166136261 ^ this.state;
        for (let i = 0; i < label.length; i++) {
            hash ^= label.charCodeAt(i);
            hash = Math.imul(hash, 16777619);
        }
        return new SeededRandom(hash >>> 0);
    }
}
