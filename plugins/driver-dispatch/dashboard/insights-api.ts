// deliveryInsights for the dashboard's insights block, as the rest of the extension calls the
// admin API: a plain string through the dashboard's own `api` client.
import { api } from '@vendure/dashboard';

import { DriverStatus } from './dispatch-api';

export type InsightsBucket = 'HOUR' | 'DAY';

export interface DurationSummary {
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
}

export interface DeliveryInsights {
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
    volume: Array<{ start: string; ready: number; delivered: number }>;
    driversByStatus: Array<{ status: DriverStatus; count: number }>;
}

/** The server refuses longer periods. */
export const INSIGHTS_MAX_DAYS = 31;

const DURATION = 'count medianSeconds p90Seconds';

export async function fetchDeliveryInsights(
    from: Date,
    to: Date,
    bucket: InsightsBucket,
): Promise<DeliveryInsights> {
    const result = await api.query<{ deliveryInsights: DeliveryInsights }>(
        `query DashboardDeliveryInsights($input: DeliveryInsightsInput!) {
            deliveryInsights(input: $input) {
                bucket deliveries delivered failed cancelled delayed targetMinutes deliveredWithinTarget
                readyToAssigned { ${DURATION} } readyToDelivered { ${DURATION} }
                volume { start ready delivered } driversByStatus { status count }
            }
        }`,
        { input: { from: from.toISOString(), to: to.toISOString(), bucket } },
    );
    return result.deliveryInsights;
}

/** "45 s", "12.5 min", "—" for none. */
export function formatDuration(seconds: number | null): string {
    if (seconds == null) return '—';
    if (seconds < 90) return `${Math.round(seconds)} s`;
    return `${(seconds / 60).toFixed(1)} min`;
}

/** The bucket that keeps a chart readable: hours up to two days, days beyond. */
export function bucketFor(from: Date, to: Date): InsightsBucket {
    return to.getTime() - from.getTime() <= 2 * 86_400_000 ? 'HOUR' : 'DAY';
}
