import { Injectable } from '@nestjs/common';
import { EventBus, ID, Logger, RequestContext, TransactionalConnection } from '@vendure/core';

import { HEARTBEAT_TTL_SECONDS, loggerCtx } from '../constants';
import { Driver } from '../entities/driver.entity';
import { DriverStatusEvent } from '../events/driver-status-event';
import { DeliveryNotificationService } from '../notifications/delivery-notification.service';
import { DriverStatus } from '../types';
import { WebhookOutboxService } from '../webhooks/webhook-outbox.service';
import { DeliveryDelayService } from './delivery-delay.service';
import { DeliveryMatcherService } from './delivery-matcher.service';
import { DriverLocationService } from './driver-location.service';

/**
 * How old a status write in the Redis index must be before the sweep may correct it from the
 * database: longer than any dispatch transaction (a claim is written to Redis first, then committed),
 * so only the claims of jobs that died and the releases that rolled back are undone.
 */
const INDEX_GRACE_SECONDS = 30;

/** What one sweep changed (empty lists when it found nothing to do). */
export interface DispatchSweepResult {
    /** AVAILABLE drivers unseen for the heartbeat window, now OFFLINE. */
    driversOffline: ID[];
    /**
     * Drivers the database holds AVAILABLE (enabled, not on a delivery, with a live heartbeat) put
     * back into the Redis GEO set, e.g. claimed by a dispatch job that died before its commit.
     */
    indexRestored: ID[];
    /** Drivers taken out of the Redis GEO set because the database holds them BUSY or OFFLINE. */
    indexRemoved: ID[];
    /** PENDING assignments given a new dispatch job. */
    requeued: ID[];
    /** PENDING assignments dispatched by the sweep itself because the job queue did not answer. */
    dispatchedDirectly: ID[];
    /** Deliveries found delayed in this sweep (one DeliveryDelayedEvent each), per stage. */
    delayed: { waitingForDriver: ID[]; outForDelivery: ID[] };
    /** Webhook messages whose job was lost, given a new one. */
    webhooksRequeued: ID[];
    /** Customer notifications a process left unpublished (it died after the step's commit), published now. */
    notificationsPublished: ID[];
}

/**
 * The periodic repair of dispatch (run by the `dispatch-sweep` scheduled task): drivers whose
 * heartbeat expired go OFFLINE and leave the index; the Redis index is reconciled with the database
 * (claims of dispatch jobs that died before their commit, releases that rolled back); then the
 * matcher re-dispatches waiting deliveries whose job is gone; last, deliveries that became delayed
 * are alerted (after the re-dispatch, so one that just got a driver is judged by its new stage). Running it twice in a row changes
 * nothing the second time.
 */
@Injectable()
export class DispatchSweepService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly matcher: DeliveryMatcherService,
        private readonly locations: DriverLocationService,
        private readonly eventBus: EventBus,
        private readonly delays: DeliveryDelayService,
        private readonly webhooks: WebhookOutboxService,
        private readonly notifications: DeliveryNotificationService,
    ) {}

    async sweep(ctx: RequestContext): Promise<DispatchSweepResult> {
        const driversOffline = await this.expireHeartbeats(ctx);
        // Before the re-queue, so that its jobs can claim the drivers given back.
        const index = await this.locations.reconcileRedis(INDEX_GRACE_SECONDS * 1000);
        const { requeued, dispatchedDirectly } = await this.matcher.redispatchWaiting(ctx);
        const delayed = await this.delays.detect(ctx);
        const webhooksRequeued = await this.webhooks.requeueDue(ctx);
        const notificationsPublished = await this.notifications.publishOverdue(ctx);
        const changed = [driversOffline, index.restored, index.removed, requeued, dispatchedDirectly];
        if (changed.some(ids => ids.length)) {
            Logger.info(
                `Dispatch sweep: ${driversOffline.length} drivers OFFLINE (heartbeat expired), ` +
                    `Redis index reconciled with the database (${index.restored.length} drivers restored: ` +
                    `[${index.restored.join(', ')}], ${index.removed.length} removed: [${index.removed.join(', ')}]), ` +
                    `${requeued.length} deliveries re-queued, ${dispatchedDirectly.length} dispatched directly`,
                loggerCtx,
            );
        }
        return {
            driversOffline,
            indexRestored: index.restored,
            indexRemoved: index.removed,
            requeued,
            dispatchedDirectly,
            delayed,
            webhooksRequeued,
            notificationsPublished,
        };
    }

    /**
     * AVAILABLE drivers unseen for the heartbeat window go OFFLINE (a BUSY driver is on a delivery
     * and keeps it). One conditional UPDATE, so a status set meanwhile is not overwritten. A driver
     * whose status was set within the window (staff just put them on duty) gets that window for a
     * first ping; until then they are not claimable anyway.
     */
    private async expireHeartbeats(ctx: RequestContext): Promise<ID[]> {
        // This process's buffered pings count as seen.
        await this.locations.flush();
        const cutoff = new Date(Date.now() - HEARTBEAT_TTL_SECONDS * 1000);
        const result = await this.connection.rawConnection
            .createQueryBuilder()
            .update(Driver)
            .set({ status: DriverStatus.OFFLINE })
            .where('status = :available', { available: DriverStatus.AVAILABLE })
            .andWhere('("lastSeenAt" IS NULL OR "lastSeenAt" < :cutoff)', { cutoff })
            // updatedAt is written with the database's clock: compared with it.
            .andWhere('"updatedAt" < CURRENT_TIMESTAMP - make_interval(secs => :seconds)', {
                seconds: HEARTBEAT_TTL_SECONDS,
            })
            .returning(['id'])
            .execute();
        const ids = (result.raw as Array<{ id: ID }>).map(row => row.id);
        for (const id of ids) {
            await this.locations.statusChanged(id, DriverStatus.OFFLINE);
            await this.eventBus.publish(new DriverStatusEvent(ctx, id, DriverStatus.OFFLINE));
        }
        return ids;
    }
}
