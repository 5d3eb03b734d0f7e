import { EARTH_RADIUS_KM, LatLng } from '../../shared/geo';
import { IndexedStore, StoreIndex } from './store-index';

/** The point `km` from `origin` on the initial bearing `bearingDegrees`, on the same sphere. */
function destination(origin: LatLng, km: number, bearingDegrees: number): LatLng {
    const toRad = Math.PI / 180;
    const angular = km / EARTH_RADIUS_KM;
    const bearing = bearingDegrees * toRad;
    const lat1 = origin.latitude * toRad;
    const lat2 = Math.asin(
        Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing),
    );
    const lon2 =
        origin.longitude * toRad +
        Math.atan2(
            Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
            Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
        );
    return { latitude: lat2 / toRad, longitude: ((((lon2 / toRad + 180) % 360) + 360) % 360) - 180 };
}

// Alexanderplatz, Berlin.
const customer: LatLng = { latitude: 52.5219, longitude: 13.4132 };

function store(id: number, km: number, bearing: number, channelIds: number[] = [1]): IndexedStore {
    return { stockLocationId: id, name: `Store ${id}`, channelIds, ...destination(customer, km, bearing) };
}

describe('StoreIndex', () => {
    it('answers nearest first with each distance in km', async () => {
        const index = await StoreIndex.build([
            store(1, 3.2, 10),
            store(2, 0.4, 200),
            store(3, 1.5, 95),
            store(4, 4.8, 300),
            store(5, 12, 45),
        ]);
        const hits = index.near(customer, 5);
        expect(hits.map(hit => hit.stockLocationId)).toEqual([2, 3, 1, 4]);
        expect(hits.map(hit => hit.distanceKm)).toEqual([
            expect.closeTo(0.4, 6),
            expect.closeTo(1.5, 6),
            expect.closeTo(3.2, 6),
            expect.closeTo(4.8, 6),
        ]);
        expect(hits[0]).toMatchObject({ name: 'Store 2', channelIds: [1] });
    });

    it('serves a store at 4.99 km and never one at 5.01 km for a 5 km query', async () => {
        const index = await StoreIndex.build([store(1, 4.99, 0), store(2, 5.01, 0), store(3, 5.01, 135)]);
        const hits = index.near(customer, 5);
        expect(hits.map(hit => hit.stockLocationId)).toEqual([1]);
        expect(hits[0].distanceKm).toBeLessThanOrEqual(5);
    });

    it('keeps nothing beyond the radius in any direction, over many stores', async () => {
        const stores = Array.from({ length: 400 }, (_, i) =>
            store(i + 1, (i % 40) * 0.25 + 0.01, (i * 37) % 360),
        );
        const index = await StoreIndex.build(stores);
        const hits = index.near(customer, 5);
        const expected = stores.filter((_, i) => (i % 40) * 0.25 + 0.01 <= 5).map(s => s.stockLocationId);
        expect(hits.map(hit => hit.stockLocationId).sort((a, b) => Number(a) - Number(b))).toEqual(expected);
        for (let i = 1; i < hits.length; i++) {
            expect(hits[i].distanceKm).toBeGreaterThanOrEqual(hits[i - 1].distanceKm);
        }
    });

    it('only returns stores of the given channels when asked', async () => {
        const index = await StoreIndex.build([
            store(1, 1, 0, [1, 2]),
            store(2, 2, 90, [1, 3]),
            store(3, 3, 180, [1]),
            store(4, 4, 270, [1, 2]),
        ]);
        expect(index.near(customer, 5, { channelIds: [2] }).map(hit => hit.stockLocationId)).toEqual([1, 4]);
        expect(index.near(customer, 5, { channelIds: ['3'] }).map(hit => hit.stockLocationId)).toEqual([2]);
        expect(index.near(customer, 5, { channelIds: [2, 3] }).map(hit => hit.stockLocationId)).toEqual([
            1, 2, 4,
        ]);
        expect(index.near(customer, 5, { channelIds: [99] })).toEqual([]);
        expect(index.near(customer, 5).map(hit => hit.stockLocationId)).toEqual([1, 2, 3, 4]);
    });

    it('leaves out excluded stores', async () => {
        const index = await StoreIndex.build([store(1, 1, 0), store(2, 2, 90)]);
        expect(
            index.near(customer, 5, {}, s => s.stockLocationId === 1).map(hit => hit.stockLocationId),
        ).toEqual([2]);
    });

    it('finds stores across the antimeridian', async () => {
        const fiji: LatLng = { latitude: -16.5, longitude: 179.99 };
        const index = await StoreIndex.build([
            { stockLocationId: 1, name: 'East', channelIds: [1], ...destination(fiji, 2, 90) },
            { stockLocationId: 2, name: 'West', channelIds: [1], ...destination(fiji, 3, 270) },
        ]);
        expect(index.near(fiji, 5).map(hit => hit.name)).toEqual(['East', 'West']);
    });

    it('answers an empty index with no stores', async () => {
        const index = await StoreIndex.build([]);
        expect(index.size).toBe(0);
        expect(index.near(customer, 5)).toEqual([]);
    });

    it('orders equally distant stores by id', async () => {
        const index = await StoreIndex.build([store(10, 2, 0), store(9, 2, 0), store(2, 2, 0)]);
        expect(index.near(customer, 5).map(hit => hit.stockLocationId)).toEqual([2, 9, 10]);
    });

    it('refuses a store without usable coordinates, naming it', async () => {
        await expect(
            StoreIndex.build([
                { stockLocationId: 7, name: 'Nowhere', channelIds: [1], latitude: 0, longitude: 0 },
            ]),
        ).rejects.toThrow(/Store 7 \(Nowhere\): latitude 0 and longitude 0/);
    });

    it('refuses an unusable query point or radius', async () => {
        const index = await StoreIndex.build([store(1, 1, 0)]);
        expect(() => index.near({ latitude: 13.4, longitude: 190 }, 5)).toThrow(/longitude 190/);
        expect(() => index.near({ latitude: 152.5, longitude: 13.4 }, 5)).toThrow(/swapped/);
        expect(() => index.near(customer, -1)).toThrow(/radiusKm/);
    });

    it('does not change when the stores it was built from change', async () => {
        const stores = [store(1, 1, 0)];
        const index = await StoreIndex.build(stores);
        stores[0].channelIds.push(5);
        stores[0].name = 'Renamed';
        expect(index.near(customer, 5)[0]).toMatchObject({ name: 'Store 1', channelIds: [1] });
    });
});
