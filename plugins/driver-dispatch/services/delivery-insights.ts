import { UserInputError } from '@vendure/core';

/** The longest period `deliveryInsights` aggregates over. */
export const INSIGHTS_MAX_DAYS = 31;

export type InsightsBucket = 'HOUR' | 'DAY';

export interface DeliveryInsightsInput {
    from: Date;
    to: Date;
    bucket?: InsightsBucket | null;
}

const BUCKET_MS: Record<InsightsBucket, number> = { HOUR: 3_600_000, DAY: 86_400_000 };

/**
 * The period and bucket of a request, or a UserInputError a person can act on: `from` before `to`,
 * at most {@link INSIGHTS_MAX_DAYS} days apart (so one request reads a bounded number of rows and
 * returns at most 744 hourly buckets).
 */
export function checkInsightsInput(input: DeliveryInsightsInput): {
    from: Date;
    to: Date;
    bucket: InsightsBucket;
} {
    const from = new Date(input.from);
    const to = new Date(input.to);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
        throw new UserInputError('from and to must be dates (ISO 8601, e.g. 2026-12-01T00:00:00Z)');
    }
    if (from.getTime() >= to.getTime()) {
        throw new UserInputError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
    }
    const days = (to.getTime() - from.getTime()) / BUCKET_MS.DAY;
    if (days > INSIGHTS_MAX_DAYS) {
        throw new UserInputError(
            `The period is ${Math.ceil(days)} days long: at most ${INSIGHTS_MAX_DAYS} days per request, ask for a shorter one`,
        );
    }
    const bucket = input.bucket ?? 'HOUR';
    if (bucket !== 'HOUR' && bucket !== 'DAY') throw new UserInputError('bucket must be HOUR or DAY');
    return { from, to, bucket };
}

/** The start of the bucket (UTC) that holds `at`. */
export function bucketStart(at: Date, bucket: InsightsBucket): Date {
    return new Date(Math.floor(at.getTime() / BUCKET_MS[bucket]) * BUCKET_MS[bucket]);
}

/**
 * Every bucket of the period in order, empty ones included (the SQL groups only the buckets that
 * hold deliveries), so a chart has a point per hour or day.
 */
export function fillBuckets<T extends { start: Date }>(
    rows: T[],
    from: Date,
    to: Date,
    bucket: InsightsBucket,
    empty: (start: Date) => T,
): T[] {
    const byStart = new Map(rows.map(row => [row.start.getTime(), row]));
    const filled: T[] = [];
    for (let at = bucketStart(from, bucket).getTime(); at < to.getTime(); at += BUCKET_MS[bucket]) {
        filled.push(byStart.get(at) ?? empty(new Date(at)));
    }
    return filled;
}

/**
 * The SQL of `deliveryInsights`, shared with bench/insights.bench.ts (which EXPLAINs it on 100k
 * deliveries). The period is of readiness (`createdAt`, IDX_delivery_assignment_created_at);
 * the active channel through the channel join table (its primary key). Durations in seconds.
 * Parameters: $1 channel id, $2 from, $3 to, then $4 the target in seconds (aggregates) or the
 * bucket, 'hour' or 'day' (buckets).
 */
export const INSIGHTS_SQL = {
    aggregates: `
        SELECT count(*) AS "deliveries",
            count(*) FILTER (WHERE a."status" = 'DELIVERED') AS "delivered",
            count(*) FILTER (WHERE a."status" = 'FAILED') AS "failed",
            count(*) FILTER (WHERE a."status" = 'CANCELLED') AS "cancelled",
            count(*) FILTER (
                WHERE a."waitingForDriverDelayedAt" IS NOT NULL OR a."outForDeliveryDelayedAt" IS NOT NULL
            ) AS "delayed",
            count(a."assignedAt") AS "assigned",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a."assignedAt" - a."createdAt"))
                FILTER (WHERE a."assignedAt" IS NOT NULL) AS "assignMedian",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a."assignedAt" - a."createdAt"))
                FILTER (WHERE a."assignedAt" IS NOT NULL) AS "assignP90",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a."deliveredAt" - a."createdAt"))
                FILTER (WHERE a."status" = 'DELIVERED' AND a."deliveredAt" IS NOT NULL) AS "deliverMedian",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a."deliveredAt" - a."createdAt"))
                FILTER (WHERE a."status" = 'DELIVERED' AND a."deliveredAt" IS NOT NULL) AS "deliverP90",
            count(*) FILTER (
                WHERE a."status" = 'DELIVERED'
                    AND a."deliveredAt" - a."createdAt" <= make_interval(secs => $4::double precision)
            ) AS "withinTarget"
        FROM "delivery_assignment" a
        INNER JOIN "delivery_assignment_channels_channel" c
            ON c."deliveryAssignmentId" = a."id" AND c."channelId" = $1
        WHERE a."createdAt" >= $2 AND a."createdAt" < $3`,
    buckets: `
        SELECT date_trunc($4, a."createdAt") AS "start",
            count(*) AS "ready",
            count(*) FILTER (WHERE a."status" = 'DELIVERED') AS "delivered"
        FROM "delivery_assignment" a
        INNER JOIN "delivery_assignment_channels_channel" c
            ON c."deliveryAssignmentId" = a."id" AND c."channelId" = $1
        WHERE a."createdAt" >= $2 AND a."createdAt" < $3
        GROUP BY 1
        ORDER BY 1`,
};
