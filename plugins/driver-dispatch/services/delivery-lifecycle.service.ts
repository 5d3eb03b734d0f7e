import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
    EntityNotFoundError,
    EventBus,
    ForbiddenError,
    FSM,
    Fulfillment,
    ID,
    idsAreEqual,
    isGraphQlErrorResult,
    Logger,
    OrderService,
    OrderStateTransitionEvent,
    RequestContext,
    TransactionalConnection,
    Transitions,
    validateTransitionDefinition,
} from '@vendure/core';

import { DeliveryTransitionError } from '../api/error-results';
import { loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryEvent } from '../entities/delivery-event.entity';
import { DeliveryAssignedEvent } from '../events/delivery-assigned-event';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { DriverStatusEvent } from '../events/driver-status-event';
import { DeliveryStatus, DriverStatus, OPEN_WITH_DRIVER } from '../types';
import { DeliveryDriversService, DriverChoice, DriverNotFree } from './delivery-drivers.service';

/**
 * Where each status may lead, in Vendure's state-machine format. Moving to the current status is
 * a no-op; anything else is refused. FAILED ends the driver's attempt, not the order: staff may
 * retry it (FAILED → PENDING) or cancel it, and an order cancelled in Vendure cancels it, so a
 * cancelled order is never retried.
 */
export const DELIVERY_TRANSITIONS: Transitions<DeliveryStatus> = {
    [DeliveryStatus.PENDING]: {
        to: [DeliveryStatus.ASSIGNED, DeliveryStatus.CANCELLED, DeliveryStatus.FAILED],
    },
    [DeliveryStatus.ASSIGNED]: {
        to: [
            DeliveryStatus.PICKED_UP,
            DeliveryStatus.PENDING,
            DeliveryStatus.CANCELLED,
            DeliveryStatus.FAILED,
        ],
    },
    [DeliveryStatus.PICKED_UP]: {
        to: [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED],
    },
    [DeliveryStatus.DELIVERED]: { to: [] },
    [DeliveryStatus.FAILED]: { to: [DeliveryStatus.PENDING, DeliveryStatus.CANCELLED] },
    [DeliveryStatus.CANCELLED]: { to: [] },
};

const definition = validateTransitionDefinition(DELIVERY_TRANSITIONS, DeliveryStatus.PENDING);
if (!definition.valid) throw new Error(`Delivery transitions are inconsistent: ${definition.error ?? ''}`);

/** The moves a driver may make on their own delivery; every other move is staff's or dispatch's. */
const DRIVER_MOVES: Partial<Record<DeliveryStatus, DeliveryStatus[]>> = {
    [DeliveryStatus.ASSIGNED]: [DeliveryStatus.PICKED_UP, DeliveryStatus.PENDING, DeliveryStatus.FAILED],
    [DeliveryStatus.PICKED_UP]: [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED],
};

/** Statuses no move leaves: a FAILED delivery may still be retried or cancelled. */
const ENDED = [DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED];

/** Who asks for a move: a driver (whether the delivery is theirs is checked under the row lock), staff or the system. */
export interface Mover {
    /** `driver:<id>`, `staff:<administratorId>` or `system`, as recorded in the DeliveryEvent. */
    actor: string;
    /** Set when a driver moves their own delivery. */
    driverId?: ID;
}

export interface MoveRequest extends Mover {
    reasonCode?: string | null;
    note?: string | null;
    /**
     * The statuses this request moves from (e.g. a decline only from ASSIGNED, a retry only from
     * FAILED); checked on the locked row, refused with a DeliveryTransitionError otherwise.
     */
    from?: DeliveryStatus[];
}

type NewDelivery = Omit<
    ConstructorParameters<typeof DeliveryAssignment>[0] & object,
    'status' | 'driverId' | 'excludedDriverIds'
>;

/**
 * The one gate for every status move of a delivery: it locks the row, checks the move against
 * {@link DELIVERY_TRANSITIONS} and against who asks, writes it with its side effects (the driver
 * taken or released, the Vendure fulfillment moved), appends the {@link DeliveryEvent} and
 * publishes the events, all in the caller's transaction (subscribers see them after commit).
 */
@Injectable()
export class DeliveryLifecycleService implements OnApplicationBootstrap {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly orderService: OrderService,
        private readonly eventBus: EventBus,
        private readonly drivers: DeliveryDriversService,
    ) {}

    onApplicationBootstrap(): void {
        this.eventBus.ofType(OrderStateTransitionEvent).subscribe(event => {
            if (event.toState === 'Cancelled') void this.cancelForCancelledOrder(event.ctx, event.order.id);
        });
    }

    /** A new delivery, PENDING (its first event: none → PENDING, which starts its dispatch). */
    async open(ctx: RequestContext, input: NewDelivery, mover: Mover): Promise<DeliveryAssignment> {
        const assignment = await this.connection.getRepository(ctx, DeliveryAssignment).save(
            new DeliveryAssignment({
                ...input,
                status: DeliveryStatus.PENDING,
                driverId: null,
                excludedDriverIds: [],
            }),
        );
        await this.record(ctx, assignment, await this.channelIdsOf(ctx, assignment.id), null, null, mover);
        return assignment;
    }

    /** Moves the delivery to `to` (any status but ASSIGNED, which {@link assign} makes). */
    async transition(
        ctx: RequestContext,
        assignmentId: ID,
        to: Exclude<DeliveryStatus, DeliveryStatus.ASSIGNED>,
        request: MoveRequest,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const assignment = await this.lockForMover(ctx, assignmentId, request);
        const refused = this.refusal(assignment, to, request);
        if (refused !== undefined) return refused ?? assignment;
        const result = await this.apply(ctx, assignment, to, request);
        return result instanceof DriverNotFree ? new DeliveryTransitionError(assignment.status, to) : result;
    }

    /**
     * Gives the PENDING delivery to a driver: automatic dispatch (a driver the index claimed),
     * manual reassignment and the sweep all come here. The driver is taken with one conditional
     * UPDATE, so two deliveries never get one driver; a delivery no longer PENDING is returned
     * as it is (the caller gives a claimed driver back).
     */
    async assign(
        ctx: RequestContext,
        assignmentId: ID,
        driver: DriverChoice,
        request: MoveRequest,
    ): Promise<DeliveryAssignment | DeliveryTransitionError | DriverNotFree> {
        const assignment = await this.lockForMover(ctx, assignmentId, request);
        const refused = this.refusal(assignment, DeliveryStatus.ASSIGNED, request);
        if (refused !== undefined) return refused ?? assignment;
        return this.apply(ctx, assignment, DeliveryStatus.ASSIGNED, request, driver);
    }

    /**
     * The row, locked, after checking that a driver moving it holds it as locked. A missing
     * delivery and another driver's answer the same ForbiddenError, so a driver cannot probe which
     * ids exist.
     */
    async lockForMover(ctx: RequestContext, assignmentId: ID, mover: Mover): Promise<DeliveryAssignment> {
        const locked = await this.lockIfExists(ctx, assignmentId);
        if (mover.driverId == null) {
            if (!locked) throw new EntityNotFoundError('DeliveryAssignment', assignmentId);
            return locked;
        }
        if (!locked || !idsAreEqual(locked.driverId ?? undefined, mover.driverId)) throw new ForbiddenError();
        return locked;
    }

    /** undefined: the move may go ahead; null: it is a no-op (already there); else why not. */
    private refusal(
        assignment: DeliveryAssignment,
        to: DeliveryStatus,
        request: MoveRequest,
    ): DeliveryTransitionError | null | undefined {
        const from = assignment.status;
        if (from === to) return null;
        const allowed =
            new FSM({ transitions: DELIVERY_TRANSITIONS }, from).canTransitionTo(to) &&
            (request.from == null || request.from.includes(from)) &&
            (request.driverId == null || (DRIVER_MOVES[from] ?? []).includes(to));
        return allowed ? undefined : new DeliveryTransitionError(from, to);
    }

    /** The move and everything that follows from it, on the locked row. */
    private async apply(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        to: DeliveryStatus,
        request: MoveRequest,
        driver?: DriverChoice,
    ): Promise<DeliveryAssignment | DriverNotFree> {
        const from = assignment.status;
        const previousDriverId = assignment.driverId;
        const now = new Date();
        switch (to) {
            case DeliveryStatus.ASSIGNED: {
                if (!driver) throw new Error('A delivery is assigned to a driver: none was given');
                const notFree = await this.drivers.take(ctx, assignment.id, driver);
                if (notFree) return notFree;
                assignment.driverId = driver.driverId;
                assignment.assignedAt = now;
                assignment.pickupDistanceKm = driver.distanceKm;
                break;
            }
            case DeliveryStatus.PICKED_UP:
                assignment.pickedUpAt = now;
                await this.moveFulfillment(ctx, assignment, 'Shipped');
                break;
            case DeliveryStatus.DELIVERED:
                assignment.deliveredAt = now;
                await this.moveFulfillment(ctx, assignment, 'Delivered');
                break;
            case DeliveryStatus.PENDING:
                if (previousDriverId != null) {
                    // The driver who declined, was taken off or failed it is not offered it again.
                    assignment.excludedDriverIds = [
                        ...assignment.excludedDriverIds,
                        String(previousDriverId),
                    ];
                    assignment.driverId = null;
                    assignment.assignedAt = null;
                    assignment.pickupDistanceKm = null;
                }
                if (from === DeliveryStatus.FAILED) {
                    // A new attempt: the failed one is in the events; the next driver starts clean.
                    assignment.attempt += 1;
                    assignment.pickedUpAt = null;
                    assignment.lastError = null;
                    assignment.codeFailures = 0;
                    assignment.codeLockedUntil = null;
                }
                break;
            default:
                break;
        }
        assignment.status = to;
        const saved = await this.connection.getRepository(ctx, DeliveryAssignment).save(assignment);
        // A move never changes the channels: read once for every event it publishes.
        const channelIds = await this.channelIdsOf(ctx, saved.id);
        await this.record(ctx, saved, channelIds, from, previousDriverId, request);
        const released =
            previousDriverId != null && OPEN_WITH_DRIVER.includes(from) && !OPEN_WITH_DRIVER.includes(to);
        if (released) {
            await this.drivers.release(
                ctx,
                previousDriverId,
                to === DeliveryStatus.DELIVERED ? now : undefined,
            );
        }
        if (to === DeliveryStatus.ASSIGNED && driver) {
            await this.eventBus.publish(
                new DeliveryAssignedEvent(
                    ctx,
                    saved.id,
                    saved.orderId,
                    driver.driverId,
                    driver.distanceKm,
                    saved.correlationId,
                    saved.excludedDriverIds[saved.excludedDriverIds.length - 1] ?? null,
                    channelIds,
                    saved.attempt,
                ),
            );
            await this.eventBus.publish(new DriverStatusEvent(ctx, driver.driverId, DriverStatus.BUSY));
        }
        return saved;
    }

    /** Appends the DeliveryEvent and publishes the DeliveryStatusEvent. */
    private async record(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        channelIds: ID[],
        from: DeliveryStatus | null,
        previousDriverId: ID | null,
        request: MoveRequest,
    ): Promise<void> {
        const recorded = await this.connection.getRepository(ctx, DeliveryEvent).save(
            new DeliveryEvent({
                assignmentId: assignment.id,
                fromStatus: from,
                toStatus: assignment.status,
                reasonCode: request.reasonCode ?? null,
                note: request.note ?? null,
                actor: request.actor,
            }),
        );
        Logger.verbose(
            `Delivery ${String(assignment.id)} ${from ?? 'new'} → ${assignment.status} by ${request.actor} [correlationId=${assignment.correlationId}]`,
            loggerCtx,
        );
        await this.eventBus.publish(
            new DeliveryStatusEvent(
                ctx,
                assignment.id,
                assignment.orderId,
                from,
                assignment.status,
                request.reasonCode ?? null,
                assignment.correlationId,
                assignment.driverId,
                previousDriverId,
                channelIds,
                recorded.id,
                assignment.attempt,
            ),
        );
    }

    /**
     * The Vendure fulfillment follows the delivery. A retried delivery whose fulfillment is already
     * Shipped (the failed attempt had picked it up) is not moved to Shipped again.
     */
    private async moveFulfillment(
        ctx: RequestContext,
        assignment: DeliveryAssignment,
        state: 'Shipped' | 'Delivered',
    ): Promise<void> {
        if (assignment.fulfillmentId == null) return;
        const fulfillment = await this.connection
            .getRepository(ctx, Fulfillment)
            .findOne({ where: { id: assignment.fulfillmentId }, select: ['id', 'state'] });
        if (!fulfillment || fulfillment.state === state) return;
        const result = await this.orderService.transitionFulfillmentToState(ctx, fulfillment.id, state);
        if (isGraphQlErrorResult(result)) {
            // Thrown, so the delivery step rolls back with the fulfillment that could not follow.
            throw new Error(
                `The fulfillment of delivery ${String(assignment.id)} cannot go to ${state}: ${result.message} [correlationId=${assignment.correlationId}]`,
            );
        }
    }

    /** An order cancelled in Vendure ends its open delivery and releases the driver. */
    private async cancelForCancelledOrder(ctx: RequestContext, orderId: ID): Promise<void> {
        try {
            await this.connection.withTransaction(ctx, async txCtx => {
                const assignment = await this.connection
                    .getRepository(txCtx, DeliveryAssignment)
                    .findOne({ where: { orderId } });
                if (!assignment || ENDED.includes(assignment.status)) return;
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

    private async channelIdsOf(ctx: RequestContext, assignmentId: ID): Promise<ID[]> {
        const withChannels = await this.connection.getRepository(ctx, DeliveryAssignment).findOne({
            where: { id: assignmentId },
            relations: { channels: true },
            select: { id: true, channels: { id: true } },
        });
        return withChannels?.channels.map(channel => channel.id) ?? [];
    }

    /** The row, locked until the transaction ends: one move at a time. */
    private async lockIfExists(ctx: RequestContext, id: ID): Promise<DeliveryAssignment | undefined> {
        const assignment = await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder('assignment')
            .setLock('pessimistic_write')
            .where('assignment.id = :id', { id })
            .getOne();
        return assignment ?? undefined;
    }
}
