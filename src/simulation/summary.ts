import { mean, percentile, round } from './statistics';

/** A delivery as the admin API's `deliveryAssignments` returns it (the fields the summary reads). */
export interface AssignmentRecord {
    id: string;
    status: string;
    createdAt: string;
    deliveredAt: string | null;
    pickupDistanceKm: number | null;
    order: { id: string } | null;
    driver: { id: string } | null;
    events: Array<{ createdAt: string; toStatus: string }>;
}

/** What the simulator counted itself while it ran. */
export interface RunCounts {
    /** Checkouts completed (one seller order each, so one delivery each). */
    orders: number;
    /** Orders marked ready for dispatch by staff. */
    ready: number;
    /** The highest doubles count seen in any sample of the open deliveries (see countDoubleAssignments). */
    doubleAssignments: number;
    /** Requests that failed, and checkouts or driver steps the server refused unexpectedly. */
    errors: number;
    /** On-duty and on-a-delivery time of the simulated drivers, wall-clock ms. */
    onDutyMs: number;
    busyMs: number;
    /** City time runs this many times faster than the wall clock (and the server's clock). */
    speedup: number;
    wallSeconds: number;
}

export interface SimulationSummary {
    orders: number;
    ready: number;
    assigned: number;
    delivered: number;
    /** Ready and still PENDING (no driver yet) at the end. */
    waiting: number;
    failed: number;
    /** ASSIGNED or PICKED_UP at the end. */
    onTheWay: number;
    doubleAssignments: number;
    /** Ready (the PENDING row's createdAt) to the first ASSIGNED event, server time. */
    assignLatencyMs: { p50: number | null; p95: number | null; p99: number | null };
    /** The server's pickupDistanceKm of each assigned delivery. */
    pickupKm: { mean: number | null; p95: number | null };
    /** Ready to DELIVERED in city minutes (server time × speedup); null until one is delivered. */
    deliveryMinutes: { p50: number | null; p95: number | null };
    /** Share of on-duty driver time spent on a delivery. */
    driverUtilisation: number;
    errors: number;
    speedup: number;
    wallSeconds: number;
}

const OPEN = new Set(['ASSIGNED', 'PICKED_UP']);

/**
 * Orders with more than one open delivery plus drivers with more than one open delivery: what the
 * invariant "no driver twice, no order twice" forbids. Each offending order or driver counts once.
 */
export function countDoubleAssignments(
    open: ReadonlyArray<Pick<AssignmentRecord, 'status' | 'order' | 'driver'>>,
): number {
    const perOrder = new Map<string, number>();
    const perDriver = new Map<string, number>();
    for (const row of open) {
        if (!OPEN.has(row.status)) continue;
        if (row.order) perOrder.set(row.order.id, (perOrder.get(row.order.id) ?? 0) + 1);
        if (row.driver) perDriver.set(row.driver.id, (perDriver.get(row.driver.id) ?? 0) + 1);
    }
    const doubles = (counts: Map<string, number>) => [...counts.values()].filter(count => count > 1).length;
    return doubles(perOrder) + doubles(perDriver);
}

/** The summary of a run from the server's records of its deliveries and the simulator's own counts. */
export function summarise(assignments: readonly AssignmentRecord[], counts: RunCounts): SimulationSummary {
    const latencies: number[] = [];
    const pickupKm: number[] = [];
    const deliveryMinutes: number[] = [];
    let assigned = 0;
    for (const row of assignments) {
        const createdAt = Date.parse(row.createdAt);
        const firstAssigned = row.events
            .filter(event => event.toStatus === 'ASSIGNED')
            .map(event => Date.parse(event.createdAt))
            .sort((a, b) => a - b)[0];
        if (firstAssigned !== undefined) {
            assigned++;
            latencies.push(Math.max(0, firstAssigned - createdAt));
            if (row.pickupDistanceKm != null) pickupKm.push(row.pickupDistanceKm);
        }
        if (row.status === 'DELIVERED' && row.deliveredAt) {
            deliveryMinutes.push(((Date.parse(row.deliveredAt) - createdAt) * counts.speedup) / 60_000);
        }
    }
    const withStatus = (...statuses: string[]) =>
        assignments.filter(row => statuses.includes(row.status)).length;
    return {
        orders: counts.orders,
        ready: counts.ready,
        assigned,
        delivered: withStatus('DELIVERED'),
        waiting: withStatus('PENDING'),
        failed: withStatus('FAILED'),
        onTheWay: withStatus('ASSIGNED', 'PICKED_UP'),
        doubleAssignments: Math.max(counts.doubleAssignments, countDoubleAssignments(assignments)),
        assignLatencyMs: {
            p50: sampled(latencies, () => round(percentile(latencies, 50))),
            p95: sampled(latencies, () => round(percentile(latencies, 95))),
            p99: sampled(latencies, () => round(percentile(latencies, 99))),
        },
        pickupKm: {
            mean: sampled(pickupKm, () => round(mean(pickupKm), 3)),
            p95: sampled(pickupKm, () => round(percentile(pickupKm, 95), 3)),
        },
        deliveryMinutes: {
            p50: sampled(deliveryMinutes, () => round(percentile(deliveryMinutes, 50), 1)),
            p95: sampled(deliveryMinutes, () => round(percentile(deliveryMinutes, 95), 1)),
        },
        driverUtilisation: counts.onDutyMs ? round(counts.busyMs / counts.onDutyMs, 3) : 0,
        errors: counts.errors,
        speedup: counts.speedup,
        wallSeconds: round(counts.wallSeconds, 1),
    };
}

/** A figure of a sample, or null without one: "nothing delivered yet" must not read as 0 minutes. */
function sampled(values: readonly number[], figure: () => number): number | null {
    return values.length ? figure() : null;
}
