import {
    countPerDriver,
    latestPerDriver,
    MemoryPingCounters,
    QueuedPing,
    splitByAllowance,
} from './ping-batch';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second));
const ping = (driverId: string, second: number, latitude = 41.88): QueuedPing => ({
    driverId,
    latitude,
    longitude: -87.63,
    at: at(second),
});

describe('latestPerDriver (one index write and one live-map event per driver per flush)', () => {
    it('keeps the newest ping of each driver, whatever the arrival order', () => {
        const latest = latestPerDriver([
            ping('1', 1, 41.1),
            ping('2', 5, 42.5),
            ping('1', 3, 41.3),
            ping('1', 2, 41.2),
            ping('2', 4, 42.4),
        ]);
        expect(latest.map(p => [p.driverId, p.latitude]).sort()).toEqual([
            ['1', 41.3],
            ['2', 42.5],
        ]);
    });

    it('of two pings taken at the same time keeps the one that arrived last', () => {
        expect(latestPerDriver([ping('1', 1, 41.1), ping('1', 1, 41.2)])).toEqual([ping('1', 1, 41.2)]);
    });

    it('gives nothing for an empty flush', () => {
        expect(latestPerDriver([])).toEqual([]);
    });
});

describe('countPerDriver and splitByAllowance (the limit settled once per flush)', () => {
    const flush = [ping('1', 1), ping('2', 1), ping('1', 2), ping('1', 3), ping('2', 2)];

    it('asks the counters for each driver once, with their number of pings', () => {
        expect([...countPerDriver(flush)]).toEqual([
            ['1', 3],
            ['2', 2],
        ]);
    });

    it("admits the first pings of a driver up to their allowance, in arrival order, and refuses the rest with the window's time left", () => {
        const { admitted, refused } = splitByAllowance(
            flush,
            new Map([
                ['1', { admitted: 2, msBeforeNext: 4000 }],
                ['2', { admitted: 2, msBeforeNext: 9000 }],
            ]),
        );
        expect(admitted).toEqual([flush[0], flush[1], flush[2], flush[4]]);
        expect(refused).toEqual([{ ping: flush[3], msBeforeNext: 4000 }]);
    });

    it('refuses every ping of a driver with no allowance left', () => {
        const { admitted, refused } = splitByAllowance(
            flush,
            new Map([['1', { admitted: 0, msBeforeNext: 10 }]]),
        );
        expect(refused.map(r => r.ping)).toEqual([flush[0], flush[2], flush[3]]);
        expect(admitted).toEqual([flush[1], flush[4]]);
    });

    it('lets through the drivers the counters gave no answer for (Redis unreachable: fail open)', () => {
        const { admitted, refused } = splitByAllowance(flush, new Map());
        expect(admitted).toEqual(flush);
        expect(refused).toEqual([]);
    });
});

describe('MemoryPingCounters (the embedded default)', () => {
    it('admits up to the limit per window and driver, across flushes, and counts no refused ping', () => {
        const counters = new MemoryPingCounters(3, 10_000);
        expect(counters.take(new Map([['1', 2]]), 0).get('1')).toEqual({ admitted: 2, msBeforeNext: 10_000 });
        expect(
            counters.take(
                new Map([
                    ['1', 5],
                    ['2', 1],
                ]),
                4000,
            ),
        ).toEqual(
            new Map([
                ['1', { admitted: 1, msBeforeNext: 6000 }],
                ['2', { admitted: 1, msBeforeNext: 10_000 }],
            ]),
        );
        expect(counters.take(new Map([['1', 1]]), 9999).get('1')).toEqual({ admitted: 0, msBeforeNext: 1 });
    });

    it('starts a new window once the old one has ended', () => {
        const counters = new MemoryPingCounters(1, 1000);
        expect(counters.take(new Map([['1', 3]]), 0).get('1')?.admitted).toBe(1);
        expect(counters.take(new Map([['1', 1]]), 999).get('1')?.admitted).toBe(0);
        expect(counters.take(new Map([['1', 2]]), 1000).get('1')).toEqual({
            admitted: 1,
            msBeforeNext: 1000,
        });
    });

    it('forgets ended windows, so memory follows the drivers pinging now', () => {
        const counters = new MemoryPingCounters(1, 1000);
        for (let i = 0; i < 12_000; i++) counters.take(new Map([[String(i), 1]]), 0);
        counters.take(new Map([['new', 1]]), 5000);
        const windows = (counters as unknown as { windows: Map<string, unknown> }).windows;
        expect(windows.size).toBe(1);
    });
});
