/**
 * Memory (issue 13, section 4): the server's RSS with this suite vs a plain Vendure 3.7.3 on the
 * same PostgreSQL database and catalogue, idle and after load, with a full-GC reading at each
 * point to tell garbage V8 had not collected yet from memory still referenced.
 *
 *   npm run build:server && npm run bench -- memory [--rounds N] [--settle-seconds S]
 *       [--load-seconds S] [--minutes M] [--drivers N] [--no-write]
 *
 * Starts an embedded PostgreSQL and a redis-server, starts the suite once to create the schema,
 * the demo marketplace and --drivers (default 100) seeded drivers, then --rounds times (default 2):
 * - the suite (built server with REDIS_URL/DATABASE_URL, 2 workers): idle reading after
 *   --settle-seconds (default 15); the common load (`{ me { id } }` on the admin API, then shop-API
 *   search and product lists, --load-seconds each, default 8, 20 keep-alive connections) and a
 *   reading; the simulator at the peak profile for --minutes (default 0.5) and a reading;
 * - plain Vendure (bench/server/plain-vendure.ts) on the same database: idle reading, the same
 *   common load, a reading.
 * A reading is the server process's VmRSS (/proc/PID/status), then a full GC (the gc-on-signal
 * preload, `--expose-gc`) and VmRSS and the V8 heap again. Writes the medians to
 * docs/BENCHMARKS.md (section memory) unless --no-write. About 6 minutes by default. SERVERBENCH_PORT_BASE (default 29400) moves its ports. Not part of
 * npm test.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

import { writeBenchmarkSection } from './results';
import {
    BENCH_ADMIN,
    installCleanup,
    requireBuiltServer,
    RunningServer,
    Services,
    startPlainVendure,
    startServices,
    startSuite,
    stopAll,
    suiteEnv,
} from './server/deployment';
import { describeMachine, median, sleep, today } from './server/machine';
import { adminToken, MemoryReading, meRate, readMemory, requestLoop } from './server/probes';
import { demoDriversOffDuty, seedDrivers, simulate } from './server/simulator';

const COMMAND = 'npm run build:server && npm run bench -- memory';
const TARGET_RATIO = 1.2;
const CONNECTIONS = 20;
const SHOP_QUERIES = [
    '{ search(input: { take: 12, groupByProduct: true }) { totalItems items { productId productName slug } } }',
    '{ products(options: { take: 12 }) { totalItems items { id name slug variants { id name price stockLevel } } } }',
];

type Point = 'idle' | 'afterLoad' | 'afterPeak';
type Readings = Partial<Record<Point, MemoryReading>>;

interface Round {
    suite: Readings;
    plain: Readings;
}

function options() {
    const { values } = parseArgs({
        options: {
            rounds: { type: 'string', default: '2' },
            'settle-seconds': { type: 'string', default: '15' },
            'load-seconds': { type: 'string', default: '8' },
            minutes: { type: 'string', default: '0.5' },
            drivers: { type: 'string', default: '100' },
            'no-write': { type: 'boolean', default: false },
        },
        strict: true,
    });
    return {
        rounds: Number(values.rounds),
        settleSeconds: Number(values['settle-seconds']),
        loadSeconds: Number(values['load-seconds']),
        minutes: Number(values.minutes),
        drivers: Number(values.drivers),
        write: !values['no-write'],
    };
}
type Options = ReturnType<typeof options>;

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The load both servers get: Vendure's auth path and the catalogue, nothing of the suite's own. */
async function commonLoad(server: RunningServer, opts: Options): Promise<void> {
    const token = await adminToken(server.port, BENCH_ADMIN.username, BENCH_ADMIN.password);
    const me = await meRate(server.port, token, CONNECTIONS, opts.loadSeconds);
    const shop = await requestLoop({
        port: server.port,
        path: '/shop-api',
        queries: SHOP_QUERIES,
        connections: CONNECTIONS,
        seconds: opts.loadSeconds,
        expect: '"totalItems"',
    });
    log(
        `  load: me ${me.perSecond.toFixed(0)} req/s (${me.failures} failed), ` +
            `shop ${shop.perSecond.toFixed(0)} req/s (${shop.failures} failed)`,
    );
    if (!me.requests || !shop.requests) throw new Error('the common load got no successful answer');
}

function describe(reading: MemoryReading): string {
    return (
        `RSS ${reading.rss.toFixed(0)} MiB (heap ${reading.heapUsed.toFixed(0)}), after GC ` +
        `${reading.rssAfterGc.toFixed(0)} MiB (heap ${reading.heapUsedAfterGc.toFixed(0)})`
    );
}

/** First start: schema, demo marketplace, seeded drivers; the demo drivers off duty. */
async function prepare(services: Services, opts: Options, sessions: string): Promise<void> {
    const suite = await startSuite(services, { workers: 2 });
    const token = await adminToken(suite.port, BENCH_ADMIN.username, BENCH_ADMIN.password);
    await demoDriversOffDuty(suite.port, token);
    await seedDrivers(opts.drivers, suiteEnv(services), sessions);
    await suite.stop();
}

async function measureSuite(services: Services, opts: Options, sessions: string): Promise<Readings> {
    const readings: Readings = {};
    const suite = await startSuite(services, { workers: 2, gcProbe: true });
    await sleep(opts.settleSeconds * 1000);
    readings.idle = await readMemory(suite.server);
    log(`  suite idle: ${describe(readings.idle)}`);
    await commonLoad(suite, opts);
    await sleep(5000);
    readings.afterLoad = await readMemory(suite.server);
    log(`  suite after the common load: ${describe(readings.afterLoad)}`);
    const { summary } = await simulate(
        suite.url,
        [
            ...['--drivers', String(opts.drivers), '--profile', 'peak', '--speedup', '60'],
            ...['--speed-kmh', '30', '--poll-seconds', '2', '--ping-seconds', '10', '--sessions', sessions],
        ],
        suiteEnv(services),
        opts.minutes,
    );
    log(`  simulator: orders ${summary.orders}, assigned ${summary.assigned}, errors ${summary.errors}`);
    await sleep(5000);
    readings.afterPeak = await readMemory(suite.server);
    log(`  suite after the simulator's peak: ${describe(readings.afterPeak)}`);
    await suite.stop();
    return readings;
}

async function measurePlain(services: Services, opts: Options): Promise<Readings> {
    const readings: Readings = {};
    const plain = await startPlainVendure(services);
    await sleep(opts.settleSeconds * 1000);
    readings.idle = await readMemory(plain.server);
    log(`  plain idle: ${describe(readings.idle)}`);
    await commonLoad(plain, opts);
    await sleep(5000);
    readings.afterLoad = await readMemory(plain.server);
    log(`  plain after the common load: ${describe(readings.afterLoad)}`);
    await plain.stop();
    return readings;
}

async function main() {
    const opts = options();
    requireBuiltServer();
    installCleanup();
    const services = await startServices(log);
    const sessions = path.join(services.dataDir, 'simulation', 'driver-sessions.json');
    await prepare(services, opts, sessions);
    const rounds: Round[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
        log(`round ${round}`);
        rounds.push({
            suite: await measureSuite(services, opts, sessions),
            plain: await measurePlain(services, opts),
        });
    }
    await stopAll();
    if (opts.write) await writeResults(opts, rounds);
}

type Field = keyof MemoryReading;

function medianOf(rounds: Round[], side: 'suite' | 'plain', point: Point, field: Field): number {
    return median(rounds.map(round => round[side][point]?.[field] ?? NaN));
}

function verdictLine(what: string, ratio: number, ratioAfterGc: number): string {
    if (ratio <= TARGET_RATIO)
        return `- ${what}: ${ratio.toFixed(2)}x, **target met** (<= ${TARGET_RATIO}x).`;
    return (
        `- ${what}: ${ratio.toFixed(2)}x, **target missed** by ${(((ratio - TARGET_RATIO) / TARGET_RATIO) * 100).toFixed(0)}%` +
        ` (${ratioAfterGc.toFixed(2)}x after a full GC${ratioAfterGc <= TARGET_RATIO ? ', within the target: the excess is garbage V8 had not collected yet' : ''}).`
    );
}

async function writeResults(opts: Options, rounds: Round[]) {
    const m = (side: 'suite' | 'plain', point: Point, field: Field) => medianOf(rounds, side, point, field);
    const row = (label: string, side: 'suite' | 'plain', point: Point) =>
        `| ${label} | ${m(side, point, 'rss').toFixed(0)} MiB | ${m(side, point, 'heapUsed').toFixed(0)} MiB | ` +
        `${m(side, point, 'rssAfterGc').toFixed(0)} MiB | ${m(side, point, 'heapUsedAfterGc').toFixed(0)} MiB | ` +
        `${m(side, point, 'externalAfterGc').toFixed(0)} MiB |`;
    const ratio = (point: Point, field: Field, plainPoint: Point = point) =>
        m('suite', point, field) / m('plain', plainPoint, field);
    const perRound = rounds
        .map(
            (r, i) =>
                `| ${i + 1} | ${r.suite.idle?.rss.toFixed(0)} / ${r.plain.idle?.rss.toFixed(0)} | ` +
                `${r.suite.afterLoad?.rss.toFixed(0)} / ${r.plain.afterLoad?.rss.toFixed(0)} | ` +
                `${r.suite.afterPeak?.rss.toFixed(0)} | ${r.suite.afterPeak?.rssAfterGc.toFixed(0)} / ${r.plain.afterLoad?.rssAfterGc.toFixed(0)} |`,
        )
        .join('\n');
    const liveGrowth = m('suite', 'afterPeak', 'heapUsedAfterGc') - m('suite', 'idle', 'heapUsedAfterGc');
    const garbage = m('suite', 'afterPeak', 'heapUsed') - m('suite', 'afterPeak', 'heapUsedAfterGc');
    const rssFreedByGc = m('suite', 'afterPeak', 'rss') - m('suite', 'afterPeak', 'rssAfterGc');
    const plainLiveGrowth =
        m('plain', 'afterLoad', 'heapUsedAfterGc') - m('plain', 'idle', 'heapUsedAfterGc');
    const section = `## Memory (server RSS, the suite vs plain Vendure 3.7.3)

Both servers on the same embedded PostgreSQL database (the suite's schema, the demo marketplace's catalogue). The suite: the built server with DATABASE_URL and REDIS_URL (BullMQ, Redis cache, Redis driver index) and 2 worker processes, whose memory is not counted; plain Vendure: \`defaultConfig\` + \`DefaultSearchPlugin\` + \`DefaultJobQueuePlugin\` (bench/server/plain-vendure.ts), no worker. Readings of the server process: idle ${opts.settleSeconds} s after it reported ready; after the common load both get (${opts.loadSeconds} s of \`{ me { id } }\` on the admin API, then ${opts.loadSeconds} s of shop-API \`search\` and \`products\`, ${CONNECTIONS} keep-alive connections each); for the suite also after \`npm run simulate --profile peak\` (${opts.drivers} seeded drivers, ${opts.minutes} min at speedup 60). Each reading: VmRSS, then a full GC (\`--expose-gc\`, triggered by SIGWINCH through bench/server/gc-on-signal.ts) and VmRSS again. Medians of ${rounds.length} rounds, each starting both servers afresh.

| server, point | RSS | V8 heap used | RSS after full GC | heap used after GC | external after GC |
| --- | ---: | ---: | ---: | ---: | ---: |
${row('plain Vendure, idle', 'plain', 'idle')}
${row('suite, idle', 'suite', 'idle')}
${row('plain Vendure, after the common load', 'plain', 'afterLoad')}
${row('suite, after the common load', 'suite', 'afterLoad')}
${row("suite, after the simulator's peak", 'suite', 'afterPeak')}

RSS per round, MiB (suite / plain):

| round | idle | after the common load | suite after peak | after peak, after GC (suite / plain after load) |
| --- | ---: | ---: | ---: | ---: |
${perRound}

Ratios (suite / plain, medians; "after peak" compares the suite after the simulator with plain Vendure after the common load, since plain Vendure has no delivery API to simulate against):

${verdictLine('Idle RSS', ratio('idle', 'rss'), ratio('idle', 'rssAfterGc'))}
${verdictLine('RSS after the same common load', ratio('afterLoad', 'rss'), ratio('afterLoad', 'rssAfterGc'))}
${verdictLine("RSS after the simulator's peak", ratio('afterPeak', 'rss', 'afterLoad'), ratio('afterPeak', 'rssAfterGc', 'afterLoad'))}

What grows: from idle to after the peak the suite's live V8 heap (after a full GC) grew by ${liveGrowth.toFixed(1)} MiB (plain Vendure's by ${plainLiveGrowth.toFixed(1)} MiB over the common load); after the peak ${garbage.toFixed(0)} MiB of the heap was garbage and a full GC gave ${rssFreedByGc.toFixed(0)} MiB of RSS back. ${liveGrowth < 20 ? 'So the growth under load is mostly garbage V8 had not collected yet (its heap grows before it collects, more so the more a process allocates: the simulator drives far more requests and GraphQL documents through the suite than the common load drives through plain Vendure), not live memory that accumulates.' : 'The live heap grew markedly: something keeps references under load (profile with a heap snapshot).'}

Command: \`${COMMAND}\`

Machine: ${describeMachine('PostgreSQL 17 (embedded binaries, default settings), redis-server, the servers, workers, the simulator and the bench on the same machine')}. Measured ${today()}; medians of ${rounds.length} rounds, the baseline measured in the same run.
`;
    await writeBenchmarkSection('memory', section);
}

main().catch(async error => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await stopAll();
    process.exit(1);
});
