/** Closed-loop claim load: concurrent callers, each claiming a driver and releasing it again. */
import { ClaimOptions } from '../../plugins/driver-dispatch/strategies/driver-location-index/driver-location-index';
import { RedisDriverLocationIndex } from '../../plugins/driver-dispatch/strategies/driver-location-index/redis-driver-location-index';
import { LatLng } from '../../plugins/shared/geo';

export interface ClaimLoadResult {
    claims: number;
    /** Claims that found no driver within the radius. */
    misses: number;
    /** Claims that returned a driver another caller held at that moment: must stay 0. */
    doubles: number;
    seconds: number;
    /** Latency of each claim call (not of the release), ms. */
    latenciesMs: number[];
    /** CPU time of this (client) process over the run, as a share of one core. */
    clientCpuShare: number;
}

/**
 * `concurrency` callers for `seconds`: each claims the nearest driver to a fresh pickup point and
 * then releases that driver, so the index keeps its size. A driver claimed while another caller
 * still holds it counts as a double.
 */
export async function runClaimLoad(
    index: RedisDriverLocationIndex,
    claim: ClaimOptions,
    nextPickup: () => LatLng,
    concurrency: number,
    seconds: number,
): Promise<ClaimLoadResult> {
    // Each driver's claims as [claim sent, release sent] in the order commands left on the one
    // connection (which is the order Redis runs them): two that overlap are a double.
    const holds = new Map<string, Array<{ from: number; to: number }>>();
    let sent = 0;
    const latenciesMs: number[] = [];
    let misses = 0;
    let doubles = 0;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(Math.round(seconds * 1e9));
    const caller = async () => {
        while (process.hrtime.bigint() < deadline) {
            const pickup = nextPickup();
            const t0 = process.hrtime.bigint();
            const claimSent = sent++;
            const claimed = await index.claimNearest(pickup, claim);
            latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
            if (!claimed) {
                misses++;
                continue;
            }
            const id = String(claimed.driverId);
            const hold = { from: claimSent, to: Infinity };
            const earlier = holds.get(id) ?? [];
            if (earlier.some(other => other.from < hold.to && hold.from < other.to)) doubles++;
            holds.set(id, [...earlier, hold]);
            hold.to = sent++;
            await index.release(id);
        }
    };
    await Promise.all(Array.from({ length: concurrency }, caller));
    const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    return {
        claims: latenciesMs.length,
        misses,
        doubles,
        seconds: elapsedSeconds,
        latenciesMs,
        clientCpuShare: (cpu.user + cpu.system) / 1e6 / elapsedSeconds,
    };
}
