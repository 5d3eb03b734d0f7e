import { Inject, Injectable } from '@nestjs/common';
import { RequestContext, TransactionalConnection } from '@vendure/core';

import { DRIVER_DISPATCH_PLUGIN_OPTIONS } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { ResolvedDriverDispatchOptions } from '../options';
import { DriverStatus } from '../types';
import {
    checkInsightsInput,
    DeliveryInsightsInput,
    fillBuckets,
    INSIGHTS_SQL,
    InsightsBucket,
} from './delivery-insights';

/** Median and 90th percentile of one duration, in seconds, over `count` deliveries. */
export interface DurationSummary {
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
}

export interface DeliveryVolume {
    start: Date;
    ready: number;
    delivered: number;
}

export interface DeliveryInsights {
    from: Date;
    to: Date;
    bucket: InsightsBucket;
    deliveries: number;
    delivered: number;
    failed: number;
    cancelled: number;
    delayed: number;
    readyToAssigned: DurationSummary;
    readyToDelivered: DurationSummary;
    targetMinutes: number;
    deliveredWithinTarget: number | null;
    volume: DeliveryVolume[];
    driversByStatus: Array<{ status: DriverStatus; count: number }>;
}

type Numeric = string | number | null;

/**
 * What `deliveryInsights` answers: the deliveries of the active channel made ready in a period
 * (at most 31 days), aggregated in SQL; and the fleet now. Reads only.
 */
@Injectable()
export class DeliveryInsightsService {
    constructor(
        private readonly connection: TransactionalConnection,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) private readonly options: ResolvedDriverDispatchOptions,
    ) {}

    async insights(ctx: RequestContext, input: DeliveryInsightsInput): Promise<DeliveryInsights> {
        const { from, to, bucket } = checkInsightsInput(input);
        const repository = this.connection.getRepository(ctx, DeliveryAssignment);
        const targetMinutes = this.options.deliveryTargetMinutes;
        const [totals] = await repository.query<Array<Record<string, Numeric>>>(INSIGHTS_SQL.aggregates, [
            ctx.channelId,
            from,
            to,
            targetMinutes * 60,
        ]);
        const rows = await repository.query<Array<{ start: Date; ready: Numeric; delivered: Numeric }>>(
            INSIGHTS_SQL.buckets,
            [ctx.channelId, from, to, bucket.toLowerCase()],
        );
        const fleet = await this.connection
            .getRepository(ctx, Driver)
            .createQueryBuilder('driver')
            .select('driver.status', 'status')
            .addSelect('COUNT(*)', 'count')
            .where('driver.enabled = true')
            .groupBy('driver.status')
            .getRawMany<{ status: DriverStatus; count: string }>();
        const count = (value: Numeric | undefined) => Number(value ?? 0);
        const seconds = (value: Numeric | undefined) => (value == null ? null : Number(value));
        const delivered = count(totals.delivered);
        return {
            from,
            to,
            bucket,
            deliveries: count(totals.deliveries),
            delivered,
            failed: count(totals.failed),
            cancelled: count(totals.cancelled),
            delayed: count(totals.delayed),
            readyToAssigned: {
                count: count(totals.assigned),
                medianSeconds: seconds(totals.assignMedian),
                p90Seconds: seconds(totals.assignP90),
            },
            readyToDelivered: {
                count: delivered,
                medianSeconds: seconds(totals.deliverMedian),
                p90Seconds: seconds(totals.deliverP90),
            },
            targetMinutes,
            deliveredWithinTarget: delivered ? count(totals.withinTarget) / delivered : null,
            volume: fillBuckets(
                rows.map(row => ({
                    start: new Date(row.start),
                    ready: count(row.ready),
                    delivered: count(row.delivered),
                })),
                from,
                to,
                bucket,
                start => ({ start, ready: 0, delivered: 0 }),
            ),
            driversByStatus: Object.values(DriverStatus).map(status => ({
                status,
                count: count(fleet.find(row => row.status === status)?.count),
            })),
        };
    }
}
