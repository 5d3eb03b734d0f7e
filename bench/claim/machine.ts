/** How busy the whole machine was (every process, not only this bench's), from /proc/stat. */
import { readFileSync } from 'node:fs';

interface CpuTicks {
    busy: number;
    total: number;
}

function cpuTicks(): CpuTicks | undefined {
    try {
        const fields = readFileSync('/proc/stat', 'utf8')
            .split('\n')[0]
            .trim()
            .split(/\s+/)
            .slice(1)
            .map(Number);
        // user nice system idle iowait irq softirq steal ...: idle and iowait are the idle time.
        const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
        const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
        return { busy: total - idle, total };
    } catch {
        return undefined;
    }
}

/** Runs `work` and returns the share of all cores' time that was busy meanwhile (NaN off Linux). */
export async function measureMachineBusy<T>(
    work: () => Promise<T>,
): Promise<{ result: T; busyShare: number }> {
    const before = cpuTicks();
    const result = await work();
    const after = cpuTicks();
    const busyShare =
        before && after && after.total > before.total
            ? (after.busy - before.busy) / (after.total - before.total)
            : Number.NaN;
    return { result, busyShare };
}
