import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { OrderType } from '@vendure/common/lib/generated-types';
import {
    Administrator,
    EntityNotFoundError,
    ForbiddenError,
    ID,
    isGraphQlErrorResult,
    Logger,
    Order,
    OrderService,
    RequestContext,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';

import { LatLng } from '../../shared/geo';
import {
    DeliveryCodeError,
    DeliveryTransitionError,
    OrderNotReadyForDispatchError,
} from '../api/error-results';
import { LOCAL_COURIER_HANDLER_CODE } from '../config/local-courier-fulfillment-handler';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx, manageDispatchPermission } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryStatus, FAILURE_REASON_CODES, FailureReasonCode } from '../types';
import { checkDeliveryCode, generateDeliveryCode, generateDeliveryReference } from './delivery-code';
import { DriverNotFree } from './delivery-drivers.service';
import { DeliveryLifecycleService, Mover } from './delivery-lifecycle.service';
import { DeliveryMatcherService } from './delivery-matcher.service';
import { DeliveryQueryService } from './delivery-query.service';
import { DriverService } from './driver.service';
import { generateTrackingToken } from './tracking-token';

/**
 * The deliveries' commands, as the resolvers call them (the reads are {@link DeliveryQueryService}'s):
 * who asks is worked out here (a driver as themselves, staff of the channel), every status move goes
 * through {@link DeliveryLifecycleService}, and a dispatch is started only by
 * {@link DeliveryMatcherService}.
 */
@Injectable()
export class DispatchService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly orderService: OrderService,
        private readonly drivers: DriverService,
        private readonly lifecycle: DeliveryLifecycleService,
        private readonly matcher: DeliveryMatcherService,
        private readonly queries: DeliveryQueryService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<ResolvedDriverDispatchOptions, 'requireDeliveryCode' | 'deliveryCode'>,
    ) {}

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
            .findOne({ where: { orderId: order.id } });
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
        const assignment = await this.lifecycle.open(
            ctx,
            {
                channels: order.channels,
                orderId: order.id,
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
                trackingToken: generateTrackingToken(),
                fulfillmentId: fulfillment.id,
                deliveryCode: generateDeliveryCode(this.options.deliveryCode.length),
                codeFailures: 0,
                codeLockedUntil: null,
            },
            { actor: await this.actorOf(ctx) },
        );
        Logger.info(
            `Order ${order.code} ready for dispatch [correlationId=${assignment.correlationId}]`,
            loggerCtx,
        );
        return assignment;
    }

    /** The driver has the goods: the Fulfillment (and so the order) goes to Shipped. */
    async confirmPickup(
        ctx: RequestContext,
        assignmentId: ID,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const mover = await this.driverOrStaff(ctx, assignmentId);
        return this.lifecycle.transition(ctx, assignmentId, DeliveryStatus.PICKED_UP, mover);
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
            return this.lifecycle.transition(ctx, assignmentId, DeliveryStatus.DELIVERED, {
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
        const locked = await this.lifecycle.lockForMover(ctx, assignmentId, mover);
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
        return this.lifecycle.transition(ctx, locked.id, DeliveryStatus.DELIVERED, mover);
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
        return this.lifecycle.transition(ctx, assignmentId, DeliveryStatus.PENDING, {
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
        return this.lifecycle.transition(ctx, assignmentId, DeliveryStatus.FAILED, {
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
        const assignment = await this.queries.getVisibleOrThrow(ctx, assignmentId);
        return this.lifecycle.transition(ctx, assignment.id, DeliveryStatus.CANCELLED, {
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
        const visible = await this.queries.getVisibleOrThrow(ctx, assignmentId);
        const actor = await this.actorOf(ctx);
        const offDriver = await this.lifecycle.transition(ctx, visible.id, DeliveryStatus.PENDING, {
            actor,
            note: 'Reassigned by staff',
            from: [DeliveryStatus.ASSIGNED],
        });
        if (offDriver instanceof DeliveryTransitionError) {
            return new DeliveryTransitionError(offDriver.fromStatus, DeliveryStatus.ASSIGNED);
        }
        if (driverId == null) {
            if (visible.status === DeliveryStatus.PENDING) {
                // Already waiting: try now instead of at the next retry. Nothing changed in this
                // transaction, so the job may run before it commits.
                await this.matcher.enqueueDispatch(ctx, offDriver.id, offDriver.correlationId);
            }
            return offDriver;
        }
        const assigned = await this.lifecycle.assign(
            ctx,
            offDriver.id,
            { driverId, distanceKm: null, claimedByIndex: false },
            { actor, from: [DeliveryStatus.PENDING] },
        );
        if (assigned instanceof DriverNotFree) throw new UserInputError(assigned.message);
        return assigned;
    }

    /**
     * A FAILED delivery gets another attempt: PENDING again, dispatched without the drivers who
     * failed it. The Vendure fulfillment stays as the failed attempt left it (a pickup already
     * made is not made again).
     */
    async retryDelivery(
        ctx: RequestContext,
        assignmentId: ID,
    ): Promise<DeliveryAssignment | DeliveryTransitionError> {
        const visible = await this.queries.getVisibleOrThrow(ctx, assignmentId);
        return this.lifecycle.transition(ctx, visible.id, DeliveryStatus.PENDING, {
            actor: await this.actorOf(ctx),
            note: 'Retried by staff',
            from: [DeliveryStatus.FAILED],
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
            const assignment = await this.lifecycle.lockForMover(txCtx, assignmentId, mover);
            if (to === DeliveryStatus.DELIVERED) {
                // The demo customer reads the code out at the door.
                return this.confirmDeliveryWithCode(txCtx, assignment.id, assignment.deliveryCode, mover);
            }
            return this.lifecycle.transition(txCtx, assignment.id, to, mover);
        });
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
        await this.queries.getVisibleOrThrow(ctx, assignmentId);
        return { actor: await this.actorOf(ctx) };
    }

    /** Only a driver, as themselves; staff and anyone else are refused. */
    private async asDriver(ctx: RequestContext): Promise<Mover & { driverId: ID }> {
        const driver = await this.drivers.findActive(ctx);
        if (!driver) throw new ForbiddenError();
        return { actor: `driver:${String(driver.id)}`, driverId: driver.id };
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
