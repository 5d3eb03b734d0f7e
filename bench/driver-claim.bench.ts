/**
 * How fast the Redis GEO index claims the nearest AVAILABLE driver in a dense city, with the
 * growing radius dispatch uses (0.25 km, doubling up to 100 km) against a fixed 2 km and a fixed
 * 100 km radius (the baselines), measured in the same run on the same index.
 *
 *   npx tsc -p tsconfig.json --outDir dist/bench-build && node dist/bench-build/bench/driver-claim.bench.js [DRIVERS] [CLAIMS]
 *
 * Starts a redis-server of its own (Debian's, as the tests do), fills the index with DRIVERS
 * (default 100,000) AVAILABLE drivers spread uniformly over a 15 km disc around Chicago's Loop,
 * then times CLAIMS (default 1,000) claims per mode at random pickup points inside 5 km of the
 * centre, each followed by a release so the index stays the same size. The modes take turns
 * claim by claim, so machine noise hits all of them alike. Writes the medians and ratios to
 * docs/BENCHMARKS.md. Not part of npm test.
 */
import os from 'node:os';

import { ensureRedisServer, startRedisServer } from '../e2e/setup/redis-server';
import { RedisDriverLocationIndex } from '../plugins/driver-dispatch/strategies/driver-location-index/redis-driver-location-index';
import { DriverStatus } from '../plugins/driver-dispatch/types';
import { LatLng } from '../plugins/shared/geo';
import { writeBenchmarkSection } from './results';

const COMMAND =
    'npx tsc -p tsconfig.json --outDir dist/bench-build && node dist/bench-build/bench/driver-claim.bench.js';
const LOOP: LatLng = { latitude: 41.8858, longitude: -87.6181 };
const KM_PER_DEGREE_LATITUDE = 111.32;

interface Mode {
    name: string;
    startRadiusKm: number;
    maxRadiusKm: number;
}
const MODES: Mode[] = [
    { name: 'dispatch: 0.25 km, doubling up to 100 km', startRadiusKm: 0.25, maxRadiusKm: 100 },
    { name: 'baseline: fixed 2 km', startRadiusKm: 2, maxRadiusKm: 2 },
    { name: 'baseline: fixed 100 km', startRadiusKm: 100, maxRadiusKm: 100 },
];

/** Deterministic pseudo-random numbers (mulberry32), so runs compare like with like. */
function random(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** A point uniformly distributed over the disc of `radiusKm` around the centre. */
function pointInDisc(next: () => number, radiusKm: number): LatLng {
    const distance = radiusKm * Math.sqrt(next());
    const bearing = 2 * Math.PI * next();
    const dLat = (distance * Math.cos(bearing)) / KM_PER_DEGREE_LATITUDE;
    const dLng =
        (distance * Math.sin(bearing)) / (KM_PER_DEGREE_LATITUDE * Math.cos((LOOP.latitude * Math.PI) / 180));
    return { latitude: LOOP.latitude + dLat, longitude: LOOP.longitude + dLng };
}

function quantile(sorted: number[], q: number): number {
    const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
    return sorted[index];
}

async function main() {
    const drivers = Number(process.argv[2] ?? 100_000);
    const claims = Number(process.argv[3] ?? 1_000);
    const redis = await startRedisServer(ensureRedisServer(message => process.stdout.write(`${message}\n`)));
    const index = new RedisDriverLocationIndex({ redisUrl: redis.url, heartbeatTtlSeconds: 3600 });
    try {
        await index.init();
        const next = random(42);
        const now = new Date();
        const started = Date.now();
        await index.rebuild(
            Array.from({ length: drivers }, (_, i) => ({
                id: String(i + 1),
                status: DriverStatus.AVAILABLE,
                ...pointInDisc(next, 15),
                lastSeenAt: now,
                lastDeliveredAt: null,
            })),
        );
        process.stdout.write(`${drivers} drivers indexed in ${Date.now() - started} ms\n`);
        // Warm up the script cache and the connection.
        for (let i = 0; i < 50; i++) {
            const claimed = await index.claimNearest(pointInDisc(next, 5), MODES[0]);
            if (claimed) await index.release(claimed.driverId);
        }
        const timings = MODES.map(() => [] as number[]);
        const distances = MODES.map(() => [] as number[]);
        for (let i = 0; i < claims; i++) {
            const pickup = pointInDisc(next, 5);
            for (const [m, mode] of MODES.entries()) {
                const t0 = process.hrtime.bigint();
                const claimed = await index.claimNearest(pickup, mode);
                timings[m].push(Number(process.hrtime.bigint() - t0) / 1e6);
                if (!claimed) throw new Error(`${mode.name}: no driver claimed`);
                distances[m].push(claimed.distanceKm);
                await index.release(claimed.driverId);
            }
        }
        const rows = MODES.map((mode, m) => {
            const sorted = [...timings[m]].sort((a, b) => a - b);
            return {
                mode: mode.name,
                median: quantile(sorted, 0.5),
                p95: quantile(sorted, 0.95),
                distance: quantile(
                    [...distances[m]].sort((a, b) => a - b),
                    0.5,
                ),
            };
        });
        // Every mode must have taken the same (nearest) driver: same distances.
        const sameDriver = distances[0].every((km, i) => Math.abs(km - distances[2][i]) < 1e-6);
        await writeResults(drivers, claims, rows, sameDriver);
        for (const row of rows) {
            process.stdout.write(
                `${row.mode}: median ${row.median.toFixed(3)} ms, p95 ${row.p95.toFixed(3)} ms\n`,
            );
        }
    } finally {
        await index.destroy();
        await redis.stop();
    }
}

async function writeResults(
    drivers: number,
    claims: number,
    rows: Array<{ mode: string; median: number; p95: number; distance: number }>,
    sameDriver: boolean,
) {
    const dispatch = rows[0];
    const table = [
        '| mode | median claim | p95 claim | median distance to the driver | median vs. dispatch |',
        '| --- | ---: | ---: | ---: | ---: |',
        ...rows.map(
            row =>
                `| ${row.mode} | ${row.median.toFixed(3)} ms | ${row.p95.toFixed(3)} ms | ${row.distance.toFixed(3)} km | ${(row.median / dispatch.median).toFixed(1)}x |`,
        ),
    ].join('\n');
    const cpus = os.cpus();
    const section = `## Driver claim (Redis GEO index, \`RedisDriverLocationIndex.claimNearest\`)

${drivers.toLocaleString('en-US')} AVAILABLE drivers spread uniformly over a 15 km disc around the Loop (Chicago); ${claims.toLocaleString('en-US')} claims per mode at random pickup points within 5 km of the centre, each released again, the modes taking turns claim by claim. One Lua script per claim, over loopback.

${table}

The growing radius and the fixed 100 km radius took the same driver every time: ${sameDriver ? 'yes' : 'NO'}. (A fixed 2 km radius finds one too here, because the city is dense; in a sparse area it would find none.)

Command: \`${COMMAND}\`

Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, redis-server from Debian on the same machine, shared with other work. Measured ${new Date().toISOString().slice(0, 10)}.`;
    await writeBenchmarkSection('driver-claim', section);
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
