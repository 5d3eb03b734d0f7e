import os from 'node:os';

/** The machine line of a BENCHMARKS.md section. */
export function describeMachine(extra: string): string {
    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const gib = Math.round(os.totalmem() / 2 ** 30);
    return (
        `${os.cpus().length} CPUs (${cpu}), ${gib} GiB RAM, Node ${process.version}, Linux ${os.release()}, ` +
        `shared with other jobs (noisy); ${extra}`
    );
}

export function median(values: readonly number[]): number {
    if (!values.length) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function today(): string {
    return new Date().toISOString().slice(0, 10);
}

export function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}
