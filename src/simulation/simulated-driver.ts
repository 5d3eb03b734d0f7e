import { LatLng } from '../../plugins/shared/geo';
import { ApiSession, UnionResult } from './city-api';
import { DWELL_MINUTES, onDutyAt, PlannedDriver } from './city-plan';
import { Leg, positionOnLeg } from './route';

/** What a driver knows of the city around them; the simulator provides it. */
export interface DriverWorld {
    /** City ms since the start of the run. */
    cityNow(): number;
    speedKmh: number;
    pingMs: number;
    pollMs: number;
    /** How the planned delivery goes: undefined for a delivery this run did not create. */
    plannedFor(assignmentId: string): { declined: boolean; fails: boolean } | undefined;
    /** Whether this delivery was declined once already (only the first driver declines). */
    takeDecline(assignmentId: string): boolean;
    codeFor(assignmentId: string): Promise<string | undefined>;
    /** A step the server refused or failed unexpectedly. */
    error(what: string, error: unknown): void;
}

interface OpenDelivery {
    assignmentId: string;
    status: 'ASSIGNED' | 'PICKED_UP';
    pickup: LatLng | undefined;
    dropoff: LatLng;
}

const ACTIVE = `{ activeDriverAssignment { assignmentId status pickupLatitude pickupLongitude
    dropoffLatitude dropoffLongitude } }`;
const ACTION = '__typename ... on DeliveryAssignment { status } ... on ErrorResult { message }';

/**
 * One simulated driver on the driver API, as the driver app uses it: goes on and off duty per
 * their shifts, pings, asks for work while idle, drives straight lines at the city's speed,
 * confirms pickup and delivery (with the customer's code), declines or fails as planned.
 */
export class SimulatedDriver {
    position: LatLng;
    onDuty = false;
    delivery: OpenDelivery | undefined;
    /** Wall-clock ms on duty and on a delivery, for the utilisation. */
    onDutyMs = 0;
    busyMs = 0;
    deliveries = 0;
    private leg: Leg | undefined;
    private arrivedAt: number | undefined;
    private lastPingAt = 0;
    private lastPollAt = 0;
    private dutySince: number | undefined;
    private busySince: number | undefined;

    constructor(
        readonly emailAddress: string,
        readonly session: ApiSession,
        private readonly plan: PlannedDriver,
        private readonly world: DriverWorld,
    ) {
        this.position = { ...plan.start };
    }

    get busy(): boolean {
        return this.delivery !== undefined;
    }

    /** First contact: where the driver is, and whatever the server already has them on. */
    async start(): Promise<void> {
        await this.ping();
        this.delivery = await this.activeDelivery();
        if (this.delivery) this.beginDelivery(this.delivery);
    }

    /** One tick; errors are counted and the driver asks the server again on the next tick. */
    async tick(): Promise<void> {
        try {
            await this.step();
        } catch (error) {
            this.world.error(`${this.emailAddress}`, error);
            this.lastPollAt = 0;
            this.delivery = undefined;
            this.leg = undefined;
        }
    }

    /** After the run: nobody is left holding a delivery the simulation will not finish. */
    async finish(): Promise<void> {
        try {
            const open = await this.activeDelivery();
            if (open?.status === 'ASSIGNED') {
                await this.act('declineDelivery', open.assignmentId, 'reason: "simulation ended"');
            } else if (open?.status === 'PICKED_UP') {
                await this.act(
                    'reportDeliveryFailed',
                    open.assignmentId,
                    'reasonCode: "DELIVERY_FAILED", note: "simulation ended"',
                );
            }
            await this.session.request('mutation { setDriverStatus(status: OFFLINE) { __typename } }');
        } catch (error) {
            this.world.error(`${this.emailAddress} at the end`, error);
        }
    }

    private async step(): Promise<void> {
        const now = this.world.cityNow();
        const wall = Date.now();
        const wantOnDuty = onDutyAt(this.plan, now);
        if (!this.delivery && wantOnDuty !== this.onDuty) await this.setOnDuty(wantOnDuty);
        if (!this.onDuty && !this.delivery) return;
        if (!this.delivery && wall - this.lastPollAt >= this.world.pollMs) {
            this.lastPollAt = wall;
            const found = await this.activeDelivery();
            if (found) this.beginDelivery(found);
        }
        const delivery = this.delivery;
        if (delivery) {
            if (delivery.status === 'ASSIGNED' && this.shouldDecline(delivery.assignmentId)) {
                await this.act('declineDelivery', delivery.assignmentId, 'reason: "simulated decline"');
                return this.endDelivery();
            }
            const justArrived = this.move(now);
            if (justArrived) await this.ping();
            if (this.arrivedAt !== undefined && now - this.arrivedAt >= DWELL_MINUTES * 60_000) {
                await this.handOver(delivery, now);
            }
        }
        if (wall - this.lastPingAt >= this.world.pingMs) await this.ping();
    }

    private shouldDecline(assignmentId: string): boolean {
        const planned = this.world.plannedFor(assignmentId);
        return !!planned?.declined && this.world.takeDecline(assignmentId);
    }

    /** Moves along the leg; true on the tick the driver arrives. */
    private move(now: number): boolean {
        if (!this.leg) return false;
        const progress = positionOnLeg(this.leg, now, this.world.speedKmh);
        this.position = progress.position;
        if (progress.arrived && this.arrivedAt === undefined) {
            this.arrivedAt = now;
            return true;
        }
        return false;
    }

    private async handOver(delivery: OpenDelivery, now: number): Promise<void> {
        const id = delivery.assignmentId;
        const planned = this.world.plannedFor(id);
        if (delivery.status === 'ASSIGNED') {
            if (!planned) {
                // Left over from an earlier run: not this run's to deliver.
                await this.act('declineDelivery', id, 'reason: "not part of this simulation"');
                return this.endDelivery();
            }
            const status = await this.act('confirmPickup', id);
            if (status !== 'PICKED_UP') return this.resync(`confirmPickup ended in ${status}`);
            delivery.status = 'PICKED_UP';
            this.leg = { from: this.position, to: delivery.dropoff, startedAtMs: now };
            this.arrivedAt = undefined;
            return;
        }
        if (!planned || planned.fails) {
            const note = planned ? 'simulated failure at the door' : 'not part of this simulation';
            await this.act('reportDeliveryFailed', id, `reasonCode: "DELIVERY_FAILED", note: "${note}"`);
            return this.endDelivery();
        }
        const code = await this.world.codeFor(id);
        const { confirmDelivery } = await this.session.request<{
            confirmDelivery: UnionResult & { status?: string };
        }>(
            `mutation ($id: ID!, $code: String) { confirmDelivery(assignmentId: $id, code: $code) { ${ACTION} } }`,
            { id, code },
        );
        if (confirmDelivery.status !== 'DELIVERED') {
            return this.resync(
                `confirmDelivery: ${confirmDelivery.__typename} ${confirmDelivery.message ?? ''}`,
            );
        }
        this.deliveries++;
        this.endDelivery();
    }

    private async act(operation: string, assignmentId: string, extra = ''): Promise<string | undefined> {
        const data = await this.session.request<Record<string, UnionResult & { status?: string }>>(
            `mutation ($id: ID!) { ${operation}(assignmentId: $id${extra ? `, ${extra}` : ''}) { ${ACTION} } }`,
            { id: assignmentId },
        );
        const result = data[operation];
        if (result.__typename !== 'DeliveryAssignment') {
            this.world.error(
                `${this.emailAddress} ${operation}`,
                new Error(`${result.__typename} ${result.message ?? ''}`),
            );
        }
        return result.status;
    }

    /** The server refused a step: the driver's view was stale, ask again. */
    private async resync(why: string): Promise<void> {
        this.world.error(this.emailAddress, new Error(why));
        this.endDelivery();
        const found = await this.activeDelivery();
        if (found) this.beginDelivery(found);
    }

    private beginDelivery(found: OpenDelivery): void {
        this.delivery = found;
        this.busySince ??= Date.now();
        const target = found.status === 'ASSIGNED' ? (found.pickup ?? this.position) : found.dropoff;
        this.leg = { from: this.position, to: target, startedAtMs: this.world.cityNow() };
        this.arrivedAt = undefined;
    }

    private endDelivery(): void {
        this.delivery = undefined;
        this.leg = undefined;
        this.arrivedAt = undefined;
        if (this.busySince !== undefined) this.busyMs += Date.now() - this.busySince;
        this.busySince = undefined;
        // Free again: the next delivery is often assigned at once.
        this.lastPollAt = 0;
    }

    private async setOnDuty(onDuty: boolean): Promise<void> {
        const { setDriverStatus } = await this.session.request<{ setDriverStatus: UnionResult }>(
            `mutation { setDriverStatus(status: ${onDuty ? 'AVAILABLE' : 'OFFLINE'}) { __typename ... on ErrorResult { message } } }`,
        );
        if (setDriverStatus.__typename !== 'Driver') {
            // Refused while holding a delivery: the next poll finds it.
            this.lastPollAt = 0;
            return;
        }
        if (onDuty) {
            this.dutySince = Date.now();
            await this.ping();
        } else if (this.dutySince !== undefined) {
            this.onDutyMs += Date.now() - this.dutySince;
            this.dutySince = undefined;
        }
        this.onDuty = onDuty;
    }

    /** Adds the time so far to the on-duty and busy clocks (before the summary reads them). */
    closeClocks(): void {
        const now = Date.now();
        if (this.dutySince !== undefined) this.onDutyMs += now - this.dutySince;
        if (this.busySince !== undefined) this.busyMs += now - this.busySince;
        this.dutySince = this.onDuty ? now : undefined;
        this.busySince = this.busy ? now : undefined;
    }

    private async ping(): Promise<void> {
        await this.session.request(
            'mutation ($latitude: Float!, $longitude: Float!) { updateDriverLocation(latitude: $latitude, longitude: $longitude) { id } }',
            { ...this.position },
        );
        this.lastPingAt = Date.now();
    }

    private async activeDelivery(): Promise<OpenDelivery | undefined> {
        const { activeDriverAssignment: view } = await this.session.request<{
            activeDriverAssignment: {
                assignmentId: string;
                status: 'ASSIGNED' | 'PICKED_UP';
                pickupLatitude: number | null;
                pickupLongitude: number | null;
                dropoffLatitude: number;
                dropoffLongitude: number;
            } | null;
        }>(ACTIVE);
        if (!view) return undefined;
        return {
            assignmentId: view.assignmentId,
            status: view.status,
            pickup:
                view.pickupLatitude != null && view.pickupLongitude != null
                    ? { latitude: view.pickupLatitude, longitude: view.pickupLongitude }
                    : undefined,
            dropoff: { latitude: view.dropoffLatitude, longitude: view.dropoffLongitude },
        };
    }
}
