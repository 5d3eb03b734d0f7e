import { Injectable } from '@nestjs/common';
import { EventBus, ID, Logger, RequestContext, TransactionalConnection } from '@vendure/core';

import { HEARTBEAT_TTL_SECONDS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DriverStatusEvent } from '../events/driver-status-event';
import { DeliveryStatus, DriverStatus } from '../types';
import { DispatchService } from './dispatch.service';
import { DriverLocationService } from './driver-location.service';

/**
 * A PENDING assignment untouched this long has no dispatch job left (a job attempt or a re-queue
 * touches the row): the sweep gives it a new one. Twice the sweep interval plus slack.
 */
const REQUEUE_AFTER_SECONDS = 30;
/** Waiting deliveries handled per sweep; the next sweep takes the rest. */
const SWEEP_BATCH_SIZE = 100;
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
}

/**
 * The periodic repair of dispatch (run by the `dispatch-sweep` scheduled task): drivers whose
 * heartbeat expired go OFFLINE and leave the index; the Redis index is reconciled with the database
 * (claims of dispatch jobs that died before their commit, releases that rolled back); waiting deliveries whose job is gone get a new
 * one, or are dispatched here, from the index that answers (SQL while Redis is down), when the job
 * queue cannot take a job. Running it twice in a row changes nothing the second time.
 */
@Injectable()
export class DispatchSweepService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly dispatchService: DispatchService,
        private readonly locations: DriverLocationService,
        private readonly eventBus: EventBus,
    ) {}

    async sweep(ctx: RequestContext): Promise<DispatchSweepResult> {
        const driversOffline = await this.expireHeartbeats(ctx);
        // Before the re-queue, so that its jobs can claim the drivers given back.
        const index = await this.locations.reconcileRedis(INDEX_GRACE_SECONDS * 1000);
        const { requeued, dispatchedDirectly } = await this.requeueWaiting(ctx);
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
        const ids = (result.raw as Array<{ id: number }>).map(row => row.id);
        for (const id of ids) {
            await this.locations.statusChanged(id, DriverStatus.OFFLINE);
            await this.eventBus.publish(new DriverStatusEvent(ctx, id, DriverStatus.OFFLINE));
        }
        return ids;
    }

    private async requeueWaiting(
        ctx: RequestContext,
    ): Promise<Pick<DispatchSweepResult, 'requeued' | 'dispatchedDirectly'>> {
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
                queueAnswers = await this.dispatchService.enqueueDispatch(
                    ctx,
                    assignment.id,
                    assignment.correlationId,
                );
                if (queueAnswers) {
                    requeued.push(assignment.id);
                    continue;
                }
            }
            // The queue is unreachable (BullMQ without Redis): claim here, from the index that answers.
            try {
                await this.dispatchService.dispatch(ctx, assignment.id);
            } catch (error) {
                // No driver free now: the attempt is recorded on the row; the next sweep tries again.
                Logger.verbose(
                    `${error instanceof Error ? error.message : String(error)} (sweep)`,
                    loggerCtx,
                );
            }
            dispatchedDirectly.push(assignment.id);
        }
        return { requeued, dispatchedDirectly };
    }
}
