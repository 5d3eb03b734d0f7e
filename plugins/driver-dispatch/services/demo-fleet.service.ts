import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
    ConfigService,
    ID,
    Logger,
    ProcessContext,
    RequestContext,
    RequestContextService,
    TransactionalConnection,
} from '@vendure/core';
import { In, Not } from 'typeorm';

import { describeError } from '../../shared/errors';
import { distanceKm, LatLng } from '../../shared/geo';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DriverDispatchPluginOptions } from '../options';
import { DeliveryStatus, DriverStatus, OPEN_WITH_DRIVER } from '../types';
import { DispatchService } from './dispatch.service';
import { DriverLocationService } from './driver-location.service';

/** How the demo fleet moves; tests shorten it. */
export interface DemoFleetTiming {
    /**
     * How often the fleet acts (pings, moves, confirms). Well under the 20 s ping interval of a
     * driver app, so idle demo drivers never lose their heartbeat.
     *
     * @default 2000
     */
    tickMs: number;
    /**
     * Travel speed of a demo driver. Far legs go faster: each tick covers at least a tenth of
     * what is left, so no delivery takes more than about a minute per leg.
     *
     * @default 40
     */
    speedKmh: number;
    /**
     * How long a demo driver waits at the pickup and at the drop-off before confirming.
     *
     * @default 5000
     */
    dwellMs: number;
}

export const defaultDemoFleetTiming: DemoFleetTiming = { tickMs: 2000, speedKmh: 40, dwellMs: 5000 };

/** At most this share of the remaining way is left after a tick. */
const MIN_LEG_SHARE_PER_TICK = 0.1;
/** Idle demo drivers shuffle by up to this many degrees (about 10 m) per tick: visibly alive. */
const JITTER_DEGREES = 0.0001;

/**
 * The built-in demo fleet of the embedded demo: keeps the demo drivers (`isDemo`) that are not
 * OFFLINE alive with pings, drives an assigned demo driver to the pickup store, confirms the
 * pickup after a short wait, then drives to the drop-off and confirms the delivery, through the
 * DispatchService as that driver. It never acts on a driver that is not a demo driver, and never
 * changes a status itself (dispatch does: the driver is AVAILABLE again after the delivery).
 *
 * It runs where the worker runs (in the embedded default, the server process). What it keeps in
 * memory is only when a driver arrived somewhere: after a restart a driver waits once more.
 */
@Injectable()
export class DemoFleetService implements OnApplicationBootstrap, BeforeApplicationShutdown {
    private timer: NodeJS.Timeout | undefined;
    private running: Promise<void> | undefined;
    private timing: DemoFleetTiming = defaultDemoFleetTiming;
    /** When a driver arrived at the place of an assignment's current step: `<assignmentId>:<status>`. */
    private readonly arrivedAt = new Map<string, number>();

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly configService: ConfigService,
        private readonly processContext: ProcessContext,
        private readonly requestContextService: RequestContextService,
        private readonly dispatchService: DispatchService,
        private readonly locations: DriverLocationService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<DriverDispatchPluginOptions, 'demoFleet'>,
    ) {}

    onApplicationBootstrap(): void {
        const runsWorker =
            this.processContext.isWorker ||
            this.configService.schedulerOptions.runTasksInWorkerOnly === false;
        if (this.options.demoFleet && runsWorker) this.start();
    }

    async beforeApplicationShutdown(): Promise<void> {
        await this.stop();
    }

    /** Starts (or restarts with new timing) the fleet. */
    start(timing: Partial<DemoFleetTiming> = {}): void {
        this.clearTimer();
        this.timing = { ...defaultDemoFleetTiming, ...timing };
        this.timer = setInterval(() => void this.tick(), this.timing.tickMs);
        // The fleet never keeps a process alive on its own.
        this.timer.unref();
        Logger.info(`Demo fleet started (every ${this.timing.tickMs} ms)`, loggerCtx);
    }

    /** Stops the fleet and waits for a tick under way. */
    async stop(): Promise<void> {
        this.clearTimer();
        await this.running;
    }

    /** One step of every demo driver that is not OFFLINE. */
    async tick(): Promise<void> {
        // One tick at a time: a slow database must not pile them up.
        if (this.running) return;
        this.running = this.moveFleet()
            .catch((error: unknown) => {
                Logger.warn(`Demo fleet step failed: ${describeError(error)}`, loggerCtx);
            })
            .finally(() => {
                this.running = undefined;
            });
        await this.running;
    }

    private async moveFleet(): Promise<void> {
        const drivers = await this.connection.rawConnection
            .getRepository(Driver)
            .find({ where: { isDemo: true, status: Not(DriverStatus.OFFLINE) } });
        if (!drivers.length) return;
        const open = await this.connection.rawConnection.getRepository(DeliveryAssignment).find({
            where: { driverId: In(drivers.map(driver => driver.id)), status: In(OPEN_WITH_DRIVER) },
            relations: ['pickupStockLocation'],
        });
        const openByDriver = new Map(open.map(assignment => [String(assignment.driverId), assignment]));
        const steps = new Set(open.map(stepKey));
        for (const key of this.arrivedAt.keys()) if (!steps.has(key)) this.arrivedAt.delete(key);

        const now = Date.now();
        for (const driver of drivers) {
            const here = this.positionOf(driver);
            if (!here) continue;
            const assignment = openByDriver.get(String(driver.id));
            const target = assignment ? targetOf(assignment) : undefined;
            if (!assignment || !target) {
                await this.locations.recordPosition(driver.id, jitter(here), new Date(now));
                continue;
            }
            const next = this.stepTowards(here, target);
            await this.locations.recordPosition(driver.id, next, new Date(now));
            if (next !== target) continue;
            const key = stepKey(assignment);
            const arrived = this.arrivedAt.get(key) ?? now;
            this.arrivedAt.set(key, arrived);
            if (now - arrived >= this.timing.dwellMs) await this.confirm(assignment, driver.id);
        }
    }

    private async confirm(assignment: DeliveryAssignment, driverId: ID): Promise<void> {
        const to =
            assignment.status === DeliveryStatus.ASSIGNED
                ? DeliveryStatus.PICKED_UP
                : DeliveryStatus.DELIVERED;
        const ctx: RequestContext = await this.requestContextService.create({ apiType: 'admin' });
        const result = await this.dispatchService.confirmAsDriver(ctx, assignment.id, driverId, to);
        if ('errorCode' in result) {
            Logger.warn(`Demo driver ${String(driverId)} could not confirm: ${result.message}`, loggerCtx);
            return;
        }
        this.arrivedAt.delete(stepKey(assignment));
    }

    /** The newest ping this process holds, else the database's last position. */
    private positionOf(driver: Driver): LatLng | undefined {
        const ping = this.locations.pendingPosition(driver.id);
        if (ping) return { latitude: ping.latitude, longitude: ping.longitude };
        return driver.latitude != null && driver.longitude != null
            ? { latitude: driver.latitude, longitude: driver.longitude }
            : undefined;
    }

    /** One tick of travel in a straight line; the target itself (same object) once it is reached. */
    private stepTowards(from: LatLng, target: LatLng): LatLng {
        const remainingKm = distanceKm(from, target);
        const stepKm = Math.max(
            (this.timing.speedKmh * this.timing.tickMs) / 3_600_000,
            remainingKm * MIN_LEG_SHARE_PER_TICK,
        );
        if (remainingKm <= stepKm) return target;
        const share = stepKm / remainingKm;
        return {
            latitude: from.latitude + (target.latitude - from.latitude) * share,
            longitude: from.longitude + (target.longitude - from.longitude) * share,
        };
    }

    private clearTimer(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }
}

/** The pickup store while ASSIGNED, the drop-off once PICKED_UP. */
function targetOf(assignment: DeliveryAssignment): LatLng | undefined {
    if (assignment.status === DeliveryStatus.ASSIGNED) {
        const { latitude, longitude } = assignment.pickupStockLocation?.customFields ?? {};
        return latitude != null && longitude != null ? { latitude, longitude } : undefined;
    }
    return { latitude: assignment.dropoffLatitude, longitude: assignment.dropoffLongitude };
}

function stepKey(assignment: DeliveryAssignment): string {
    return `${String(assignment.id)}:${assignment.status}`;
}

function jitter(position: LatLng): LatLng {
    const shift = () => (Math.random() * 2 - 1) * JITTER_DEGREES;
    return { latitude: position.latitude + shift(), longitude: position.longitude + shift() };
}
