/**
 * Dispatch in production mode on the demo marketplace: REDIS_URL set, so drivers are matched
 * through the Redis GEO index and jobs run on BullMQ. The GEO set holds exactly the AVAILABLE
 * drivers with a live heartbeat after every scenario; the sweep expires heartbeats; with Redis
 * stopped (BullMQ down too) the sweep dispatches from the database, within the radius, and the GEO
 * set is rebuilt when Redis returns; the demo fleet completes a delivery on its own.
 */
import { ChildProcess, spawn } from 'node:child_process';

import { ModuleRef } from '@nestjs/core';
import {
    Injector,
    RequestContext,
    RequestContextService,
    SchedulerService,
    TransactionalConnection,
} from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import { Redis } from 'ioredis';

import {
    DemoFleetService,
    DispatchSweepResult,
    Driver,
    DriverLocationService,
    DriverStatus,
    runDispatchSweep,
} from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { expectNearestDriver } from './fixtures/dispatch';
import { asSuperadmin } from './fixtures/logins';
import {
    ASSIGNMENT,
    Assignment,
    DriverRow,
    DRIVERS,
    DriversResult,
    MARK_READY,
    MarkReadyResult,
} from './graphql/dispatch-documents';
import { ensureRedisServer, RunningRedis, startRedisServer } from './setup/redis-server';
import { eventually } from './utils/eventually';

const NAMESPACE = '{vqd}:drivers';
const HEARTBEAT_MS = 45_000;

const city = loadDemoCity();
let redis: RunningRedis;
let redisBinary: string;
let restartedRedis: ChildProcess | undefined;
let env: ReturnType<typeof createTestEnvironment>;
let redisAdmin: Redis;

beforeAll(async () => {
    redisBinary = ensureRedisServer(() => undefined);
    redis = await startRedisServer(redisBinary);
    redisAdmin = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    // Errors are expected while the test stops Redis.
    redisAdmin.on('error', () => undefined);
    await redisAdmin.connect();
    env = createTestEnvironment(e2eConfig(__filename, { env: { REDIS_URL: redis.url } }));
    await env.server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(env.server.app, { withInitialData: false });
    // The test runs the sweep itself, so the schedule cannot race it.
    await env.server.app.get(SchedulerService).updateTask({ id: 'dispatch-sweep', enabled: false });
    await asStaff();
}, 180_000);

afterAll(async () => {
    await env?.server.destroy();
    redisAdmin?.disconnect();
    await redis?.stop();
    if (restartedRedis && restartedRedis.exitCode === null) {
        const exited = new Promise(resolve => restartedRedis?.once('exit', resolve));
        restartedRedis.kill('SIGTERM');
        await exited;
    }
});

function asStaff() {
    return asSuperadmin(env.adminClient);
}

const sorted = (ids: unknown[]) => ids.map(String).sort((a, b) => Number(a) - Number(b));

function service<T>(type: new (...args: never[]) => T): T {
    return env.server.app.get(type);
}

async function systemContext(): Promise<RequestContext> {
    return service(RequestContextService).create({ apiType: 'admin' });
}

async function sweep(): Promise<DispatchSweepResult> {
    return runDispatchSweep(new Injector(env.server.app.get(ModuleRef)), await systemContext());
}

/** Every driver that is not OFFLINE pings where they are, as the driver app does. */
async function pingFleet() {
    const locations = service(DriverLocationService);
    const rows = await service(TransactionalConnection).rawConnection.getRepository(Driver).find();
    for (const driver of rows) {
        if (driver.status === DriverStatus.OFFLINE || driver.latitude == null || driver.longitude == null)
            continue;
        await locations.recordPosition(
            driver.id,
            { latitude: driver.latitude, longitude: driver.longitude },
            new Date(),
        );
    }
    await locations.flush();
}

/** DESIGN invariant 1: the GEO set holds exactly the AVAILABLE drivers with a live heartbeat. */
async function expectedGeoMembers(): Promise<string[]> {
    await service(DriverLocationService).flush();
    const rows: Array<{ id: number }> = await service(TransactionalConnection).rawConnection.query(
        `SELECT id FROM driver WHERE status = 'AVAILABLE' AND "lastSeenAt" > $1
           AND latitude IS NOT NULL AND longitude IS NOT NULL`,
        [new Date(Date.now() - HEARTBEAT_MS)],
    );
    return rows.map(row => String(row.id)).sort();
}

async function geoMembers(): Promise<string[]> {
    return (await redisAdmin.zrange(`${NAMESPACE}:geo`, 0, -1)).sort();
}

async function expectGeoSetMatchesAvailable() {
    const expected = await expectedGeoMembers();
    expect(expected.length).toBeGreaterThan(0);
    expect(await geoMembers()).toEqual(expected);
}

/**
 * Moves the index's record of when it last wrote these drivers' status back by `ms`, as if the
 * write (a claim, a release) had been made that long ago.
 */
async function ageIndexStatus(driverIds: string[], ms: number) {
    for (const id of driverIds) await redisAdmin.hincrby(`${NAMESPACE}:status-at`, id, -ms);
}

async function drivers(): Promise<DriverRow[]> {
    return (await env.adminClient.query<DriversResult>(DRIVERS)).drivers.items;
}

async function assignment(id: string): Promise<Assignment> {
    return (await env.adminClient.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, { id }))
        .deliveryAssignment;
}

/** Marks the seller order ready; every order these tests mark can ship. */
async function markReady(orderId: string): Promise<Assignment & { __typename: string }> {
    const result = (await env.adminClient.query<MarkReadyResult>(MARK_READY, { orderId }))
        .markOrderReadyForDispatch;
    expect(result).toMatchObject({ __typename: 'DeliveryAssignment', id: expect.any(String) });
    return result as Assignment & { __typename: string };
}

/** A paid checkout in The Loop (60601) with one item of each of two sellers; its seller orders. */
async function placeOrder(): Promise<PlacedOrder> {
    return placePaidOrder(
        env,
        city.sellers.slice(0, 2).map(seller => seller.code),
    );
}

/** A Redis on the port of the stopped one, empty, as after a restart without persistence. */
async function restartRedis(): Promise<void> {
    const port = new URL(redis.url).port;
    const child = spawn(
        redisBinary,
        ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
            stdio: ['ignore', 'pipe', 'pipe'],
        },
    );
    restartedRedis = child;
    await new Promise<void>((resolve, reject) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('Ready to accept connections')) resolve();
        });
        child.once('exit', code => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
}

describe('dispatch through Redis', () => {
    let order: PlacedOrder;
    let firstAssignment: Assignment;

    beforeAll(async () => {
        order = await placeOrder();
        expect(order.sellerOrders.length).toBe(2);
    }, 60_000);

    it('registers the sweep as a scheduled task', async () => {
        const tasks = await service(SchedulerService).getTaskList();
        expect(tasks.map(task => task.id)).toContain('dispatch-sweep');
    });

    it('assigns the nearest driver through the Redis GEO index', async () => {
        await pingFleet();
        await expectGeoSetMatchesAvailable();
        const before = await drivers();
        const marked = await markReady(order.sellerOrders[0].id);
        expect(marked.__typename).toBe('DeliveryAssignment');
        firstAssignment = await eventually(
            () => assignment(marked.id),
            value => value.status === 'ASSIGNED',
        );
        expect(firstAssignment.status).toBe('ASSIGNED');
        expectNearestDriver(firstAssignment, before);
        // The Lua claim marked the driver BUSY in Redis and took them out of the GEO set.
        const driverId = firstAssignment.driver?.id ?? '';
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, driverId)).toBe('BUSY');
        expect(await geoMembers()).not.toContain(driverId);
        await expectGeoSetMatchesAvailable();
    });

    it('sweeps an expired heartbeat: the driver goes OFFLINE and leaves the GEO set; BUSY drivers stay', async () => {
        await pingFleet();
        const available = (await drivers()).filter(driver => driver.status === 'AVAILABLE');
        const silent = available[available.length - 1];
        const busyId = firstAssignment.driver?.id ?? '';
        // Unseen for a minute: in the database, and in Redis the heartbeat key has expired.
        const aMinuteAgo = new Date(Date.now() - 60_000);
        await service(TransactionalConnection).rawConnection.query(
            `UPDATE driver SET "lastSeenAt" = $1, "updatedAt" = "updatedAt" - interval '1 minute'
              WHERE id = ANY($2::int[])`,
            [aMinuteAgo, [silent.id, busyId]],
        );
        await redisAdmin.del(`${NAMESPACE}:alive:${silent.id}`, `${NAMESPACE}:alive:${busyId}`);

        const first = await sweep();
        expect(first.driversOffline.map(String)).toEqual([silent.id]);
        const after = await drivers();
        expect(after.find(driver => driver.id === silent.id)?.status).toBe('OFFLINE');
        expect(after.find(driver => driver.id === busyId)?.status).toBe('BUSY');
        expect(await geoMembers()).not.toContain(silent.id);
        await expectGeoSetMatchesAvailable();

        const second = await sweep();
        expect(second).toEqual({
            driversOffline: [],
            indexRestored: [],
            indexRemoved: [],
            requeued: [],
            dispatchedDirectly: [],
            delayed: { waitingForDriver: [], outForDelivery: [] },
            webhooksRequeued: [],
            notificationsPublished: [],
        });
        expect(await drivers()).toEqual(after);
    });

    it('gives back to the GEO set a driver claimed in Redis by a dispatch that never committed, once the claim is stale', async () => {
        await pingFleet();
        const available = (await drivers()).filter(driver => driver.status === 'AVAILABLE');
        const stranded = available[0];
        // A dispatch job SIGKILLed between its Redis claim and its transaction: BUSY in Redis and out
        // of the GEO set, AVAILABLE in the database.
        const claimed = await service(DriverLocationService).withIndex('claim', index =>
            index.claimNearest(
                { latitude: stranded.latitude, longitude: stranded.longitude },
                {
                    startRadiusKm: 0.25,
                    maxRadiusKm: 100,
                    excludeDriverIds: available.filter(driver => driver.id !== stranded.id).map(d => d.id),
                },
            ),
        );
        expect(String(claimed?.driverId)).toBe(stranded.id);
        expect(await geoMembers()).not.toContain(stranded.id);

        // A claim this fresh may be a dispatch whose transaction is still running: left alone.
        await sweep();
        expect(await geoMembers()).not.toContain(stranded.id);
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, stranded.id)).toBe('BUSY');

        await ageIndexStatus([stranded.id], 60_000);
        const swept = await sweep();
        expect(await geoMembers()).toContain(stranded.id);
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, stranded.id)).toBe('AVAILABLE');
        expect(swept.indexRestored.map(String)).toEqual([stranded.id]);
        expect(swept.indexRemoved).toEqual([]);
        await expectGeoSetMatchesAvailable();
    });

    it('takes out of the GEO set the drivers Redis holds AVAILABLE whom the database holds BUSY on a delivery, or OFFLINE', async () => {
        await pingFleet();
        const busyId = firstAssignment.driver?.id ?? '';
        const offline = (await drivers()).find(
            driver => driver.status === 'OFFLINE' && driver.latitude != null,
        );
        expect(offline).toBeDefined();
        const offlineId = offline?.id ?? '';
        const locations = service(DriverLocationService);
        // Redis told AVAILABLE by transactions that then rolled back (a release before a failed
        // commit), while both drivers keep pinging.
        for (const driver of (await drivers()).filter(d => [busyId, offlineId].includes(d.id))) {
            await locations.recordPosition(
                driver.id,
                { latitude: driver.latitude, longitude: driver.longitude },
                new Date(),
            );
            await locations.statusChanged(driver.id, DriverStatus.AVAILABLE);
        }
        expect(await geoMembers()).toEqual(expect.arrayContaining([busyId, offlineId]));

        // Fresh writes may belong to transactions still committing: left alone.
        await sweep();
        expect(await geoMembers()).toEqual(expect.arrayContaining([busyId, offlineId]));

        await ageIndexStatus([busyId, offlineId], 60_000);
        const swept = await sweep();
        expect(await geoMembers()).not.toContain(busyId);
        expect(await geoMembers()).not.toContain(offlineId);
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, busyId)).toBe('BUSY');
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, offlineId)).toBe('OFFLINE');
        expect(sorted(swept.indexRemoved)).toEqual(sorted([busyId, offlineId]));
        expect(swept.indexRestored).toEqual([]);
        await expectGeoSetMatchesAvailable();
    });

    it('never assigns again a driver on a delivery whom a stale index offers: the delivery goes to another driver and the index learns BUSY', async () => {
        await pingFleet();
        const busyId = firstAssignment.driver?.id ?? '';
        expect((await assignment(firstAssignment.id)).status).toBe('ASSIGNED');
        // The index behind the database, as after a rebuild that raced an uncommitted assignment:
        // the driver nearest to the first seller's store is offered again, though on a delivery.
        await service(DriverLocationService).statusChanged(busyId, DriverStatus.AVAILABLE);
        expect(await geoMembers()).toContain(busyId);

        const next = await placeOrder();
        const marked = await markReady(next.sellerOrders[0].id);
        const assigned = await eventually(
            () => assignment(marked.id),
            value => value.status === 'ASSIGNED',
            30_000,
        );
        expect(assigned.driver?.id).toBeDefined();
        expect(assigned.driver?.id).not.toBe(busyId);
        expect((await assignment(firstAssignment.id)).driver?.id).toBe(busyId);
        // Refused in the claim's transaction and not given back as AVAILABLE, so no claim loops on them.
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, busyId)).toBe('BUSY');
        expect(await geoMembers()).not.toContain(busyId);
        await expectGeoSetMatchesAvailable();
    }, 60_000);

    it('with Redis stopped, assigns from the database within the radius, and rebuilds the GEO set when Redis returns', async () => {
        await pingFleet();
        await redis.stop();
        // Pings while Redis is down reach the database only.
        await pingFleet();
        const before = await drivers();
        const marked = await markReady(order.sellerOrders[1].id);
        expect(marked.__typename).toBe('DeliveryAssignment');
        // BullMQ is down with Redis: the job cannot be queued, so the sweep dispatches it itself.
        await service(TransactionalConnection).rawConnection.query(
            `UPDATE delivery_assignment SET "updatedAt" = "updatedAt" - interval '1 minute' WHERE id = $1`,
            [marked.id],
        );
        const swept = await sweep();
        expect(swept.dispatchedDirectly.map(String)).toEqual([marked.id]);
        const assigned = await assignment(marked.id);
        expect(assigned.status).toBe('ASSIGNED');
        expectNearestDriver(assigned, before);

        await restartRedis();
        // The index reconnects and is rebuilt from the database.
        const expected = await expectedGeoMembers();
        // The test's own client reconnects too: until then, nothing is read.
        const readWhenBack = () => geoMembers().catch(() => ['(not reconnected)']);
        const rebuilt = await eventually(readWhenBack, members => members.join() === expected.join(), 20_000);
        expect(rebuilt).toEqual(expected);
        expect(rebuilt).not.toContain(assigned.driver?.id);
        expect(await redisAdmin.hget(`${NAMESPACE}:status`, assigned.driver?.id ?? '')).toBe('BUSY');
        await pingFleet();
        await expectGeoSetMatchesAvailable();
    }, 60_000);
});

describe('the demo fleet', () => {
    afterAll(async () => {
        await service(DemoFleetService).stop();
    });

    it('takes an assigned demo driver to the pickup and the drop-off and completes the delivery', async () => {
        await pingFleet();
        const order = await placeOrder();
        service(DemoFleetService).start({ tickMs: 200, speedKmh: 600, dwellMs: 500 });
        const marked = await markReady(order.sellerOrders[0].id);
        const assigned = await eventually(
            () => assignment(marked.id),
            value => value.status !== 'PENDING',
        );
        expect(assigned.driver).not.toBeNull();
        const driverId = assigned.driver?.id ?? '';
        const done = await eventually(
            () => assignment(marked.id),
            value => value.status === 'DELIVERED',
            30_000,
        );
        expect(done.status).toBe('DELIVERED');
        expect(done.driver?.status).toBe('AVAILABLE');
        const actor = `driver:${driverId}`;
        expect(done.events.slice(-2).map(event => [event.fromStatus, event.toStatus, event.actor])).toEqual([
            ['ASSIGNED', 'PICKED_UP', actor],
            ['PICKED_UP', 'DELIVERED', actor],
        ]);
        // The driver was driven to the drop-off (and idles there, shuffling by a few metres).
        const at = (await drivers()).find(driver => driver.id === driverId);
        expect(at?.latitude).toBeCloseTo(done.dropoffLatitude, 2);
        expect(at?.longitude).toBeCloseTo(done.dropoffLongitude, 2);
        // Idle demo drivers kept their heartbeat: the GEO set still holds every AVAILABLE driver.
        // Read with the fleet stopped: it may still be completing a delivery of an earlier test,
        // whose confirmation tells the index AVAILABLE just before its commit (CI read the index
        // between the two).
        await service(DemoFleetService).stop();
        await expectGeoSetMatchesAvailable();
    }, 60_000);
});
