/**
 * `npm run simulate`: a city that drives a running server through its public APIs only (issue 13).
 * Drivers log in (or use sessions from `npm run drivers:seed`), go on and off duty in shifts, ping
 * and drive; customers check out near the demo's stores; staff mark orders ready after their
 * preparation time; drivers pick up and deliver with the customer's code, some decline, some fail.
 * A progress line on stderr; at the end a summary, and with --json one JSON line on stdout.
 */
import { promises as fs } from 'node:fs';

import { describeError } from '../../plugins/shared/errors';
import { loadDemoCity } from '../demo/demo-data';
import { ApiCounters, ApiSession, RequestLimiter } from './city-api';
import { checkout, deliveryCode, markReady, PlacedOrder } from './city-orders';
import { CityPlan, planCity, PlannedOrder } from './city-plan';
import { DriverWorld, SimulatedDriver } from './simulated-driver';
import {
    defaultSessionsFile,
    SeededSession,
    SIM_DRIVER_PASSWORD,
    simDriverEmail,
    simDriverName,
} from './simulated-drivers';
import { parseSimulationOptions, SimulationOptions, UsageError } from './simulation-options';
import { AssignmentRecord, countDoubleAssignments, SimulationSummary, summarise } from './summary';

/** Drivers the simulator creates itself through createDriver (one password hash each); more: drivers:seed. */
const MAX_CREATED_BY_API = 50;
const TICK_MS = 1000;
const LOOP_MS = 250;
const PROGRESS_MS = 2000;
const DOUBLES_SAMPLE_MS = 5000;
/** Checkouts under way at once; orders due meanwhile wait (and are reported as a lag). */
const MAX_CHECKOUTS = 8;
const LOGIN_CONCURRENCY = 4;
const PAGE = 100;

interface Delivery {
    planned: PlannedOrder;
    customer: ApiSession;
    order?: PlacedOrder;
    assignmentId?: string;
    /** City ms at which staff mark it ready. */
    readyAtMs?: number;
}

class Simulation implements DriverWorld {
    readonly counters: ApiCounters = { requests: 0, failures: 0 };
    readonly limiter: RequestLimiter;
    /** Wall-clock start of city time: reset once the drivers are ready. */
    private startedAt = Date.now();
    private readonly deliveries: Delivery[] = [];
    private readonly byAssignment = new Map<string, Delivery>();
    private readonly declined = new Set<string>();
    private readonly drivers: SimulatedDriver[] = [];
    private staff!: ApiSession;
    private errors = 0;
    private readonly lastErrors: string[] = [];
    private doubles = 0;
    private checkoutsRunning = 0;
    private stopping = false;

    constructor(
        private readonly options: SimulationOptions,
        private readonly plan: CityPlan,
        private readonly log: (line: string) => void,
    ) {
        this.limiter = new RequestLimiter(options.concurrency);
    }

    get speedKmh() {
        return this.options.speedKmh;
    }
    get pingMs() {
        return this.options.pingSeconds * 1000;
    }
    get pollMs() {
        return this.options.pollSeconds * 1000;
    }

    cityNow(): number {
        return (Date.now() - this.startedAt) * this.options.speedup;
    }

    plannedFor(assignmentId: string) {
        return this.byAssignment.get(assignmentId)?.planned;
    }

    takeDecline(assignmentId: string): boolean {
        if (this.declined.has(assignmentId)) return false;
        this.declined.add(assignmentId);
        return true;
    }

    async codeFor(assignmentId: string): Promise<string | undefined> {
        const delivery = this.byAssignment.get(assignmentId);
        return delivery?.order ? deliveryCode(delivery.customer, delivery.order) : undefined;
    }

    error(what: string, error: unknown): void {
        this.errors++;
        this.lastErrors.push(`${what}: ${describeError(error)}`.slice(0, 300));
        if (this.lastErrors.length > 5) this.lastErrors.shift();
    }

    admin(token?: string): ApiSession {
        return new ApiSession(`${this.options.url}/admin-api`, this.limiter, this.counters, token);
    }

    shop(): ApiSession {
        return new ApiSession(`${this.options.url}/shop-api`, this.limiter, this.counters);
    }

    async run(): Promise<SimulationSummary> {
        this.staff = this.admin();
        await login(this.staff, this.options.adminUsername, this.options.adminPassword);
        await this.bringDrivers();
        this.startedAt = Date.now();
        this.log(
            `${this.drivers.length} drivers ready; ${this.plan.orders.length} orders planned over ` +
                `${(this.options.minutes * this.options.speedup).toFixed(0)} city minutes ` +
                `(capacity ~${this.plan.capacityPerMinute.toFixed(2)}/min)`,
        );
        const endsAt = Date.now() + this.options.minutes * 60_000;
        const driverLoops = this.drivers.map((driver, index) => this.driverLoop(driver, index, endsAt));
        const tasks = new Set<Promise<void>>();
        const track = (task: Promise<void>) => {
            tasks.add(task);
            void task.finally(() => tasks.delete(task));
        };
        let nextOrder = 0;
        let lastProgress = 0;
        let lastDoubles = Date.now();
        const onSignal = () => {
            this.stopping = true;
        };
        process.once('SIGINT', onSignal);
        while (Date.now() < endsAt && !this.stopping) {
            const now = this.cityNow();
            while (
                nextOrder < this.plan.orders.length &&
                this.plan.orders[nextOrder].atMs <= now &&
                this.checkoutsRunning < MAX_CHECKOUTS
            ) {
                track(this.placeOrder(this.plan.orders[nextOrder], nextOrder + 1));
                nextOrder++;
            }
            for (const delivery of this.deliveries) {
                if (
                    delivery.order &&
                    !delivery.assignmentId &&
                    delivery.readyAtMs !== undefined &&
                    delivery.readyAtMs <= now
                ) {
                    delivery.readyAtMs = undefined;
                    track(this.markReady(delivery));
                }
            }
            if (Date.now() - lastDoubles >= DOUBLES_SAMPLE_MS) {
                lastDoubles = Date.now();
                track(this.sampleDoubles());
            }
            if (Date.now() - lastProgress >= PROGRESS_MS) {
                lastProgress = Date.now();
                this.progress(nextOrder);
            }
            await sleep(LOOP_MS);
        }
        process.removeListener('SIGINT', onSignal);
        this.stopping = true;
        await Promise.all(driverLoops);
        await Promise.all([...tasks]);
        for (const driver of this.drivers) driver.closeClocks();
        await this.sampleDoubles();
        const summary = await this.summary((Date.now() - this.startedAt) / 1000);
        this.progress(nextOrder, true);
        // Nobody keeps a delivery the simulation will not finish, and nobody stays on duty.
        await Promise.all(this.drivers.map(driver => driver.finish()));
        return summary;
    }

    private async placeOrder(planned: PlannedOrder, number: number): Promise<void> {
        this.checkoutsRunning++;
        const delivery: Delivery = { planned, customer: this.shop() };
        try {
            delivery.order = await checkout(
                delivery.customer,
                this.staff,
                planned,
                number,
                `s${this.options.seed}-${this.startedAt}`,
            );
            delivery.readyAtMs = this.cityNow() + planned.prepMs;
            this.deliveries.push(delivery);
        } catch (error) {
            this.error(`checkout ${number}`, error);
        } finally {
            this.checkoutsRunning--;
        }
    }

    private async markReady(delivery: Delivery): Promise<void> {
        if (!delivery.order) return;
        try {
            const id = await markReady(this.staff, delivery.order);
            delivery.assignmentId = id;
            this.byAssignment.set(id, delivery);
        } catch (error) {
            this.error(`markOrderReadyForDispatch ${delivery.order.deliveryOrderCode}`, error);
        }
    }

    private async driverLoop(driver: SimulatedDriver, index: number, endsAt: number): Promise<void> {
        // Spread the drivers over the tick, so their requests do not arrive together.
        await sleep((index * TICK_MS) / this.drivers.length);
        while (!this.stopping && Date.now() < endsAt) {
            const started = Date.now();
            await driver.tick();
            await sleep(Math.max(0, TICK_MS - (Date.now() - started)));
        }
    }

    /** The invariant from the server's own view: open deliveries per order and per driver. */
    private async sampleDoubles(): Promise<void> {
        try {
            const open = await this.allAssignments('{ status: { in: ["ASSIGNED", "PICKED_UP"] } }');
            this.doubles = Math.max(this.doubles, countDoubleAssignments(open));
        } catch (error) {
            this.error('deliveryAssignments (open)', error);
        }
    }

    private async allAssignments(filter: string, ids?: string[]): Promise<AssignmentRecord[]> {
        const rows: AssignmentRecord[] = [];
        const fields =
            'id status createdAt deliveredAt pickupDistanceKm order { id } driver { id } events { createdAt toStatus }';
        if (ids) {
            for (let start = 0; start < ids.length; start += PAGE) {
                const { deliveryAssignments } = await this.staff.request<{
                    deliveryAssignments: { items: AssignmentRecord[] };
                }>(
                    `query ($ids: [String!]!) { deliveryAssignments(options: { take: ${PAGE}, filter: { id: { in: $ids } } }) { items { ${fields} } } }`,
                    { ids: ids.slice(start, start + PAGE) },
                );
                rows.push(...deliveryAssignments.items);
            }
            return rows;
        }
        for (let skip = 0; ; skip += PAGE) {
            const { deliveryAssignments } = await this.staff.request<{
                deliveryAssignments: { items: AssignmentRecord[]; totalItems: number };
            }>(
                `{ deliveryAssignments(options: { take: ${PAGE}, skip: ${skip}, filter: ${filter} }) { totalItems items { ${fields} } } }`,
            );
            rows.push(...deliveryAssignments.items);
            if (skip + PAGE >= deliveryAssignments.totalItems) return rows;
        }
    }

    private async summary(wallSeconds: number): Promise<SimulationSummary> {
        const ids = [...this.byAssignment.keys()];
        let rows: AssignmentRecord[] = [];
        try {
            rows = await this.allAssignments('', ids);
        } catch (error) {
            this.error('deliveryAssignments (summary)', error);
        }
        return summarise(rows, {
            orders: this.deliveries.length,
            ready: this.byAssignment.size,
            doubleAssignments: this.doubles,
            errors: this.errors,
            onDutyMs: this.drivers.reduce((sum, driver) => sum + driver.onDutyMs, 0),
            busyMs: this.drivers.reduce((sum, driver) => sum + driver.busyMs, 0),
            speedup: this.options.speedup,
            wallSeconds,
        });
    }

    private progress(nextOrder: number, final = false): void {
        const seconds = (Date.now() - this.startedAt) / 1000;
        const onDuty = this.drivers.filter(driver => driver.onDuty).length;
        const busy = this.drivers.filter(driver => driver.busy).length;
        const delivered = this.drivers.reduce((sum, driver) => sum + driver.deliveries, 0);
        const lag = nextOrder - this.deliveries.length - this.checkoutsRunning;
        const line =
            `${seconds.toFixed(0)}s (city ${(this.cityNow() / 60_000).toFixed(1)} min) | ` +
            `orders ${this.deliveries.length}${this.checkoutsRunning ? ` (+${this.checkoutsRunning} checking out)` : ''} ` +
            `ready ${this.byAssignment.size} delivered ${delivered} | drivers on duty ${onDuty} busy ${busy} | ` +
            `requests ${this.counters.requests} queued ${this.limiter.queued} errors ${this.errors}` +
            (lag > 0 ? ` | failed checkouts ${lag}` : '');
        if (process.stderr.isTTY && !final) process.stderr.write(`\r${line.padEnd(140)}`);
        else process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${line}\n`);
        if (final && this.lastErrors.length) {
            process.stderr.write(`last errors:\n  ${this.lastErrors.join('\n  ')}\n`);
        }
    }

    /** The simulation's drivers, logged in: seeded sessions first, else a password login; created if missing. */
    private async bringDrivers(): Promise<void> {
        const sessions = await readSessions(this.options.sessionsFile);
        const missing = await this.missingDrivers();
        if (missing.length > MAX_CREATED_BY_API) {
            throw new UsageError(
                `${missing.length} of the ${this.options.drivers} simulated drivers do not exist: ` +
                    `run npm run drivers:seed -- --count ${this.options.drivers} first`,
            );
        }
        for (const index of missing) {
            await this.staff.request(
                'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { id } }',
                {
                    input: {
                        name: simDriverName(index),
                        emailAddress: simDriverEmail(index),
                        password: SIM_DRIVER_PASSWORD,
                    },
                },
            );
        }
        const queue = Array.from({ length: this.options.drivers }, (_, index) => index);
        const ready = new Array<SimulatedDriver | undefined>(this.options.drivers);
        const worker = async () => {
            for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
                const emailAddress = simDriverEmail(index);
                const session = this.admin(sessions.get(emailAddress));
                if (!session.token || !(await isDriverSession(session))) {
                    session.token = undefined;
                    await login(session, emailAddress, SIM_DRIVER_PASSWORD);
                }
                const driver = new SimulatedDriver(emailAddress, session, this.plan.drivers[index], this);
                await driver.start();
                ready[index] = driver;
            }
        };
        await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, worker));
        this.drivers.push(...ready.filter((driver): driver is SimulatedDriver => !!driver));
    }

    private async missingDrivers(): Promise<number[]> {
        const existing = new Set<string>();
        for (let skip = 0; ; skip += PAGE) {
            const { drivers } = await this.staff.request<{
                drivers: { items: Array<{ emailAddress: string }>; totalItems: number };
            }>(
                `{ drivers(options: { take: ${PAGE}, skip: ${skip}, filter: { emailAddress: { contains: "@simulation.example" } } }) { totalItems items { emailAddress } } }`,
            );
            for (const driver of drivers.items) existing.add(driver.emailAddress);
            if (skip + PAGE >= drivers.totalItems) break;
        }
        return Array.from({ length: this.options.drivers }, (_, index) => index).filter(
            index => !existing.has(simDriverEmail(index)),
        );
    }
}

async function login(session: ApiSession, username: string, password: string): Promise<void> {
    const { login: result } = await session.request<{ login: { __typename: string; message?: string } }>(
        'mutation ($username: String!, $password: String!) { login(username: $username, password: $password) { __typename ... on ErrorResult { message } } }',
        { username, password },
    );
    if (result.__typename !== 'CurrentUser' || !session.token) {
        throw new UsageError(`${username} could not log in: ${result.message ?? result.__typename}`);
    }
}

async function isDriverSession(session: ApiSession): Promise<boolean> {
    try {
        const { activeDriver } = await session.request<{ activeDriver: { id: string } | null }>(
            '{ activeDriver { id } }',
        );
        return !!activeDriver;
    } catch {
        return false;
    }
}

async function readSessions(file: string | undefined): Promise<Map<string, string>> {
    const path = file ?? defaultSessionsFile();
    try {
        const sessions = JSON.parse(await fs.readFile(path, 'utf8')) as SeededSession[];
        return new Map(sessions.map(session => [session.emailAddress, session.token]));
    } catch (error) {
        if (file) throw new UsageError(`Cannot read the sessions in ${file}: ${describeError(error)}`);
        return new Map();
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

/** A summary figure, or "none" when the run had no sample of it. */
function figure(value: number | null, unit = ''): string {
    return value === null ? 'none' : `${value}${unit}`;
}

function printSummary(summary: SimulationSummary, write: (line: string) => void): void {
    write(
        [
            `Simulation summary (${summary.wallSeconds} s wall, speedup ${summary.speedup}):`,
            `  orders ${summary.orders}, ready ${summary.ready}, assigned ${summary.assigned}, delivered ${summary.delivered}, ` +
                `waiting ${summary.waiting}, on the way ${summary.onTheWay}, failed ${summary.failed}`,
            `  double assignments ${summary.doubleAssignments}, errors ${summary.errors}`,
            `  ready -> ASSIGNED (server time): p50 ${figure(summary.assignLatencyMs.p50, ' ms')}, ` +
                `p95 ${figure(summary.assignLatencyMs.p95, ' ms')}, p99 ${figure(summary.assignLatencyMs.p99, ' ms')}`,
            `  pickup distance: mean ${figure(summary.pickupKm.mean, ' km')}, p95 ${figure(summary.pickupKm.p95, ' km')}`,
            `  ready -> delivered (city minutes): p50 ${figure(summary.deliveryMinutes.p50)}, ` +
                `p95 ${figure(summary.deliveryMinutes.p95)}` +
                (summary.delivered === 0 && summary.onTheWay > 0
                    ? ` (${summary.onTheWay} still on the way when the run ended: a longer --minutes or --speedup lets them arrive)`
                    : ''),
            `  driver utilisation ${(summary.driverUtilisation * 100).toFixed(1)}%`,
        ].join('\n'),
    );
}

async function main(): Promise<number> {
    const options = parseSimulationOptions(process.argv.slice(2));
    const city = loadDemoCity();
    const plan = planCity({
        ...options,
        cityMinutes: options.minutes * options.speedup,
        center: city.center,
        stores: city.sellers.flatMap(seller => seller.stores),
    });
    const log = (line: string) => process.stderr.write(`${line}\n`);
    log(
        `Simulating against ${options.url} (seed ${options.seed}, ${options.drivers} drivers, speedup ${options.speedup})`,
    );
    const summary = await new Simulation(options, plan, log).run();
    printSummary(summary, options.json ? log : line => process.stdout.write(`${line}\n`));
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.doubleAssignments > 0 ? 2 : 0;
}

main().then(
    code => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`${error instanceof UsageError ? error.message : describeError(error)}\n`);
        process.exit(1);
    },
);
