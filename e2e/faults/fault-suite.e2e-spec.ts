/**
 * The fault suite (issue 11 §2): N paid orders dispatched by 4 worker processes against PostgreSQL
 * and Redis, driven to DELIVERED by the test fleet (src/simulation/fleet.ts) through two server
 * processes, while every "ready" is sent 3 times (partly at once), Redis is restarted empty, one
 * worker and one server are SIGKILLed. At the end it prints and asserts the invariants and how long
 * each fault took to recover from.
 *
 * `npm run test:faults` runs only this file; `FAULT_ORDERS` and `FAULT_DRIVERS` size it, e.g.
 * `FAULT_ORDERS=2000 FAULT_DRIVERS=40 npm run test:faults`; `FAULT_RESULT_FILE` writes the figures
 * as JSON (they are also printed, as a table and a `FAULT_SUITE_RESULT {json}` line).
 *
 * The default (150 orders, 30 drivers) is what fits the 8-minute budget on the shared 2-core
 * machine this was written on: 150 orders took 513 s there (238 s to start the six processes and
 * populate the demo, 270 s of dispatch at 0.6 deliveries/s, load average 10-13 from other suites).
 * 2000 orders, the issue's CI size, would take about an hour at that rate.
 *
 * Where the time goes (a later run, 224 s of dispatch, 0.7 deliveries/s, load average 13): the
 * servers, not the fleet's pacing. The fleet's mean request took 5.5 s (1209 requests), so a
 * driver's 1 s tick never sleeps and its simulated travel (7200 km/h: one to three ticks a leg)
 * adds nothing; p50 assigned → picked up 15.5 s, picked up → delivered 14.3 s, a free driver
 * waited 8.5 s for the next order. Shortening the fleet's travel or polling would not make it faster.
 */
import { writeFileSync } from 'node:fs';

import { Redis } from 'ioredis';
import { Client } from 'pg';

import { DriverFleet, FleetDriver } from '../../src/simulation/fleet';
import { paidSellerOrder } from '../acceptance/dispatch-acceptance';
import { e2eDispatchMode } from '../config/dispatch-mode';
import { cloneOrders, TemplateOrder } from '../fixtures/bulk-orders';
import { graphql, waitFor } from '../utils/app-process';
import { ClusterProcess, FaultCluster, STAFF } from './fault-cluster';
import { GEO_KEY, readInvariants, readPhases } from './invariants';

const ORDERS = positive('FAULT_ORDERS', 150);
const DRIVERS = positive('FAULT_DRIVERS', 30);
/** Orders marked ready but not yet assigned, at most: shops hand orders over as they are packed. */
const BACKLOG = Math.max(2 * DRIVERS, 100);
const REDIS_DOWN_MS = 5000;
/** The sweep gives back a dead job's claim 30 s after it, and runs every 20 s; with a margin. */
const INDEX_REPAIR_MS = 60_000;
const DEMO_DRIVERS = 20;
/** The Loop, Chicago: the demo's centre, within 5 km of stores of every seller. */
const LOOP = { latitude: 41.8858, longitude: -87.6181 };
const BULL_ACTIVE = '{vqd}:vendure-job-queue:active';
const BULL_JOB = (id: string) => `{vqd}:vendure-job-queue:${id}`;

interface FaultRecord {
    fault: string;
    at: string;
    /** Recovery measures of this fault, in ms (or counts where the name says so). */
    measures: Record<string, number | null>;
}

const log = (message: string) => process.stdout.write(`[faults] ${message}\n`);

describe(`fault suite: ${ORDERS} orders, ${DRIVERS} drivers, 2 servers, 4 workers`, () => {
    const cluster = new FaultCluster(log);
    let db: Client;
    let redis: Redis;
    let fleet: DriverFleet | undefined;

    afterAll(async () => {
        await fleet?.stop().catch(() => undefined);
        redis?.disconnect();
        await db?.end().catch(() => undefined);
        await cluster.stop();
    });

    it(
        'loses no order and breaks no invariant through a Redis restart, a killed worker and a killed server',
        async () => {
            const started = Date.now();
            // A database of its own per mode: the batch variant may run beside this file.
            const batch = e2eDispatchMode().dispatchMode === 'batch';
            log(`dispatch mode: ${batch ? 'batch' : 'nearest'}`);
            await cluster.start({
                database: batch ? 'e2e_faults_batch' : 'e2e_faults',
                servers: 2,
                workers: 4,
            });
            const [server1, server2] = cluster.servers;
            const ports = cluster.servers.map(server => server.port ?? 0);
            db = new Client({ connectionString: cluster.databaseUrl });
            // Postgres stops before this client at the end of the run: not an unhandled error.
            db.on('error', () => undefined);
            await db.connect();
            // No offline queue: a check while Redis is down fails at once instead of waiting.
            redis = new Redis(cluster.redisUrl, {
                enableOfflineQueue: true,
                maxRetriesPerRequest: 2,
                lazyConnect: true,
            });
            redis.on('error', () => undefined);
            await redis.connect();

            const staffToken = await login(ports[0]);
            await waitFor(
                'the search index (built by a worker)',
                async () =>
                    (
                        await graphql<{ search: { totalItems: number } }>(
                            ports[0],
                            'shop-api',
                            '{ search(input: { take: 1, deliveryLocation: { postalCode: "60601", countryCode: "US" } }) { totalItems } }',
                        )
                    ).data.search.totalItems > 0,
                120_000,
            );

            // Orders: four real checkouts of different products, cloned in SQL.
            const templates: TemplateOrder[] = [];
            for (const variantIndex of [0, 3, 6, 9]) {
                const order = await paidSellerOrder(ports[0], staffToken, variantIndex);
                const { rows } = await db.query<{ aggregateOrderId: number }>(
                    'SELECT "aggregateOrderId" FROM "order" WHERE id = $1',
                    [order.sellerOrderId],
                );
                templates.push({
                    aggregateOrderId: rows[0].aggregateOrderId,
                    sellerOrderId: Number(order.sellerOrderId),
                });
            }
            const cloneStarted = Date.now();
            const orderIds = await cloneOrders(db, templates, ORDERS);
            log(
                `${orderIds.length} paid orders cloned from ${templates.length} checkouts in ${Date.now() - cloneStarted} ms`,
            );
            expect(orderIds).toHaveLength(ORDERS);

            // The fleet: the 20 demo drivers and the rest created through the admin API.
            const drivers: FleetDriver[] = [];
            for (let i = 1; i <= Math.min(DEMO_DRIVERS, DRIVERS); i++) {
                drivers.push({
                    emailAddress: `driver-${String(i).padStart(2, '0')}@demo.example`,
                    password: 'demo-driver',
                    start: near(LOOP),
                });
            }
            for (let i = drivers.length + 1; i <= DRIVERS; i++) {
                const emailAddress = `fault-driver-${i}@example.com`;
                await graphql(
                    ports[0],
                    'admin-api',
                    'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { id } }',
                    staffToken,
                    { input: { name: `Fault Driver ${i}`, emailAddress, password: 'fault-driver-password' } },
                );
                drivers.push({ emailAddress, password: 'fault-driver-password', start: near(LOOP) });
            }
            fleet = new DriverFleet({
                adminApiUrls: cluster.servers.map(server => cluster.adminApiUrl(server)),
                drivers,
                // The customer's code (their deliveryTracking shows it), read where it is kept.
                codeFor: async assignmentId =>
                    (
                        await db.query<{ deliveryCode: string }>(
                            'SELECT "deliveryCode" FROM delivery_assignment WHERE id = $1',
                            [assignmentId],
                        )
                    ).rows[0].deliveryCode,
                tickMs: 1000,
                speedKmh: 7200,
                idlePollMs: 2000,
                log,
            });
            await fleet.start();
            log(`fleet of ${DRIVERS} drivers on duty, ${Date.now() - started} ms after start`);

            // "Ready" for every order, 3 times: twice at once, once again a little later.
            const ready = new ReadySender(ports, staffToken, db);
            const sending = ready.sendAll(orderIds);

            const faults: FaultRecord[] = [];
            const runStarted = Date.now();
            const delivered = () => countDelivered(db, orderIds);
            // A wait that fails prints who waits on whom in the database and each process's last words.
            const diagnosed = <T>(step: Promise<T>): Promise<T> =>
                step.catch(async (error: unknown) => {
                    log(await cluster.diagnose(db));
                    throw error;
                });
            await diagnosed(
                waitFor('20% delivered', async () => (await delivered()) >= ORDERS * 0.2, 30 * 60_000),
            );
            faults.push(await diagnosed(restartRedis(cluster, db, redis)));
            await diagnosed(
                waitFor('45% delivered', async () => (await delivered()) >= ORDERS * 0.45, 30 * 60_000),
            );
            faults.push(await diagnosed(killWorker(cluster, cluster.workers[1], redis)));
            await diagnosed(
                waitFor('70% delivered', async () => (await delivered()) >= ORDERS * 0.7, 30 * 60_000),
            );
            faults.push(await diagnosed(killServer(cluster, server2, fleet, server1)));

            await diagnosed(sending);
            await diagnosed(
                waitFor('every order delivered', async () => (await delivered()) === ORDERS, 30 * 60_000),
            );
            const runMs = Date.now() - runStarted;
            // The last releases reach Redis and the drivers ping on: then the index must match. A
            // driver claimed in Redis by a dispatch job killed with its worker is given back by the
            // sweep once the claim is 30 s old (it runs every 20 s): up to about 50 s after the kill
            // (CI read the index 38 s after it, one driver short).
            await new Promise(resolve => setTimeout(resolve, 3000));
            const indexWaitStarted = Date.now();
            let counts = await readInvariants(db, redis, orderIds);
            const outOfIndexAtEnd = [...counts.missingFromGeo, ...counts.extraInGeo];
            while (
                (counts.missingFromGeo.length || counts.extraInGeo.length) &&
                Date.now() - indexWaitStarted < INDEX_REPAIR_MS
            ) {
                await new Promise(resolve => setTimeout(resolve, 1000));
                counts = await readInvariants(db, redis, orderIds);
            }
            const indexRepairMs = Date.now() - indexWaitStarted;
            if (outOfIndexAtEnd.length)
                log(
                    `drivers ${JSON.stringify(outOfIndexAtEnd)} out of line in the GEO set at the end; ` +
                        `in line ${indexRepairMs} ms later`,
                );
            const phases = await readPhases(db, orderIds);
            const fleetStats = fleet.stats();
            await fleet.stop({ offline: false });

            const result = {
                drivers: DRIVERS,
                servers: 2,
                workers: 4,
                readyCalls: ready.calls,
                readyRetried: ready.retried,
                readyInconsistent: ready.inconsistent,
                ...counts,
                fleet: { ...fleetStats, failovers: fleetStats.failovers.length },
                phases,
                faults,
                runMs,
                outOfIndexAtEnd,
                indexRepairMs,
                deliveriesPerSecond: Math.round((ORDERS / (runMs / 1000)) * 10) / 10,
                totalMs: Date.now() - started,
            };
            printReport(result, faults);
            if (process.env.FAULT_RESULT_FILE)
                writeFileSync(process.env.FAULT_RESULT_FILE, JSON.stringify(result, null, 2));

            expect(ready.inconsistent).toBe(0);
            expect(counts.ordersWithTwoAssignments).toBe(0);
            expect(counts.driversWithTwoOpenDeliveries).toBe(0);
            expect(counts.ordersLost).toBe(0);
            expect(counts.delivered).toBe(ORDERS);
            expect(counts.busyWithoutDelivery).toBe(0);
            expect(counts.missingFromGeo).toEqual([]);
            expect(counts.extraInGeo).toEqual([]);
            // Every driver is still on duty: one missing says how the database holds them.
            const inGeo = new Set(await redis.zrange(GEO_KEY, 0, -1));
            const { rows: outOfGeo } = await db.query<Record<string, unknown>>(
                `SELECT id, status, "lastSeenAt", now() AS "readAt" FROM driver
                  WHERE id::text <> ALL($1::text[]) AND (status <> 'OFFLINE' OR "lastSeenAt" > now() - interval '10 minutes')`,
                [[...inGeo]],
            );
            expect({ inGeo: inGeo.size, outOfGeo }).toEqual({ inGeo: DRIVERS, outOfGeo: [] });
            for (const fault of faults) {
                for (const [name, value] of Object.entries(fault.measures)) {
                    if (name.endsWith('Ms'))
                        expect({ fault: fault.fault, name, value }).toEqual({
                            fault: fault.fault,
                            name,
                            value: expect.any(Number),
                        });
                }
            }
        },
        60 * 60_000,
    );
});

/**
 * Sends `markOrderReadyForDispatch` 3 times per order over the admin API: two calls at once, a third
 * with the next batch; round robin over the servers, moving on when one does not answer. Keeps at
 * most {@link BACKLOG} orders waiting for a driver.
 */
class ReadySender {
    calls = 0;
    retried = 0;
    /** Orders whose calls did not all return the same assignment. */
    inconsistent = 0;
    private next = 0;
    private readonly assignmentOf = new Map<number, string>();

    constructor(
        private readonly ports: number[],
        private readonly token: string,
        private readonly db: Client,
    ) {}

    async sendAll(orderIds: number[]): Promise<void> {
        const batchSize = 20;
        let previous: number[] = [];
        for (let start = 0; start < orderIds.length; start += batchSize) {
            while ((await this.waiting()) > BACKLOG) await sleep(500);
            const batch = orderIds.slice(start, start + batchSize);
            await Promise.all([
                ...batch.flatMap(id => [this.markReady(id), this.markReady(id)]),
                ...previous.map(id => this.markReady(id)),
            ]);
            previous = batch;
        }
        await Promise.all(previous.map(id => this.markReady(id)));
    }

    private async waiting(): Promise<number> {
        const { rows } = await this.db.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM delivery_assignment WHERE status = 'PENDING'`,
        );
        return Number(rows[0].n);
    }

    private async markReady(orderId: number): Promise<void> {
        for (let attempt = 1; ; attempt++) {
            const port = this.ports[this.next++ % this.ports.length];
            try {
                this.calls++;
                const { data } = await graphql<{
                    markOrderReadyForDispatch: { __typename: string; id?: string; message?: string };
                }>(
                    port,
                    'admin-api',
                    `
                        mutation ($orderId: ID!) {
                            markOrderReadyForDispatch(orderId: $orderId) {
                                __typename
                                ... on DeliveryAssignment {
                                    id
                                }
                                ... on ErrorResult {
                                    message
                                }
                            }
                        }
                    `,
                    this.token,
                    { orderId: String(orderId) },
                );
                const result = data.markOrderReadyForDispatch;
                if (!result.id)
                    throw new Error(`order ${orderId} not ready: ${result.message ?? result.__typename}`);
                const known = this.assignmentOf.get(orderId);
                if (known === undefined) this.assignmentOf.set(orderId, result.id);
                else if (known !== result.id) this.inconsistent++;
                return;
            } catch (error) {
                // A server being killed, Redis restarting: the same call again, elsewhere.
                this.retried++;
                if (attempt >= 20) throw error;
                await sleep(500);
            }
        }
    }
}

/** Redis stopped for a few seconds and started again empty on the same port. */
async function restartRedis(cluster: FaultCluster, db: Client, redis: Redis): Promise<FaultRecord> {
    const waitingBefore = await pendingIds(db);
    const at = new Date();
    await cluster.stopRedis();
    log(`Redis stopped (${waitingBefore.length} deliveries waiting)`);
    await sleep(REDIS_DOWN_MS);
    const dispatchedWhileDown = await assignedSince(db, at);
    await cluster.restartRedis();
    const restarted = Date.now();
    log('Redis restarted empty on the same port');
    const geoRebuiltMs = await waitFor(
        'the GEO set rebuilt',
        async () => (await redis.zcard(GEO_KEY)) > 0,
        120_000,
    );
    const restartedAt = new Date(restarted);
    const dispatchResumedMs = await waitFor(
        'a delivery assigned after the restart',
        async () => (await assignedSince(db, restartedAt)) > 0,
        120_000,
    );
    // Their dispatch jobs were in the Redis that was lost: the sweep and freed drivers re-dispatch them.
    const waitingDispatchedMs = await waitFor(
        'the deliveries waiting at the restart dispatched',
        async () => (await stillPending(db, waitingBefore)) === 0,
        10 * 60_000,
    );
    return {
        fault: 'Redis restarted empty',
        at: at.toISOString(),
        measures: {
            downMs: restarted - at.getTime(),
            waitingAtFault: waitingBefore.length,
            assignedWhileDown: dispatchedWhileDown,
            geoRebuiltMs,
            dispatchResumedMs,
            waitingDispatchedMs,
        },
    };
}

/**
 * One worker SIGKILLed with jobs running: BullMQ finds them stalled (their lock expires) and another
 * worker runs them again.
 */
async function killWorker(cluster: FaultCluster, worker: ClusterProcess, redis: Redis): Promise<FaultRecord> {
    // Killed while jobs are running, so it holds some: the active list is shared by all workers.
    await waitFor('jobs running', async () => (await redis.llen(BULL_ACTIVE)) >= 3, 60_000).catch(() => 0);
    const activeAtKill = await redis.lrange(BULL_ACTIVE, 0, -1);
    const at = Date.now();
    await cluster.kill(worker);
    log(`${worker.name} SIGKILLed (${activeAtKill.length} jobs active in all workers)`);
    // The other workers finish theirs in moments; what is still active after that was the dead worker's.
    await sleep(3000);
    const active = new Set(await redis.lrange(BULL_ACTIVE, 0, -1));
    const stalled = activeAtKill.filter(id => active.has(id));
    const rerunMs = await waitFor(
        'the stalled jobs run again by other workers',
        async () => {
            const now = new Set(await redis.lrange(BULL_ACTIVE, 0, -1));
            const states = await Promise.all(
                stalled.map(id => redis.hmget(BULL_JOB(id), 'finishedOn', 'stc', 'name')),
            );
            // Left the active list and finished, or went back to waiting counted as stalled, or was
            // finished and already removed (BullMQ keeps the last 5000 completed jobs).
            return stalled.every(
                (id, i) =>
                    !now.has(id) &&
                    (states[i][0] !== null || Number(states[i][1]) > 0 || states[i][2] === null),
            );
        },
        5 * 60_000,
    ).then(ms => ms + 3000);
    const stalledCounted = (await Promise.all(stalled.map(id => redis.hget(BULL_JOB(id), 'stc')))).filter(
        value => Number(value) > 0,
    ).length;
    return {
        fault: `${worker.name} SIGKILLed`,
        at: new Date(at).toISOString(),
        measures: {
            jobsActiveAtKill: activeAtKill.length,
            jobsStalled: stalled.length,
            stalledCountedByBullMQ: stalledCounted,
            rerunMs,
        },
    };
}

/** A server SIGKILLed while drivers ping it: they move to the other server. */
async function killServer(
    cluster: FaultCluster,
    server: ClusterProcess,
    fleet: DriverFleet,
    survivor: ClusterProcess,
): Promise<FaultRecord> {
    const serverIndex = cluster.servers.indexOf(server);
    const onIt = fleet.stats().drivers;
    const driversOnServer = Array.from({ length: onIt }, (_v, i) => fleet.serverOf(i)).filter(
        s => s === serverIndex,
    ).length;
    const failoversBefore = fleet.stats().failovers.length;
    const at = Date.now();
    await cluster.kill(server);
    log(`${server.name} SIGKILLed (${driversOnServer} drivers on it); ${survivor.name} serves on`);
    const cutOff = () => fleet.stats().failovers.slice(failoversBefore);
    await waitFor(
        'every driver of the killed server answered by the other one',
        () =>
            Promise.resolve(
                cutOff().length >= driversOnServer &&
                    cutOff().every(failover => failover.recoveredAt !== undefined),
            ),
        5 * 60_000,
    );
    const recovered = cutOff().map(failover => (failover.recoveredAt ?? at) - at);
    return {
        fault: `${server.name} SIGKILLed`,
        at: new Date(at).toISOString(),
        measures: {
            driversOnServer,
            driversMoved: recovered.length,
            medianDriverRecoveryMs: recovered.sort((a, b) => a - b)[Math.floor(recovered.length / 2)] ?? null,
            lastDriverRecoveryMs: Math.max(0, ...recovered),
        },
    };
}

async function login(port: number): Promise<string> {
    const result = await graphql<{ login: { __typename: string } }>(
        port,
        'admin-api',
        'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
        undefined,
        { u: STAFF.username, p: STAFF.password },
    );
    if (!result.token) throw new Error(`${STAFF.username} could not log in`);
    return result.token;
}

async function countDelivered(db: Client, orderIds: number[]): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM delivery_assignment WHERE status = 'DELIVERED' AND "orderId" = ANY($1)`,
        [orderIds],
    );
    return Number(rows[0].n);
}

async function pendingIds(db: Client): Promise<number[]> {
    const { rows } = await db.query<{ id: number }>(
        `SELECT id FROM delivery_assignment WHERE status = 'PENDING'`,
    );
    return rows.map(row => row.id);
}

async function stillPending(db: Client, ids: number[]): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM delivery_assignment WHERE status = 'PENDING' AND id = ANY($1)`,
        [ids],
    );
    return Number(rows[0].n);
}

/** Moves to ASSIGNED recorded since `since` (the database and this process share the machine's clock). */
async function assignedSince(db: Client, since: Date): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM delivery_event WHERE "toStatus" = 'ASSIGNED' AND "createdAt" >= $1`,
        [since],
    );
    return Number(rows[0].n);
}

function printReport(
    result: Record<string, unknown> & { faults: FaultRecord[] },
    faults: FaultRecord[],
): void {
    const rows: Array<[string, string]> = [
        ['orders', String(result.orders)],
        ['drivers / servers / workers', `${String(result.drivers)} / 2 / 4`],
        ['"ready" calls (retried)', `${String(result.readyCalls)} (${String(result.readyRetried)})`],
        ['orders with two assignments', String(result.ordersWithTwoAssignments)],
        ['drivers with two open deliveries', String(result.driversWithTwoOpenDeliveries)],
        ['orders lost (not DELIVERED)', String(result.ordersLost)],
        ['drivers BUSY without a delivery', String(result.busyWithoutDelivery)],
        [
            'GEO set: missing / extra drivers',
            `${JSON.stringify(result.missingFromGeo)} / ${JSON.stringify(result.extraInGeo)}`,
        ],
        [
            'GEO set out of line at the end; in line after (ms)',
            `${JSON.stringify(result.outOfIndexAtEnd)}; ${String(result.indexRepairMs)}`,
        ],
        ['dispatch run (ms), deliveries/s', `${String(result.runMs)}, ${String(result.deliveriesPerSecond)}`],
        ['whole suite (ms)', String(result.totalMs)],
        [
            'phases p50/p90 (ms)',
            Object.entries(result.phases as Record<string, { p50: number | null; p90: number | null }>)
                .map(([name, p]) => `${name}=${String(p.p50)}/${String(p.p90)}`)
                .join(' '),
        ],
        [
            'fleet requests, mean ms',
            `${String((result.fleet as { requests: number }).requests)}, ${String((result.fleet as { meanRequestMs: number }).meanRequestMs)}`,
        ],
    ];
    for (const fault of faults) {
        rows.push([
            fault.fault,
            Object.entries(fault.measures)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' '),
        ]);
    }
    const width = Math.max(...rows.map(([name]) => name.length));
    log(`results\n${rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n')}`);
    log(`FAULT_SUITE_RESULT ${JSON.stringify(result)}`);
}

function near(point: { latitude: number; longitude: number }) {
    const shift = () => (Math.random() * 2 - 1) * 0.02;
    return { latitude: point.latitude + shift(), longitude: point.longitude + shift() };
}

function positive(name: string, fallback: number): number {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
    return value;
}

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}
