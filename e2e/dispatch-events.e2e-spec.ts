/**
 * The live push of dispatch, `GET /dispatch/events`, as a driver's app and the staff's live map
 * use it, in production mode (Redis) on the demo marketplace, with two Vendure servers sharing one
 * database and one Redis: a driver's stream gets their new assignment within 2 s and its pickup,
 * and nothing of other drivers'; staff get positions and statuses; a seller's staff only their own
 * deliveries; strangers are refused; a reconnect with Last-Event-ID gets what it missed; an event
 * produced by one server reaches streams of the other; a deleted driver's stream ends.
 */
import { ConfigService, DefaultSchedulerPlugin, mergeConfig, SchedulerService } from '@vendure/core';
import { createTestEnvironment, TestServer } from '@vendure/testing';
import { Redis } from 'ioredis';

import { DispatchEventStreamService, DriverDispatchPlugin } from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import {
    DEMO_DRIVER_PASSWORD,
    DEMO_SELLER_PASSWORD,
    demoInitialData,
    populateDemoMarketplace,
} from '../src/demo/populate-demo';
import { freePort } from '../src/runtime/embedded-postgres';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { asSuperadmin } from './fixtures/logins';
import { ensureRedisServer, RunningRedis, startRedisServer } from './setup/redis-server';
import { graphql } from './utils/app-process';
import { SseClient } from './utils/sse-client';

/** The sessions are checked this often here (default 5 s), so a revoked stream ends quickly. */
const SESSION_CHECK_MS = 500;
/** Keep-alive comments this often here (default 15 s). */
const KEEP_ALIVE_MS = 1000;
const STREAM_KEY = '{vqd}:dispatch:events';

const city = loadDemoCity();
let redis: RunningRedis;
let redisAdmin: Redis;
let env: ReturnType<typeof createTestEnvironment>;
let portA: number;
let serverB: TestServer;
let portB: number;
const openStreams: SseClient[] = [];

beforeAll(async () => {
    redis = await startRedisServer(ensureRedisServer(() => undefined));
    redisAdmin = new Redis(redis.url);
    const configA = e2eConfig(__filename, { env: { REDIS_URL: redis.url } });
    // Set after e2eConfig, which (re)initialises the plugin's options; both servers read them.
    Object.assign(DriverDispatchPlugin.options, {
        liveEventSessionCheckMs: SESSION_CHECK_MS,
        liveEventKeepAliveMs: KEEP_ALIVE_MS,
    });
    portA = configA.apiOptions.port;
    env = createTestEnvironment(configA);
    await env.server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(env.server.app, { withInitialData: false });
    // The test makes the drivers' heartbeats itself; the sweep would otherwise race it.
    await env.server.app.get(SchedulerService).updateTask({ id: 'dispatch-sweep', enabled: false });

    // A second server on the same database and Redis, as a second process behind a load balancer
    // would be (in this jest worker: its own Nest app, EventBus, services and Redis clients).
    portB = await freePort();
    const configB = mergeConfig(e2eConfig(__filename, { env: { REDIS_URL: redis.url } }), {
        apiOptions: { port: portB },
        dbConnectionOptions: { database: String(configA.dbConnectionOptions.database), synchronize: false },
    });
    Object.assign(DriverDispatchPlugin.options, {
        liveEventSessionCheckMs: SESSION_CHECK_MS,
        liveEventKeepAliveMs: KEEP_ALIVE_MS,
    });
    // Scheduled tasks are registered as process-wide named cron jobs, which a second app in this
    // process may not take again; they run once for all processes anyway (the worker, here A).
    configB.plugins = configB.plugins.filter(plugin => plugin !== DefaultSchedulerPlugin);
    serverB = new TestServer(configB);
    await serverB.bootstrap();
}, 240_000);

const measured: Record<string, number> = {};

afterAll(async () => {
    // Streams still open on purpose: shutting down must end them rather than wait for them.
    const stillOpen = openStreams.filter(stream => !stream.ended).length;
    const started = Date.now();
    await serverB?.destroy();
    await env?.server.destroy();
    measured.shutdownOfBothServers = Date.now() - started;
    expect(openStreams.every(stream => stream.ended)).toBe(true);
    await Promise.all(openStreams.map(stream => stream.close()));
    redisAdmin?.disconnect();
    await redis?.stop();
    // The measured figures are part of what this suite reports.
    console.log(`dispatch-events (ms, ${stillOpen} streams open at shutdown): ${JSON.stringify(measured)}`);
}, 60_000);

function url(port: number, path = '/dispatch/events'): string {
    return `http://127.0.0.1:${port}${path}`;
}

async function stream(port: number, token?: string, options: { lastEventId?: string } = {}) {
    const client = await SseClient.open(url(port), { token, ...options });
    if (client.status === 200) openStreams.push(client);
    return client;
}

async function login(emailAddress: string, password: string): Promise<string> {
    const { token } = await graphql<{ login: { __typename: string } }>(
        portA,
        'admin-api',
        `mutation { login(username: "${emailAddress}", password: "${password}") { __typename } }`,
    );
    if (!token) throw new Error(`No session token for ${emailAddress}`);
    return token;
}

async function admin<T>(port: number, token: string, query: string): Promise<T> {
    return (await graphql<T>(port, 'admin-api', query, token)).data;
}

function asStaff() {
    return asSuperadmin(env.adminClient);
}

/** A paid checkout in The Loop (60601) with one item of each of two sellers; its seller orders. */
async function placeOrder(): Promise<PlacedOrder> {
    return placePaidOrder(
        env,
        city.sellers.slice(0, 2).map(seller => seller.code),
    );
}

interface DriverRow {
    id: string;
    emailAddress: string;
    status: string;
    latitude: number;
    longitude: number;
}

const ASSIGNMENT_EVENTS = ['assignment.assigned', 'assignment.updated', 'assignment.cancelled'];

describe('GET /dispatch/events', () => {
    let superadminToken: string;
    let driverOne: DriverRow;
    let driverTwo: DriverRow;
    let driverOneToken: string;
    let driverTwoToken: string;
    let staffA: SseClient;
    let staffB: SseClient;
    let driverOneStream: SseClient;
    let driverTwoStream: SseClient;
    let order: PlacedOrder;
    let assignmentId: string;

    beforeAll(async () => {
        await asStaff();
        // A session of its own: the test client's logins log the previous session out.
        const { superadminCredentials } = env.server.app.get(ConfigService).authOptions;
        superadminToken = await login(superadminCredentials.identifier, superadminCredentials.password);
        const { drivers } = await admin<{ drivers: { items: DriverRow[] } }>(
            portA,
            superadminToken,
            '{ drivers(options: { take: 100, sort: { id: ASC } }) { items { id emailAddress status latitude longitude } } }',
        );
        [driverOne, driverTwo] = drivers.items;
        // Only driver one is on duty: the delivery can only go to them.
        for (const driver of drivers.items.slice(1)) {
            await admin(
                portA,
                superadminToken,
                `mutation { updateDriver(input: { id: "${driver.id}", status: OFFLINE }) { id } }`,
            );
        }
        driverOneToken = await login(driverOne.emailAddress, DEMO_DRIVER_PASSWORD);
        driverTwoToken = await login(driverTwo.emailAddress, DEMO_DRIVER_PASSWORD);
        // A fresh heartbeat, through the driver's own API.
        await admin(
            portA,
            driverOneToken,
            `mutation { updateDriverLocation(latitude: ${driverOne.latitude}, longitude: ${driverOne.longitude}) { id } }`,
        );
        order = await placeOrder();
        expect(order.sellerOrders.length).toBe(2);
    }, 120_000);

    it('refuses anonymous, garbage-token and customer requests with a message and no stream', async () => {
        const anonymous = await stream(portA);
        expect(anonymous.status).toBe(401);
        expect(anonymous.contentType).not.toMatch(/event-stream/);
        expect(anonymous.refusal?.message).toMatch(/Not signed in/);

        const garbage = await stream(portA, 'not-a-session-token');
        expect(garbage.status).toBe(401);
        expect(garbage.refusal?.message).toMatch(/Authorization: Bearer/);

        // A shop customer with a login: their token is a valid session, but not for this stream.
        await admin(
            portA,
            superadminToken,
            `mutation { createCustomer(input: { firstName: "Shop", lastName: "Customer", emailAddress: "shopper@example.com" }, password: "shopper-pw") { __typename } }`,
        );
        const { token: customerToken } = await graphql<{ login: { __typename: string } }>(
            portA,
            'shop-api',
            'mutation { login(username: "shopper@example.com", password: "shopper-pw") { __typename } }',
        );
        expect(customerToken).toBeTruthy();
        const customer = await stream(portA, customerToken);
        expect(customer.status).toBe(403);
        expect(customer.refusal?.message).toMatch(/may not receive dispatch events/);
    });

    it('opens streams for drivers and staff, on either server', async () => {
        staffA = await stream(portA, superadminToken);
        staffB = await stream(portB, superadminToken);
        driverOneStream = await stream(portA, driverOneToken);
        driverTwoStream = await stream(portB, driverTwoToken);
        for (const client of [staffA, staffB, driverOneStream, driverTwoStream]) {
            expect(client.status).toBe(200);
            expect(client.contentType).toMatch(/^text\/event-stream/);
        }
    });

    it('gives the driver their new assignment within 2 s of markOrderReadyForDispatch, and staff on both servers', async () => {
        const started = Date.now();
        const { markOrderReadyForDispatch } = await admin<{
            markOrderReadyForDispatch: { id: string; __typename: string };
        }>(
            portA,
            superadminToken,
            `mutation { markOrderReadyForDispatch(orderId: "${order.sellerOrders[0].id}") { __typename ... on DeliveryAssignment { id } } }`,
        );
        expect(markOrderReadyForDispatch.__typename).toBe('DeliveryAssignment');
        assignmentId = markOrderReadyForDispatch.id;
        const assigned = await driverOneStream.waitFor(
            event => event.event === 'assignment.assigned' && event.data.assignmentId === assignmentId,
            2000,
            'assignment.assigned',
        );
        measured.assignedToDriverStream = assigned.receivedAt - started;
        expect(assigned.receivedAt - started).toBeLessThanOrEqual(2000);
        expect(assigned.id).toMatch(/^\d+-\d+$/);
        expect(assigned.data).toEqual({
            assignmentId,
            orderId: order.sellerOrders[0].id,
            driverId: driverOne.id,
            status: 'ASSIGNED',
            fromStatus: 'PENDING',
            reasonCode: null,
            correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            at: expect.any(String),
        });
        // Nothing about the customer: exactly the fields above.
        expect(JSON.stringify(assigned.data)).not.toMatch(/live@example\.com|Live Customer|Randolph/);
        for (const staff of [staffA, staffB]) {
            const seen = await staff.waitFor(
                event => event.event === 'assignment.assigned' && event.data.assignmentId === assignmentId,
                2000,
                'assignment.assigned on a staff stream',
            );
            expect(seen.id).toBe(assigned.id);
            measured[staff === staffA ? 'assignedToStaffStreamA' : 'assignedToStaffStreamB'] =
                seen.receivedAt - started;
            // The creation (PENDING) came first, and the driver turned BUSY.
            await staff.waitFor(
                event => event.event === 'assignment.updated' && event.data.assignmentId === assignmentId,
            );
            await staff.waitFor(
                event =>
                    event.event === 'driver.status' &&
                    event.data.driverId === driverOne.id &&
                    event.data.status === 'BUSY',
            );
        }
    });

    it('gives the driver the pickup as assignment.updated', async () => {
        const started = Date.now();
        const { confirmPickup } = await admin<{ confirmPickup: { __typename: string } }>(
            portB,
            driverOneToken,
            `mutation { confirmPickup(assignmentId: "${assignmentId}") { __typename } }`,
        );
        expect(confirmPickup.__typename).toBe('DeliveryAssignment');
        const updated = await driverOneStream.waitFor(
            event =>
                event.event === 'assignment.updated' &&
                event.data.assignmentId === assignmentId &&
                event.data.status === 'PICKED_UP',
            2000,
            'assignment.updated PICKED_UP',
        );
        measured.pickupToDriverStream = updated.receivedAt - started;
        expect(updated.data).toMatchObject({ fromStatus: 'ASSIGNED', driverId: driverOne.id });
    });

    it('gives another driver nothing of it, and drivers no positions or statuses', async () => {
        await staffB.waitFor(event => event.data.status === 'PICKED_UP');
        expect(driverTwoStream.events.filter(event => ASSIGNMENT_EVENTS.includes(event.event))).toEqual([]);
        for (const driverStream of [driverOneStream, driverTwoStream]) {
            expect(driverStream.events.map(event => event.event)).not.toContain('driver.location');
            expect(driverStream.events.map(event => event.event)).not.toContain('driver.status');
        }
    });

    it('gives staff driver.location from a ping on either server (the other server produced it)', async () => {
        const position = { latitude: 41.8841, longitude: -87.6323 };
        for (const [pingPort, watcher, name] of [
            [portA, staffB, 'pingOnAToStaffStreamB'],
            [portB, staffA, 'pingOnBToStaffStreamA'],
        ] as const) {
            const started = Date.now();
            await admin(
                pingPort,
                driverOneToken,
                `mutation { updateDriverLocation(latitude: ${position.latitude}, longitude: ${position.longitude}) { id } }`,
            );
            const located = await watcher.waitFor(
                event =>
                    event.event === 'driver.location' &&
                    event.data.driverId === driverOne.id &&
                    event.data.latitude === position.latitude,
                2000,
                'driver.location',
            );
            measured[name] = located.receivedAt - started;
            expect(located.data).toEqual({ driverId: driverOne.id, ...position, at: expect.any(String) });
            position.latitude = 41.8851;
        }
    });

    it("gives a seller's staff only their own seller's deliveries, and no driver positions", async () => {
        const [ownSeller, otherSeller] = [0, 1].map(index =>
            city.sellers.find(seller => seller.code === order.sellerOrders[index].channels[0]?.code),
        );
        expect(ownSeller && otherSeller).toBeTruthy();
        const own = await stream(
            portA,
            await login(`${ownSeller?.code ?? ''}@demo.example`, DEMO_SELLER_PASSWORD),
        );
        const other = await stream(
            portB,
            await login(`${otherSeller?.code ?? ''}@demo.example`, DEMO_SELLER_PASSWORD),
        );
        expect([own.status, other.status]).toEqual([200, 200]);
        // A status move of the first seller's delivery, and a ping.
        await admin(
            portA,
            superadminToken,
            `mutation { cancelDelivery(assignmentId: "${assignmentId}", reason: "test") { __typename } }`,
        );
        await admin(
            portA,
            driverOneToken,
            `mutation { updateDriverLocation(latitude: 41.885, longitude: -87.633) { id } }`,
        );
        const cancelled = await own.waitFor(event => event.event === 'assignment.cancelled', 2000);
        expect(cancelled.data).toMatchObject({
            assignmentId,
            status: 'CANCELLED',
            reasonCode: 'CANCELLED_BY_ADMIN',
        });
        await staffA.waitFor(event => event.event === 'driver.location' && event.data.latitude === 41.885);
        await staffA.waitFor(event => event.id === cancelled.id);
        expect(own.events.map(event => event.event)).toEqual(['assignment.cancelled']);
        expect(other.events).toEqual([]);
        // The driver is told too: the delivery is no longer theirs.
        await driverOneStream.waitFor(event => event.event === 'assignment.cancelled', 2000);
        await Promise.all([own.close(), other.close()]);
    });

    it('resumes with Last-Event-ID: a reconnecting stream gets the events it missed, then live ones', async () => {
        const driverLastId = driverOneStream.lastEventId;
        expect(driverLastId).toBeDefined();
        await driverOneStream.close();
        // While the driver is away: a new delivery for them (and positions they must not get).
        const started = Date.now();
        const { markOrderReadyForDispatch } = await admin<{ markOrderReadyForDispatch: { id: string } }>(
            portA,
            superadminToken,
            `mutation { markOrderReadyForDispatch(orderId: "${order.sellerOrders[1].id}") { ... on DeliveryAssignment { id } } }`,
        );
        const missed = await staffA.waitFor(
            event =>
                event.event === 'assignment.assigned' &&
                event.data.assignmentId === markOrderReadyForDispatch.id,
            5000,
            'the second assignment on the staff stream',
        );
        measured.secondAssignedToStaffStreamA = missed.receivedAt - started;
        expect(missed.data.driverId).toBe(driverOne.id);

        const resumed = await stream(portB, driverOneToken, { lastEventId: driverLastId });
        const replayed = await resumed.waitFor(
            event => event.id === missed.id,
            2000,
            'the missed assignment',
        );
        expect(replayed.data).toEqual(missed.data);
        expect(resumed.events.filter(event => ASSIGNMENT_EVENTS.includes(event.event)).length).toBe(1);
        // Live again after the replay.
        await admin(
            portA,
            driverOneToken,
            `mutation { confirmPickup(assignmentId: "${markOrderReadyForDispatch.id}") { __typename } }`,
        );
        await resumed.waitFor(event => event.data.status === 'PICKED_UP', 2000, 'the pickup after resuming');

        // From an id the log does not hold (too old, or another Redis): told to reload.
        const stale = await stream(portA, driverOneToken, { lastEventId: '1-0' });
        const resync = await stale.waitFor(event => event.event === 'stream.resync', 2000);
        expect(resync.data.reason).toMatch(/no longer available/);
        await stale.close();
    });

    it('keeps idle streams alive with comments, and moves their resume point past events they do not get', async () => {
        const before = driverTwoStream.comments;
        await new Promise(resolve => setTimeout(resolve, KEEP_ALIVE_MS * 2.5));
        expect(driverTwoStream.comments).toBeGreaterThan(before);
        // Driver two received no event, but its last event id is the newest entry of the log.
        const [[newest]] = await redisAdmin.xrevrange(STREAM_KEY, '+', '-', 'COUNT', 1);
        expect(driverTwoStream.lastEventId).toBe(newest);
    });

    it("ends a deleted driver's stream within the session check interval", async () => {
        const started = Date.now();
        const { deleteDriver } = await admin<{ deleteDriver: { result: string } }>(
            portA,
            superadminToken,
            `mutation { deleteDriver(id: "${driverTwo.id}") { result } }`,
        );
        expect(deleteDriver.result).toBe('DELETED');
        await driverTwoStream.waitForEnd(SESSION_CHECK_MS * 4);
        measured.deletedDriverStreamEnded = Date.now() - started;
        const again = await stream(portB, driverTwoToken);
        expect(again.status).toBe(401);
    });

    it('shares one Redis Stream, trimmed, whose entry ids are the SSE ids', async () => {
        const length = await redisAdmin.xlen(STREAM_KEY);
        expect(length).toBeGreaterThan(0);
        expect(length).toBeLessThanOrEqual(10_000 + 100);
        expect(serverB.app.get(DispatchEventStreamService).openStreams).toBeGreaterThan(0);
        expect(env.server.app.get(DispatchEventStreamService).openStreams).toBeGreaterThan(0);
    });
});
