import { Inject, Injectable } from '@nestjs/common';
import { EventBus, ID, Logger, RequestContext, TransactionalConnection } from '@vendure/core';

import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryDelayedEvent } from '../events/delivery-delayed-event';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryDelayStage, DeliveryStatus, OPEN_WITH_DRIVER } from '../types';
import { delayCutoffs } from './delivery-delay';

/** The deliveries one detection found delayed, per stage (their events are published). */
export interface DelayDetection {
    waitingForDriver: ID[];
    outForDelivery: ID[];
}

interface DelayedRow {
    id: ID;
    orderId: ID;
    driverId: ID | null;
    correlationId: string;
    since: Date;
}

/**
 * Finds deliveries that became delayed (see `pendingAlertAfterSeconds` and
 * `deliveryAlertAfterMinutes`) and publishes one {@link DeliveryDelayedEvent} per delivery and
 * stage. "Once" is held by the database: each stage's alert column is set by one conditional
 * UPDATE (`… IS NULL`), and only the process whose UPDATE returned the row publishes, so several
 * workers, a restart or a second sweep publish nothing twice. The mark and the events are one
 * transaction, and Vendure hands a transaction's events to subscribers only once it commits: a
 * process that dies before the commit leaves the rows unmarked, and the next sweep alerts them.
 * Like every EventBus event, one published and then lost with its process (between the commit
 * and the subscribers, in memory) is not sent again.
 */
@Injectable()
export class DeliveryDelayService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly eventBus: EventBus,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) private readonly options: ResolvedDriverDispatchOptions,
    ) {}

    async detect(ctx: RequestContext): Promise<DelayDetection> {
        const { readyBefore, assignedBefore } = delayCutoffs(this.options);
        const waiting = await this.alert(
            ctx,
            DeliveryDelayStage.WAITING_FOR_DRIVER,
            'waitingForDriverDelayedAt',
            'createdAt',
            [DeliveryStatus.PENDING],
            readyBefore,
        );
        const out = await this.alert(
            ctx,
            DeliveryDelayStage.OUT_FOR_DELIVERY,
            'outForDeliveryDelayedAt',
            'assignedAt',
            OPEN_WITH_DRIVER,
            assignedBefore,
        );
        if (waiting.length || out.length) {
            Logger.info(
                `Delayed deliveries: ${waiting.length} waiting for a driver [${waiting.join(', ')}], ` +
                    `${out.length} out for delivery [${out.join(', ')}]`,
                loggerCtx,
            );
        }
        return { waitingForDriver: waiting, outForDelivery: out };
    }

    /** Marks one stage's newly delayed rows and publishes their events, in one transaction. */
    private alert(
        ctx: RequestContext,
        stage: DeliveryDelayStage,
        column: 'waitingForDriverDelayedAt' | 'outForDeliveryDelayedAt',
        clock: 'createdAt' | 'assignedAt',
        statuses: DeliveryStatus[],
        before: Date,
    ): Promise<ID[]> {
        return this.connection.withTransaction(ctx, async txCtx => {
            const rows = await this.mark(txCtx, stage, column, clock, statuses, before);
            for (const row of rows) await this.publish(txCtx, stage, row);
            return rows.map(row => row.id);
        });
    }

    /** Sets the stage's alert column on the rows past their cutoff that have none; returns them. */
    private async mark(
        ctx: RequestContext,
        stage: DeliveryDelayStage,
        column: 'waitingForDriverDelayedAt' | 'outForDeliveryDelayedAt',
        clock: 'createdAt' | 'assignedAt',
        statuses: DeliveryStatus[],
        before: Date,
    ): Promise<DelayedRow[]> {
        const result = await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder()
            .update(DeliveryAssignment)
            .set({ [column]: () => 'CURRENT_TIMESTAMP' })
            .where('status IN (:...statuses)', { statuses })
            .andWhere(`"${column}" IS NULL`)
            .andWhere(`"${clock}" < :before`, { before })
            .returning(['id', 'orderId', 'driverId', 'correlationId', clock])
            .execute();
        const raw = result.raw as Array<Omit<DelayedRow, 'since'> & Record<typeof clock, Date>>;
        Logger.debug(`${raw.length} deliveries newly delayed (${stage})`, loggerCtx);
        return raw.map(row => ({
            id: row.id,
            orderId: row.orderId,
            driverId: row.driverId,
            correlationId: row.correlationId,
            since: row[clock],
        }));
    }

    private async publish(ctx: RequestContext, stage: DeliveryDelayStage, row: DelayedRow): Promise<void> {
        const withChannels = await this.connection.getRepository(ctx, DeliveryAssignment).findOne({
            where: { id: row.id },
            relations: { channels: true },
            select: { id: true, channels: { id: true } },
        });
        await this.eventBus.publish(
            new DeliveryDelayedEvent(
                ctx,
                row.id,
                row.orderId,
                stage,
                row.since,
                row.driverId,
                row.correlationId,
                withChannels?.channels.map(channel => channel.id) ?? [],
            ),
        );
    }
}
