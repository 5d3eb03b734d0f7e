/**
 * Store changes reach every process: two StoreLocators, as in two server/worker processes, share
 * one store table and the e2e Redis. A change in one is served by the other without waiting for
 * the periodic rebuild; with Redis down nothing fails and nothing waits.
 *
 * The locators are constructed directly (no Vendure app): the database is a fake table, the event
 * bus a Subject per event type, as Vendure's delivers events once their transaction committed.
 * The suite with the plugin registered in a real app belongs to the plugin's e2e.
 */
import {
    Channel,
    EventBus,
    Logger,
    RequestContext,
    StockLocation,
    StockLocationEvent,
    TransactionalConnection,
} from '@vendure/core';
import { Subject } from 'rxjs';

import { StoreLocator } from '../plugins/seller-store-info/services/store-locator.service';
import { LatLng } from '../plugins/shared/geo';
import { freePort } from '../src/runtime/embedded-postgres';
import { e2eEnv } from './config/e2e-env';

class SharedStoreTable {
    rows: StockLocation[] = [];
    reads = 0;

    find(): Promise<StockLocation[]> {
        this.reads++;
        return Promise.resolve(
            this.rows.map(row => new StockLocation({ ...row, channels: [...row.channels] })),
        );
    }
}

class ProcessEventBus {
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

function store(id: number, name: string, kmNorth: number): StockLocation {
    return new StockLocation({
        id,
        name,
        channels: [new Channel({ id: 1 })],
        customFields: {
            latitude: customer.latitude + kmNorth / 111.195,
            longitude: customer.longitude,
            address: null,
            postalCode: null,
            city: null,
        },
    });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<number> {
    const started = Date.now();
    while (!condition()) {
        if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
        await new Promise(resolve => setTimeout(resolve, 10));
    }
    return Date.now() - started;
}

function startProcess(table: SharedStoreTable, redisUrl: string) {
    const eventBus = new ProcessEventBus();
    const connection = {
        rawConnection: { getRepository: () => ({ find: () => table.find() }) },
    } as unknown as TransactionalConnection;
    const locator = new StoreLocator(connection, eventBus as unknown as EventBus, { redisUrl });
    return { eventBus, locator };
}

const names = (locator: StoreLocator) => locator.near(customer, 5).map(hit => hit.name);

describe('StoreLocator across processes', () => {
    beforeAll(() => {
        jest.spyOn(Logger, 'warn').mockImplementation(() => undefined);
        jest.spyOn(Logger, 'error').mockImplementation(() => undefined);
    });

    afterAll(() => jest.restoreAllMocks());

    describe('with Redis', () => {
        const table = new SharedStoreTable();
        let server: ReturnType<typeof startProcess>;
        let worker: ReturnType<typeof startProcess>;

        beforeAll(async () => {
            table.rows = [store(1, 'Mitte', 1), store(2, 'Wedding', 4)];
            server = startProcess(table, e2eEnv('redisUrl'));
            worker = startProcess(table, e2eEnv('redisUrl'));
            await Promise.all([
                server.locator.onApplicationBootstrap(),
                worker.locator.onApplicationBootstrap(),
            ]);
            // Both subscribed: an announcement is only heard by subscribers already listening.
            await new Promise(resolve => setTimeout(resolve, 300));
        });

        afterAll(async () => {
            await Promise.all([
                server.locator.onApplicationShutdown(),
                worker.locator.onApplicationShutdown(),
            ]);
        });

        it('serves a store created on the server from the worker, long before the periodic rebuild', async () => {
            expect(names(worker.locator)).toEqual(['Mitte', 'Wedding']);
            const created = store(3, 'Prenzlauer Berg', 2);
            table.rows.push(created);
            server.eventBus.publish(new StockLocationEvent(ctx, created, 'created'));
            const ms = await waitFor(() => names(worker.locator).includes('Prenzlauer Berg'));
            expect(ms).toBeLessThan(2000);
            expect(names(worker.locator)).toEqual(['Mitte', 'Prenzlauer Berg', 'Wedding']);
            expect(names(server.locator)).toEqual(['Mitte', 'Prenzlauer Berg', 'Wedding']);
        });

        it('stops serving a store deleted on the worker from the server', async () => {
            const [mitte] = table.rows.splice(0, 1);
            worker.eventBus.publish(new StockLocationEvent(ctx, mitte, 'deleted', mitte.id));
            expect(names(worker.locator)).not.toContain('Mitte');
            await waitFor(() => !names(server.locator).includes('Mitte'));
            expect(names(server.locator)).toEqual(['Prenzlauer Berg', 'Wedding']);
        });

        it('does not rebuild a process for its own announcement twice', async () => {
            const readsBefore = table.reads;
            const moved = store(2, 'Wedding', 3);
            table.rows[table.rows.findIndex(row => row.id === 2)] = moved;
            server.eventBus.publish(new StockLocationEvent(ctx, moved, 'updated'));
            await waitFor(() => worker.locator.near(customer, 5).some(hit => hit.distanceKm < 3.5));
            await new Promise(resolve => setTimeout(resolve, 200));
            // One rebuild in each process.
            expect(table.reads - readsBefore).toBe(2);
        });
    });

    describe('with Redis down', () => {
        it('keeps answering, applies local changes at once, and shuts down without waiting', async () => {
            const table = new SharedStoreTable();
            table.rows = [store(1, 'Mitte', 1)];
            const deadRedis = `redis://127.0.0.1:${await freePort()}`;
            const lonely = startProcess(table, deadRedis);

            const bootstrapStarted = Date.now();
            await lonely.locator.onApplicationBootstrap();
            expect(Date.now() - bootstrapStarted).toBeLessThan(2000);
            expect(names(lonely.locator)).toEqual(['Mitte']);

            const created = store(2, 'Wedding', 4);
            table.rows.push(created);
            lonely.eventBus.publish(new StockLocationEvent(ctx, created, 'created'));
            await waitFor(() => names(lonely.locator).includes('Wedding'), 2000);

            const shutdownStarted = Date.now();
            await lonely.locator.onApplicationShutdown();
            expect(Date.now() - shutdownStarted).toBeLessThan(1000);
        });
    });
});
