import { randomUUID } from 'node:crypto';

import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { OrderType } from '@vendure/common/lib/generated-types';
import {
    Administrator,
    EntityNotFoundError,
    EventBus,
    ForbiddenError,
    ID,
    idsAreEqual,
    isGraphQlErrorResult,
    JobQueue,
    JobQueueService,
    ListQueryBuilder,
    ListQueryOptions,
    Logger,
    Order,
    OrderService,
    OrderStateTransitionEvent,
    PaginatedList,
    RequestContext,
    SerializedRequestContext,
    StockLocation,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';
import { In } from 'typeorm';

import { boundingBox, distanceKm, LatLng } from '../../shared/geo';
import {
    DeliveryCodeError,
    DeliveryTransitionError,
    OrderNotReadyForDispatchError,
} from '../api/error-results';
import { LOCAL_COURIER_HANDLER_CODE } from '../config/local-courier-fulfillment-handler';
import {
    DISPATCH_QUEUE_NAME,
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    loggerCtx,
    manageDispatchPermission,
} from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryEvent } from '../entities/delivery-event.entity';
import { Driver } from '../entities/driver.entity';
import { DeliveryAssignedEvent } from '../events/delivery-assigned-event';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { DriverAvailableEvent } from '../events/driver-available-event';
import { DriverStatusEvent } from '../events/driver-status-event';
import { ResolvedDriverDispatchOptions } from '../options';
import {
    DeliveryStatus,
    DriverStatus,
    FAILURE_REASON_CODES,
    FailureReasonCode,
    OPEN_WITH_DRIVER,
} from '../types';
import { checkDeliveryCode, generateDeliveryCode, generateDeliveryReference } from './delivery-code';
import { DriverService } from './driver.service';
import { DriverLocationService } from './driver-location.service';

/** Jobs of the `dispatch` queue: ids and a serialized context, never entities. */
export type DispatchJobData = {
    type: 'dispatch';
    assignmentId: ID;
    ctx: SerializedRequestContext;
};

/** Where each status may lead; moving to the current status is a no-op, anything else is refused. */
const TRANSITIONS: Record<DeliveryStatus, DeliveryStatus[]> = {
    [DeliveryStatus.PENDING]: [DeliveryStatus.ASSIGNED, DeliveryStatus.CANCELLED, DeliveryStatus.FAILED],
    [DeliveryStatus.ASSIGNED]: [
        DeliveryStatus.PICKED_UP,
        DeliveryStatus.PENDING,
        DeliveryStatus.CANCELLED,
        DeliveryStatus.FAILED,
    ],
    [DeliveryStatus.PICKED_UP]: [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED],
    [DeliveryStatus.DELIVERED]: [],
    [DeliveryStatus.FAILED]: [],
    [DeliveryStatus.CANCELLED]: [],
};

const FINAL_STATUSES = [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED];

/** The first search radius around the pickup store; it doubles up to `maxSearchRadiusKm`. */
const START_RADIUS_KM = 0.25;
/** Retries of a dispatch job that found no driver (with the job queue's backoff in between). */
const DISPATCH_RETRIES = 10;
/**
 * How long adding a job may take before the queue counts as unreachable. BullMQ keeps commands
 * waiting while Redis is down; the PENDING row stays the record and the sweep takes over.
 */
const ENQUEUE_TIMEOUT_MS = 2000;
/** Waiting deliveries looked at, oldest first, when a driver turns AVAILABLE. */
const NEAREST_WAITING_CANDIDATES = 200;

interface MoveOptions {
    actor: string;
    reasonCode?: string | null;
    note?: string | null;
    /**
     * Set when a driver moves their own delivery: checked against the row as locked, so a driver
     * taken off the delivery a moment ago is refused even if they read it while it was theirs.
     */
    driverId?: ID;
}

/** Who asks for a move: the assigned driver (checked under the row lock) or staff. */
type Mover = { actor: string; driverId?: ID };

/**
 * Deliveries: an order marked ready becomes a PENDING {@link DeliveryAssignment} with a
 * `local-courier` Fulfillment; the `dispatch` job claims the nearest AVAILABLE driver; pickup and
 * delivery move the Fulfillment (and so the order) to Shipped and Delivered; a delivery that ends
 * releases its driver in the same transaction.
 */
@Injectable()
export class DispatchService implements OnModuleInit, OnApplicationBootstrap {
    private queue: JobQueue<DispatchJobData>;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly jobQueueService: JobQueueService,
        private readonly listQueryBuilder: ListQueryBuilder,
        private readonly orderService: OrderService,
        private readonly eventBus: EventBus,
        private readonly drivers: DriverService,
        private readonly locations: DriverLocationService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<
            ResolvedDriverDispatchOptions,
            'maxSearchRadiusKm' | 'requireDeliveryCode' | 'deliveryCode'
        >,
    ) {}

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
            if (event.toStatus === DeliveryStatus.PENDING) {
                void this.enqueue(event.ctx, event.assignmentId, event.correlationId);
            }
        });
        this.eventBus.ofType(DriverAvailableEvent).subscribe(event => {
            void this.dispatchOldestWaitingNear(event.ctx, event.driverId);
        });
        this.eventBus.ofType(OrderStateTransitionEvent).subscribe(event => {
            if (event.toState === 'Cancelled') void this.cancelForCancelledOrder(event.ctx, event.order.id);
        });
    }

    async findAll(
        ctx: RequestContext,
        options?: ListQueryOptions<DeliveryAssignment>,
    ): Promise<PaginatedList<DeliveryAssignment>> {
        // Channel-aware: a seller's staff see only their own seller's deliveries.
        const [items, totalItems] = await this.listQueryBuilder
            .build(DeliveryAssignment, options, { ctx, channelId: ctx.channelId })
            .getManyAndCount();
        return { items, totalItems };
    }

    async findOne(ctx: RequestContext, id: ID): Promise<DeliveryAssignment | undefined> {
        return (await this.visible(ctx).andWhere('assignment.id = :id', { id }).getOne()) ?? undefined;
    }

    async findForOrder(ctx: RequestContext, orderId: ID): Promise<DeliveryAssignment | undefined> {
        return (
            (await this.visible(ctx).andWhere('assignment.orderId = :orderId', { orderId }).getOne()) ??
            undefined
        );
    }

    /** The ASSIGNED or PICKED_UP delivery of a driver (at most one, held by a unique index). */
    async findOpenForDriver(ctx: RequestContext, driverId: ID): Promise<DeliveryAssignment | undefined> {
        const assignment = await this.connection.getRepository(ctx, DeliveryAssignment).findOne({
            where: { driverId: Number(driverId), status: In(OPEN_WITH_DRIVER) },
        });
        return assignment ?? undefined;
    }

    async eventsOf(ctx: RequestContext, assignmentId: ID): Promise<DeliveryEvent[]> {
        return this.connection.getRepository(ctx, DeliveryEvent).find({
            where: { assignmentId: Number(assignmentId) },
            order: { createdAt: 'ASC', id: 'ASC' },
        });
    }

    async stats(ctx: RequestContext) {
        const driverCounts = await this.connection
            .getRepository(ctx, Driver)
            .createQueryBuilder('driver')
            .select('driver.status', 'status')
            .addSelect('COUNT(*)', 'count')
            .groupBy('driver.status')
            .getRawMany<{ status: DriverStatus; count: string }>();
        const countOf = (status: DriverStatus) =>
            Number(driverCounts.find(row => row.status === status)?.count ?? 0);
        const pendingAssignments = await this.visible(ctx)
            .andWhere('assignment.status = :status', { status: DeliveryStatus.PENDING })
            .getCount();
        const activeAssignments = await this.visible(ctx)
            .andWhere('assignment.status IN (:...statuses)', { statuses: OPEN_WITH_DRIVER })
            .getCount();
        return {
            availableDrivers: countOf(DriverStatus.AVAILABLE),
            busyDrivers: countOf(DriverStatus.BUSY),
            offlineDrivers: countOf(DriverStatus.OFFLINE),
            pendingAssignments,
            activeAssignments,
        };
    }

    /**
     * Hands a paid order to dispatch: once per order (again, the same assignment is returned). The
     * PENDING assignment and its `local-courier` Fulfillment are written in the caller's
     * transaction; the dispatch job is enqueued after it committed.
     */
    async markOrderReadyForDispatch(
        ctx: RequestContext,
        orderId: ID,
    ): Promise<DeliveryAssignment | OrderNotReadyForDispatchError> {
        const order = await this.orderService.findOne(ctx, orderId, ['lines', 'channels']);
        if (!order) throw new EntityNotFoundError('Order', orderId);
        // Concurrent calls for one order queue up here; the later ones then find the assignment.
        await this.connection
            .getRepository(ctx, Order)
            .createQueryBuilder('order')
            .setLock('pessimistic_write')
            .where('order.id = :id', { id: order.id })
            .getOne();
        const existing = await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .findOne({ where: { orderId: Number(order.id) } });
        if (existing) return existing;

        if (order.type === OrderType.Aggregate) {
            return new OrderNotReadyForDispatchError(
                `Order ${order.code} is split across sellers: mark each of its seller orders ready instead`,
            );
        }
        if (order.state !== 'PaymentSettled') {
            return new OrderNotReadyForDispatchError(
                `Order ${order.code} is ${order.state}; only a paid order (PaymentSettled) can be dispatched`,
            );
        }
        const dropoff = await this.dropoffOf(ctx, order);
        if (!dropoff) {
            return new OrderNotReadyForDispatchError(
                `Order ${order.code} has no delivery location: set the customer's delivery location first`,
            );
        }
        const pickupId = order.lines
            .map(line => line.customFields.servingStockLocationId)
            .find(id => id != null);
        if (pickupId == null) {
            return new OrderNotReadyForDispatchError(
                `No store was allocated to the lines of order ${order.code}, so there is nowhere to pick it up`,
            );
        }
        const fulfillment = await this.orderService.createFulfillment(ctx, {
            handler: { code: LOCAL_COURIER_HANDLER_CODE, arguments: [] },
            lines: order.lines.map(line => ({ orderLineId: line.id, quantity: line.quantity })),
        });
        if (isGraphQlErrorResult(fulfillment)) {
            return new OrderNotReadyForDispatchError(
                `Order ${order.code} cannot be handed to a courier: ${fulfillment.message}`,
            );
        }
        const assignment = await this.connection.getRepository(ctx, DeliveryAssignment).save(
            new DeliveryAssignment({
                channels: order.channels,
                orderId: Number(order.id),
                driverId: null,
                status: DeliveryStatus.PENDING,
                pickupStockLocationId: pickupId,
                dropoffLatitude: dropoff.latitude,
                dropoffLongitude: dropoff.longitude,
                pickupDistanceKm: null,
                attempts: 0,
                lastError: null,
                assignedAt: null,
                pickedUpAt: null,
                deliveredAt: null,
                correlationId: randomUUID(),
                deliveryReference: generateDeliveryReference(),
                fulfillmentId: Number(fulfillment.id),
                excludedDriverIds: [],
                deliveryCode: generateDeliveryCode(this.options.deliveryCode.length),
                codeFailures: 0,
                codeLockedUntil: null,
            }),
        );
        await this.appendEvent(ctx, assignment, null, { actor: await this.actorOf(ctx) });
        Logger.info(
            `Order ${order.code} ready for dispatch [correlationId=${assignment.correlationId}]`,
            loggerCtx,
        );
        return assignment;
    }

    /**
     * The `dispatch` job: claims the nearest AVAILABLE driver around the pickup store and assigns
     * them. No-op unless the assignment is PENDING, so repeated jobs change nothing. Throws when no
     * driver is free, so the job queue retries it with backoff.
     */
    async dispatch(ctx: RequestContext, assignmentId: ID): Promise<void> {
        const repository = this.connection.getRepository(ctx, DeliveryAssignment);
        const assignment = await repository.findOne({
            where: { id: assignmentId },
            relations: ['pickupStockLocation'],
        });
        if (assignment?.status !== DeliveryStatus.PENDING) return;
        const store = assignment.pickupStockLocation;
        const pickup = pickupPoint(store);
        if (!store || !pickup) {
            await this.recordFailedAttempt(ctx, assignment, 'The pickup store has no coordinates');
            return;
        }
        const maxRadiusKm = this.options.maxSearchRadiusKm;
        const claimed = await this.locations.withIndex('claim', index =>
            index.claimNearest(pickup, {
                startRadiusKm: START_RADIUS_KM,
                maxRadiusKm,
                excludeDriverIds: assignment.excludedDriverIds,
            }),
        );
        if (!claimed) {
            const reason = `No available driver within ${maxRadiusKm} km of ${store.name}`;
            await this.recordFailedAttempt(ctx, assignment, reason);
            // The job fails so the queue retries it; a driver coming free re-dispatches sooner.
            throw new Error(`${reason} [correlationId=${assignment.correlationId}]`);
        }
        let assigned: DeliveryAssignment | undefined;
        try {
            assigned = await this.connection.withTransaction(ctx, async txCtx => {
                const locked = await this.lock(txCtx, assignment.id);
                if (locked.status !== DeliveryStatus.PENDING) return undefined;
                // A driver disabled between the claim and now is not assigned: the job tries again.
                const taken = await this.connection
                    .getRepository(txCtx, Driver)
                    .update({ id: claimed.driverId, enabled: true }, { status: DriverStatus.BUSY });
                if (!taken.affected) {
                    throw new Error(
                        `Driver ${String(claimed.driverId)} was disabled while being assigned [correlationId=${assignment.correlationId}]`,
                    );
                }
                locked.driverId = Number(claimed.driverId);
                locked.assignedAt = new Date();
                locked.pickupDistanceKm = claimed.distanceKm;
                return this.move(txCtx, locked, DeliveryStatus.ASSIGNED, { actor: 'system' });
            });
        } catch (error) {
            await this.locations.withIndex('release', index => index.release(claimed.driverId));
            throw error;
        }
        if (!assigned) {
            // Cancelled or assigned meanwhile: the claimed driver goes back.
            await this.locations.withIndex('release', index => index.release(claimed.driverId));
            return;
        }
        Logger.info(
            `Driver ${String(claimed.driverId)} assigned ${claimed.distanceKm.toFixed(2)} km from ${store.name} [correlationId=${assigned.correlationId}]`,
            loggerCtx,
        );
        await this.eventBus.publish(
            new DeliveryAssignedEvent(
                ctx,
                assigned.id,
                assigned.orderId,
                claimed.driverId,
                claimed.distanceKm,
                assigned.correlationId,
            ),
        );
        await this.eventBus.publish(new DriverStatusEvent(ctx, claimed.driverId, DriverStatus.BUSY));
    }

    /** The driver has the goods: the Fulfillment (and so the order) goes to Shipped. */
    async confirmPickup(
        ctx: RequestContext,
        assignmentId: ID,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const mover = await this.driverOrStaff(ctx, assignmentId);
        return this.transition(ctx, assignmentId, DeliveryStatus.PICKED_UP, mover);
    }

    /**
     * Handed over: the Fulfillment goes to Delivered and the driver is AVAILABLE again. The driver
     * proves it with the customer's delivery code (unless `requireDeliveryCode` is off); staff
     * confirm without it, and the event says so.
     */
    async confirmDelivery(
        ctx: RequestContext,
        assignmentId: ID,
        code?: string | null,
    ): Promise<DeliveryAssignment | DeliveryTransitionError | DeliveryCodeError> {
        const { actor, driverId } = await this.driverOrStaff(ctx, assignmentId);
        if (driverId == null) {
            return this.transition(ctx, assignmentId, DeliveryStatus.DELIVERED, {
                actor,
                note: 'Confirmed by staff without the delivery code',
            });
        }
        return this.confirmDeliveryWithCode(ctx, assignmentId, code, { actor, driverId });
    }

    /** The driver's side of {@link confirmDelivery}: the code is checked on the locked row. */
    private async confirmDeliveryWithCode(
        ctx: RequestContext,
        assignmentId: ID,
        code: string | null | undefined,
        mover: Mover & { driverId: ID },
    ): Promise<DeliveryAssignment | DeliveryTransitionError | DeliveryCodeError> {
        const locked = await this.lockForMover(ctx, assignmentId, mover);
        // Only a delivery that can be delivered now asks for the code; a repeat is a no-op.
        const checkCode = this.options.requireDeliveryCode && locked.status === DeliveryStatus.PICKED_UP;
        if (checkCode) {
            // The driver's row too: their wrong codes count over all their deliveries.
            const driver = await this.connection
                .getRepository(ctx, Driver)
                .createQueryBuilder('driver')
                .setLock('pessimistic_write')
                .where('driver.id = :id', { id: mover.driverId })
                .getOneOrFail();
            const check = checkDeliveryCode(
                locked.deliveryCode,
                {
                    delivery: { failures: locked.codeFailures, lockedUntil: locked.codeLockedUntil },
                    driver: { failures: driver.codeFailures, lockedUntil: driver.codeLockedUntil },
                },
                code,
                new Date(),
                this.options.deliveryCode,
            );
            await this.connection
                .getRepository(ctx, DeliveryAssignment)
                .update(
                    { id: locked.id },
                    { codeFailures: check.delivery.failures, codeLockedUntil: check.delivery.lockedUntil },
                );
            await this.connection
                .getRepository(ctx, Driver)
                .update(
                    { id: driver.id },
                    { codeFailures: check.driver.failures, codeLockedUntil: check.driver.lockedUntil },
                );
            if (!check.accepted) {
                Logger.info(
                    `Wrong delivery code for delivery ${String(locked.id)} by driver ${String(driver.id)} (${check.attemptsLeft} left) [correlationId=${locked.correlationId}]`,
                    loggerCtx,
                );
                return new DeliveryCodeError(check.message, check.attemptsLeft);
            }
        }
        return this.transition(ctx, locked.id, DeliveryStatus.DELIVERED, mover);
    }

    /**
     * The assigned driver turns the delivery down before pickup: it goes back to PENDING and is
     * dispatched again without them; they are AVAILABLE again.
     */
    async declineDelivery(
        ctx: RequestContext,
        assignmentId: ID,
        reason?: string | null,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const mover = await this.asDriver(ctx);
        return this.transition(ctx, assignmentId, DeliveryStatus.PENDING, {
            ...mover,
            reasonCode: 'DRIVER_DECLINED',
            note: reason ?? null,
        });
    }

    /**
     * The delivery could not be completed (reported by its driver, or by staff): FAILED, and the
     * driver is free again. The order is neither cancelled nor refunded: staff decide.
     */
    async reportDeliveryFailed(
        ctx: RequestContext,
        assignmentId: ID,
        reasonCode: string,
        note?: string | null,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        if (!FAILURE_REASON_CODES.includes(reasonCode as FailureReasonCode)) {
            throw new UserInputError(
                `Unknown reason code "${reasonCode}": use one of ${FAILURE_REASON_CODES.join(', ')}`,
            );
        }
        const mover = await this.driverOrStaff(ctx, assignmentId);
        return this.transition(ctx, assignmentId, DeliveryStatus.FAILED, {
            ...mover,
            reasonCode,
            note: note ?? null,
        });
    }

    async cancelDelivery(
        ctx: RequestContext,
        assignmentId: ID,
        reason?: string | null,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const assignment = await this.getVisibleOrThrow(ctx, assignmentId);
        return this.transition(ctx, assignment.id, DeliveryStatus.CANCELLED, {
            actor: await this.actorOf(ctx),
            reasonCode: 'CANCELLED_BY_ADMIN',
            note: reason ?? null,
        });
    }

    /**
     * Takes the delivery off its driver. Without `driverId` it goes back to PENDING and is
     * dispatched again without that driver (a waiting delivery is dispatched again at once); with
     * `driverId` that (AVAILABLE) driver gets it.
     */
    async reassignDelivery(
        ctx: RequestContext,
        assignmentId: ID,
        driverId?: ID | null,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const visible = await this.getVisibleOrThrow(ctx, assignmentId);
        const actor = await this.actorOf(ctx);
        let assignment = await this.lock(ctx, visible.id);
        if (assignment.status === DeliveryStatus.ASSIGNED) {
            const moved = await this.transition(ctx, assignment.id, DeliveryStatus.PENDING, {
                actor,
                note: 'Reassigned by staff',
            });
            if (moved instanceof DeliveryTransitionError) return moved;
            assignment = moved;
        } else if (assignment.status !== DeliveryStatus.PENDING) {
            return new DeliveryTransitionError(assignment.status, DeliveryStatus.ASSIGNED);
        } else if (driverId == null) {
            // Already waiting: try now instead of at the next retry. Nothing changed in this
            // transaction, so the job may run before it commits.
            await this.enqueue(ctx, assignment.id, assignment.correlationId);
            return assignment;
        }
        if (driverId == null) return assignment;

        const driver = await this.connection.getRepository(ctx, Driver).findOne({ where: { id: driverId } });
        if (!driver) throw new EntityNotFoundError('Driver', driverId);
        // The conditional UPDATE is the claim: it fails if dispatch took the driver meanwhile.
        const claimed = await this.connection
            .getRepository(ctx, Driver)
            .update({ id: driver.id, status: DriverStatus.AVAILABLE }, { status: DriverStatus.BUSY });
        if (!claimed.affected) {
            throw new UserInputError(
                `${driver.name} is ${driver.status}: only an AVAILABLE driver can be assigned`,
            );
        }
        await this.locations.statusChanged(driver.id, DriverStatus.BUSY);
        await this.eventBus.publish(new DriverStatusEvent(ctx, driver.id, DriverStatus.BUSY));
        assignment.driverId = Number(driver.id);
        assignment.assignedAt = new Date();
        assignment.pickupDistanceKm = null;
        return this.move(ctx, assignment, DeliveryStatus.ASSIGNED, { actor });
    }

    /** Moves the (locked) assignment along the state table, with its side effects. */
    private async transition(
        ctx: RequestContext,
        assignmentId: ID,
        to: DeliveryStatus,
        options: MoveOptions,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const assignment = await this.lockForMover(ctx, assignmentId, options);
        if (assignment.status === to) return assignment;
        if (!TRANSITIONS[assignment.status].includes(to)) {
            return new DeliveryTransitionError(assignment.status, to);
        }
        const driverId = assignment.driverId;
        const now = new Date();
        if (to === DeliveryStatus.PICKED_UP) {
            assignment.pickedUpAt = now;
            await this.moveFulfillment(ctx, assignment, 'Shipped');
        }
        if (to === DeliveryStatus.DELIVERED) {
            assignment.deliveredAt = now;
            await this.moveFulfillment(ctx, assignment, 'Delivered');
        }
        if (to === DeliveryStatus.PENDING && driverId != null) {
            // The driver who declined or was taken off is not offered this delivery again.
            assignment.excludedDriverIds = [...assignment.excludedDriverIds, driverId];
            assignment.driverId = null;
            assignment.assignedAt = null;
            assignment.pickupDistanceKm = null;
        }
        const moved = await this.move(ctx, assignment, to, options);
        if (driverId != null && to !== DeliveryStatus.PICKED_UP) {
            await this.releaseDriver(ctx, driverId, to === DeliveryStatus.DELIVERED ? now : undefined);
        }
        return moved;
    }

    /** Writes the new status, appends the event and publishes it (subscribers see it after commit). */
    private async move(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        to: DeliveryStatus,
        options: MoveOptions,
    ): Promise<DeliveryAssignment> {
        const from = assignment.status;
        assignment.status = to;
        const saved = await this.connection.getRepository(ctx, DeliveryAssignment).save(assignment);
        await this.appendEvent(ctx, saved, from, options);
        Logger.verbose(
            `Delivery ${String(saved.id)} ${from} → ${to} by ${options.actor} [correlationId=${saved.correlationId}]`,
            loggerCtx,
        );
        return saved;
    }

    private async appendEvent(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        from: DeliveryStatus | null,
        options: MoveOptions,
    ): Promise<void> {
        await this.connection.getRepository(ctx, DeliveryEvent).save(
            new DeliveryEvent({
                assignmentId: Number(assignment.id),
                fromStatus: from,
                toStatus: assignment.status,
                reasonCode: options.reasonCode ?? null,
                note: options.note ?? null,
                actor: options.actor,
            }),
        );
        await this.eventBus.publish(
            new DeliveryStatusEvent(
                ctx,
                assignment.id,
                assignment.orderId,
                from,
                assignment.status,
                options.reasonCode ?? null,
                assignment.correlationId,
            ),
        );
    }

    /** AVAILABLE again, in the same transaction as the step that ended the delivery. */
    private async releaseDriver(ctx: RequestContext, driverId: ID, deliveredAt?: Date): Promise<void> {
        await this.connection.getRepository(ctx, Driver).update(
            { id: driverId, status: DriverStatus.BUSY },
            {
                status: DriverStatus.AVAILABLE,
                ...(deliveredAt ? { lastDeliveredAt: deliveredAt } : {}),
            },
        );
        await this.locations.statusChanged(driverId, DriverStatus.AVAILABLE);
        await this.eventBus.publish(new DriverStatusEvent(ctx, driverId, DriverStatus.AVAILABLE));
        await this.eventBus.publish(new DriverAvailableEvent(ctx, driverId));
    }

    private async moveFulfillment(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        state: 'Shipped' | 'Delivered',
    ): Promise<void> {
        if (assignment.fulfillmentId == null) return;
        const result = await this.orderService.transitionFulfillmentToState(
            ctx,
            assignment.fulfillmentId,
            state,
        );
        if (isGraphQlErrorResult(result)) {
            // Thrown, so the delivery step rolls back with the fulfillment that could not follow.
            throw new Error(
                `The fulfillment of delivery ${String(assignment.id)} cannot go to ${state}: ${result.message} [correlationId=${assignment.correlationId}]`,
            );
        }
    }

    private async recordFailedAttempt(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        reason: string,
    ): Promise<void> {
        await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .increment({ id: assignment.id, status: DeliveryStatus.PENDING }, 'attempts', 1);
        await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .update({ id: assignment.id, status: DeliveryStatus.PENDING }, { lastError: reason });
        Logger.info(`${reason} [correlationId=${assignment.correlationId}]`, loggerCtx);
    }

    private async enqueue(ctx: RequestContext, assignmentId: ID, correlationId: string): Promise<void> {
        // A refused job is logged there; the PENDING row is the record and the sweep re-queues it.
        await this.enqueueDispatch(ctx, assignmentId, correlationId);
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
            Logger.error(
                `Could not enqueue dispatch of delivery ${String(assignmentId)}: ${describe(error)} [correlationId=${correlationId}]`,
                loggerCtx,
            );
            return false;
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * A driver came free: the oldest waiting delivery whose pickup store lies within
     * `maxSearchRadiusKm` of them (great-circle) gets a dispatch job. The claim itself still takes
     * the nearest driver around that store, which is this one or a nearer one.
     */
    private async dispatchOldestWaitingNear(ctx: RequestContext, driverId: ID): Promise<void> {
        try {
            const waiting = await this.oldestWaitingNear(driverId);
            if (waiting) await this.enqueue(ctx, waiting.id, waiting.correlationId);
        } catch (error) {
            Logger.error(`Could not re-dispatch waiting deliveries: ${describe(error)}`, loggerCtx);
        }
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
     * A step of the driver's own app, taken on their behalf (the demo fleet): pickup or delivery of
     * the delivery the driver holds, recorded as that driver. Refused unless it is theirs.
     */
    async confirmAsDriver(
        ctx: RequestContext,
        assignmentId: ID,
        driverId: ID,
        to: DeliveryStatus.PICKED_UP | DeliveryStatus.DELIVERED,
    ): Promise<DeliveryAssignment | DeliveryTransitionError | DeliveryCodeError> {
        return this.connection.withTransaction(ctx, async txCtx => {
            const mover = { actor: `driver:${String(driverId)}`, driverId };
            const assignment = await this.lockForMover(txCtx, assignmentId, mover);
            if (to === DeliveryStatus.DELIVERED) {
                // The demo customer reads the code out at the door.
                return this.confirmDeliveryWithCode(txCtx, assignment.id, assignment.deliveryCode, mover);
            }
            return this.transition(txCtx, assignment.id, to, mover);
        });
    }

    /** An order cancelled in Vendure ends its open delivery and releases the driver. */
    private async cancelForCancelledOrder(ctx: RequestContext, orderId: ID): Promise<void> {
        try {
            await this.connection.withTransaction(ctx, async txCtx => {
                const assignment = await this.connection
                    .getRepository(txCtx, DeliveryAssignment)
                    .findOne({ where: { orderId: Number(orderId) } });
                if (!assignment || FINAL_STATUSES.includes(assignment.status)) return;
                await this.transition(txCtx, assignment.id, DeliveryStatus.CANCELLED, {
                    actor: 'system',
                    reasonCode: 'CANCELLED_BY_ADMIN',
                    note: 'The order was cancelled',
                });
            });
        } catch (error) {
            Logger.error(
                `Could not cancel the delivery of cancelled order ${String(orderId)}: ${String(error)}`,
                loggerCtx,
            );
        }
    }

    /**
     * A driver acts as themselves (whether the delivery is theirs is checked under the row lock);
     * staff with ManageDispatch on any delivery of their channel (recorded as staff); anyone else is
     * refused.
     */
    private async driverOrStaff(ctx: RequestContext, assignmentId: ID): Promise<Mover> {
        const driver = await this.drivers.findActive(ctx);
        if (driver) return { actor: `driver:${String(driver.id)}`, driverId: driver.id };
        if (!ctx.userHasPermissions([manageDispatchPermission.Permission])) throw new ForbiddenError();
        await this.getVisibleOrThrow(ctx, assignmentId);
        return { actor: await this.actorOf(ctx) };
    }

    /** Only a driver, as themselves; staff and anyone else are refused. */
    private async asDriver(ctx: RequestContext): Promise<Mover & { driverId: ID }> {
        const driver = await this.drivers.findActive(ctx);
        if (!driver) throw new ForbiddenError();
        return { actor: `driver:${String(driver.id)}`, driverId: driver.id };
    }

    /**
     * The row, locked, after checking that a driver moving it holds it as locked. A missing
     * delivery and another driver's answer the same ForbiddenError, so a driver cannot probe which
     * ids exist.
     */
    private async lockForMover(
        ctx: RequestContext,
        assignmentId: ID,
        mover: { driverId?: ID },
    ): Promise<DeliveryAssignment> {
        if (mover.driverId == null) return this.lock(ctx, assignmentId);
        const locked = await this.lockIfExists(ctx, assignmentId);
        if (!locked || !idsAreEqual(locked.driverId ?? undefined, mover.driverId)) throw new ForbiddenError();
        return locked;
    }

    /** `staff:<administratorId>` for a logged-in administrator, else `system`. */
    private async actorOf(ctx: RequestContext): Promise<string> {
        const userId = ctx.activeUserId;
        if (userId == null) return 'system';
        const administrator = await this.connection
            .getRepository(ctx, Administrator)
            .findOne({ where: { user: { id: userId } }, select: ['id'] });
        return administrator ? `staff:${String(administrator.id)}` : 'system';
    }

    private async getVisibleOrThrow(ctx: RequestContext, id: ID): Promise<DeliveryAssignment> {
        const assignment = await this.findOne(ctx, id);
        if (!assignment) throw new EntityNotFoundError('DeliveryAssignment', id);
        return assignment;
    }

    /** Assignments of the active channel. */
    private visible(ctx: RequestContext) {
        return this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder('assignment')
            .innerJoin('assignment.channels', 'channel', 'channel.id = :channelId', {
                channelId: ctx.channelId,
            });
    }

    /** The row, locked until the transaction ends: one move at a time. */
    private async lock(ctx: RequestContext, id: ID): Promise<DeliveryAssignment> {
        const assignment = await this.lockIfExists(ctx, id);
        if (!assignment) throw new EntityNotFoundError('DeliveryAssignment', id);
        return assignment;
    }

    private async lockIfExists(ctx: RequestContext, id: ID): Promise<DeliveryAssignment | undefined> {
        const assignment = await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder('assignment')
            .setLock('pessimistic_write')
            .where('assignment.id = :id', { id })
            .getOne();
        return assignment ?? undefined;
    }

    /** The seller order's own delivery location, else its aggregate order's. */
    private async dropoffOf(ctx: RequestContext, order: Order): Promise<LatLng | undefined> {
        const own = locationOf(order);
        if (own || order.aggregateOrderId == null) return own;
        const aggregate = await this.connection
            .getRepository(ctx, Order)
            .findOne({ where: { id: order.aggregateOrderId } });
        return aggregate ? locationOf(aggregate) : undefined;
    }
}

function locationOf(order: Order): LatLng | undefined {
    const { deliveryLatitude, deliveryLongitude } = order.customFields;
    return deliveryLatitude != null && deliveryLongitude != null
        ? { latitude: deliveryLatitude, longitude: deliveryLongitude }
        : undefined;
}

function pickupPoint(store: StockLocation | null): LatLng | undefined {
    const { latitude, longitude } = store?.customFields ?? {};
    return latitude != null && longitude != null ? { latitude, longitude } : undefined;
}

function describe(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
