/**
 * Batch dispatch (`dispatchMode: 'batch'`) on a real server: a window over several waiting
 * deliveries and free drivers takes the assignment of least total pickup distance where
 * nearest-first would not, gives no driver twice and no delivery two drivers, and two windows run
 * at once assign nothing twice (the region's advisory lock). The windows are run by the test: the
 * timer's period is set beyond the file's run.
 */
import { randomUUID } from 'node:crypto';

import {
    ChannelService,
    ID,
    OrderService,
    RequestContext,
    RequestContextService,
    StockLocationService,
    TransactionalConnection,
} from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';

import {
    BATCH_WINDOW_LOCK_CLASS,
    BatchDispatchService,
    DeliveryLifecycleService,
    DeliveryMatcherService,
} from '../plugins/driver-dispatch';
import { EARTH_RADIUS_KM, LatLng } from '../plugins/shared/geo';
import { demoInitialData } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';

const { server } = createTestEnvironment(
    e2eConfig(__filename, { dispatch: { dispatchMode: 'batch', batchWindowMs: 3_600_000 } }),
);

/** Chicago, The Loop. */
const ORIGIN: LatLng = { latitude: 41.8789, longitude: -87.6359 };
const KM_PER_DEGREE_LATITUDE = (EARTH_RADIUS_KM * Math.PI) / 180;
const north = (km: number): LatLng => ({
    latitude: ORIGIN.latitude + km / KM_PER_DEGREE_LATITUDE,
    longitude: ORIGIN.longitude,
});

let ctx: RequestContext;
const service = <T>(token: new (...args: never[]) => T): T => server.app.get(token);
const query = <T>(sql: string, parameters: unknown[] = []): Promise<T[]> =>
    service(TransactionalConnection).rawConnection.query(sql, parameters);

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    ctx = await service(RequestContextService).create({ apiType: 'admin' });
}, 120_000);

afterAll(async () => {
    await server.destroy();
});

async function store(name: string, at: LatLng): Promise<ID> {
    const created = await service(StockLocationService).create(ctx, {
        name,
        description: '',
        customFields: { latitude: at.latitude, longitude: at.longitude },
    });
    return created.id;
}

async function driver(name: string, at: LatLng): Promise<string> {
    const [row] = await query<{ id: string }>(
        `INSERT INTO driver (name, "emailAddress", status, latitude, longitude, "lastSeenAt")
         VALUES ($1, $2, 'AVAILABLE', $3, $4, $5) RETURNING id::text AS id`,
        [name, `${randomUUID()}@example.com`, at.latitude, at.longitude, new Date()],
    );
    return row.id;
}

/** A PENDING delivery from the store (an empty order is enough: the window looks at the delivery). */
async function waitingDelivery(pickupStockLocationId: ID): Promise<string> {
    const connection = service(TransactionalConnection);
    return connection.withTransaction(ctx, async txCtx => {
        const order = await service(OrderService).create(txCtx);
        const channel = await service(ChannelService).getDefaultChannel(txCtx);
        const opened = await service(DeliveryLifecycleService).open(
            txCtx,
            {
                channels: [channel],
                orderId: Number(order.id),
                pickupStockLocationId: Number(pickupStockLocationId),
                dropoffLatitude: ORIGIN.latitude,
                dropoffLongitude: ORIGIN.longitude,
                pickupDistanceKm: null,
                attempts: 0,
                lastError: null,
                assignedAt: null,
                pickedUpAt: null,
                deliveredAt: null,
                correlationId: randomUUID(),
                deliveryReference: randomUUID().slice(0, 8),
                trackingToken: randomUUID().replace(/-/g, ''),
                fulfillmentId: null,
                deliveryCode: null,
                codeFailures: 0,
                codeLockedUntil: null,
            },
            { actor: 'system' },
        );
        return String(opened.id);
    });
}

async function assignments(): Promise<
    Record<string, { status: string; driverId: string | null; km: number | null }>
> {
    const rows = await query<{ id: string; status: string; driverId: string | null; km: number | null }>(
        `SELECT id::text AS id, status, "driverId"::text AS "driverId", "pickupDistanceKm" AS km
           FROM delivery_assignment`,
    );
    return Object.fromEntries(rows.map(({ id, ...row }) => [id, row]));
}

/** Invariant 2, from the database: no driver on two open deliveries, every BUSY driver on one. */
async function expectNoDoubles(): Promise<void> {
    expect(
        await query(
            `SELECT "driverId" FROM delivery_assignment WHERE status IN ('ASSIGNED', 'PICKED_UP')
              GROUP BY "driverId" HAVING count(*) > 1`,
        ),
    ).toEqual([]);
    expect(
        await query(
            `SELECT d.id FROM driver d WHERE d.status = 'BUSY' AND NOT EXISTS (
                 SELECT 1 FROM delivery_assignment a WHERE a."driverId" = d.id AND a.status = 'ASSIGNED')`,
        ),
    ).toEqual([]);
}

describe('a batch window', () => {
    it('takes the least total pickup distance where nearest-first would not', async () => {
        // Store A at the origin, store B 1.5 km north. Driver x sits between them (1 km from A,
        // 0.5 km from B), driver y 2 km south of A (3.5 km from B). Nearest-first serves the older
        // delivery (A) first with x, leaving y for B: 4.5 km. The window: A–y, B–x, 2.5 km.
        const storeA = await store('Batch store A', ORIGIN);
        const storeB = await store('Batch store B', north(1.5));
        const x = await driver('Driver x', north(1));
        const y = await driver('Driver y', north(-2));
        const fromA = await waitingDelivery(storeA);
        const fromB = await waitingDelivery(storeB);

        const window = await service(BatchDispatchService).runWindow(ctx);

        expect(window.solvers).toEqual(['munkres']);
        expect(window.assigned.map(String).sort()).toEqual([fromA, fromB].sort());
        const rows = await assignments();
        expect(rows[fromA]).toEqual({ status: 'ASSIGNED', driverId: y, km: expect.closeTo(2, 2) });
        expect(rows[fromB]).toEqual({ status: 'ASSIGNED', driverId: x, km: expect.closeTo(0.5, 2) });
        expect(window.pickupKm).toBeCloseTo(2.5, 2);
        await expectNoDoubles();

        // Nothing is left to do: a second window changes nothing.
        const again = await service(BatchDispatchService).runWindow(ctx);
        expect(again.assigned).toEqual([]);
        expect(await assignments()).toEqual(rows);
    });

    it('assigns nothing twice when two windows run at once, and leaves the rest waiting with the reason', async () => {
        const storeC = await store('Batch store C', north(20));
        const drivers = [await driver('Driver p', north(20.2)), await driver('Driver q', north(20.4))];
        drivers.push(await driver('Driver r', north(19.5)));
        const deliveries: string[] = [];
        for (let i = 0; i < 5; i++) deliveries.push(await waitingDelivery(storeC));

        const batch = service(BatchDispatchService);
        // Another process's window holds the region: this one skips it, and takes it over as soon
        // as that window's transaction ends (as it does when its worker dies).
        const other = service(TransactionalConnection).rawConnection.createQueryRunner();
        await other.startTransaction();
        await other.query('SELECT pg_try_advisory_xact_lock($1, hashtext($2))', [
            BATCH_WINDOW_LOCK_CLASS,
            'all',
        ]);
        const blocked = await batch.runWindow(ctx);
        expect(blocked.regionsBusy).toEqual(['all']);
        expect(blocked.assigned).toEqual([]);
        await other.rollbackTransaction();
        await other.release();

        const [first, second] = await Promise.all([batch.runWindow(ctx), batch.runWindow(ctx)]);

        const assigned = [...first.assigned, ...second.assigned].map(String);
        expect(new Set(assigned).size).toBe(assigned.length);
        expect(assigned).toHaveLength(3);
        const rows = await assignments();
        const driversUsed = deliveries.map(id => rows[id].driverId).filter(id => id !== null);
        expect(driversUsed.sort()).toEqual([...drivers].sort());
        await expectNoDoubles();

        // The two still waiting say why once the next window finds no driver.
        await batch.runWindow(ctx);
        const waiting = await query<{ lastError: string | null }>(
            `SELECT "lastError" FROM delivery_assignment WHERE status = 'PENDING'`,
        );
        expect(waiting).toHaveLength(2);
        for (const row of waiting)
            expect(row.lastError).toMatch(/No available driver within 100 km of Batch store C/);
    });

    it('is what the sweep and a dispatch job lead to in batch mode: no nearest-first claim of their own', async () => {
        const matcher = service(DeliveryMatcherService);
        const [waiting] = await query<{ id: string }>(
            `SELECT id::text AS id FROM delivery_assignment WHERE status = 'PENDING' ORDER BY id LIMIT 1`,
        );
        const freed = await driver('Driver s', north(20.1));
        // The job only wakes the window: nothing is claimed.
        await matcher.dispatch(ctx, waiting.id);
        expect((await assignments())[waiting.id].status).toBe('PENDING');
        // The sweep's pass runs a window itself.
        const swept = await matcher.redispatchWaiting(ctx);
        expect(swept.requeued).toEqual([]);
        expect(swept.dispatchedDirectly).toHaveLength(1);
        const rows = await assignments();
        expect(rows[String(swept.dispatchedDirectly[0])].driverId).toBe(freed);
        await expectNoDoubles();
    });
});
