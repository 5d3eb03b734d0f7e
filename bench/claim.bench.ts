/**
 * Claim (issue 13, item 4): find + atomic claim of the nearest AVAILABLE driver with the project's
 * own `RedisDriverLocationIndex.claimNearest`, at 1k / 10k / 100k drivers spread over a 30 × 30 km
 * city, from 32 concurrent callers, against a fixed-radius claim and against `redis-benchmark`
 * PING on the same Redis at the same concurrency, all in the same run.
 *
 *   npm run bench -- claim [--sizes 1000,10000,100000] [--rounds 5] [--seconds 4] [--concurrency 32]
 *                          [--fixed-radius-km 2] [--compare-start-km 0.25] [--redis-port P] [--no-write]
 *
 * Starts a redis-server of its own (Debian's, as the tests do; on a free port unless --redis-port),
 * fills one index per size (its own namespace, so sizes share the server but not their keys), then
 * runs rounds: in each, every (size, mode) pair for --seconds, in an order that rotates from round
 * to round, so machine noise hits every mode alike. Modes: the dispatch claim (the matcher's start
 * radius, doubling up to the default 100 km cap), the same claim from --compare-start-km (the start
 * radius before the 2026-12 change; 0 leaves it out), a fixed --fixed-radius-km claim, and PING.
 * Each caller claims at a random pickup point in the city and releases the driver again, so the
 * index keeps its size; a driver claimed twice at once is counted (and must be 0). Reports medians
 * over the rounds of claims/s and latency p50/p95/p99, the ratio to PING, and what Redis spent per
 * claim (INFO commandstats and main-thread CPU), with GEOSEARCH alone at a few radii as the profile.
 * Default run: about 5 minutes here. Writes the `claim` section of docs/BENCHMARKS.md unless
 * --no-write. Not part of npm test.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';

import { Redis } from 'ioredis';

import { ensureRedisServer, startRedisServer } from '../e2e/setup/redis-server';
import { DISPATCH_START_RADIUS_KM } from '../plugins/driver-dispatch/constants';
import { defaultDriverDispatchOptions } from '../plugins/driver-dispatch/options';
import { ClaimOptions } from '../plugins/driver-dispatch/strategies/driver-location-index/driver-location-index';
import { RedisDriverLocationIndex } from '../plugins/driver-dispatch/strategies/driver-location-index/redis-driver-location-index';
import { percentile } from '../src/simulation/statistics';
import { cityFleet, pointInCity, seededRandom } from './claim/city';
import { GeosearchCost, profileGeosearch } from './claim/geosearch-profile';
import { runClaimLoad } from './claim/load';
import { measureMachineBusy } from './claim/machine';
import { REDIS_BENCHMARK, runPing } from './claim/ping';
import { measureRedisCost } from './claim/redis-stats';
import { medianOf } from './claim/stats';
import { writeBenchmarkSection } from './results';

const COMMAND = 'npm run bench -- claim';
const CITY_SIDE_KM = 30;
const TARGET = { drivers: 100_000, claimsPerSecond: 30_000, p99Ms: 3 };
const PROFILE_RADII_KM = [0.05, 0.1, 0.25, 0.5, 1];
const PROFILE_CALLS = 2000;
const WARM_UP_SECONDS = 1;

interface BenchOptions {
    sizes: number[];
    rounds: number;
    seconds: number;
    concurrency: number;
    fixedRadiusKm: number;
    compareStartKm: number;
    redisPort?: number;
    write: boolean;
}

interface BenchMode {
    key: string;
    label: string;
    /** Absent for PING. */
    claim?: ClaimOptions;
}

/** What one (size, mode) pair measured in one round. */
interface Sample {
    perSecond: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    misses: number;
    doubles: number;
    /** Redis main-thread CPU, share of a core. */
    redisCpuShare?: number;
    /** Redis time in scripts (claim and release) per claim, µs. */
    scriptUsecPerClaim?: number;
    geosearchPerClaim?: number;
    geosearchUsecPerClaim?: number;
    clientCpuShare?: number;
    /** Both cores, every process on the machine. */
    machineBusyShare?: number;
}

interface SizeSetup {
    drivers: number;
    index: RedisDriverLocationIndex;
    geoKey: string;
    profile: GeosearchCost[];
}

function parseOptions(argv: string[]): BenchOptions {
    const { values } = parseArgs({
        args: argv,
        options: {
            sizes: { type: 'string', default: '1000,10000,100000' },
            rounds: { type: 'string', default: '5' },
            seconds: { type: 'string', default: '4' },
            concurrency: { type: 'string', default: '32' },
            'fixed-radius-km': { type: 'string', default: '2' },
            'compare-start-km': { type: 'string', default: '0.25' },
            'redis-port': { type: 'string' },
            'no-write': { type: 'boolean', default: false },
        },
    });
    const positive = (name: string, value: string | undefined, allowZero = false) => {
        const parsed = Number(value);
        if (!Number.isFinite(parsed) || parsed < 0 || (!allowZero && parsed === 0)) {
            throw new Error(`--${name} must be a number above 0, got ${String(value)}`);
        }
        return parsed;
    };
    return {
        sizes: (values.sizes ?? '').split(',').map(size => Math.round(positive('sizes', size))),
        rounds: Math.round(positive('rounds', values.rounds)),
        seconds: positive('seconds', values.seconds),
        concurrency: Math.round(positive('concurrency', values.concurrency)),
        fixedRadiusKm: positive('fixed-radius-km', values['fixed-radius-km']),
        compareStartKm: positive('compare-start-km', values['compare-start-km'], true),
        redisPort: values['redis-port']
            ? Math.round(positive('redis-port', values['redis-port']))
            : undefined,
        write: !values['no-write'],
    };
}

function benchModes(options: BenchOptions): BenchMode[] {
    const maxRadiusKm = defaultDriverDispatchOptions.maxSearchRadiusKm;
    const modes: BenchMode[] = [
        {
            key: 'dispatch',
            label: `dispatch claim: ${DISPATCH_START_RADIUS_KM} km, doubling up to ${maxRadiusKm} km`,
            claim: { startRadiusKm: DISPATCH_START_RADIUS_KM, maxRadiusKm },
        },
    ];
    if (options.compareStartKm > 0 && options.compareStartKm !== DISPATCH_START_RADIUS_KM) {
        modes.push({
            key: 'compare',
            label: `same claim from ${options.compareStartKm} km (comparison)`,
            claim: { startRadiusKm: options.compareStartKm, maxRadiusKm },
        });
    }
    modes.push(
        {
            key: 'fixed',
            label: `baseline: fixed ${options.fixedRadiusKm} km claim`,
            claim: { startRadiusKm: options.fixedRadiusKm, maxRadiusKm: options.fixedRadiusKm },
        },
        { key: 'ping', label: `baseline: redis-benchmark PING, ${options.concurrency} connections` },
    );
    return modes;
}

async function setUpSize(redisUrl: string, admin: Redis, drivers: number): Promise<SizeSetup> {
    const namespace = `{claim-bench-${drivers}}:drivers`;
    const index = new RedisDriverLocationIndex({ redisUrl, namespace, heartbeatTtlSeconds: 3600 });
    await index.init();
    const started = Date.now();
    await index.rebuild(cityFleet(drivers, CITY_SIDE_KM, drivers));
    log(`${drivers} drivers indexed in ${Date.now() - started} ms`);
    const geoKey = `${namespace}:geo`;
    const next = seededRandom(7);
    const profile = await profileGeosearch(admin, geoKey, PROFILE_RADII_KM, PROFILE_CALLS, () =>
        pointInCity(next, CITY_SIDE_KM),
    );
    return { drivers, index, geoKey, profile };
}

async function measureClaims(
    admin: Redis,
    setup: SizeSetup,
    claim: ClaimOptions,
    options: BenchOptions,
    seed: number,
): Promise<Sample> {
    const next = seededRandom(seed);
    const { result: measured, busyShare } = await measureMachineBusy(() =>
        measureRedisCost(admin, () =>
            runClaimLoad(
                setup.index,
                claim,
                () => pointInCity(next, CITY_SIDE_KM),
                options.concurrency,
                options.seconds,
            ),
        ),
    );
    const { result, cost } = measured;
    const claims = result.claims || 1;
    const scripts = cost.commands.evalsha ?? { calls: 0, usec: 0 };
    const geosearch = cost.commands.geosearch ?? { calls: 0, usec: 0 };
    return {
        perSecond: result.claims / result.seconds,
        p50Ms: percentile(result.latenciesMs, 50),
        p95Ms: percentile(result.latenciesMs, 95),
        p99Ms: percentile(result.latenciesMs, 99),
        misses: result.misses,
        doubles: result.doubles,
        redisCpuShare: cost.cpuShare,
        scriptUsecPerClaim: scripts.usec / claims,
        geosearchPerClaim: geosearch.calls / claims,
        geosearchUsecPerClaim: geosearch.usec / claims,
        clientCpuShare: result.clientCpuShare,
        machineBusyShare: busyShare,
    };
}

async function main() {
    const options = parseOptions(process.argv.slice(2));
    const modes = benchModes(options);
    const redis = await startRedisServer(ensureRedisServer(log), options.redisPort);
    const port = Number(new URL(redis.url).port);
    const admin = new Redis(redis.url, { lazyConnect: true });
    const setups: SizeSetup[] = [];
    try {
        await admin.connect();
        for (const drivers of options.sizes) setups.push(await setUpSize(redis.url, admin, drivers));
        for (const setup of setups) {
            const next = seededRandom(1);
            await runClaimLoad(
                setup.index,
                modes[0].claim as ClaimOptions,
                () => pointInCity(next, CITY_SIDE_KM),
                options.concurrency,
                WARM_UP_SECONDS,
            );
        }
        const pairs = setups.flatMap(setup => modes.map(mode => ({ setup, mode })));
        const samples = new Map<string, Sample[]>();
        let pingRequests = Math.round(options.seconds * 100_000);
        for (let round = 0; round < options.rounds; round++) {
            const offset = (round * (modes.length + 1)) % pairs.length;
            const order = [...pairs.slice(offset), ...pairs.slice(0, offset)];
            for (const [position, { setup, mode }] of order.entries()) {
                let sample: Sample;
                if (mode.claim) {
                    sample = await measureClaims(
                        admin,
                        setup,
                        mode.claim,
                        options,
                        1000 * round + position + 2,
                    );
                } else {
                    const ping = await runPing(port, options.concurrency, pingRequests);
                    pingRequests = Math.max(10_000, Math.round(ping.requestsPerSecond * options.seconds));
                    sample = { perSecond: ping.requestsPerSecond, ...ping, misses: 0, doubles: 0 };
                }
                const key = `${setup.drivers}:${mode.key}`;
                samples.set(key, [...(samples.get(key) ?? []), sample]);
                log(
                    `round ${round + 1}/${options.rounds} ${setup.drivers} drivers, ${mode.key}: ${Math.round(sample.perSecond)}/s, p99 ${sample.p99Ms.toFixed(2)} ms`,
                );
            }
        }
        const section = resultSection(options, modes, setups, samples);
        process.stdout.write(`${section}\n`);
        if (options.write) await writeBenchmarkSection('claim', section);
    } finally {
        for (const setup of setups) await setup.index.destroy();
        admin.disconnect();
        await redis.stop();
    }
}

function resultSection(
    options: BenchOptions,
    modes: BenchMode[],
    setups: SizeSetup[],
    samples: Map<string, Sample[]>,
): string {
    const rows: string[] = [];
    for (const setup of setups) {
        const ping = medianOf(samples.get(`${setup.drivers}:ping`) ?? [], sample => sample.perSecond);
        for (const mode of modes) {
            const rounds = samples.get(`${setup.drivers}:${mode.key}`) ?? [];
            const perSecond = medianOf(rounds, sample => sample.perSecond);
            const claimOnly = (
                pick: (sample: Sample) => number | undefined,
                format: (value: number) => string,
            ) => (mode.claim ? format(medianOf(rounds, sample => pick(sample) ?? 0)) : '');
            rows.push(
                [
                    setup.drivers.toLocaleString('en-US'),
                    mode.label,
                    Math.round(perSecond).toLocaleString('en-US'),
                    `${medianOf(rounds, sample => sample.p50Ms).toFixed(2)} ms`,
                    `${medianOf(rounds, sample => sample.p95Ms).toFixed(2)} ms`,
                    `${medianOf(rounds, sample => sample.p99Ms).toFixed(2)} ms`,
                    `${(perSecond / ping).toFixed(2)}x`,
                    claimOnly(
                        sample => sample.scriptUsecPerClaim,
                        value => `${value.toFixed(1)} µs`,
                    ),
                    claimOnly(
                        sample => sample.geosearchUsecPerClaim,
                        value =>
                            `${value.toFixed(1)} µs in ${medianOf(rounds, sample => sample.geosearchPerClaim ?? 0).toFixed(2)} calls`,
                    ),
                    claimOnly(
                        sample => sample.redisCpuShare,
                        value => `${Math.round(value * 100)} %`,
                    ),
                    claimOnly(
                        sample => sample.clientCpuShare,
                        value => `${Math.round(value * 100)} %`,
                    ),
                    claimOnly(
                        sample => sample.machineBusyShare,
                        value => `${Math.round(value * 100)} %`,
                    ),
                    mode.claim ? String(rounds.reduce((sum, sample) => sum + sample.misses, 0)) : '',
                    mode.claim ? String(rounds.reduce((sum, sample) => sum + sample.doubles, 0)) : '',
                ].join(' | '),
            );
        }
    }
    const table = [
        '| drivers | mode | claims/s (PING: requests/s) | p50 | p95 | p99 | vs. PING | Redis script time per claim (claim + release) | of it GEOSEARCH | Redis main thread busy | Node client CPU | machine busy (2 cores, all processes) | no driver found | claimed twice |',
        '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows.map(row => `| ${row} |`),
    ].join('\n');
    const profile = [
        `| drivers | ${PROFILE_RADII_KM.map(km => `${km} km`).join(' | ')} |`,
        `| ---: | ${PROFILE_RADII_KM.map(() => '---:').join(' | ')} |`,
        ...setups.map(
            setup =>
                `| ${setup.drivers.toLocaleString('en-US')} | ${setup.profile
                    .map(
                        cost =>
                            `${cost.usecPerCall.toFixed(1)} µs, ${cost.found.toFixed(1)} found, ${Math.round(cost.hitShare * 100)} % hit`,
                    )
                    .join(' | ')} |`,
        ),
    ].join('\n');
    const cpus = os.cpus();
    return `## Claim (find + atomic claim, \`RedisDriverLocationIndex.claimNearest\`)

${options.sizes.map(size => size.toLocaleString('en-US')).join(' / ')} AVAILABLE drivers with a fresh heartbeat, spread uniformly over a ${CITY_SIDE_KM} × ${CITY_SIDE_KM} km square around the Loop (Chicago), one index (namespace) per size in one redis-server. ${options.concurrency} concurrent callers on the index's one connection (as one server process has), each claiming the nearest driver to a random pickup point in the square and then releasing that driver (\`release\`, so the index keeps its size); latency is the claim call's, seen by the caller. The PING baseline is \`${REDIS_BENCHMARK} -c ${options.concurrency} -t ping_mbulk\` against the same Redis, at the same concurrency. Medians of ${options.rounds} rounds of ${options.seconds} s per size and mode; the modes and sizes take turns within each round, in an order that rotates from round to round.

${table}

${verdict(setups, samples)}

GEOSEARCH alone (ASC, WITHDIST, COUNT 16, as the claim sends it; Redis time per call from INFO commandstats, ${PROFILE_CALLS.toLocaleString('en-US')} calls per radius at random points, how many members it returned and how often at least one): its cost follows the members in the geohash cells the radius covers, not the 16 it returns, which is why the first radius of the claim matters in a dense city.

${profile}

Script time per claim is Redis's time inside both scripts (INFO commandstats \`evalsha\`) divided by the claims; main-thread busy is Redis's own CPU time (\`used_cpu_*_main_thread\`, which includes reading and writing the sockets) over the run.

Command: \`${COMMAND}\` (options: \`--sizes 1000,10000,100000 --rounds 5 --seconds 4 --concurrency 32 --fixed-radius-km 2 --compare-start-km 0.25\`, \`--redis-port P\`, \`--no-write\`).

Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, redis-server 7 from Debian on the same machine (client, server and redis-benchmark share the 2 cores), shared with other work and noisy. Measured ${new Date().toISOString().slice(0, 10)}.`;
}

/** Target met or missed at the target size, with the figures that say why. */
function verdict(setups: SizeSetup[], samples: Map<string, Sample[]>): string {
    const rounds = samples.get(`${TARGET.drivers}:dispatch`);
    const goal = `≥ ${TARGET.claimsPerSecond.toLocaleString('en-US')} claims/s with p99 ≤ ${TARGET.p99Ms} ms at ${TARGET.drivers.toLocaleString('en-US')} drivers`;
    if (!rounds || !setups.some(setup => setup.drivers === TARGET.drivers)) {
        return `**Target (${goal}): not measured** (${TARGET.drivers} is not among --sizes).`;
    }
    const perSecond = medianOf(rounds, sample => sample.perSecond);
    const p99 = medianOf(rounds, sample => sample.p99Ms);
    const ping = medianOf(samples.get(`${TARGET.drivers}:ping`) ?? [], sample => sample.perSecond);
    const scriptUsec = medianOf(rounds, sample => sample.scriptUsecPerClaim ?? 0);
    const geosearchUsec = medianOf(rounds, sample => sample.geosearchUsecPerClaim ?? 0);
    const redisBusy = medianOf(rounds, sample => sample.redisCpuShare ?? 0);
    const clientCpu = medianOf(rounds, sample => sample.clientCpuShare ?? 0);
    const rateMet = perSecond >= TARGET.claimsPerSecond;
    const p99Met = p99 <= TARGET.p99Ms;
    const figures = `${Math.round(perSecond).toLocaleString('en-US')} claims/s (${((perSecond / ping) * 100).toFixed(0)} % of PING's ${Math.round(ping).toLocaleString('en-US')}/s), p99 ${p99.toFixed(2)} ms`;
    const machineBusy = medianOf(rounds, sample => sample.machineBusyShare ?? Number.NaN);
    const ceiling = scriptUsec > 0 ? 1e6 / scriptUsec : Infinity;
    const where = `Per claim Redis spent ${scriptUsec.toFixed(1)} µs inside the claim and release scripts (${geosearchUsec.toFixed(1)} µs of it in GEOSEARCH): one Redis core given to nothing else would top out near ${Math.round(ceiling).toLocaleString('en-US')} claims/s at that cost. Redis's main thread was busy ${Math.round(redisBusy * 100)} % of the run and the Node client (32 callers on one connection, two scripts per claim) used ${Math.round(clientCpu * 100)} % of a core, while the machine's two cores were ${Math.round(machineBusy * 100)} % busy with every process counted.`;
    if (rateMet && p99Met) return `**Target (${goal}): met**, ${figures}. ${where}`;
    const misses = [
        rateMet
            ? undefined
            : `claims/s by ${Math.round(TARGET.claimsPerSecond - perSecond).toLocaleString('en-US')} (${(((TARGET.claimsPerSecond - perSecond) / TARGET.claimsPerSecond) * 100).toFixed(0)} %)`,
        p99Met ? undefined : `p99 by ${(p99 - TARGET.p99Ms).toFixed(2)} ms`,
    ].filter(Boolean);
    const limit =
        ceiling < TARGET.claimsPerSecond
            ? `Why: the scripts alone cost more Redis time than the target allows (${(1e6 / TARGET.claimsPerSecond).toFixed(1)} µs per claim and release at ${TARGET.claimsPerSecond.toLocaleString('en-US')}/s)${machineBusy > 0.9 ? ', and on a machine this busy Redis does not even get its core: waiting for a CPU adds to every latency' : ''}.`
            : `Why: the scripts would fit the target on a core of their own; ${machineBusy > 0.9 ? 'the machine was saturated (other work included), so Redis and the client waited for a CPU' : 'the client and the round trips (two per claim) limit the rate'}.`;
    return `**Target (${goal}): missed**, ${figures}: missed on ${misses.join(' and ')}. ${where} ${limit}`;
}

function log(message: string): void {
    process.stdout.write(`${message}\n`);
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
