/**
 * Shutdown and outages (issue 11, section 3), on the built app as operators run it: a server and a
 * worker process (`node dist/src/index.js`, `index-worker.js`) on DATABASE_URL and REDIS_URL.
 *
 * - SIGTERM to both while 200 dispatches are in flight: exit 0, every acknowledged mark kept, nothing
 *   half-done; after a restart, with drivers pinging through it, the rest are assigned and delivered.
 * - Redis absent at start: both start and serve, readiness 503 names Redis, the sweep dispatches from
 *   the SQL index; Redis started later on that port is taken back without a restart.
 * - PostgreSQL stopped and started under load: requests fail quickly with the error shield's sentence,
 *   nothing half-written, the same processes serve again by themselves.
 *
 * PostgreSQL: the suite starts its own cluster (the e2e one is shared by every suite), so that a
 * later scenario can stop and start it.
 */
import path from 'node:path';

import { Redis } from 'ioredis';
import { Client } from 'pg';

import { DEMO_DRIVER_PASSWORD } from '../src/demo/populate-demo';
import { EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../src/runtime/embedded-postgres';
import { paidSellerOrder } from './acceptance/dispatch-acceptance';
import { e2eDispatchMode } from './config/dispatch-mode';
import { e2eEnv } from './config/e2e-env';
import { copyPaidSellerOrders } from './fixtures/bulk-orders';
import { deliveryCounts, dispatchInconsistencies } from './fixtures/dispatch-consistency';
import { ensureRedisServer, RunningRedis, startRedisServer } from './setup/redis-server';
import { AppProcess, graphql, readiness, startApp, stopApp, waitFor } from './utils/app-process';

const STAFF = { username: 'operator', password: 'a-long-production-password-for-outages' };
/** The Loop, Chicago: within 5 km of stores of every demo seller. */
const LOOP = { latitude: 41.8858, longitude: -87.6181 };
const ORDERS = 200;
/** The Redis driver index's GEO set (region hash tag of the demo channel). */
const GEO_KEY = '{vqd}:drivers:geo';
/** DESIGN: a driver unseen for 45 s is OFFLINE. */
const HEARTBEAT_MS = 45_000;

let redisBinary: string;
let redis: RunningRedis;
let postgres: EmbeddedDatabase;
let postgresDir: string;
let db: Client;
let env: Record<string, string>;
let port: number;
let staffToken = '';
let server: AppProcess | undefined;
let worker: AppProcess | undefined;
/** Real checkouts through the shop API, copied in SQL where many orders are needed. */
let checkouts: string[] = [];
/** One real checkout kept as the template of the orders the later scenarios copy. */
let template = '';
/** Orders of the SIGTERM scenario whose mark was refused or cut off by the stop. */
let cutOff: string[] = [];

const log = (message: string) => console.log(`[outages] ${message}`);

function admin<T>(query: string, variables?: Record<string, unknown>, token = staffToken): Promise<T> {
    return graphql<T>(port, 'admin-api', query, token, variables).then(result => result.data);
}

async function login(username: string, password: string): Promise<string> {
    const result = await graphql<{ login: { identifier?: string } }>(
        port,
        'admin-api',
        'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { ... on CurrentUser { identifier } } }',
        undefined,
        { u: username, p: password },
    );
    if (!result.token) throw new Error(`${username} could not log in`);
    return result.token;
}

async function stopProcesses(): Promise<Array<number | null>> {
    for (const app of [server, worker]) {
        // A process that ended by itself is a failure of the scenario: its last output says why.
        if (app && app.child.exitCode !== null)
            log(`a process exited (${app.child.exitCode}):\n${app.output().slice(-4000)}`);
    }
    const apps = [server, worker].filter(
        (app): app is AppProcess => app !== undefined && app.child.exitCode === null,
    );
    server = worker = undefined;
    const stops = await Promise.all(apps.map(app => stopApp(app)));
    // A stop that does not exit 0 is a failure too: the process's last output says why.
    stops.forEach((stop, i) => {
        if (stop.code !== 0) log(`a process stopped with ${stop.code}:\n${apps[i].output().slice(-4000)}`);
    });
    return stops.map(stop => stop.code);
}

/** Starts the server and the worker; resolves when `ready` holds for the server. */
async function startProcesses(
    extra: Record<string, string>,
    ready: () => Promise<boolean>,
    timeoutMs = 120_000,
): Promise<number> {
    // Those of the start, or of a scenario before (run alone with -t, a scenario skips them).
    await stopProcesses();
    server = startApp('index', { ...env, ...extra });
    worker = startApp('index-worker', { ...env, ...extra, PORT: String(await freePort()) });
    const ms = await waitFor('the server', ready, timeoutMs, server);
    if (worker.child.exitCode !== null) throw new Error(`The worker exited:\n${worker.output()}`);
    return ms;
}

const isReady = async () => (await readiness(port)).status === 200;

async function markReady(orderId: string): Promise<{ __typename: string; id?: string; message?: string }> {
    const { markOrderReadyForDispatch } = await admin<{
        markOrderReadyForDispatch: { __typename: string; id?: string; message?: string };
    }>(
        `mutation ($orderId: ID!) { markOrderReadyForDispatch(orderId: $orderId) {
            __typename ... on DeliveryAssignment { id } ... on ErrorResult { message } } }`,
        { orderId },
    );
    return markOrderReadyForDispatch;
}

/** A demo driver's app: logs in, pings from near The Loop and goes on duty. */
async function onDuty(index: number, offset: number): Promise<{ id: string; ping(): Promise<void> }> {
    const token = await login(`driver-${String(index).padStart(2, '0')}@demo.example`, DEMO_DRIVER_PASSWORD);
    const position = { latitude: LOOP.latitude + offset, longitude: LOOP.longitude + offset };
    const ping = async () => {
        await admin(
            'mutation ($latitude: Float!, $longitude: Float!) { updateDriverLocation(latitude: $latitude, longitude: $longitude) { id } }',
            position,
            token,
        );
    };
    await ping();
    const { setDriverStatus } = await admin<{ setDriverStatus: { __typename: string } }>(
        'mutation { setDriverStatus(status: AVAILABLE) { __typename } }',
        undefined,
        token,
    );
    // A driver still on a delivery from before stays BUSY with it.
    expect(['Driver', 'DriverHasOpenAssignmentError']).toContain(setDriverStatus.__typename);
    const { activeDriver } = await admin<{ activeDriver: { id: string } }>(
        '{ activeDriver { id } }',
        undefined,
        token,
    );
    return { id: activeDriver.id, ping };
}

/** Runs `fn` over the items, `concurrency` at a time. */
async function inPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (next < items.length) await fn(items[next++]);
        }),
    );
}

/** DESIGN invariant 1, read from the database: AVAILABLE drivers with a live heartbeat. */
async function liveAvailableDrivers(): Promise<string[]> {
    const { rows } = await db.query<{ id: number }>(
        `SELECT id FROM driver WHERE status = 'AVAILABLE' AND "lastSeenAt" > $1
           AND latitude IS NOT NULL AND longitude IS NOT NULL`,
        [new Date(Date.now() - HEARTBEAT_MS)],
    );
    return rows.map(row => String(row.id)).sort();
}

async function geoMembers(url: string): Promise<string[]> {
    const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
        await client.connect();
        return (await client.zrange(GEO_KEY, 0, -1)).sort();
    } finally {
        client.disconnect();
    }
}

/** Staff cancel every waiting delivery left by an earlier scenario, so the sweep sees only ours. */
async function cancelWaiting(): Promise<number> {
    const { rows } = await db.query<{ id: number }>(
        `SELECT id FROM delivery_assignment WHERE status = 'PENDING' ORDER BY id`,
    );
    await inPool(rows, 4, async row => {
        const { cancelDelivery } = await admin<{ cancelDelivery: { __typename: string } }>(
            'mutation ($id: ID!) { cancelDelivery(assignmentId: $id, reason: "outages suite") { __typename } }',
            { id: String(row.id) },
        );
        expect(cancelDelivery.__typename).toBe('DeliveryAssignment');
    });
    return rows.length;
}

async function assignedTo(assignmentId: string | undefined): Promise<string | undefined> {
    const { rows } = await db.query<{ driverId: number }>(
        `SELECT "driverId" FROM delivery_assignment WHERE id = $1 AND status = 'ASSIGNED'`,
        [assignmentId],
    );
    return rows.length ? String(rows[0].driverId) : undefined;
}

/** The test's own connection to the suite's PostgreSQL. */
async function connectDb(): Promise<Client> {
    const client = new Client({
        host: postgres.host,
        port: postgres.port,
        user: postgres.username,
        password: postgres.password,
        database: postgres.database,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
}

beforeAll(async () => {
    redisBinary = ensureRedisServer(() => undefined);
    redis = await startRedisServer(redisBinary);
    postgresDir = path.join(e2eEnv('tmpDir'), 'outages-postgres');
    postgres = await startEmbeddedPostgres({
        dataDir: postgresDir,
        port: await freePort(),
        database: 'outages',
        log: () => undefined,
    });
    db = await connectDb();
    port = await freePort();
    env = {
        DATABASE_URL: `postgres://${postgres.username}:${postgres.password}@${postgres.host}:${postgres.port}/${postgres.database}`,
        REDIS_URL: redis.url,
        PORT: String(port),
        DATA_DIR: path.join(e2eEnv('tmpDir'), 'outages'),
        SUPERADMIN_USERNAME: STAFF.username,
        SUPERADMIN_PASSWORD: STAFF.password,
        COOKIE_SECRET: 'a-long-random-cookie-secret-for-the-outages-suite',
        DEMO_FLEET: 'false',
        WORKER_IN_PROCESS: 'false',
    };
    const ms = await startProcesses({ DEMO_DATA: 'true' }, isReady, 240_000);
    log(`server and worker ready with the demo marketplace in ${ms} ms`);
    staffToken = await login(STAFF.username, STAFF.password);
    for (let i = 0; i < 4; i++) checkouts.push((await paidSellerOrder(port, staffToken)).sellerOrderId);
    // Its own checkout: the SIGTERM scenario's orders are delivered by the restart, and only paid
    // orders can be copied.
    template = (await paidSellerOrder(port, staffToken)).sellerOrderId;
}, 300_000);

// A failed scenario must not leave its processes on the port of the next one.
afterEach(async () => {
    for (const app of [server, worker]) if (app && app.child.exitCode === null) await stopApp(app, 'SIGKILL');
    server = worker = undefined;
});

afterAll(async () => {
    for (const app of [server, worker]) if (app && app.child.exitCode === null) await stopApp(app, 'SIGKILL');
    await db?.end().catch(() => undefined);
    await postgres?.stop();
    await redis?.stop();
});

describe('SIGTERM while 200 dispatches are in flight', () => {
    it('exits 0 with nothing lost or half-done', async () => {
        const orders = [
            ...checkouts,
            ...(await copyPaidSellerOrders(db, checkouts, ORDERS - checkouts.length)),
        ];
        checkouts = [];
        // Five demo drivers on duty for 200 orders: the other dispatch jobs fail and retry.
        const fleet = await admin<{ drivers: { items: Array<{ id: string; status: string }> } }>(
            '{ drivers(options: { take: 100 }) { items { id status } } }',
        );
        for (const driver of fleet.drivers.items.filter(item => item.status !== 'OFFLINE')) {
            await admin('mutation ($id: ID!) { updateDriver(input: { id: $id, status: OFFLINE }) { id } }', {
                id: driver.id,
            });
        }
        for (let i = 1; i <= 5; i++) await onDuty(i, i * 0.002);

        const acknowledged = new Map<string, string>();
        const failures: string[] = [];
        let done = 0;
        let workerStopped: Promise<{ code: number | null; ms: number }> | undefined;
        let serverStopped: Promise<{ code: number | null; ms: number }> | undefined;
        const [serverApp, workerApp] = [server as AppProcess, worker as AppProcess];
        await inPool(orders, 8, async orderId => {
            try {
                const result = await markReady(orderId);
                if (result.__typename === 'DeliveryAssignment') acknowledged.set(orderId, result.id ?? '');
                else failures.push(`${orderId}: ${result.message ?? result.__typename}`);
            } catch (error) {
                failures.push(`${orderId}: ${error instanceof Error ? error.message : String(error)}`);
            }
            done++;
            // The worker goes while its dispatch jobs retry; the server while marks are arriving.
            if (done === 60) workerStopped = stopApp(workerApp);
            if (done === 130) serverStopped = stopApp(serverApp);
        });
        const [workerStop, serverStop] = await Promise.all([workerStopped, serverStopped]);
        cutOff = orders.filter(orderId => !acknowledged.has(orderId));
        server = worker = undefined;
        log(`refused or cut off, e.g.: ${JSON.stringify(failures.slice(0, 3))}`);
        log(
            `SIGTERM with dispatches in flight: worker exit ${workerStop?.code} in ${workerStop?.ms} ms, ` +
                `server exit ${serverStop?.code} in ${serverStop?.ms} ms; ${acknowledged.size} marks acknowledged, ` +
                `${failures.length} refused or cut off; deliveries ${JSON.stringify(await deliveryCounts(db))}`,
        );
        expect(workerStop?.code).toBe(0);
        expect(serverStop?.code).toBe(0);
        // None lost: every acknowledged mark has its delivery; none half-done.
        const { rows } = await db.query<{ orderId: number; id: number }>(
            'SELECT "orderId", id FROM delivery_assignment',
        );
        const written = new Map(rows.map(row => [String(row.orderId), String(row.id)]));
        for (const [orderId, id] of acknowledged) expect(written.get(orderId)).toBe(id);
        expect(await dispatchInconsistencies(db)).toEqual({});
    }, 240_000);

    it('on restart, with drivers pinging through it, the rest complete', async () => {
        const restartMs = await startProcesses({}, isReady);
        staffToken = await login(STAFF.username, STAFF.password);
        // The whole demo fleet on duty, their apps pinging every 10 s (DESIGN: at least every 20 s).
        const fleet: Array<Awaited<ReturnType<typeof onDuty>>> = [];
        for (let i = 1; i <= 20; i++) fleet.push(await onDuty(i, (i % 5) * 0.002));
        const pinging = setInterval(() => {
            for (const driver of fleet) driver.ping().catch(() => undefined);
        }, 10_000);
        try {
            // Marks the stop cut off are sent again, as the staff's app would.
            const remarks = new Map<string, number>();
            await inPool(cutOff, 4, async orderId => {
                const result = await markReady(orderId);
                const outcome = `${result.__typename}${result.message ? `: ${result.message}` : ''}`;
                remarks.set(outcome, (remarks.get(outcome) ?? 0) + 1);
            });
            log(`${cutOff.length} cut-off marks sent again: ${JSON.stringify([...remarks])}`);
            expect([...remarks.keys()]).toEqual(cutOff.length ? ['DeliveryAssignment'] : []);

            // Staff confirm pickup and delivery of whatever is assigned: drivers come free for the rest.
            const total = Number((await db.query('SELECT count(*) AS n FROM delivery_assignment')).rows[0].n);
            const completeAssigned = async () => {
                const { rows } = await db.query<{ id: number }>(
                    `SELECT id FROM delivery_assignment WHERE status IN ('ASSIGNED', 'PICKED_UP')`,
                );
                await inPool(rows, 4, async row => {
                    const id = String(row.id);
                    await admin('mutation ($id: ID!) { confirmPickup(assignmentId: $id) { __typename } }', {
                        id,
                    });
                    await admin('mutation ($id: ID!) { confirmDelivery(assignmentId: $id) { __typename } }', {
                        id,
                    });
                });
                const counts = await deliveryCounts(db);
                return counts.DELIVERED === total;
            };
            const completedMs = await waitFor(
                'every delivery to be assigned and delivered',
                completeAssigned,
                180_000,
                server,
            );
            // Assigned once each: no delivery went to two drivers.
            const { rows: twice } = await db.query<{ id: number }>(
                `SELECT "assignmentId" AS id FROM delivery_event WHERE "toStatus" = 'ASSIGNED'
                  GROUP BY "assignmentId" HAVING count(*) > 1`,
            );
            expect(twice).toEqual([]);
            expect(await dispatchInconsistencies(db)).toEqual({});
            log(
                `restart: ready in ${restartMs} ms; all ${total} deliveries assigned and delivered ` +
                    `${completedMs} ms later with 20 drivers`,
            );
        } finally {
            clearInterval(pinging);
        }
        expect(await stopProcesses()).toEqual([0, 0]);
    }, 240_000);
});

describe('Redis absent at start, then started', () => {
    let lateRedis: RunningRedis | undefined;

    afterAll(async () => {
        await lateRedis?.stop();
    });

    it('serves without Redis, dispatches through the sweep, and takes Redis back without a restart', async () => {
        // A port nobody listens on yet; Redis is started there later.
        const redisPort = await freePort();
        const redisUrl = `redis://127.0.0.1:${redisPort}`;
        const namingRedis = async () => {
            const { status, body } = await readiness(port);
            return status === 503 && JSON.stringify(body.failing) === '["redis"]';
        };
        const startMs = await startProcesses({ REDIS_URL: redisUrl }, namingRedis);
        const pids = [server?.child.pid, worker?.child.pid];
        log(`Redis absent at start: server and worker serving (readiness 503 naming Redis) in ${startMs} ms`);
        expect((await readiness(port)).body).toMatchObject({
            failing: ['redis'],
            parts: { database: { state: 'up' }, redis: { state: 'down' } },
        });
        staffToken = await login(STAFF.username, STAFF.password);
        const { data: shop } = await graphql<{ products: { totalItems: number } }>(
            port,
            'shop-api',
            '{ products { totalItems } }',
        );
        expect(shop.products.totalItems).toBeGreaterThan(0);
        const cancelled = await cancelWaiting();
        const [first, second] = await copyPaidSellerOrders(db, [template], 2);

        // Two drivers on duty near The Loop, their apps pinging every 10 s; the demo's others off
        // duty (their demo heartbeats are still fresh, and a batch window runs at once, before they
        // expire: it would rightly take one nearer the store).
        await db.query(`UPDATE driver SET status = 'OFFLINE' WHERE status = 'AVAILABLE'`);
        const drivers = [await onDuty(6, 0.002), await onDuty(7, 0.03)];
        const pinging = setInterval(() => {
            for (const driver of drivers) driver.ping().catch(() => undefined);
        }, 10_000);
        try {
            // Without Redis the index is the Driver table, which gets pings write-behind (one 2 s
            // flush late at most): dispatch plans with the new positions once they are there.
            await waitFor(
                "the drivers' pings to reach the database",
                async () => {
                    const { rows } = await db.query<{ latitude: number }>(
                        'SELECT latitude FROM driver WHERE id = ANY($1) ORDER BY id',
                        [drivers.map(driver => Number(driver.id))],
                    );
                    const expected = [LOOP.latitude + 0.002, LOOP.latitude + 0.03];
                    return rows.every((row, i) => Math.abs(row.latitude - expected[i]) < 1e-6);
                },
                10_000,
                server,
            );
            const marked = await markReady(first);
            expect(marked).toMatchObject({ __typename: 'DeliveryAssignment' });
            const markedAt = Date.now();
            // The queue cannot take the job: the sweep dispatches it from the SQL index.
            await waitFor(
                'the sweep to dispatch the order',
                async () => (await assignedTo(marked.id)) !== undefined,
                120_000,
                worker,
            );
            const sweptMs = Date.now() - markedAt;
            expect(await assignedTo(marked.id)).toBe(drivers[0].id);
            // Nearest-first: the sweep's direct dispatch; batch: the windows, which need no queue.
            expect(worker?.output()).toMatch(
                e2eDispatchMode().dispatchMode === 'batch'
                    ? /Batch window: [1-9]\d* of \d+ waiting deliveries assigned/
                    : /[1-9]\d* dispatched directly/,
            );

            lateRedis = await startRedisServer(redisBinary, redisPort);
            const redisAt = Date.now();
            const readyMs = await waitFor('readiness 200', isReady, 30_000, server);
            // Only the second driver is still AVAILABLE: the set rebuilt from the database holds them.
            await drivers[1].ping();
            const expected = await liveAvailableDrivers();
            expect(expected).toEqual([drivers[1].id]);
            await waitFor(
                'the GEO set rebuilt',
                async () => (await geoMembers(redisUrl)).join() === expected.join(),
                30_000,
                server,
            );
            const rebuiltMs = Date.now() - redisAt;
            // Dispatch goes through the job queue again, well inside a sweep's wait.
            const secondMarked = await markReady(second);
            const secondAt = Date.now();
            await waitFor(
                'the queue to dispatch the next order',
                async () => (await assignedTo(secondMarked.id)) === drivers[1].id,
                15_000,
                server,
            );
            log(
                `Redis absent: ${cancelled} leftover waiting deliveries cancelled first; the order marked ready ` +
                    `was dispatched by the sweep in ${sweptMs} ms. Redis started: readiness 200 after ${readyMs} ms, ` +
                    `GEO set rebuilt after ${rebuiltMs} ms, the next order dispatched through the queue in ` +
                    `${Date.now() - secondAt} ms`,
            );
            expect(await dispatchInconsistencies(db)).toEqual({});
        } finally {
            clearInterval(pinging);
        }
        // No restart: the same processes throughout.
        expect([server?.child.pid, worker?.child.pid]).toEqual(pids);
        // Every Redis client has an error listener: the outage is logged, not ioredis's fallback.
        for (const app of [server, worker])
            expect(app?.output()).not.toContain('[ioredis] Unhandled error event');
        expect(await stopProcesses()).toEqual([0, 0]);
    }, 240_000);
});

interface Sample {
    kind: 'shop query' | 'driver ping' | 'mark ready';
    at: number;
    ms: number;
    ok: boolean;
    /** What the client saw when it failed: the GraphQL messages, or the HTTP failure. */
    error?: string;
    /** The errors' extensions as sent, to look for stack traces. */
    extensions?: string;
}

/** One GraphQL request as an app sends it, with a client-side timeout; never throws. */
async function sample(
    kind: Sample['kind'],
    api: 'shop-api' | 'admin-api',
    query: string,
    variables: Record<string, unknown>,
    token?: string,
): Promise<Sample> {
    const at = Date.now();
    try {
        const response = await fetch(`http://127.0.0.1:${port}/${api}`, {
            method: 'POST',
            headers: {
                'content-type': 'application/json',
                ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body: JSON.stringify({ query, variables }),
            signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        let body: { data?: unknown; errors?: Array<{ message: string; extensions?: unknown }> } = {};
        try {
            body = JSON.parse(text) as typeof body;
        } catch {
            return { kind, at, ms: Date.now() - at, ok: false, error: `HTTP ${response.status}: ${text}` };
        }
        const ok = response.ok && !body.errors?.length && body.data != null;
        const failure = {
            error: body.errors?.map(error => error.message).join('; ') ?? `HTTP ${response.status}`,
            extensions: JSON.stringify(body.errors?.map(error => error.extensions) ?? []),
        };
        return { kind, at, ms: Date.now() - at, ok, ...(ok ? {} : failure) };
    } catch (error) {
        return { kind, at, ms: Date.now() - at, ok: false, error: `HTTP: ${String(error)}` };
    }
}

describe('PostgreSQL restarted under load', () => {
    it('fails requests clearly and quickly while it is down, writes nothing half, and serves again by itself', async () => {
        // The sweep every second: the scheduler runs while PostgreSQL is down (Vendure 3.7.3's
        // scheduler let that rejection end the worker until ScheduledTaskGuardPlugin).
        const startMs = await startProcesses({ DISPATCH_SWEEP_SCHEDULE: '* * * * * *' }, isReady);
        log(`processes ready in ${startMs} ms`);
        const pids = [server?.child.pid, worker?.child.pid];
        staffToken = await login(STAFF.username, STAFF.password);
        const orders = await copyPaidSellerOrders(db, [template], 100);
        await onDuty(8, 0.004);
        const driverToken = await login('driver-08@demo.example', DEMO_DRIVER_PASSWORD);

        const samples: Sample[] = [];
        const acknowledged = new Set<string>();
        let running = true;
        let nextOrder = 0;
        const loop = async (next: () => Promise<Sample>, pauseMs = 100) => {
            while (running) {
                samples.push(await next());
                await new Promise(resolve => setTimeout(resolve, pauseMs));
            }
        };
        const load = Promise.all([
            loop(() =>
                sample(
                    'shop query',
                    'shop-api',
                    '{ products(options: { take: 3 }) { totalItems items { id name } } }',
                    {},
                ),
            ),
            loop(
                () =>
                    sample(
                        'driver ping',
                        'admin-api',
                        'mutation ($latitude: Float!, $longitude: Float!) { updateDriverLocation(latitude: $latitude, longitude: $longitude) { id } }',
                        { latitude: LOOP.latitude + Math.random() * 0.001, longitude: LOOP.longitude },
                        driverToken,
                    ),
                // Within the driver app's ping limit (10 per 10 s).
                1500,
            ),
            loop(async () => {
                const orderId = orders[nextOrder++ % orders.length];
                const result = await sample(
                    'mark ready',
                    'admin-api',
                    `mutation ($orderId: ID!) { markOrderReadyForDispatch(orderId: $orderId) {
                        __typename ... on DeliveryAssignment { id } } }`,
                    { orderId },
                    staffToken,
                );
                if (result.ok) acknowledged.add(orderId);
                return result;
            }),
        ]);

        await new Promise(resolve => setTimeout(resolve, 4000));
        const downAt = Date.now();
        await postgres.stop();
        log(`PostgreSQL stopped after 4 s of load (stop took ${Date.now() - downAt} ms)`);
        await new Promise(resolve => setTimeout(resolve, 8000));
        postgres = await startEmbeddedPostgres({
            dataDir: postgresDir,
            port: postgres.port,
            database: 'outages',
            log: () => undefined,
        });
        const upAt = Date.now();
        const kinds: Array<Sample['kind']> = ['shop query', 'driver ping', 'mark ready'];
        const recovered = (kind: Sample['kind']) => {
            const after = samples.filter(item => item.kind === kind && item.at >= upAt);
            return after.length >= 3 && after.slice(-3).every(item => item.ok);
        };
        try {
            await waitFor(
                'every kind of request to succeed again',
                () => Promise.resolve(kinds.every(recovered)),
                60_000,
                server,
            );
        } finally {
            running = false;
            await load;
        }

        const during = samples.filter(item => item.at >= downAt + 500 && item.at < upAt);
        const failed = during.filter(item => !item.ok);
        const messages = [...new Set(failed.map(item => item.error ?? ''))];
        const recovery = Object.fromEntries(
            kinds.map(kind => [
                kind,
                (samples.find(item => item.kind === kind && item.at >= upAt && item.ok)?.at ?? NaN) - upAt,
            ]),
        );
        log(
            `PostgreSQL down ${upAt - downAt} ms: ${failed.length} of ${during.length} requests failed meanwhile, ` +
                `the slowest answer ${Math.max(...during.map(item => item.ms))} ms; first success after it ` +
                `was back (ms) ${JSON.stringify(recovery)}; ${samples.length} requests in all; ` +
                `errors seen: ${JSON.stringify(messages).slice(0, 1500)}`,
        );
        // While it is down, requests fail, each within a few seconds, with no internals.
        for (const kind of ['shop query', 'mark ready'] as const) {
            expect(failed.filter(item => item.kind === kind).length).toBeGreaterThan(0);
        }
        expect(Math.max(...during.map(item => item.ms))).toBeLessThan(5000);
        for (const item of failed) {
            expect(item.error).toMatch(
                /^The server could not complete this request \(reference [0-9a-f-]{36}\)/,
            );
            expect(item.extensions).not.toMatch(/stacktrace|ECONNREFUSED|terminat|\bat \S+ \(/i);
        }
        // The same processes serve again, readiness included.
        expect([server?.child.pid, worker?.child.pid]).toEqual(pids);
        await waitFor('readiness 200', isReady, 30_000, server);

        // Nothing half-written: every acknowledged mark has its delivery, and none is half-done.
        await db.end().catch(() => undefined);
        db = await connectDb();
        const { rows } = await db.query<{ orderId: number }>('SELECT "orderId" FROM delivery_assignment');
        const written = new Set(rows.map(row => String(row.orderId)));
        expect([...acknowledged].filter(orderId => !written.has(orderId))).toEqual([]);
        expect(await dispatchInconsistencies(db)).toEqual({});
        log(
            `${acknowledged.size} orders marked ready under load; deliveries ${JSON.stringify(await deliveryCounts(db))}`,
        );
        expect(await stopProcesses()).toEqual([0, 0]);
    }, 180_000);
});
