/** The ceiling of the same Redis at the same concurrency: `redis-benchmark` PING. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface PingResult {
    requestsPerSecond: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
}

export const REDIS_BENCHMARK = '/usr/bin/redis-benchmark';

/** `requests` PINGs (RESP, as clients send them) from `concurrency` connections, no pipelining. */
export async function runPing(port: number, concurrency: number, requests: number): Promise<PingResult> {
    const { stdout } = await promisify(execFile)(
        REDIS_BENCHMARK,
        [
            '-h',
            '127.0.0.1',
            '-p',
            String(port),
            '-c',
            String(concurrency),
            '-n',
            String(requests),
            '-t',
            'ping_mbulk',
            '--csv',
        ],
        { timeout: 120_000 },
    );
    return parsePingCsv(stdout);
}

/** redis-benchmark's --csv: a header line, then `"PING_MBULK","rps","avg",...` (ms). */
export function parsePingCsv(csv: string): PingResult {
    const lines = csv.trim().split('\n');
    const header = lines[0]?.replace(/"/g, '').split(',') ?? [];
    const row = lines
        .find(line => line.startsWith('"PING_MBULK"'))
        ?.replace(/"/g, '')
        .split(',');
    if (!row) throw new Error(`redis-benchmark printed no PING_MBULK row: ${csv.slice(0, 200)}`);
    const field = (name: string) => {
        const value = Number(row[header.indexOf(name)]);
        if (!Number.isFinite(value)) throw new Error(`redis-benchmark: no ${name} in ${csv.slice(0, 200)}`);
        return value;
    };
    return {
        requestsPerSecond: field('rps'),
        p50Ms: field('p50_latency_ms'),
        p95Ms: field('p95_latency_ms'),
        p99Ms: field('p99_latency_ms'),
    };
}
