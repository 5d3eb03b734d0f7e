import type { ID } from '@vendure/core';

import { coordinateProblem, distanceKm, LatLng } from '../../shared/geo';
import type { OpeningHours } from './opening-hours';

/** A geo-tagged store (stock location) as the index holds it. */
export interface IndexedStore extends LatLng {
    stockLocationId: ID;
    name: string;
    /** The channels the stock location is assigned to (the default channel and, in a marketplace, its seller's). */
    channelIds: ID[];
    /** Opening hours; absent when the store has none (then `storesWithoutScheduleAlwaysOpen` decides). */
    schedule?: StoreSchedule;
}

/** A store's parsed opening hours and their time zone. */
export interface StoreSchedule {
    /** Null when the saved text does not parse (written around the validation): closed. */
    hours: OpeningHours | null;
    timeZone: string;
}

/** A store near a point, with its great-circle distance from that point. */
export interface StoreHit extends IndexedStore {
    distanceKm: number;
}

export interface NearOptions {
    /** Only stores assigned to at least one of these channels. */
    channelIds?: ID[];
}

// kdbush and geokdbush are ESM-only and this project compiles to CommonJS: they are loaded with a
// real dynamic import() (which `module: nodenext` keeps as is), once, and shared by every index.
type KDBushConstructor = (typeof import('kdbush'))['default'];
type KDBushIndex = InstanceType<KDBushConstructor>;
type Around = (typeof import('geokdbush'))['around'];

interface GeoIndexLibrary {
    KDBush: KDBushConstructor;
    around: Around;
}

let library: Promise<GeoIndexLibrary> | undefined;

function loadGeoIndexLibrary(): Promise<GeoIndexLibrary> {
    library ??= Promise.all([import('kdbush'), import('geokdbush')]).then(
        ([kdbush, geokdbush]) => ({ KDBush: kdbush.default, around: geokdbush.around }),
        (error: unknown) => {
            library = undefined;
            throw error;
        },
    );
    return library;
}

/**
 * geokdbush measures on a sphere of 6371 km, ours on 6371.0088 km: its distances are about
 * 1.4 ppm shorter, so asking it for a hair more than the radius can only add candidates, and the
 * exact filter with our {@link distanceKm} then decides. Nothing inside the radius is lost,
 * nothing beyond it slips through.
 */
const CANDIDATE_RADIUS_FACTOR = 1.001;

/**
 * An immutable spatial index of stores: a kd-tree (kdbush) searched nearest-first on the sphere
 * (geokdbush). Immutable so that a rebuild swaps in a whole new index and a lookup never sees a
 * half-built one.
 */
export class StoreIndex {
    private constructor(
        private readonly stores: readonly IndexedStore[],
        private readonly tree: KDBushIndex | undefined,
        private readonly around: Around,
    ) {}

    /**
     * Builds an index of the given stores.
     *
     * @throws RangeError when a store's coordinates are unusable ({@link coordinateProblem}): the
     * caller decides what to do with such a store (log it and leave it out).
     */
    static async build(stores: readonly IndexedStore[]): Promise<StoreIndex> {
        for (const store of stores) {
            const problem = coordinateProblem(store.latitude, store.longitude);
            if (problem) {
                throw new RangeError(`Store ${String(store.stockLocationId)} (${store.name}): ${problem}`);
            }
        }
        const { KDBush, around } = await loadGeoIndexLibrary();
        const copy = stores.map(store => ({ ...store, channelIds: [...store.channelIds] }));
        if (!copy.length) return new StoreIndex(copy, undefined, around);
        const tree = new KDBush(copy.length);
        // kdbush item ids are the insertion positions, so they index `copy` directly.
        for (const store of copy) tree.add(store.longitude, store.latitude);
        tree.finish();
        return new StoreIndex(copy, tree, around);
    }

    /** How many stores the index holds. */
    get size(): number {
        return this.stores.length;
    }

    /** How many stores the index holds that `exclude` does not leave out. */
    count(exclude?: (store: IndexedStore) => boolean): number {
        if (!exclude) return this.stores.length;
        return this.stores.filter(store => !exclude(store)).length;
    }

    /**
     * Stores within `radiusKm` of `point` (distance ≤ radius), nearest first; equal distances in
     * stock location id order, so answers are stable.
     *
     * @param exclude stores to leave out whatever their distance (e.g. ones deleted since the build)
     * @throws RangeError for an unusable point or a negative or non-finite radius
     */
    near(
        point: LatLng,
        radiusKm: number,
        options: NearOptions = {},
        exclude?: (store: IndexedStore) => boolean,
    ): StoreHit[] {
        const problem = coordinateProblem(point.latitude, point.longitude);
        if (problem) throw new RangeError(problem);
        if (!Number.isFinite(radiusKm) || radiusKm < 0) {
            throw new RangeError(
                `radiusKm must be a finite number of km, 0 or more, got ${String(radiusKm)}`,
            );
        }
        if (!this.tree) return [];
        const channels = options.channelIds ? new Set(options.channelIds.map(String)) : undefined;
        const accept = (position: number): boolean => {
            const store = this.stores[position];
            if (exclude?.(store)) return false;
            return !channels || store.channelIds.some(id => channels.has(String(id)));
        };
        const candidates = this.around(
            this.tree,
            point.longitude,
            point.latitude,
            Infinity,
            radiusKm * CANDIDATE_RADIUS_FACTOR,
            accept,
        );
        const hits: StoreHit[] = [];
        for (const position of candidates) {
            const store = this.stores[position];
            const distance = distanceKm(point, store);
            if (distance <= radiusKm)
                hits.push({ ...store, channelIds: [...store.channelIds], distanceKm: distance });
        }
        return hits.sort(
            (a, b) =>
                a.distanceKm - b.distanceKm ||
                String(a.stockLocationId).localeCompare(String(b.stockLocationId), undefined, {
                    numeric: true,
                }),
        );
    }
}
