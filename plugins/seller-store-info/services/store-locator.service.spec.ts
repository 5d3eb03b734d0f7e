import {
    ChangeChannelEvent,
    Channel,
    EventBus,
    Logger,
    Product,
    RequestContext,
    StockLocation,
    StockLocationEvent,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';
import { Subject } from 'rxjs';

import { LatLng } from '../../shared/geo';
import { StoreLocator } from './store-locator.service';

/**
 * The StoreLocator without Vendure: a fake database (a list of stock locations whose `find` can
 * be held open) and a fake event bus (events delivered at once, as Vendure's EventBus does once a
 * transaction has committed).
 */
class FakeStockLocationTable {
    rows: StockLocation[] = [];
    reads = 0;
    failNext: Error | undefined;
    private held: Array<() => void> = [];
    private holding = false;

    hold(): void {
        this.holding = true;
    }

    /** Lets every held read return (with the rows as they were when it was made). */
    release(): void {
        this.holding = false;
        this.resumeHeld();
    }

    /** Lets the reads held so far return, and holds the next ones. */
    resumeHeld(): void {
        for (const resume of this.held.splice(0)) resume();
    }

    async find(): Promise<StockLocation[]> {
        this.reads++;
        const snapshot = this.rows.map(row => new StockLocation({ ...row, channels: [...row.channels] }));
        if (this.failNext) {
            const error = this.failNext;
            this.failNext = undefined;
            throw error;
        }
        if (this.holding) await new Promise<void>(resume => this.held.push(resume));
        return snapshot.filter(
            row => row.customFields.latitude != null && row.customFields.longitude != null,
        );
    }
}

class FakeEventBus {
    private readonly subjects = new Map<unknown, Subject<unknown>>();

    ofType(type: unknown) {
        if (!this.subjects.has(type)) this.subjects.set(type, new Subject<unknown>());
        return this.subjects.get(type)?.asObservable();
    }

    publish(event: object) {
        this.subjects.get(event.constructor)?.next(event);
    }
}

const customer: LatLng = { latitude: 52.52, longitude: 13.405 };
const ctx = RequestContext.empty();

function stockLocation(
    id: number,
    name: string,
    point: LatLng | null,
    channelIds: number[] = [1],
): StockLocation {
    return new StockLocation({
        id,
        name,
        channels: channelIds.map(channelId => new Channel({ id: channelId })),
        customFields: {
            latitude: point?.latitude ?? null,
            longitude: point?.longitude ?? null,
            address: null,
            postalCode: null,
            city: null,
        },
    });
}

/** About `km` north of the customer (1° of latitude is 111.195 km on our sphere). */
function north(km: number): LatLng {
    return { latitude: customer.latitude + km / 111.195, longitude: customer.longitude };
}

/** Lets pending promise callbacks and timers of 0 ms run. */
async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve));
}

describe('StoreLocator', () => {
    let table: FakeStockLocationTable;
    let eventBus: FakeEventBus;
    let locator: StoreLocator;
    let warn: jest.SpyInstance;
    let error: jest.SpyInstance;

    beforeEach(async () => {
        warn = jest.spyOn(Logger, 'warn').mockImplementation(() => undefined);
        error = jest.spyOn(Logger, 'error').mockImplementation(() => undefined);
        table = new FakeStockLocationTable();
        table.rows = [
            stockLocation(1, 'Mitte', north(1), [1, 2]),
            stockLocation(2, 'Wedding', north(4), [1, 3]),
            stockLocation(3, 'Potsdam', north(30)),
            stockLocation(4, 'Warehouse without coordinates', null),
        ];
        eventBus = new FakeEventBus();
        const connection = {
            rawConnection: { getRepository: () => ({ find: () => table.find() }) },
        } as unknown as TransactionalConnection;
        locator = new StoreLocator(connection, eventBus as unknown as EventBus, {});
        await locator.onApplicationBootstrap();
    });

    afterEach(async () => {
        table.release();
        await locator.onApplicationShutdown();
        jest.restoreAllMocks();
    });

    const names = (point: LatLng = customer, radiusKm = 5, channelIds?: number[]) =>
        locator.near(point, radiusKm, channelIds ? { channelIds } : {}).map(hit => hit.name);

    it('indexes the geo-tagged stores at bootstrap and answers nearest first', () => {
        expect(locator.indexedStores()).toBe(3);
        const hits = locator.near(customer, 5);
        expect(hits.map(hit => hit.name)).toEqual(['Mitte', 'Wedding']);
        expect(hits[0]).toMatchObject({ stockLocationId: 1, channelIds: [1, 2] });
        expect(hits[0].distanceKm).toBeCloseTo(1, 2);
    });

    it('filters by channel', () => {
        expect(names(customer, 5, [3])).toEqual(['Wedding']);
        expect(names(customer, 50, [1])).toEqual(['Mitte', 'Wedding', 'Potsdam']);
    });

    it('counts lookups and refuses unusable input with a message', () => {
        names();
        names();
        expect(locator.lookups).toBe(2);
        expect(() => locator.near({ latitude: 0, longitude: 0 }, 5)).toThrow(UserInputError);
        expect(() => locator.near(customer, Number.NaN)).toThrow(/radiusKm/);
    });

    it('leaves out a store with unusable coordinates and says so once', async () => {
        table.rows.push(stockLocation(5, 'Null island', { latitude: 0, longitude: 0 }));
        await locator.refresh();
        await locator.refresh();
        expect(locator.indexedStores()).toBe(3);
        const reports = warn.mock.calls.filter(([message]) => String(message).includes('Null island'));
        expect(reports).toHaveLength(1);
        expect(String(reports[0][0])).toMatch(/latitude 0 and longitude 0/);
    });

    it('serves a store created in this process once its event arrives', async () => {
        const created = stockLocation(5, 'Prenzlauer Berg', north(2));
        table.rows.push(created);
        eventBus.publish(new StockLocationEvent(ctx, created, 'created'));
        await settle();
        expect(names()).toEqual(['Mitte', 'Prenzlauer Berg', 'Wedding']);
    });

    it('moves a store when its coordinates are updated', async () => {
        table.rows[0] = stockLocation(1, 'Mitte', north(10), [1, 2]);
        eventBus.publish(new StockLocationEvent(ctx, table.rows[0], 'updated'));
        await settle();
        expect(names()).toEqual(['Wedding']);
    });

    it('stops serving a deleted store at once, even while the rebuild is still reading', async () => {
        table.hold();
        const [mitte] = table.rows.splice(0, 1);
        eventBus.publish(new StockLocationEvent(ctx, mitte, 'deleted', mitte.id));
        expect(names()).toEqual(['Wedding']);
        expect(locator.indexedStores()).toBe(2);
        table.release();
        await settle();
        expect(names()).toEqual(['Wedding']);
        expect(locator.indexedStores()).toBe(2);
    });

    it('keeps a deleted store hidden when a rebuild that started before the deletion finishes', async () => {
        table.hold();
        const periodic = locator.refresh(); // reads the table while Mitte still exists
        await settle();
        const [mitte] = table.rows.splice(0, 1);
        eventBus.publish(new StockLocationEvent(ctx, mitte, 'deleted', mitte.id));
        // The stale read returns; the rebuild the deletion asked for is still reading.
        table.resumeHeld();
        await settle();
        expect(table.reads).toBeGreaterThanOrEqual(2);
        expect(names()).toEqual(['Wedding']);
        table.release();
        await periodic;
        expect(names()).toEqual(['Wedding']);
        expect(locator.indexedStores()).toBe(2);
    });

    it('rebuilds when a stock location is assigned to a channel, not for other entities', async () => {
        const readsBefore = table.reads;
        eventBus.publish(new ChangeChannelEvent(ctx, new Product({ id: 9 }), [2], 'assigned', Product));
        await settle();
        expect(table.reads).toBe(readsBefore);

        table.rows[1] = stockLocation(2, 'Wedding', north(4), [1, 3, 2]);
        eventBus.publish(new ChangeChannelEvent(ctx, table.rows[1], [2], 'assigned', StockLocation));
        await settle();
        expect(names(customer, 5, [2])).toEqual(['Mitte', 'Wedding']);
    });

    it('shares rebuilds: calls during a rebuild cause one more, which they all wait for', async () => {
        table.hold();
        const readsBefore = table.reads;
        const first = locator.refresh();
        await settle();
        table.rows.push(stockLocation(5, 'Prenzlauer Berg', north(2)));
        const second = locator.refresh();
        const third = locator.refresh();
        table.release();
        await settle();
        table.release();
        await Promise.all([first, second, third]);
        expect(table.reads - readsBefore).toBe(2);
        expect(names()).toContain('Prenzlauer Berg');
    });

    it('keeps the previous index when a rebuild fails, and recovers on the next', async () => {
        table.failNext = new Error('connection terminated');
        table.rows.push(stockLocation(5, 'Prenzlauer Berg', north(2)));
        eventBus.publish(new StockLocationEvent(ctx, table.rows[4], 'created'));
        await settle();
        expect(error).toHaveBeenCalledWith(
            expect.stringMatching(/connection terminated/),
            expect.any(String),
        );
        expect(names()).toEqual(['Mitte', 'Wedding']);
        await locator.refresh();
        expect(names()).toEqual(['Mitte', 'Prenzlauer Berg', 'Wedding']);
    });

    it('stops listening at shutdown', async () => {
        await locator.onApplicationShutdown();
        const readsBefore = table.reads;
        eventBus.publish(new StockLocationEvent(ctx, table.rows[0], 'updated'));
        await settle();
        expect(table.reads).toBe(readsBefore);
    });
});
