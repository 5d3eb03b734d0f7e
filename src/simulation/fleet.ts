/**
 * A fleet of drivers that works through the public admin API only, as the driver app does: log in
 * (bearer token), ping `updateDriverLocation`, go on duty with `setDriverStatus(AVAILABLE)`, poll
 * `activeDriverAssignment`, drive to the pickup store, `confirmPickup`, drive to the drop-off,
 * `confirmDelivery` with the customer's code. Several server URLs may be given: a driver whose
 * server stops answering moves to the next one (as behind a load balancer) and the fleet records
 * how long it was cut off.
 *
 * It is the one test fleet of the project: the fault suite runs it, and a load simulator extends
 * it. The demo fleet (driver-dispatch's DemoFleetService) is something else: it runs inside the
 * server for the demo drivers and never goes through the API.
 */
import { describeError } from '../../plugins/shared/errors';
import { distanceKm, LatLng } from '../../plugins/shared/geo';

/** A driver login the fleet drives, and where that driver starts. */
export interface FleetDriver {
    emailAddress: string;
    password: string;
    start: LatLng;
}

export interface FleetOptions {
    /** Admin API URLs (`http://host:port/admin-api`); driver i starts on URL i modulo their number. */
    adminApiUrls: string[];
    drivers: FleetDriver[];
    /** The code the customer reads out at the door (the customer's `deliveryTracking` in a real run). */
    codeFor(assignmentId: string): Promise<string>;
    /** How often each driver acts. @default 1000 */
    tickMs?: number;
    /** Travel speed; fast in tests so that a leg takes a tick or two. @default 30 */
    speedKmh?: number;
    /** How often an idle driver asks for an assignment. @default 2000 */
    idlePollMs?: number;
    /** An idle driver pings at least this often (the heartbeat; the server forgets a driver after 45 s). @default 10000 */
    heartbeatMs?: number;
    /** A request that takes longer fails (and is retried on a later tick). @default 30000 */
    requestTimeoutMs?: number;
    /** Logins at once while starting (each costs the server a password hash). @default 4 */
    loginConcurrency?: number;
    log?: (message: string) => void;
}

/** A driver cut off from their server: when their requests began to fail and when they were answered again. */
export interface FleetFailover {
    driver: string;
    from: string;
    to: string;
    failedAt: number;
    recoveredAt?: number;
}

export interface FleetStats {
    drivers: number;
    pings: number;
    pickups: number;
    deliveries: number;
    /** Requests that failed (network or GraphQL errors); each is retried on a later tick. */
    requestErrors: number;
    /** Requests sent, and how long the servers took to answer them on average (ms). */
    requests: number;
    meanRequestMs: number;
    failovers: FleetFailover[];
}

interface ActiveAssignment {
    assignmentId: string;
    status: 'ASSIGNED' | 'PICKED_UP';
    pickupLatitude: number | null;
    pickupLongitude: number | null;
    dropoffLatitude: number;
    dropoffLongitude: number;
}

interface DriverState {
    login: FleetDriver;
    serverIndex: number;
    token?: string;
    position: LatLng;
    assignment?: ActiveAssignment;
    lastPingAt: number;
    lastPollAt: number;
    /** The open failover of this driver, if their server does not answer. */
    cutOff?: FleetFailover;
}

/** The server did not answer (connection refused, reset or timed out): try another one. */
class ServerUnreachableError extends Error {}

const ACTIVE_ASSIGNMENT = `{ activeDriverAssignment { assignmentId status pickupLatitude pickupLongitude
    dropoffLatitude dropoffLongitude } }`;
const ACTION_RESULT = '__typename ... on DeliveryAssignment { status } ... on ErrorResult { message }';

export class DriverFleet {
    private readonly states: DriverState[];
    private readonly tickMs: number;
    private readonly speedKmh: number;
    private readonly idlePollMs: number;
    private readonly heartbeatMs: number;
    private readonly requestTimeoutMs: number;
    private readonly counters = { pings: 0, pickups: 0, deliveries: 0, requestErrors: 0, requests: 0 };
    private requestMsTotal = 0;
    private readonly failovers: FleetFailover[] = [];
    private loops: Array<Promise<void>> = [];
    private running = false;

    constructor(private readonly options: FleetOptions) {
        if (!options.adminApiUrls.length) throw new Error('The fleet needs at least one admin API URL');
        this.tickMs = options.tickMs ?? 1000;
        this.speedKmh = options.speedKmh ?? 30;
        this.idlePollMs = options.idlePollMs ?? 2000;
        this.heartbeatMs = options.heartbeatMs ?? 10_000;
        this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
        this.states = options.drivers.map((login, index) => ({
            login,
            serverIndex: index % options.adminApiUrls.length,
            position: { ...login.start },
            lastPingAt: 0,
            lastPollAt: 0,
        }));
    }

    /** Logs every driver in, pings their start position, puts them on duty and starts their loops. */
    async start(): Promise<void> {
        const queue = [...this.states];
        const worker = async () => {
            for (let state = queue.shift(); state; state = queue.shift()) {
                await this.retrying(state, () => this.goOnDuty(state));
            }
        };
        await Promise.all(Array.from({ length: this.options.loginConcurrency ?? 4 }, worker));
        this.running = true;
        this.loops = this.states.map((state, index) => this.loop(state, index));
    }

    /** Stops the loops (a step under way finishes); with `offline`, every driver goes OFFLINE. */
    async stop(options: { offline?: boolean } = {}): Promise<void> {
        this.running = false;
        await Promise.all(this.loops);
        this.loops = [];
        if (options.offline) {
            await Promise.all(
                this.states.map(state =>
                    this.request(state, 'mutation { setDriverStatus(status: OFFLINE) { __typename } }').catch(
                        () => undefined,
                    ),
                ),
            );
        }
    }

    stats(): FleetStats {
        return {
            drivers: this.states.length,
            ...this.counters,
            meanRequestMs: this.counters.requests
                ? Math.round(this.requestMsTotal / this.counters.requests)
                : 0,
            failovers: [...this.failovers],
        };
    }

    /** The server each driver is on now (an index into `adminApiUrls`). */
    serverOf(driverIndex: number): number {
        return this.states[driverIndex].serverIndex;
    }

    private async goOnDuty(state: DriverState): Promise<void> {
        await this.login(state);
        await this.ping(state);
        const { setDriverStatus } = await this.request<{ setDriverStatus: { __typename: string } }>(
            state,
            'mutation { setDriverStatus(status: AVAILABLE) { __typename } }',
        );
        if (setDriverStatus.__typename !== 'Driver') {
            throw new Error(
                `${state.login.emailAddress} could not go on duty: ${setDriverStatus.__typename}`,
            );
        }
    }

    private async loop(state: DriverState, index: number): Promise<void> {
        // Spread the drivers over the tick, so their requests do not arrive together.
        await sleep((index * this.tickMs) / Math.max(1, this.states.length));
        while (this.running) {
            const started = Date.now();
            try {
                await this.step(state);
            } catch (error) {
                this.counters.requestErrors++;
                if (error instanceof ServerUnreachableError) this.failOver(state, error);
                else if (/not currently authorized|session/i.test(describeError(error)))
                    state.token = undefined;
                // The driver's view may be stale after a failed step: ask again on the next tick.
                state.assignment = undefined;
                state.lastPollAt = 0;
            }
            await sleep(Math.max(0, this.tickMs - (Date.now() - started)));
        }
    }

    /** One tick of one driver. */
    private async step(state: DriverState): Promise<void> {
        if (!state.token) await this.login(state);
        const now = Date.now();
        if (!state.assignment) {
            if (now - state.lastPollAt >= this.idlePollMs) {
                state.lastPollAt = now;
                state.assignment = await this.activeAssignment(state);
            }
            if (!state.assignment) {
                if (now - state.lastPingAt >= this.heartbeatMs) await this.ping(state);
                return;
            }
        }
        const assignment = state.assignment;
        const target =
            assignment.status === 'ASSIGNED'
                ? assignment.pickupLatitude != null && assignment.pickupLongitude != null
                    ? { latitude: assignment.pickupLatitude, longitude: assignment.pickupLongitude }
                    : state.position
                : { latitude: assignment.dropoffLatitude, longitude: assignment.dropoffLongitude };
        const arrived = this.moveTowards(state, target);
        await this.ping(state);
        if (!arrived) return;
        if (assignment.status === 'ASSIGNED') {
            const { confirmPickup } = await this.request<{
                confirmPickup: { status?: string; message?: string };
            }>(state, `mutation ($id: ID!) { confirmPickup(assignmentId: $id) { ${ACTION_RESULT} } }`, {
                id: assignment.assignmentId,
            });
            if (confirmPickup.status !== 'PICKED_UP') return this.resync(state);
            this.counters.pickups++;
            assignment.status = 'PICKED_UP';
            return;
        }
        const code = await this.options.codeFor(assignment.assignmentId);
        const { confirmDelivery } = await this.request<{
            confirmDelivery: { status?: string; message?: string };
        }>(
            state,
            `mutation ($id: ID!, $code: String) { confirmDelivery(assignmentId: $id, code: $code) { ${ACTION_RESULT} } }`,
            { id: assignment.assignmentId, code },
        );
        if (confirmDelivery.status !== 'DELIVERED') return this.resync(state);
        this.counters.deliveries++;
        state.assignment = undefined;
        // Free again: the next delivery is usually assigned at once, so ask for it right away.
        state.lastPollAt = 0;
    }

    /** After a refused step (a repeat after failover, a delivery taken off the driver): ask the server. */
    private async resync(state: DriverState): Promise<void> {
        state.assignment = await this.activeAssignment(state);
        state.lastPollAt = Date.now();
    }

    private async activeAssignment(state: DriverState): Promise<ActiveAssignment | undefined> {
        const { activeDriverAssignment } = await this.request<{
            activeDriverAssignment: ActiveAssignment | null;
        }>(state, ACTIVE_ASSIGNMENT);
        return activeDriverAssignment ?? undefined;
    }

    /** Moves one tick towards the target; true once there. */
    private moveTowards(state: DriverState, target: LatLng): boolean {
        const remainingKm = distanceKm(state.position, target);
        const stepKm = (this.speedKmh * this.tickMs) / 3_600_000;
        if (remainingKm <= stepKm) {
            state.position = { ...target };
            return true;
        }
        const share = stepKm / remainingKm;
        state.position = {
            latitude: state.position.latitude + (target.latitude - state.position.latitude) * share,
            longitude: state.position.longitude + (target.longitude - state.position.longitude) * share,
        };
        return false;
    }

    private async ping(state: DriverState): Promise<void> {
        await this.request(
            state,
            'mutation ($latitude: Float!, $longitude: Float!) { updateDriverLocation(latitude: $latitude, longitude: $longitude) { id } }',
            { ...state.position },
        );
        state.lastPingAt = Date.now();
        this.counters.pings++;
    }

    private async login(state: DriverState): Promise<void> {
        const { login } = await this.request<{ login: { __typename: string } }>(
            state,
            'mutation ($username: String!, $password: String!) { login(username: $username, password: $password) { __typename } }',
            { username: state.login.emailAddress, password: state.login.password },
            { anonymous: true },
        );
        if (login.__typename !== 'CurrentUser' || !state.token) {
            throw new Error(`${state.login.emailAddress} could not log in: ${login.__typename}`);
        }
    }

    /** Retries a start step until it works, moving servers when one does not answer. */
    private async retrying(state: DriverState, action: () => Promise<void>): Promise<void> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await action();
            } catch (error) {
                this.counters.requestErrors++;
                if (attempt >= 5) throw error;
                if (error instanceof ServerUnreachableError) this.failOver(state, error);
                await sleep(this.tickMs);
            }
        }
    }

    private failOver(state: DriverState, error: ServerUnreachableError): void {
        const urls = this.options.adminApiUrls;
        if (urls.length < 2) return;
        const from = state.serverIndex;
        state.serverIndex = (from + 1) % urls.length;
        if (state.cutOff) {
            // The next server did not answer either: keep going round, one cut-off.
            state.cutOff.to = urls[state.serverIndex];
            return;
        }
        state.cutOff = {
            driver: state.login.emailAddress,
            from: urls[from],
            to: urls[state.serverIndex],
            failedAt: Date.now(),
        };
        this.failovers.push(state.cutOff);
        this.options.log?.(
            `${state.login.emailAddress}: ${error.message}; moving to ${urls[state.serverIndex]}`,
        );
    }

    /** A GraphQL request as the driver; a network failure or timeout throws {@link ServerUnreachableError}. */
    private async request<T>(
        state: DriverState,
        query: string,
        variables?: Record<string, unknown>,
        options: { anonymous?: boolean } = {},
    ): Promise<T> {
        const url = this.options.adminApiUrls[state.serverIndex];
        let response: Response;
        const sentAt = Date.now();
        this.counters.requests++;
        try {
            response = await fetch(url, {
                method: 'POST',
                headers: {
                    'content-type': 'application/json',
                    ...(state.token && !options.anonymous ? { authorization: `Bearer ${state.token}` } : {}),
                },
                body: JSON.stringify({ query, variables }),
                signal: AbortSignal.timeout(this.requestTimeoutMs),
            });
        } catch (error) {
            // A slow answer is not a dead server (a loaded machine hashing passwords): retried
            // later on the same one. A refused or broken connection is: the driver moves on.
            if (error instanceof Error && error.name === 'TimeoutError') throw error;
            throw new ServerUnreachableError(`${url}: ${describeError(error)}`);
        }
        const token = response.headers.get('vendure-auth-token');
        if (token) state.token = token;
        // Answered: a driver who was cut off is back.
        if (state.cutOff) {
            state.cutOff.recoveredAt = Date.now();
            state.cutOff = undefined;
        }
        const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
        this.requestMsTotal += Date.now() - sentAt;
        if (body.errors?.length || !body.data) {
            throw new Error(body.errors?.map(error => error.message).join('; ') ?? `HTTP ${response.status}`);
        }
        return body.data;
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}
