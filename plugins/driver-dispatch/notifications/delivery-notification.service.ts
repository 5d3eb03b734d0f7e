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

import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryAssignedEvent } from '../events/delivery-assigned-event';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryTrackingService } from '../services/delivery-tracking.service';
import { DriverService } from '../services/driver.service';
import { DeliveryStatus } from '../types';
import { DeliveryNotification } from './delivery-notification.entity';
import { DeliveryNotificationEvent, DeliveryNotificationKind } from './delivery-notification-event';

/** The step of a delivery a notification is about. */
export interface DeliveryNotificationTrigger {
    kind: DeliveryNotificationKind;
    assignmentId: ID;
    /** The driver of the step (for FAILED: who failed it). */
    driverId: ID;
    reasonCode: string | null;
}

/** Statuses a delivery event moves to that the customer hears about (assignment has its own event). */
const KIND_OF_STATUS: Partial<Record<DeliveryStatus, DeliveryNotificationKind>> = {
    [DeliveryStatus.PICKED_UP]: DeliveryNotificationKind.PICKED_UP,
    [DeliveryStatus.DELIVERED]: DeliveryNotificationKind.DELIVERED,
    [DeliveryStatus.FAILED]: DeliveryNotificationKind.FAILED,
};

/**
 * Tells the customer of a delivery about its steps through a {@link DeliveryNotificationEvent},
 * once per delivery, step and driver: the winner of an `INSERT … ON CONFLICT DO NOTHING` on the
 * `delivery_notification` table's unique key publishes, so a delivery event handled twice (published
 * again, or in two processes) tells the customer once. Needs nothing of `@vendure/email-plugin`: the
 * delivery emails are one listener of the event.
 */
@Injectable()
export class DeliveryNotificationService implements OnApplicationBootstrap {
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
        // Both arrive after the step's transaction committed (EventBus.ofType waits for it).
        this.eventBus.ofType(DeliveryAssignedEvent).subscribe(event => {
            this.notifyLogged(event.ctx, {
                kind: DeliveryNotificationKind.DRIVER_ASSIGNED,
                assignmentId: event.assignmentId,
                driverId: event.driverId,
                reasonCode: null,
            });
        });
        this.eventBus.ofType(DeliveryStatusEvent).subscribe(event => {
            const kind = KIND_OF_STATUS[event.toStatus];
            if (!kind || event.driverId == null) return;
            this.notifyLogged(event.ctx, {
                kind,
                assignmentId: event.assignmentId,
                driverId: event.driverId,
                reasonCode: event.reasonCode,
            });
        });
    }

    /**
     * Publishes the customer's notification of this step unless it was published before (by any
     * process). True when this call published it; false when it had been, or the order has no
     * customer email address to tell.
     */
    async notify(ctx: RequestContext, trigger: DeliveryNotificationTrigger): Promise<boolean> {
        const event = await this.eventFor(ctx, trigger);
        if (!event) return false;
        const claimed = await this.connection.rawConnection
            .createQueryBuilder()
            .insert()
            .into(DeliveryNotification)
            .values({ assignmentId: trigger.assignmentId, kind: trigger.kind, driverId: trigger.driverId })
            .orIgnore()
            .returning('id')
            .execute();
        if (!(claimed.raw as unknown[]).length) return false;
        await this.eventBus.publish(event);
        return true;
    }

    private notifyLogged(ctx: RequestContext, trigger: DeliveryNotificationTrigger): void {
        this.notify(ctx, trigger).catch((error: unknown) =>
            Logger.error(
                `Could not notify the customer of delivery ${String(trigger.assignmentId)} (${trigger.kind}): ${
                    error instanceof Error ? error.message : String(error)
                }`,
                loggerCtx,
            ),
        );
    }

    /** The notification as the customer should read it, or undefined when nobody can be told. */
    private async eventFor(
        ctx: RequestContext,
        trigger: DeliveryNotificationTrigger,
    ): Promise<DeliveryNotificationEvent | undefined> {
        const assignment = await this.connection.rawConnection.getRepository(DeliveryAssignment).findOne({
            where: { id: trigger.assignmentId },
            relations: ['pickupStockLocation'],
        });
        if (!assignment) return undefined;
        const orders = this.connection.rawConnection.getRepository(Order);
        const order = await orders.findOne({
            where: { id: assignment.orderId },
            relations: ['customer', 'channels', 'channels.seller'],
        });
        if (!order) return undefined;
        // A seller order's customer is the one of the order they placed (as deliveryTracking finds it).
        const placed =
            order.aggregateOrderId != null
                ? await orders.findOne({ where: { id: order.aggregateOrderId }, relations: ['customer'] })
                : order;
        const customer = placed?.customer;
        if (!placed || !customer?.emailAddress) {
            Logger.verbose(`Delivery ${String(assignment.id)}: the order has no customer email`, loggerCtx);
            return undefined;
        }
        const entry = await this.tracking.trackingEntry(ctx, order, assignment);
        const driver = await this.drivers.findOne(ctx, trigger.driverId);
        const withDriverNow = entry.driverName != null && idsAreEqual(assignment.driverId, trigger.driverId);
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
        );
    }
}

function storeNameOf(store: StockLocation | null | undefined): string | null {
    return store?.name?.trim() || null;
}
