import {
    BeforeApplicationShutdown,
    Inject,
    Injectable,
    OnApplicationBootstrap,
    OnModuleInit,
} from '@nestjs/common';
import {
    EventBus,
    ID,
    idsAreEqual,
    JobQueue,
    JobQueueService,
    Logger,
    RequestContext,
    RequestContextService,
    SerializedRequestContext,
    StockLocation,
    TransactionalConnection,
} from '@vendure/core';

import { describeError } from '../../shared/errors';
import { boundingBox, distanceKm, LatLng } from '../../shared/geo';
import {
    DISPATCH_QUEUE_NAME,
    DISPATCH_START_RADIUS_KM,
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    loggerCtx,
} from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { DriverAvailableEvent } from '../events/driver-available-event';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryStatus } from '../types';
import { BatchDispatchService, BatchWindowResult } from './batch-dispatch.service';
import { DeliveryDriversService, DriverNotFree } from './delivery-drivers.service';
import { DeliveryLifecycleService } from './delivery-lifecycle.service';
import { DriverLocationService } from './driver-location.service';

/** Jobs of the `dispatch` queue: ids and a serialized context, never entities. */
export type DispatchJobData = {
    type: 'dispatch';
    assignmentId: ID;
    ctx: SerializedRequestContext;
};

/** What one pass over the waiting deliveries did (see {@link DeliveryMatcherService.redispatchWaiting}). */
export interface RedispatchResult {
    /** PENDING assignments given a new dispatch job. */
    requeued: ID[];
    /** PENDING assignments dispatched here because the job queue did not answer. */
    dispatchedDirectly: ID[];
}

/** Retries of a dispatch job that found no driver (with the job queue's backoff in between). */
const DISPATCH_RETRIES = 10;
/**
 * How long adding a job may take before the queue counts as unreachable. BullMQ keeps commands
 * waiting while Redis is down; the PENDING row stays the record and the sweep takes over.
 */
const ENQUEUE_TIMEOUT_MS = 2000;
/** Waiting deliveries looked at, oldest first, when a driver turns AVAILABLE. */
const NEAREST_WAITING_CANDIDATES = 200;
/**
 * A PENDING assignment untouched this long has no dispatch job left (a job attempt or a re-queue
 * touches the row): the sweep gives it a new one. Twice the sweep interval plus slack.
 */
const REQUEUE_AFTER_SECONDS = 30;
/** Waiting deliveries handled per sweep; the next sweep takes the rest. */
const SWEEP_BATCH_SIZE = 100;

/**
 * Matching deliveries with drivers. It owns the `dispatch` queue, the claim of the nearest free
 * driver, and every trigger of a dispatch: a delivery becoming PENDING (marked ready, declined,
 * taken off its driver, retried), a driver turning AVAILABLE, a job retry, and the sweep's pass
 * over deliveries whose job was lost. The assignment itself goes through the lifecycle gate.
 *
 * With `dispatchMode: 'batch'` the same triggers do nothing: they claim no driver and send no
 * signal, since the next batch window (at most `batchWindowMs` away) reads every PENDING delivery
 * and every AVAILABLE driver itself, whichever process the trigger fired in. This service runs a
 * window every `batchWindowMs` in each process where the `dispatch` queue runs (the worker); the
 * window itself is the {@link BatchDispatchService}'s.
 */
@Injectable()
export class DeliveryMatcherService
    implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
    private queue: JobQueue<DispatchJobData>;
    private windowTimer: NodeJS.Timeout | undefined;
    /** The window this process is running, if any: one at a time per process. */
    private runningWindow: Promise<BatchWindowResult | undefined> | undefined;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly jobQueueService: JobQueueService,
        private readonly eventBus: EventBus,
        private readonly lifecycle: DeliveryLifecycleService,
        private readonly drivers: DeliveryDriversService,
        private readonly locations: DriverLocationService,
        private readonly batch: BatchDispatchService,
        private readonly requestContextService: RequestContextService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<
            ResolvedDriverDispatchOptions,
            'maxSearchRadiusKm' | 'dispatchMode' | 'batchWindowMs'
        >,
    ) {}

    private get batchMode(): boolean {
        return this.options.dispatchMode === 'batch';
    }

    async onModuleInit(): Promise<void> {
        this.queue = await this.jobQueueService.createQueue<DispatchJobData>({
            name: DISPATCH_QUEUE_NAME,
            process: async job => {
                const ctx = RequestContext.deserialize(job.data.ctx);
                await this.dispatch(ctx, job.data.assignmentId);
            },
        });
    }

    onApplicationBootstrap(): void {
        // Subscribers run after the publishing transaction committed: the job finds the row.
        this.eventBus.ofType(DeliveryStatusEvent).subscribe(event => {
            // Batch mode: the next window picks the delivery up.
            if (event.toStatus !== DeliveryStatus.PENDING || this.batchMode) return;
            void this.enqueueDispatch(event.ctx, event.assignmentId, event.correlationId);
        });
        this.eventBus.ofType(DriverAvailableEvent).subscribe(event => {
            // Batch mode: the next window offers the driver to every waiting delivery in reach.
            if (this.batchMode) return;
            void this.dispatchOldestWaitingNear(event.ctx, event.driverId);
        });
        if (this.batchMode) {
            // Every process ticks; only those where the dispatch queue runs (workers) run windows.
            this.windowTimer = setInterval(() => void this.tick(), this.options.batchWindowMs);
            this.windowTimer.unref();
        }
    }

    /** No window starts after this, and a running one ends before the database closes. */
    async beforeApplicationShutdown(): Promise<void> {
        if (this.windowTimer) clearInterval(this.windowTimer);
        this.windowTimer = undefined;
        await this.runningWindow;
    }

    /**
     * Batch mode: one window over every region now, unless this process is running one already
     * (it then resolves undefined). The sweep and tests call it; the timer calls it every
     * `batchWindowMs` where the dispatch queue runs. Across processes the regions' advisory
     * locks keep one window per region.
     */
    async runBatchWindow(ctx: RequestContext): Promise<BatchWindowResult | undefined> {
        if (!this.batchMode) return undefined;
        if (this.runningWindow) return undefined;
        this.runningWindow = this.batch.runWindow(ctx).finally(() => (this.runningWindow = undefined));
        return this.runningWindow;
    }

    private async tick(): Promise<void> {
        if (!this.queue?.started || this.runningWindow || !this.windowTimer) return;
        try {
            const ctx = await this.requestContextService.create({ apiType: 'admin' });
            await this.runBatchWindow(ctx);
        } catch (error) {
            Logger.error(`Batch window failed: ${describeError(error)}`, loggerCtx);
        }
    }

    /**
     * The `dispatch` job: claims the nearest AVAILABLE driver around the pickup store and assigns
     * them. No-op unless the assignment is PENDING, so repeated jobs change nothing; the claim is
     * made while holding the delivery's row (a second job for it meanwhile skips it), so two jobs
     * never claim two drivers for one delivery. Throws when no driver is free, so the job queue
     * retries it with backoff.
     */
    async dispatch(ctx: RequestContext, assignmentId: ID): Promise<void> {
        // Batch mode: a job (a retry, or one queued before the switch) claims nothing, so every
        // claim is a window's planned one; the next window picks the delivery up.
        if (this.batchMode) return;
        const maxRadiusKm = this.options.maxSearchRadiusKm;
        let claimedDriverId: ID | undefined;
        let outcome: { assigned?: DeliveryAssignment; noDriver?: string; notFree?: string } | undefined;
        try {
            outcome = await this.connection.withTransaction(ctx, async txCtx => {
                const assignment = await this.connection
                    .getRepository(txCtx, DeliveryAssignment)
                    .createQueryBuilder('assignment')
                    .setLock('pessimistic_write')
                    .setOnLocked('skip_locked')
                    .where('assignment.id = :id', { id: assignmentId })
                    .getOne();
                // Gone, moved on, or another job is dispatching it right now.
                if (assignment?.status !== DeliveryStatus.PENDING) return undefined;
                const store = await this.connection
                    .getRepository(txCtx, StockLocation)
                    .findOne({ where: { id: assignment.pickupStockLocationId ?? -1 } });
                const pickup = pickupPoint(store);
                if (!store || !pickup) {
                    await this.recordFailedAttempt(txCtx, assignment, 'The pickup store has no coordinates');
                    return undefined;
                }
                const claimed = await this.locations.withIndex(
                    'claim',
                    index =>
                        index.claimNearest(pickup, {
                            startRadiusKm: DISPATCH_START_RADIUS_KM,
                            maxRadiusKm,
                            excludeDriverIds: assignment.excludedDriverIds,
                        }),
                    txCtx,
                );
                if (!claimed) {
                    const reason = `No available driver within ${maxRadiusKm} km of ${store.name}`;
                    await this.recordFailedAttempt(txCtx, assignment, reason);
                    return { noDriver: `${reason} [correlationId=${assignment.correlationId}]` };
                }
                claimedDriverId = claimed.driverId;
                const assigned = await this.lifecycle.assign(
                    txCtx,
                    assignment.id,
                    { driverId: claimed.driverId, distanceKm: claimed.distanceKm, claimedByIndex: true },
                    { actor: 'system', from: [DeliveryStatus.PENDING] },
                );
                if (assigned instanceof DriverNotFree) {
                    // Disabled or gone offline between the claim and now: the job tries again.
                    return { notFree: `${assigned.message} [correlationId=${assignment.correlationId}]` };
                }
                if (!(assigned instanceof DeliveryAssignment)) return undefined;
                Logger.info(
                    `Driver ${String(claimed.driverId)} assigned ${claimed.distanceKm.toFixed(2)} km from ${store.name} [correlationId=${assigned.correlationId}]`,
                    loggerCtx,
                );
                return { assigned };
            });
        } catch (error) {
            await this.giveBack(claimedDriverId);
            throw error;
        }
        if (!outcome?.assigned) await this.giveBack(claimedDriverId);
        // The job fails so the queue retries it; a driver coming free re-dispatches sooner.
        if (outcome?.noDriver) throw new Error(outcome.noDriver);
        if (outcome?.notFree) throw new Error(outcome.notFree);
    }

    /** A claimed driver who was not assigned goes back into the index. */
    private async giveBack(driverId: ID | undefined): Promise<void> {
        if (driverId != null) await this.drivers.giveBackClaimed([driverId]);
    }

    /**
     * Adds a `dispatch` job for the assignment. Resolves `false` when the job queue did not take it
     * (it threw, or did not answer within {@link ENQUEUE_TIMEOUT_MS}), so the caller can dispatch
     * itself; a late job is harmless, since dispatch is a no-op unless the assignment is PENDING.
     */
    async enqueueDispatch(ctx: RequestContext, assignmentId: ID, correlationId: string): Promise<boolean> {
        const added = this.queue
            .add({ type: 'dispatch', assignmentId, ctx: ctx.serialize() }, { retries: DISPATCH_RETRIES })
            .then(() => true);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_resolve, reject) => {
            timer = setTimeout(
                () => reject(new Error(`the job queue did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)),
                ENQUEUE_TIMEOUT_MS,
            );
            timer.unref();
        });
        try {
            return await Promise.race([added, timedOut]);
        } catch (error) {
            // The add may still settle after the timeout: never as an unhandled rejection.
            added.catch(() => undefined);
            // The PENDING row is the record: the sweep re-queues it.
            Logger.error(
                `Could not enqueue dispatch of delivery ${String(assignmentId)}: ${describeError(error)} [correlationId=${correlationId}]`,
                loggerCtx,
            );
            return false;
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * The sweep's pass: PENDING deliveries untouched for {@link REQUEUE_AFTER_SECONDS} (their job
     * was lost) get a new job, or are dispatched here, from the index that answers (SQL while Redis
     * is down), when the job queue cannot take one.
     */
    async redispatchWaiting(ctx: RequestContext): Promise<RedispatchResult> {
        if (this.batchMode) {
            // Windows need no job queue: the sweep runs one itself (where no worker runs them).
            const window = await this.runBatchWindow(ctx);
            return { requeued: [], dispatchedDirectly: window?.assigned ?? [] };
        }
        const requeued: ID[] = [];
        const dispatchedDirectly: ID[] = [];
        // The database's clock on both sides: updatedAt is written with CURRENT_TIMESTAMP.
        const waiting = await this.connection.rawConnection
            .getRepository(DeliveryAssignment)
            .createQueryBuilder('assignment')
            .where('assignment.status = :status', { status: DeliveryStatus.PENDING })
            .andWhere(`assignment.updatedAt < CURRENT_TIMESTAMP - make_interval(secs => :seconds)`, {
                seconds: REQUEUE_AFTER_SECONDS,
            })
            .orderBy('assignment.createdAt', 'ASC')
            .addOrderBy('assignment.id', 'ASC')
            .limit(SWEEP_BATCH_SIZE)
            .getMany();
        let queueAnswers = true;
        for (const assignment of waiting) {
            // Touched first: the next sweep leaves it alone while this job or attempt is under way.
            const touched = await this.connection.rawConnection
                .createQueryBuilder()
                .update(DeliveryAssignment)
                .set({ updatedAt: () => 'CURRENT_TIMESTAMP' })
                .where('id = :id AND status = :status', { id: assignment.id, status: DeliveryStatus.PENDING })
                .execute();
            if (!touched.affected) continue;
            if (queueAnswers) {
                queueAnswers = await this.enqueueDispatch(ctx, assignment.id, assignment.correlationId);
                if (queueAnswers) {
                    requeued.push(assignment.id);
                    continue;
                }
            }
            // The queue is unreachable (BullMQ without Redis): claim here, from the index that answers.
            try {
                await this.dispatch(ctx, assignment.id);
            } catch (error) {
                // No driver free now: the attempt is recorded on the row; the next sweep tries again.
                Logger.verbose(`${describeError(error)} (sweep)`, loggerCtx);
            }
            dispatchedDirectly.push(assignment.id);
        }
        return { requeued, dispatchedDirectly };
    }

    /** The oldest PENDING delivery within `maxSearchRadiusKm` of the driver that did not exclude them. */
    async oldestWaitingNear(driverId: ID): Promise<DeliveryAssignment | undefined> {
        const driver = await this.connection.rawConnection
            .getRepository(Driver)
            .findOne({ where: { id: driverId } });
        const ping = this.locations.pendingPosition(driverId);
        const position: LatLng | undefined = ping
            ? { latitude: ping.latitude, longitude: ping.longitude }
            : driver?.latitude != null && driver.longitude != null
              ? { latitude: driver.latitude, longitude: driver.longitude }
              : undefined;
        if (!driver || !position) return undefined;
        const radiusKm = this.options.maxSearchRadiusKm;
        const box = boundingBox(position, radiusKm);
        const longitudeBand =
            box.minLongitude <= box.maxLongitude
                ? '"pickup"."customFieldsLongitude" BETWEEN :minLongitude AND :maxLongitude'
                : '("pickup"."customFieldsLongitude" >= :minLongitude OR "pickup"."customFieldsLongitude" <= :maxLongitude)';
        // The box narrows the rows in SQL; the exact great-circle distance decides below.
        const candidates = await this.connection.rawConnection
            .getRepository(DeliveryAssignment)
            .createQueryBuilder('assignment')
            .innerJoinAndSelect('assignment.pickupStockLocation', 'pickup')
            .where('assignment.status = :status', { status: DeliveryStatus.PENDING })
            .andWhere('"pickup"."customFieldsLatitude" BETWEEN :minLatitude AND :maxLatitude', box)
            .andWhere(longitudeBand, box)
            .orderBy('assignment.createdAt', 'ASC')
            .addOrderBy('assignment.id', 'ASC')
            .limit(NEAREST_WAITING_CANDIDATES)
            .getMany();
        return candidates.find(assignment => {
            const pickup = pickupPoint(assignment.pickupStockLocation);
            return (
                pickup != null &&
                distanceKm(position, pickup) <= radiusKm &&
                !assignment.excludedDriverIds.some(id => idsAreEqual(id, driverId))
            );
        });
    }

    /**
     * A driver came free: the oldest waiting delivery whose pickup store lies within
     * `maxSearchRadiusKm` of them (great-circle) gets a dispatch job. The claim itself still takes
     * the nearest driver around that store, which is this one or a nearer one.
     */
    private async dispatchOldestWaitingNear(ctx: RequestContext, driverId: ID): Promise<void> {
        try {
            const waiting = await this.oldestWaitingNear(driverId);
            if (waiting) await this.enqueueDispatch(ctx, waiting.id, waiting.correlationId);
        } catch (error) {
            Logger.error(`Could not re-dispatch waiting deliveries: ${describeError(error)}`, loggerCtx);
        }
    }

    private async recordFailedAttempt(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        reason: string,
    ): Promise<void> {
        const stillWaiting = { id: assignment.id, status: DeliveryStatus.PENDING };
        await this.connection.getRepository(ctx, DeliveryAssignment).increment(stillWaiting, 'attempts', 1);
        await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .update(stillWaiting, { lastError: reason });
        Logger.info(`${reason} [correlationId=${assignment.correlationId}]`, loggerCtx);
    }
}

function pickupPoint(store: StockLocation | null): LatLng | undefined {
    const { latitude, longitude } = store?.customFields ?? {};
    return latitude != null && longitude != null ? { latitude, longitude } : undefined;
}
