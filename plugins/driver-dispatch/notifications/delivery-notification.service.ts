import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
    EventBus,
    ID,
    idsAreEqual,
    Logger,
    Order,
    RequestContext,
    StockLocation,
    TransactionalConnection,
} from '@vendure/core';

import { describeError } from '../../shared/errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryAssignedEvent } from '../events/delivery-assigned-event';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryTrackingService } from '../services/delivery-tracking.service';
import { DriverService } from '../services/driver.service';
import { OutboxHandoff } from '../services/outbox-handoff';
import { DeliveryStatus } from '../types';
import { DeliveryNotification } from './delivery-notification.entity';
import { DeliveryNotificationEvent, DeliveryNotificationKind } from './delivery-notification-event';

/** The step of a delivery a notification is about. */
export interface DeliveryNotificationTrigger {
    kind: DeliveryNotificationKind;
    assignmentId: ID;
    /** The driver of the step (for FAILED: who failed it; null when it failed waiting for one). */
    driverId: ID | null;
    reasonCode: string | null;
    /** The delivery's attempt at the step (`DeliveryAssignment.attempt`); 0 when not given. */
    attempt?: number;
}

/** Statuses a delivery event moves to that the customer hears about (assignment has its own event). */
const KIND_OF_STATUS: Partial<Record<DeliveryStatus, DeliveryNotificationKind>> = {
    [DeliveryStatus.PICKED_UP]: DeliveryNotificationKind.PICKED_UP,
    [DeliveryStatus.DELIVERED]: DeliveryNotificationKind.DELIVERED,
    [DeliveryStatus.FAILED]: DeliveryNotificationKind.FAILED,
};

/** A row still unpublished this long after its step committed lost its publisher: the sweep publishes it. */
const REPUBLISH_GRACE_SECONDS = 60;
/** Older than this, an unpublished row is not sent any more: the customer has moved on. */
const REPUBLISH_MAX_AGE_HOURS = 24;
/** Rows published per sweep; the next sweep takes the rest. */
const REPUBLISH_BATCH_SIZE = 100;

/** What publishing one notification row came to. */
export type NotificationOutcome = 'published' | 'nobody-to-tell' | 'out-of-date' | 'taken';

/**
 * Tells the customer of a delivery about its steps through a {@link DeliveryNotificationEvent},
 * once per delivery, step, attempt (a delivery staff retried tells again) and driver. A blocking
 * handler of the step's event writes a {@link DeliveryNotification} row in the step's own
 * transaction (`INSERT … ON CONFLICT DO NOTHING` on its unique key, so a delivery event handled
 * twice, or in two processes, writes one);
 * after the commit, whoever sets the row's `publishedAt` (a conditional UPDATE) publishes the event.
 * A process that dies between the commit and the publication leaves the row unpublished, and the
 * dispatch sweep publishes it a minute later ({@link DeliveryNotificationService.publishOverdue}),
 * unless the step is over by then (an "on the way" for a delivered order is not sent). Needs nothing
 * of `@vendure/email-plugin`: the delivery emails are one listener of the event.
 */
@Injectable()
export class DeliveryNotificationService implements OnApplicationBootstrap {
    /** The row an event's blocking handler wrote, for its post-commit subscriber to publish. */
    private readonly recorded = new OutboxHandoff<ID>();

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly eventBus: EventBus,
        private readonly tracking: DeliveryTrackingService,
        private readonly drivers: DriverService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<ResolvedDriverDispatchOptions, 'customerNotifications'>,
    ) {}

    onApplicationBootstrap(): void {
        if (!this.options.customerNotifications.enabled) return;
        this.eventBus.registerBlockingEventHandler({
            event: [DeliveryAssignedEvent, DeliveryStatusEvent],
            id: 'driver-dispatch-customer-notifications',
            handler: async (event: DeliveryAssignedEvent | DeliveryStatusEvent) => {
                const trigger = triggerOf(event);
                if (trigger) await this.recorded.give(event, () => this.record(event.ctx, trigger));
            },
        });
        // Subscribers run after the step's transaction committed (EventBus.ofType waits for it).
        for (const type of [DeliveryAssignedEvent, DeliveryStatusEvent]) {
            this.eventBus.ofType<DeliveryAssignedEvent | DeliveryStatusEvent>(type).subscribe(event => {
                if (!triggerOf(event)) return;
                void this.recorded.take(event).then(id => {
                    if (id != null) this.publishLogged(event.ctx, id);
                });
            });
        }
    }

    /**
     * Records the customer's notification of this step and publishes it, unless it was recorded
     * before (by any process). True when this call published it; false when it had been recorded,
     * or the order has no customer email address to tell.
     */
    async notify(ctx: RequestContext, trigger: DeliveryNotificationTrigger): Promise<boolean> {
        const id = await this.record(ctx, trigger);
        return id != null && (await this.publish(ctx, id)) === 'published';
    }

    /**
     * Writes the step's row, in the caller's transaction when there is one. The row's id when this
     * call wrote it; undefined when it was there already.
     */
    async record(ctx: RequestContext, trigger: DeliveryNotificationTrigger): Promise<ID | undefined> {
        const attempt = trigger.attempt ?? 0;
        const written = await this.connection
            .getRepository(ctx, DeliveryNotification)
            .createQueryBuilder()
            .insert()
            .into(DeliveryNotification)
            .values({
                assignmentId: trigger.assignmentId,
                kind: trigger.kind,
                driverId: trigger.driverId,
                attempt,
                onceKey: `${attempt}:${trigger.driverId == null ? '-' : String(trigger.driverId)}`,
                // The column's length: a longer code must not fail the step's transaction.
                reasonCode: trigger.reasonCode?.slice(0, 32) ?? null,
                publishedAt: null,
            })
            .orIgnore()
            .returning('id')
            .execute();
        return (written.raw as Array<{ id: ID }>)[0]?.id;
    }

    /**
     * Publishes one unpublished row, if this call is the one that marks it published. `late`
     * (the sweep): a step the delivery has moved past is marked and not sent.
     */
    async publish(ctx: RequestContext, id: ID, late = false): Promise<NotificationOutcome> {
        const row = await this.connection.rawConnection
            .getRepository(DeliveryNotification)
            .findOne({ where: { id } });
        if (!row || row.publishedAt) return 'taken';
        const trigger: DeliveryNotificationTrigger = {
            kind: row.kind,
            assignmentId: row.assignmentId,
            driverId: row.driverId,
            reasonCode: row.reasonCode,
            attempt: row.attempt,
        };
        // Read first: a failure here leaves the row for the sweep, not marked and lost.
        const found = await this.eventFor(ctx, trigger, late);
        const marked = await this.connection.rawConnection
            .createQueryBuilder()
            .update(DeliveryNotification)
            .set({ publishedAt: () => 'CURRENT_TIMESTAMP' })
            .where('id = :id AND "publishedAt" IS NULL', { id })
            .execute();
        if (!marked.affected) return 'taken';
        if (found === 'nobody-to-tell' || found === 'out-of-date') return found;
        await this.eventBus.publish(found);
        return 'published';
    }

    /**
     * The sweep's part: rows left unpublished for a minute (their process died after the step's
     * commit) are published now, the oldest first; ones older than a day are left alone. Returns
     * the ids of those published.
     */
    async publishOverdue(ctx: RequestContext): Promise<ID[]> {
        if (!this.options.customerNotifications.enabled) return [];
        // The database's clock on both sides: createdAt is written with its now().
        const overdue = await this.connection.rawConnection
            .getRepository(DeliveryNotification)
            .createQueryBuilder('notification')
            .select(['notification.id'])
            .where('notification.publishedAt IS NULL')
            .andWhere(`notification.createdAt < CURRENT_TIMESTAMP - make_interval(secs => :grace)`, {
                grace: REPUBLISH_GRACE_SECONDS,
            })
            .andWhere(`notification.createdAt > CURRENT_TIMESTAMP - make_interval(hours => :maxAge)`, {
                maxAge: REPUBLISH_MAX_AGE_HOURS,
            })
            .orderBy('notification.createdAt', 'ASC')
            .take(REPUBLISH_BATCH_SIZE)
            .getMany();
        const published: ID[] = [];
        for (const { id } of overdue) {
            try {
                if ((await this.publish(ctx, id, true)) === 'published') published.push(id);
            } catch (error) {
                Logger.error(
                    `Could not publish customer notification ${String(id)}: ${describeError(error)}`,
                    loggerCtx,
                );
            }
        }
        return published;
    }

    private publishLogged(ctx: RequestContext, id: ID): void {
        this.publish(ctx, id).catch((error: unknown) =>
            Logger.error(
                `Could not notify the customer (notification ${String(id)}; the sweep tries again): ${describeError(error)}`,
                loggerCtx,
            ),
        );
    }

    /**
     * The notification as the customer should read it, or why nobody is told: no order or email
     * address, or (`late`) the delivery has moved past the step (or on to another attempt).
     */
    private async eventFor(
        ctx: RequestContext,
        trigger: DeliveryNotificationTrigger,
        late: boolean,
    ): Promise<DeliveryNotificationEvent | 'nobody-to-tell' | 'out-of-date'> {
        const assignment = await this.connection.rawConnection.getRepository(DeliveryAssignment).findOne({
            where: { id: trigger.assignmentId },
            relations: ['pickupStockLocation'],
        });
        if (!assignment) return 'nobody-to-tell';
        if (late && !stillCurrent(trigger, assignment)) {
            Logger.verbose(
                `Delivery ${String(assignment.id)}: ${trigger.kind} of attempt ${trigger.attempt ?? 0} not sent late, the delivery is ${assignment.status} (attempt ${assignment.attempt})`,
                loggerCtx,
            );
            return 'out-of-date';
        }
        const orders = this.connection.rawConnection.getRepository(Order);
        const order = await orders.findOne({
            where: { id: assignment.orderId },
            relations: ['customer', 'channels', 'channels.seller'],
        });
        if (!order) return 'nobody-to-tell';
        // A seller order's customer is the one of the order they placed (as deliveryTracking finds it).
        const placed =
            order.aggregateOrderId != null
                ? await orders.findOne({ where: { id: order.aggregateOrderId }, relations: ['customer'] })
                : order;
        const customer = placed?.customer;
        if (!placed || !customer?.emailAddress) {
            Logger.verbose(`Delivery ${String(assignment.id)}: the order has no customer email`, loggerCtx);
            return 'nobody-to-tell';
        }
        const entry = await this.tracking.trackingEntry(ctx, order, assignment);
        const driver =
            trigger.driverId == null ? undefined : await this.drivers.findOne(ctx, trigger.driverId);
        const withDriverNow =
            entry.driverName != null &&
            trigger.driverId != null &&
            idsAreEqual(assignment.driverId, trigger.driverId);
        return new DeliveryNotificationEvent(
            ctx,
            trigger.kind,
            assignment.id,
            order.id,
            trigger.driverId,
            {
                emailAddress: customer.emailAddress,
                firstName: customer.firstName || null,
                lastName: customer.lastName || null,
            },
            {
                orderCode: placed.code,
                storeName: storeNameOf(assignment.pickupStockLocation),
                sellerName: entry.sellerName,
                driverName: driver?.name ?? null,
                // The ETA and the code only while they still hold (the delivery may have moved on).
                etaMinutes: withDriverNow ? entry.etaMinutes : null,
                trackingUrl: entry.trackingUrl,
                deliveryCode: entry.deliveryCode,
                reasonCode: trigger.reasonCode,
            },
            trigger.attempt ?? 0,
        );
    }
}

/** The step a delivery event is, for the customer; undefined when it tells them nothing. */
function triggerOf(
    event: DeliveryAssignedEvent | DeliveryStatusEvent,
): DeliveryNotificationTrigger | undefined {
    if (event instanceof DeliveryAssignedEvent) {
        return {
            kind: DeliveryNotificationKind.DRIVER_ASSIGNED,
            assignmentId: event.assignmentId,
            driverId: event.driverId,
            reasonCode: null,
            attempt: event.attempt,
        };
    }
    const kind = KIND_OF_STATUS[event.toStatus];
    // Only a failure may come without a driver: staff gave up on a delivery still waiting for one.
    if (!kind || (event.driverId == null && kind !== DeliveryNotificationKind.FAILED)) return undefined;
    return {
        kind,
        assignmentId: event.assignmentId,
        driverId: event.driverId,
        reasonCode: event.reasonCode,
        attempt: event.attempt,
    };
}

/**
 * Whether a step published late still holds: one of the delivery's current attempt, and "on the
 * way" and "picked up" only while they are true.
 */
function stillCurrent(trigger: DeliveryNotificationTrigger, assignment: DeliveryAssignment): boolean {
    if (assignment.attempt !== (trigger.attempt ?? 0)) return false;
    switch (trigger.kind) {
        case DeliveryNotificationKind.DRIVER_ASSIGNED:
            return (
                assignment.status === DeliveryStatus.ASSIGNED &&
                idsAreEqual(assignment.driverId, trigger.driverId)
            );
        case DeliveryNotificationKind.PICKED_UP:
            return assignment.status === DeliveryStatus.PICKED_UP;
        default:
            return true;
    }
}

function storeNameOf(store: StockLocation | null | undefined): string | null {
    return store?.name?.trim() || null;
}
