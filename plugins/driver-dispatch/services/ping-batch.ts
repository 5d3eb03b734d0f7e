import { LatLng } from '../../shared/geo';

/**
 * The pure parts of the ping batcher (services/ping-batcher.service.ts): which pings of a flush the
 * shared count admits, and which of them reach the index and the live map.
 */

/** A location ping waiting for its flush. */
export interface QueuedPing extends LatLng {
    driverId: string;
    at: Date;
}

/** What the shared counters said for one driver in one flush. */
export interface PingAllowance {
    /** How many of this flush's pings of the driver are within the limit. */
    admitted: number;
    /** Until the driver's window ends (when a refused ping may be sent again). */
    msBeforeNext: number;
}

/** Pings per driver in a flush: what the counters are asked to take. */
export function countPerDriver(pings: readonly QueuedPing[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const ping of pings) counts.set(ping.driverId, (counts.get(ping.driverId) ?? 0) + 1);
    return counts;
}

/**
 * Splits a flush's pings into admitted and refused: of each driver's pings, the first `admitted` in
 * arrival order pass (as if they had been counted one by one), the rest are refused. A driver the
 * counters gave no answer for (they were unreachable) is let through.
 */
export function splitByAllowance<T extends QueuedPing>(
    pings: readonly T[],
    allowances: ReadonlyMap<string, PingAllowance>,
): { admitted: T[]; refused: Array<{ ping: T; msBeforeNext: number }> } {
    const used = new Map<string, number>();
    const admitted: T[] = [];
    const refused: Array<{ ping: T; msBeforeNext: number }> = [];
    for (const ping of pings) {
        const allowance = allowances.get(ping.driverId);
        const taken = used.get(ping.driverId) ?? 0;
        if (!allowance || taken < allowance.admitted) {
            used.set(ping.driverId, taken + 1);
            admitted.push(ping);
        } else {
            refused.push({ ping, msBeforeNext: allowance.msBeforeNext });
        }
    }
    return { admitted, refused };
}

/**
 * The newest ping of each driver (by `at`; pings may arrive out of order, and of two with the same
 * time the later one): what the index, the database and the live map get from one flush.
 */
export function latestPerDriver<T extends QueuedPing>(pings: readonly T[]): T[] {
    const latest = new Map<string, T>();
    for (const ping of pings) {
        const previous = latest.get(ping.driverId);
        if (!previous || previous.at <= ping.at) latest.set(ping.driverId, ping);
    }
    return [...latest.values()];
}

/**
 * Fixed-window counters in this process's memory (the embedded default, one process): the same
 * answers as the Redis script, for the same requests.
 */
export class MemoryPingCounters {
    private readonly windows = new Map<string, { count: number; endsAt: number }>();

    constructor(
        private readonly points: number,
        private readonly durationMs: number,
    ) {}

    /** Takes up to `count` pings per driver within the limit (`points`, if not the constructor's), at `now` (ms). */
    take(
        requests: ReadonlyMap<string, number>,
        now: number,
        points = this.points,
    ): Map<string, PingAllowance> {
        if (this.windows.size > 2 * requests.size + 10_000) this.forgetEnded(now);
        const answers = new Map<string, PingAllowance>();
        for (const [driverId, count] of requests) {
            let window = this.windows.get(driverId);
            if (!window || window.endsAt <= now) {
                window = { count: 0, endsAt: now + this.durationMs };
                this.windows.set(driverId, window);
            }
            const admitted = Math.max(0, Math.min(count, points - window.count));
            window.count += admitted;
            answers.set(driverId, { admitted, msBeforeNext: window.endsAt - now });
        }
        return answers;
    }

    /** Keeps memory bounded by the drivers pinging now, not every driver ever seen. */
    private forgetEnded(now: number): void {
        for (const [driverId, window] of this.windows) {
            if (window.endsAt <= now) this.windows.delete(driverId);
        }
    }
}
