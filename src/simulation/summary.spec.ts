import { AssignmentRecord, countDoubleAssignments, RunCounts, summarise } from './summary';

const counts: RunCounts = {
    orders: 4,
    ready: 4,
    doubleAssignments: 0,
    errors: 1,
    onDutyMs: 100_000,
    busyMs: 25_000,
    speedup: 10,
    wallSeconds: 60,
};

function row(id: string, overrides: Partial<AssignmentRecord>): AssignmentRecord {
    return {
        id,
        status: 'PENDING',
        createdAt: '2026-01-01T10:00:00.000Z',
        deliveredAt: null,
        pickupDistanceKm: null,
        order: { id: `order-${id}` },
        driver: null,
        events: [{ createdAt: '2026-01-01T10:00:00.000Z', toStatus: 'PENDING' }],
        ...overrides,
    };
}

describe('countDoubleAssignments', () => {
    it('counts each order and each driver holding two open deliveries once; closed ones do not count', () => {
        const open = [
            { status: 'ASSIGNED', order: { id: '1' }, driver: { id: 'a' } },
            { status: 'PICKED_UP', order: { id: '2' }, driver: { id: 'a' } },
            { status: 'ASSIGNED', order: { id: '2' }, driver: { id: 'b' } },
            { status: 'DELIVERED', order: { id: '3' }, driver: { id: 'b' } },
            { status: 'ASSIGNED', order: { id: '4' }, driver: { id: 'c' } },
        ];
        // Driver a twice, order 2 twice.
        expect(countDoubleAssignments(open)).toBe(2);
        expect(countDoubleAssignments(open.slice(3))).toBe(0);
    });
});

describe('summarise', () => {
    const rows = [
        row('1', {
            status: 'DELIVERED',
            pickupDistanceKm: 1,
            driver: { id: 'a' },
            deliveredAt: '2026-01-01T10:01:30.000Z',
            events: [
                { createdAt: '2026-01-01T10:00:00.000Z', toStatus: 'PENDING' },
                { createdAt: '2026-01-01T10:00:00.100Z', toStatus: 'ASSIGNED' },
                // Declined and assigned again: the latency is to the first assignment.
                { createdAt: '2026-01-01T10:00:05.000Z', toStatus: 'PENDING' },
                { createdAt: '2026-01-01T10:00:05.050Z', toStatus: 'ASSIGNED' },
                { createdAt: '2026-01-01T10:00:40.000Z', toStatus: 'PICKED_UP' },
                { createdAt: '2026-01-01T10:01:30.000Z', toStatus: 'DELIVERED' },
            ],
        }),
        row('2', {
            status: 'FAILED',
            pickupDistanceKm: 3,
            events: [
                { createdAt: '2026-01-01T10:00:00.000Z', toStatus: 'PENDING' },
                { createdAt: '2026-01-01T10:00:00.300Z', toStatus: 'ASSIGNED' },
                { createdAt: '2026-01-01T10:00:50.000Z', toStatus: 'FAILED' },
            ],
        }),
        row('3', {
            status: 'ASSIGNED',
            pickupDistanceKm: 2,
            driver: { id: 'b' },
            events: [
                { createdAt: '2026-01-01T10:00:00.000Z', toStatus: 'PENDING' },
                { createdAt: '2026-01-01T10:00:00.200Z', toStatus: 'ASSIGNED' },
            ],
        }),
        row('4', {}),
    ];

    it('counts the outcomes from the server rows', () => {
        const summary = summarise(rows, counts);
        expect(summary).toMatchObject({
            orders: 4,
            ready: 4,
            assigned: 3,
            delivered: 1,
            failed: 1,
            waiting: 1,
            onTheWay: 1,
            doubleAssignments: 0,
            errors: 1,
            driverUtilisation: 0.25,
        });
    });

    it('takes latencies from the server timestamps: ready (createdAt) to the first ASSIGNED event', () => {
        const { assignLatencyMs } = summarise(rows, counts);
        expect(assignLatencyMs).toEqual({ p50: 200, p95: 290, p99: 298 });
    });

    it('reports pickup distances of assigned deliveries and delivery time in city minutes', () => {
        const summary = summarise(rows, counts);
        expect(summary.pickupKm).toEqual({ mean: 2, p95: 2.9 });
        // 90 s of server time at speedup 10 = 15 city minutes.
        expect(summary.deliveryMinutes).toEqual({ p50: 15, p95: 15 });
    });

    it('keeps the worst doubles count seen while running, and finds doubles in the final rows', () => {
        expect(summarise(rows, { ...counts, doubleAssignments: 2 }).doubleAssignments).toBe(2);
        const doubled = [...rows, row('5', { status: 'PICKED_UP', driver: { id: 'b' } })];
        expect(summarise(doubled, counts).doubleAssignments).toBe(1);
    });

    it('has no figures rather than zeros for a run without deliveries', () => {
        const summary = summarise([], { ...counts, onDutyMs: 0 });
        expect(summary.assignLatencyMs).toEqual({ p50: null, p95: null, p99: null });
        expect(summary.pickupKm).toEqual({ mean: null, p95: null });
        expect(summary.deliveryMinutes).toEqual({ p50: null, p95: null });
        expect(summary.driverUtilisation).toBe(0);
    });
});
