import { useQuery } from '@tanstack/react-query';
import {
    Button,
    ChartConfig,
    ChartContainer,
    ChartTooltip,
    ChartTooltipContent,
    DashboardBaseWidget,
    DashboardBaseWidgetProps,
    useWidgetFilters,
} from '@vendure/dashboard';
import { useMemo, useState } from 'react';
// The dashboard's own chart components are shadcn's, drawn with the recharts the dashboard ships.
import { Bar, BarChart, CartesianGrid, XAxis, YAxis } from 'recharts';

import {
    bucketFor,
    DeliveryInsights,
    fetchDeliveryInsights,
    formatDuration,
    INSIGHTS_MAX_DAYS,
} from './insights-api';
import { STATUS_COLOURS } from './status-badge';
import { DISPATCH_QUERY_KEY } from './use-live-dispatch';

const VOLUME_CHART: ChartConfig = {
    ready: { label: 'Ready', color: 'var(--chart-1, #2563eb)' },
    delivered: { label: 'Delivered', color: 'var(--chart-2, #16a34a)' },
};
const FLEET_CHART: ChartConfig = { count: { label: 'Drivers' } };

function Stat({
    id,
    label,
    value,
    hint,
}: Readonly<{ id: string; label: string; value: string; hint?: string }>) {
    return (
        <div className="rounded-md border p-3" data-testid={`insight-${id}`}>
            <div className="text-xs text-muted-foreground">{label}</div>
            <div className="text-xl font-semibold" data-testid={`insight-${id}-value`}>
                {value}
            </div>
            {hint && <div className="text-xs text-muted-foreground">{hint}</div>}
        </div>
    );
}

/** The numbers and charts of one period. */
export function DeliveryInsightsView({ from, to }: Readonly<{ from: Date; to: Date }>) {
    const bucket = bucketFor(from, to);
    const insights = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'insights', from.toISOString(), to.toISOString(), bucket],
        queryFn: () => fetchDeliveryInsights(from, to, bucket),
    });
    if (insights.isPending) return <div className="text-sm text-muted-foreground">Loading…</div>;
    if (insights.isError) return <div className="text-sm text-destructive">{String(insights.error)}</div>;
    return <InsightsContent data={insights.data} />;
}

function InsightsContent({ data }: Readonly<{ data: DeliveryInsights }>) {
    const volume = useMemo(
        () =>
            data.volume.map(entry => {
                const start = new Date(entry.start);
                const label =
                    data.bucket === 'HOUR'
                        ? start.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
                        : start.toLocaleDateString([], { month: 'short', day: 'numeric' });
                return { label, ready: entry.ready, delivered: entry.delivered };
            }),
        [data],
    );
    const fleet = data.driversByStatus.map(entry => ({
        status: entry.status,
        count: entry.count,
        fill: STATUS_COLOURS[entry.status],
    }));
    const share =
        data.deliveredWithinTarget == null ? '—' : `${Math.round(data.deliveredWithinTarget * 100)} %`;
    return (
        <div className="space-y-4" data-testid="delivery-insights">
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
                <Stat id="deliveries" label="Deliveries made ready" value={String(data.deliveries)} />
                <Stat id="delivered" label="Delivered" value={String(data.delivered)} />
                <Stat id="delayed" label="Delayed" value={String(data.delayed)} />
                <Stat
                    id="failed"
                    label="Failed"
                    value={String(data.failed)}
                    hint={`${data.cancelled} cancelled`}
                />
                <Stat
                    id="ready-to-driver"
                    label="Ready → driver (median)"
                    value={formatDuration(data.readyToAssigned.medianSeconds)}
                    hint={`p90 ${formatDuration(data.readyToAssigned.p90Seconds)}`}
                />
                <Stat
                    id="ready-to-delivered"
                    label="Ready → delivered (median)"
                    value={formatDuration(data.readyToDelivered.medianSeconds)}
                    hint={`p90 ${formatDuration(data.readyToDelivered.p90Seconds)}`}
                />
                <Stat id="within-target" label={`Delivered within ${data.targetMinutes} min`} value={share} />
            </div>
            <div className="grid gap-4 lg:grid-cols-3">
                <div className="lg:col-span-2">
                    <div className="mb-1 text-sm font-medium">
                        Deliveries per {data.bucket === 'HOUR' ? 'hour' : 'day'}
                    </div>
                    <ChartContainer
                        config={VOLUME_CHART}
                        className="h-48 w-full"
                        data-testid="insights-volume-chart"
                    >
                        <BarChart data={volume}>
                            <CartesianGrid vertical={false} />
                            <XAxis dataKey="label" tickLine={false} fontSize={11} minTickGap={16} />
                            <YAxis allowDecimals={false} width={32} fontSize={11} />
                            <ChartTooltip content={<ChartTooltipContent />} />
                            <Bar dataKey="ready" fill="var(--color-ready)" radius={2} />
                            <Bar dataKey="delivered" fill="var(--color-delivered)" radius={2} />
                        </BarChart>
                    </ChartContainer>
                </div>
                <div>
                    <div className="mb-1 text-sm font-medium">Drivers now</div>
                    <ChartContainer
                        config={FLEET_CHART}
                        className="h-48 w-full"
                        data-testid="insights-fleet-chart"
                    >
                        <BarChart data={fleet}>
                            <CartesianGrid vertical={false} />
                            <XAxis dataKey="status" tickLine={false} fontSize={11} />
                            <YAxis allowDecimals={false} width={32} fontSize={11} />
                            <ChartTooltip content={<ChartTooltipContent hideLabel />} />
                            <Bar dataKey="count" radius={2} />
                        </BarChart>
                    </ChartContainer>
                </div>
            </div>
        </div>
    );
}

const PERIODS = [
    { id: '24h', label: 'Last 24 hours', days: 1 },
    { id: '7d', label: 'Last 7 days', days: 7 },
    { id: '30d', label: 'Last 30 days', days: 30 },
] as const;

/** The block on the dispatch board: the insights with a period chooser of its own. */
export function DeliveryInsightsBlock() {
    const [periodId, setPeriodId] = useState<(typeof PERIODS)[number]['id']>('24h');
    const period = PERIODS.find(entry => entry.id === periodId) ?? PERIODS[0];
    // Fixed per choice (to the minute), so the query key does not change on every render.
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    const from = new Date(to.getTime() - period.days * 86_400_000);
    return (
        <div className="space-y-3">
            <div className="flex flex-wrap gap-2" role="group" aria-label="Insights period">
                {PERIODS.map(entry => (
                    <Button
                        key={entry.id}
                        size="sm"
                        variant={entry.id === periodId ? 'default' : 'outline'}
                        aria-pressed={entry.id === periodId}
                        onClick={() => setPeriodId(entry.id)}
                    >
                        {entry.label}
                    </Button>
                ))}
            </div>
            <DeliveryInsightsView from={from} to={to} />
        </div>
    );
}

/** The widget on the Insights page: the page's own date range, at most the last 31 days of it. */
export function DeliveryInsightsWidget({ id }: Readonly<DashboardBaseWidgetProps>) {
    const { dateRange } = useWidgetFilters();
    const to = dateRange.to;
    const earliest = to.getTime() - INSIGHTS_MAX_DAYS * 86_400_000;
    const from = new Date(Math.max(dateRange.from.getTime(), earliest));
    return (
        <DashboardBaseWidget
            id={id}
            title="Delivery insights"
            description="Deliveries made ready in the period"
        >
            <DeliveryInsightsView from={from} to={to} />
        </DashboardBaseWidget>
    );
}
