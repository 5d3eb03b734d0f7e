/**
 * The driver channel, `GET /dispatch/driver` as a WebSocket, as a driver's app uses it, with two
 * Vendure servers sharing one database and one Redis (production mode): authentication by an
 * `auth` frame or by the session cookie from an allowed origin, and every refusal; pings and
 * status changes with the mutations' rules; refused frames answered without closing; an
 * assignment made on one server reaching the driver's sockets on both; resuming with
 * `lastEventId`; a disabled driver closed at once.
 */
import { ConfigService, DefaultSchedulerPlugin, mergeConfig, SchedulerService } from '@vendure/core';
import { createTestEnvironment, TestServer } from '@vendure/testing';
import { Redis } from 'ioredis';

import { loadDemoCity } from '../src/demo/demo-data';
import { DEMO_DRIVER_PASSWORD, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { freePort } from '../src/runtime/embedded-postgres';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { asSuperadmin } from './fixtures/logins';
import { ensureRedisServer, RunningRedis, startRedisServer } from './setup/redis-server';
import { graphql } from './utils/app-process';
import { SseClient } from './utils/sse-client';
import { WsClient } from './utils/ws-client';

/** Short here (default 5 s) so the refusal of a silent connection is quick to see. */
const AUTH_TIMEOUT_MS = 1000;
/** Long here: a disabled driver must be closed by the revocation itself, not by this check. */
const SESSION_CHECK_MS = 60_000;
/** Longer than the default 10 ms, so a burst of pings sent at once surely falls in one flush. */
const PING_FLUSH_MS = 150;
/** The app's `redisKeyPrefix` and the limiter's suffix: `<prefix>:ping-limit:<driverId>`. */
const PING_LIMIT_KEY_PREFIX = '{vqd}:ping-limit';

const city = loadDemoCity();
let redis: RunningRedis;
let env: ReturnType<typeof createTestEnvironment>;
let portA: number;
let serverB: TestServer;
let portB: number;
const sockets: WsClient[] = [];
const streams: SseClient[] = [];

beforeAll(async () => {
    redis = await startRedisServer(ensureRedisServer(() => undefined));
    const channelOptions = {
        liveEventSessionCheckMs: SESSION_CHECK_MS,
        driverChannelAuthTimeoutMs: AUTH_TIMEOUT_MS,
        pingFlushIntervalMs: PING_FLUSH_MS,
    };
    const configA = e2eConfig(__filename, { env: { REDIS_URL: redis.url }, dispatch: channelOptions });
    portA = configA.apiOptions.port;
    env = createTestEnvironment(configA);
    await env.server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(env.server.app, { withInitialData: false });
    await env.server.app.get(SchedulerService).updateTask({ id: 'dispatch-sweep', enabled: false });

    portB = await freePort();
    const configB = mergeConfig(
        e2eConfig(__filename, { env: { REDIS_URL: redis.url }, dispatch: channelOptions }),
        {
            apiOptions: { port: portB },
            dbConnectionOptions: {
                database: String(configA.dbConnectionOptions.database),
                synchronize: false,
            },
        },
    );
    configB.plugins = configB.plugins.filter(plugin => plugin !== DefaultSchedulerPlugin);
    serverB = new TestServer(configB);
    await serverB.bootstrap();
}, 240_000);

afterAll(async () => {
    await Promise.all([...sockets.map(socket => socket.close()), ...streams.map(stream => stream.close())]);
    await serverB?.destroy();
    await env?.server.destroy();
    await redis?.stop();
}, 60_000);

function channelUrl(port: number, query = ''): string {
    return `ws://127.0.0.1:${port}/dispatch/driver${query}`;
}

async function connect(port: number, headers?: Record<string, string>, query = ''): Promise<WsClient> {
    const socket = await WsClient.open(channelUrl(port, query), { headers });
    sockets.push(socket);
    return socket;
}

/** A socket authenticated with an `auth` frame, after the server's acknowledgement. */
async function connectAs(port: number, token: string, lastEventId?: string): Promise<WsClient> {
    const socket = await connect(port);
    socket.send({ type: 'auth', token, ...(lastEventId ? { lastEventId } : {}) });
    await socket.waitFor(frame => frame.type === 'ack' && frame.for === 'auth', 5000, 'the auth ack');
    return socket;
}

/** Logs in on the admin API; the bearer token and the session cookies it set. */
async function login(emailAddress: string, password: string): Promise<{ token: string; cookie: string }> {
    const response = await fetch(`http://127.0.0.1:${portA}/admin-api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
            query: `mutation { login(username: "${emailAddress}", password: "${password}") { __typename } }`,
        }),
    });
    const token = response.headers.get('vendure-auth-token');
    if (!token) throw new Error(`No session token for ${emailAddress}`);
    const cookie = response.headers
        .getSetCookie()
        .map(header => header.split(';')[0])
        .join('; ');
    return { token, cookie };
}

async function admin<T>(port: number, token: string, query: string): Promise<T> {
    return (await graphql<T>(port, 'admin-api', query, token)).data;
}

interface DriverRow {
    id: string;
    emailAddress: string;
    status: string;
    latitude: number;
    longitude: number;
}

describe('GET /dispatch/driver (WebSocket)', () => {
    let superadminToken: string;
    let drivers: DriverRow[];
    let driverOne: DriverRow;
    let driverOneLogin: { token: string; cookie: string };
    let staffStreamB: SseClient;

    beforeAll(async () => {
        const { superadminCredentials } = env.server.app.get(ConfigService).authOptions;
        superadminToken = (await login(superadminCredentials.identifier, superadminCredentials.password))
            .token;
        ({
            drivers: { items: drivers },
        } = await admin<{ drivers: { items: DriverRow[] } }>(
            portA,
            superadminToken,
            '{ drivers(options: { take: 100, sort: { id: ASC } }) { items { id emailAddress status latitude longitude } } }',
        ));
        driverOne = drivers[0];
        // Only driver one is on duty: the deliveries below can only go to them.
        for (const driver of drivers.slice(1)) {
            await admin(
                portA,
                superadminToken,
                `mutation { updateDriver(input: { id: "${driver.id}", status: OFFLINE }) { id } }`,
            );
        }
        driverOneLogin = await login(driverOne.emailAddress, DEMO_DRIVER_PASSWORD);
        staffStreamB = await SseClient.open(`http://127.0.0.1:${portB}/dispatch/events`, {
            token: superadminToken,
        });
        streams.push(staffStreamB);
        expect(staffStreamB.status).toBe(200);
    }, 120_000);

    describe('authentication', () => {
        it(`closes a connection that sends no auth frame within ${AUTH_TIMEOUT_MS} ms with 4401`, async () => {
            const socket = await connect(portA);
            const started = Date.now();
            const closed = await socket.closed;
            expect(closed.code).toBe(4401);
            expect(closed.reason).toMatch(/No auth frame/);
            expect(Date.now() - started).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 100);
        });

        it('closes with 4401 when the first frame is not auth, or the token is no session', async () => {
            const pingFirst = await connect(portA);
            pingFirst.send({ type: 'location', latitude: 41.88, longitude: -87.63 });
            expect((await pingFirst.closed).code).toBe(4401);

            const wrongToken = await connect(portA);
            wrongToken.send({ type: 'auth', token: 'not-a-session-token' });
            const closed = await wrongToken.closed;
            expect(closed).toEqual({ code: 4401, reason: expect.stringMatching(/log in again/) });

            const notJson = await connect(portA);
            notJson.send('hello');
            expect((await notJson.closed).code).toBe(4401);
        });

        it("closes with 4403 a valid session that is not a driver's", async () => {
            const staff = await connect(portA);
            staff.send({ type: 'auth', token: superadminToken });
            expect(await staff.closed).toEqual({ code: 4403, reason: "This login is not a driver's" });
        });

        it('acknowledges a driver with their id, on either server', async () => {
            for (const port of [portA, portB]) {
                const socket = await connectAs(port, driverOneLogin.token);
                expect(socket.frames[0]).toMatchObject({
                    type: 'ack',
                    for: 'auth',
                    data: { driverId: driverOne.id },
                });
                await socket.close();
            }
        });

        it('takes the session cookie of a same-origin page at the upgrade, not of another origin', async () => {
            const sameOrigin = await connect(portA, {
                cookie: driverOneLogin.cookie,
                origin: `http://127.0.0.1:${portA}`,
            });
            const ack = await sameOrigin.waitFor(frame => frame.type === 'ack', 3000, 'the auth ack');
            expect(ack.data).toEqual({ driverId: driverOne.id });
            await sameOrigin.close();

            const foreign = await connect(portA, {
                cookie: driverOneLogin.cookie,
                origin: 'https://evil.example',
            });
            expect((await foreign.closed).code).toBe(4401);
            expect(foreign.frames).toEqual([]);
        });
    });

    describe('frames', () => {
        let socket: WsClient;

        beforeAll(async () => {
            socket = await connectAs(portB, driverOneLogin.token);
        });

        it('records a ping: staff on the other server see the position', async () => {
            socket.send({ type: 'location', latitude: 41.8842, longitude: -87.6324, accuracyM: 8 });
            const located = await staffStreamB.waitFor(
                event =>
                    event.event === 'driver.location' &&
                    event.data.driverId === driverOne.id &&
                    event.data.latitude === 41.8842,
                3000,
                'driver.location',
            );
            expect(located.data).toMatchObject({ longitude: -87.6324 });
        });

        it("keeps one driver's locationPingLimit (10 per 10 s) across both servers, with pings batched per flush", async () => {
            const driverTwo = drivers[1];
            const driverTwoLogin = await login(driverTwo.emailAddress, DEMO_DRIVER_PASSWORD);
            const [onA, onB] = [
                await connectAs(portA, driverTwoLogin.token),
                await connectAs(portB, driverTwoLogin.token),
            ];
            // 12 pings at once, 6 to each server: each server settles its 6 in one flush.
            for (let i = 0; i < 6; i++) {
                onA.send({ type: 'location', latitude: 41.87 + i / 1000, longitude: -87.63 });
                onB.send({ type: 'location', latitude: 41.88 + i / 1000, longitude: -87.63 });
            }
            const refusals = () =>
                [...onA.frames, ...onB.frames].filter(
                    frame => frame.type === 'error' && frame.code === 'RATE_LIMITED',
                );
            const deadline = Date.now() + 5000;
            while (refusals().length < 2 && Date.now() < deadline) await sleep(50);
            // Two flushes later nothing else arrives: exactly the 2 past the limit were refused.
            await sleep(3 * PING_FLUSH_MS);
            expect(refusals()).toHaveLength(2);
            expect(String(refusals()[0].message)).toContain('at most 10 per 10 s');
            const counter = `${PING_LIMIT_KEY_PREFIX}:${driverTwo.id}`;
            expect(await redisCommand(['GET', counter])).toBe('10');
            // The next ping, on either server, is refused too.
            onA.send({ type: 'location', latitude: 41.9, longitude: -87.63 });
            const until = Date.now() + 3000;
            while (refusals().length < 3 && Date.now() < until) await sleep(50);
            expect(refusals()).toHaveLength(3);
        });

        it('sends the live map one driver.location per driver per flush: the last of a burst', async () => {
            const driverThree = drivers[2];
            const driverThreeLogin = await login(driverThree.emailAddress, DEMO_DRIVER_PASSWORD);
            const burst = await connectAs(portA, driverThreeLogin.token);
            const before = staffStreamB.events.length;
            const latitudes = [41.8811, 41.8812, 41.8813, 41.8814, 41.8815];
            for (const latitude of latitudes) burst.send({ type: 'location', latitude, longitude: -87.6301 });
            await staffStreamB.waitFor(
                event => event.event === 'driver.location' && event.data.driverId === driverThree.id,
                3000,
                "driver three's driver.location",
            );
            await sleep(3 * PING_FLUSH_MS);
            const located = staffStreamB.events
                .slice(before)
                .filter(event => event.event === 'driver.location' && event.data.driverId === driverThree.id);
            expect(located.map(event => event.data.latitude)).toEqual([41.8815]);
            expect(burst.frames.filter(frame => frame.type === 'error')).toEqual([]);
        });

        it('refuses bad frames with an error frame and stays open', async () => {
            const cases: Array<[unknown, string]> = [
                ['{not json', 'BAD_FRAME'],
                [{ type: 'teleport' }, 'UNKNOWN_TYPE'],
                [{ type: 'location', latitude: 91, longitude: 0 }, 'INVALID_LOCATION'],
                [{ type: 'location', latitude: '41.9', longitude: -87.6 }, 'INVALID_LOCATION'],
                [
                    { type: 'location', latitude: 41.9, longitude: -87.6, at: '2099-01-01T00:00:00Z' },
                    'INVALID_LOCATION',
                ],
                [{ type: 'status', status: 'BUSY' }, 'INVALID_STATUS'],
                [{ type: 'auth', token: driverOneLogin.token }, 'ALREADY_AUTHENTICATED'],
            ];
            for (const [frame, code] of cases) {
                const before = socket.frames.length;
                socket.send(frame);
                const answer = await socket.waitFor(
                    (received, index = socket.frames.indexOf(received)) =>
                        index >= before && received.type === 'error',
                    3000,
                    `the ${code} error`,
                );
                expect(answer).toMatchObject({ code, message: expect.any(String) });
                expect(answer.message).not.toMatch(/at .*\.js|TypeError|QueryFailed/);
            }
            expect(socket.isOpen).toBe(true);
        });

        it('acknowledges status frames and applies them', async () => {
            socket.send({ type: 'status', status: 'OFFLINE' });
            await socket.waitFor(
                frame => frame.type === 'ack' && frame.for === 'status' && frame.data?.status === 'OFFLINE',
            );
            const { driver } = await admin<{ driver: { status: string } }>(
                portA,
                superadminToken,
                `{ driver(id: "${driverOne.id}") { status } }`,
            );
            expect(driver.status).toBe('OFFLINE');
            socket.send({ type: 'status', status: 'AVAILABLE' });
            await socket.waitFor(
                frame => frame.type === 'ack' && frame.for === 'status' && frame.data?.status === 'AVAILABLE',
            );
        });

        it('closes a frame over 4 KiB with 1009', async () => {
            const big = await connectAs(portA, driverOneLogin.token);
            big.send({ type: 'location', latitude: 41.9, longitude: -87.6, padding: 'x'.repeat(5000) });
            expect((await big.closed).code).toBe(1009);
        });
    });

    describe('assignments', () => {
        let order: PlacedOrder;
        let onA: WsClient;
        let onB: WsClient;
        let assignmentId: string;

        beforeAll(async () => {
            await admin(
                portA,
                driverOneLogin.token,
                `mutation { updateDriverLocation(latitude: ${driverOne.latitude}, longitude: ${driverOne.longitude}) { id } }`,
            );
            await asSuperadmin(env.adminClient);
            order = await placePaidOrder(
                env,
                city.sellers.slice(0, 1).map(seller => seller.code),
            );
            onA = await connectAs(portA, driverOneLogin.token);
            onB = await connectAs(portB, driverOneLogin.token);
        }, 120_000);

        it("sends a new assignment made on one server to both of the driver's sockets", async () => {
            const { markOrderReadyForDispatch } = await admin<{
                markOrderReadyForDispatch: { id: string; __typename: string };
            }>(
                portA,
                superadminToken,
                `mutation { markOrderReadyForDispatch(orderId: "${order.sellerOrders[0].id}") { __typename ... on DeliveryAssignment { id } } }`,
            );
            expect(markOrderReadyForDispatch.__typename).toBe('DeliveryAssignment');
            assignmentId = markOrderReadyForDispatch.id;
            const frames = await Promise.all(
                [onA, onB].map(socket =>
                    socket.waitFor(
                        frame =>
                            frame.type === 'assignment.assigned' && frame.data?.assignmentId === assignmentId,
                        5000,
                        'assignment.assigned',
                    ),
                ),
            );
            expect(frames[0].id).toMatch(/^\d+-\d+$/);
            expect(frames[1].id).toBe(frames[0].id);
            expect(frames[0].data).toMatchObject({ driverId: driverOne.id, status: 'ASSIGNED' });
        });

        it('refuses OFFLINE while on the delivery, and a ping keeps the driver BUSY', async () => {
            onB.send({ type: 'location', latitude: 41.8843, longitude: -87.6325 });
            onB.send({ type: 'status', status: 'OFFLINE' });
            const refused = await onB.waitFor(
                frame => frame.type === 'error' && frame.code === 'STATUS_REFUSED',
            );
            expect(refused.message).toMatch(/on a delivery/);
            const { driver } = await admin<{ driver: { status: string } }>(
                portA,
                superadminToken,
                `{ driver(id: "${driverOne.id}") { status } }`,
            );
            expect(driver.status).toBe('BUSY');
        });

        it('resumes with lastEventId: the pickup made while away is sent first', async () => {
            const assigned = onA.frames.find(frame => frame.type === 'assignment.assigned');
            await onA.close();
            await admin(
                portB,
                driverOneLogin.token,
                `mutation { confirmPickup(assignmentId: "${assignmentId}") { __typename } }`,
            );
            const resumed = await connectAs(portA, driverOneLogin.token, assigned?.id);
            const pickedUp = await resumed.waitFor(
                frame => frame.type === 'assignment.updated' && frame.data?.status === 'PICKED_UP',
                5000,
                'the missed pickup',
            );
            expect(pickedUp.data).toMatchObject({ assignmentId, fromStatus: 'ASSIGNED' });
            await resumed.close();
        });

        it('closes a disabled driver at once with 4403, on both servers', async () => {
            // Off the delivery first: a driver on one cannot be disabled.
            await admin(
                portA,
                superadminToken,
                `mutation { cancelDelivery(assignmentId: "${assignmentId}", reason: "test") { __typename } }`,
            );
            const another = await connectAs(portA, driverOneLogin.token);
            const started = Date.now();
            const { updateDriver } = await admin<{ updateDriver: { enabled: boolean } }>(
                portA,
                superadminToken,
                `mutation { updateDriver(input: { id: "${driverOne.id}", enabled: false }) { enabled } }`,
            );
            expect(updateDriver.enabled).toBe(false);
            for (const socket of [onB, another]) {
                expect((await socket.closed).code).toBe(4403);
            }
            // Well inside the session check interval: the revocation itself closed them.
            expect(Date.now() - started).toBeLessThan(5000);
        });
    });
});

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

/** One command to the suite's Redis (as an operator would look at the counter). */
async function redisCommand(args: string[]): Promise<unknown> {
    const client = new Redis(redis.url);
    try {
        return await client.call(args[0], ...args.slice(1));
    } finally {
        client.disconnect();
    }
}
