/**
 * The driver channel's hot path (issue 14, section 1): location pings over `GET /dispatch/driver`
 * on ONE server process, against `updateDriverLocation` (the GraphQL mutation) and Vendure's own
 * authenticated `{ me { id } }` on the same server in the same run, in Redis mode and in embedded
 * mode (no REDIS_URL: SQL index, in-process counters and event log).
 *
 *   npm run build:server && npm run bench -- driver-channel [--drivers N] [--rate R] [--seconds S]
 *       [--idle N] [--modes redis,embedded] [--me-seconds S] [--mutation-seconds S]
 *       [--connections N] [--profile DIR] [--no-write]
 *
 * Starts an embedded PostgreSQL and a redis-server, seeds max(--drivers + 20, --idle) drivers with
 * `drivers:seed` (sessions in bulk), then per mode starts the built server (`dist/src/index.js`,
 * no worker, LOCATION_PING_LIMIT raised to 10,000,000 per 60 s so no ping is refused) and:
 * 1. `{ me { id } }`, --connections (default 20) keep-alive connections for --me-seconds (10);
 * 2. `updateDriverLocation`, one keep-alive connection per driver for --connections drivers, for
 *    --mutation-seconds (10);
 * 3. --drivers (default 2000) driver sockets, then pings at --rate (default 5000/s) spread over
 *    them for --seconds (default 20), while 20 more sample drivers ping every 50 ms: ping to index
 *    (Redis mode: their entry in the index's positions hash, polled every ms) and ping to live map
 *    (the `driver.location` event on a staff `GET /dispatch/events` stream); RSS after a full GC
 *    before and after the sockets opened gives MiB per 1,000 connections;
 * 4. Redis mode only: --idle (default 10,000) idle driver sockets held for 10 s by the one process.
 * The load runs in its own process (bench/server/ping-load.ts), which reports its CPU; the server's
 * CPU comes from /proc; --profile DIR writes the server's V8 CPU profile of each load phase into
 * DIR/<mode>/ (bench/server/cpu-profile-on-request.ts). Writes docs/BENCHMARKS.md (section driver-channel) unless --no-write. About
 * 6 minutes by default. SERVERBENCH_PORT_BASE (default 29400) moves its ports. Not part of npm test.
 */
import { ChildProcess, fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { SeededSession } from '../src/simulation/simulated-drivers';
import { writeBenchmarkSection } from './results';
import { startCpuProfile, stopCpuProfile } from './server/cpu-profile-on-request';
import {
    BENCH_ADMIN,
    installCleanup,
    requireBuiltServer,
    startServices,
    startSuite,
    stopAll,
    suiteEnv,
} from './server/deployment';
import { describeMachine, sleep, today } from './server/machine';
import type { ConnectResult, LoadCommand, LoadResult, MutationResult } from './server/ping-load';
import { adminToken, LoopResult, meRate, readMemory } from './server/probes';
import { seedDrivers } from './server/simulator';

const COMMAND = 'npm run build:server && npm run bench -- driver-channel';
const SAMPLE_DRIVERS = 20;
/** The plugin's default `pingFlushIntervalMs`, which the app uses. */
const FLUSH_MS = 10;
const IDLE_HOLD_MS = 10_000;
const TARGET = { pingsPerSecond: 5000, p99Ms: 50, vsMutation: 10 };
/** The app's redisKeyPrefix ('{vqd}') and the index's namespace under it. */
const POSITIONS_KEY = '{vqd}:drivers:positions';

type Mode = 'redis' | 'embedded';

interface ModeResult {
    mode: Mode;
    me: LoopResult;
    mutation: MutationResult;
    connect: ConnectResult;
    load: LoadResult;
    serverCpuPercent: number;
    /** The machine's 1-minute load average at the end of the load: other jobs share the 2 cores. */
    loadAverage: number;
    rssBeforeMiB: number;
    rssConnectedMiB: number;
    idle?: { open: number; wanted: number; rssMiB: number; connectSeconds: number };
}

function options() {
    const { values } = parseArgs({
        options: {
            drivers: { type: 'string', default: '2000' },
            rate: { type: 'string', default: '5000' },
            seconds: { type: 'string', default: '20' },
            idle: { type: 'string', default: '10000' },
            modes: { type: 'string', default: 'redis,embedded' },
            'me-seconds': { type: 'string', default: '10' },
            'mutation-seconds': { type: 'string', default: '10' },
            connections: { type: 'string', default: '20' },
            profile: { type: 'string' },
            'no-write': { type: 'boolean', default: false },
        },
        strict: true,
    });
    const modes = values.modes.split(',').map(mode => mode.trim());
    for (const mode of modes) {
        if (mode !== 'redis' && mode !== 'embedded')
            throw new Error(`--modes takes redis and embedded, not ${mode}`);
    }
    return {
        drivers: Number(values.drivers),
        rate: Number(values.rate),
        seconds: Number(values.seconds),
        idle: Number(values.idle),
        modes: modes as Mode[],
        meSeconds: Number(values['me-seconds']),
        mutationSeconds: Number(values['mutation-seconds']),
        connections: Number(values.connections),
        /** A folder for the server's V8 CPU profile (`--cpu-prof`), one file per mode. */
        profileDir: values.profile,
        write: !values['no-write'],
    };
}
type Options = ReturnType<typeof options>;

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The load process and a request/answer over IPC. */
class LoadClient {
    private readonly child: ChildProcess = fork(path.join(__dirname, 'server', 'ping-load.js'), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });

    ask<T>(command: LoadCommand, timeoutMs = 10 * 60_000): Promise<T> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`the load process did not answer ${command.cmd}`)),
                timeoutMs,
            );
            this.child.once('message', (message: { error?: string }) => {
                clearTimeout(timer);
                if (message.error) reject(new Error(message.error));
                else resolve(message as T);
            });
            this.child.send(command);
        });
    }

    stop(): void {
        this.child.kill();
    }
}

/** User + system CPU seconds of a process so far, from /proc/PID/stat. */
async function cpuSeconds(pid: number): Promise<number> {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the name), in ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(values: number[], p: number): number {
    if (!values.length) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
    const opts = options();
    requireBuiltServer();
    installCleanup();
    const services = await startServices(log);
    const sessionsFile = path.join(services.dataDir, 'simulation', 'driver-sessions.json');
    const results: ModeResult[] = [];
    let seeded: SeededSession[] | undefined;
    for (const mode of opts.modes) {
        const suite = await startSuite(services, {
            workers: 0,
            gcProbe: true,
            ...(opts.profileDir ? { cpuProfileDir: path.resolve(opts.profileDir, mode) } : {}),
            env: {
                DEMO_DATA: 'false',
                LOCATION_PING_LIMIT: '10000000/60',
                ...(mode === 'embedded' ? { REDIS_URL: '' } : {}),
            },
        });
        log(`${mode}: server ready on ${suite.url}`);
        if (!seeded) {
            const count = Math.max(opts.drivers + SAMPLE_DRIVERS, opts.idle);
            await seedDrivers(count, suiteEnv(services), sessionsFile);
            seeded = JSON.parse(await fs.readFile(sessionsFile, 'utf8')) as SeededSession[];
            log(`${seeded.length} drivers seeded`);
        }
        results.push(
            await measureMode(
                mode,
                opts,
                suite,
                seeded.map(s => s.token),
                services.redisUrl,
            ),
        );
        await suite.stop();
    }
    await stopAll();
    if (opts.write) await writeResults(opts, results);
}

async function measureMode(
    mode: Mode,
    opts: Options,
    suite: Awaited<ReturnType<typeof startSuite>>,
    tokens: string[],
    redisUrl: string,
): Promise<ModeResult> {
    const pid = suite.server.child.pid;
    if (pid === undefined) throw new Error('the server has no pid');
    const staffToken = await adminToken(suite.port, BENCH_ADMIN.username, BENCH_ADMIN.password);
    const client = new LoadClient();
    try {
        const rssBeforeMiB = (await readMemory(suite.server)).rssAfterGc;
        const me = await meRate(suite.port, staffToken, opts.connections, opts.meSeconds);
        log(`${mode}: { me { id } } ${me.perSecond.toFixed(1)} req/s (${me.failures} failed)`);
        const loadTokens = tokens.slice(0, opts.drivers);
        const sampleTokens = tokens.slice(opts.drivers, opts.drivers + SAMPLE_DRIVERS);
        const mutation = await client.ask<MutationResult>({
            cmd: 'mutation',
            port: suite.port,
            tokens: loadTokens.slice(0, opts.connections),
            seconds: opts.mutationSeconds,
        });
        log(
            `${mode}: updateDriverLocation ${mutation.perSecond.toFixed(1)} req/s (${mutation.failures} failed)`,
        );

        const connect = await client.ask<ConnectResult>({
            cmd: 'connect',
            port: suite.port,
            tokens: loadTokens,
            concurrency: 50,
        });
        log(
            `${mode}: ${connect.open} sockets open in ${connect.seconds.toFixed(1)} s (${connect.failed} failed)`,
        );
        const rssConnectedMiB = (await readMemory(suite.server)).rssAfterGc;
        const profileDir = opts.profileDir ? path.resolve(opts.profileDir, mode) : undefined;
        if (profileDir) await startCpuProfile(profileDir);
        const cpuBefore = await cpuSeconds(pid);
        const started = Date.now();
        const load = await client.ask<LoadResult>({
            cmd: 'load',
            port: suite.port,
            rate: opts.rate,
            seconds: opts.seconds,
            sampleTokens,
            staffToken,
            ...(mode === 'redis' ? { redis: { url: redisUrl, positionsKey: POSITIONS_KEY } } : {}),
        });
        const serverCpuPercent =
            (((await cpuSeconds(pid)) - cpuBefore) / ((Date.now() - started) / 1000)) * 100;
        const loadAverage = os.loadavg()[0];
        if (profileDir) log(`${mode}: CPU profile of the load phase: ${await stopCpuProfile(profileDir)}`);
        log(
            `${mode}: sent ${load.sent} pings in ${load.seconds.toFixed(1)} s = ${(load.sent / load.seconds).toFixed(0)}/s; ` +
                `errors ${JSON.stringify(load.errorFrames)}; index p50/p99 ${percentile(load.indexLatencyMs, 50)}/${percentile(load.indexLatencyMs, 99)} ms; ` +
                `live map p50/p99 ${percentile(load.liveMapLatencyMs, 50)}/${percentile(load.liveMapLatencyMs, 99)} ms; ` +
                `lost ${load.lostSamples}; server CPU ${serverCpuPercent.toFixed(0)}%, client CPU ${load.clientCpuPercent.toFixed(0)}%`,
        );
        await client.ask({ cmd: 'close' });

        let idle: ModeResult['idle'];
        if (mode === 'redis' && opts.idle > 0) {
            const idleConnect = await client.ask<ConnectResult>({
                cmd: 'connect',
                port: suite.port,
                tokens: tokens.slice(0, opts.idle),
                concurrency: 100,
            });
            await sleep(IDLE_HOLD_MS);
            const rssMiB = (await readMemory(suite.server)).rssAfterGc;
            // Still open after the hold (the connect result counts them at the end of connecting).
            const held = await client.ask<ConnectResult>({
                cmd: 'connect',
                port: suite.port,
                tokens: [],
                concurrency: 1,
            });
            idle = { open: held.open, wanted: opts.idle, rssMiB, connectSeconds: idleConnect.seconds };
            log(
                `${mode}: ${held.open} of ${opts.idle} idle sockets held ${IDLE_HOLD_MS / 1000} s; RSS ${rssMiB.toFixed(0)} MiB`,
            );
            await client.ask({ cmd: 'close' });
        }
        return {
            mode,
            me,
            mutation,
            connect,
            load,
            serverCpuPercent,
            loadAverage,
            rssBeforeMiB,
            rssConnectedMiB,
            idle,
        };
    } finally {
        client.stop();
    }
}

const ms = (value: number) => (Number.isFinite(value) ? `${value}` : '-');

/** Pings sent per second of the schedule (the load sends `rate` per second, on a 10 ms clock). */
function sentRate(r: ModeResult, opts: Options): number {
    return r.load.sent / opts.seconds;
}

/** The figure the target is about: what reached the index (Redis) or the live map (embedded). */
function latencies(r: ModeResult): number[] {
    return r.mode === 'redis' ? r.load.indexLatencyMs : r.load.liveMapLatencyMs;
}

function rssPerThousand(r: ModeResult): number {
    return ((r.rssConnectedMiB - r.rssBeforeMiB) / r.connect.open) * 1000;
}

function verdict(r: ModeResult, opts: Options): string {
    const rate = sentRate(r, opts);
    const p99 = percentile(latencies(r), 99);
    const vsMutation = rate / r.mutation.perSecond;
    const errors = Object.values(r.load.errorFrames).reduce((a, b) => a + b, 0);
    const misses: string[] = [];
    // The machine is shared: with other jobs running, a ping's tail includes waiting for a core.
    const busyMachine =
        r.loadAverage > 2
            ? `; the machine was oversubscribed: 1-minute load average ${r.loadAverage.toFixed(1)} on 2 cores with other jobs' processes running, while the server itself used ${r.serverCpuPercent.toFixed(0)}% of one core (its event loop was not saturated; p50 ${ms(percentile(latencies(r), 50))} ms)`
            : `; the server used ${r.serverCpuPercent.toFixed(0)}% of one core`;
    if (rate < TARGET.pingsPerSecond) {
        misses.push(
            `${rate.toFixed(0)} pings/s is below ${TARGET.pingsPerSecond} (the load process sent what it could at ${r.load.clientCpuPercent.toFixed(0)}% CPU of one core)`,
        );
    }
    if (!(p99 <= TARGET.p99Ms)) {
        misses.push(
            `p99 ${ms(p99)} ms is above ${TARGET.p99Ms} ms (a ping waits for its flush, up to ${FLUSH_MS} ms, then for its turn on the server's event loop and the load process's${busyMachine})`,
        );
    }
    if (vsMutation < TARGET.vsMutation)
        misses.push(`${vsMutation.toFixed(1)}x the mutation is below ${TARGET.vsMutation}x`);
    if (errors > 0 || r.load.lostSamples > 0)
        misses.push(`${errors} error frames and ${r.load.lostSamples} samples lost`);
    if (r.connect.open < opts.drivers)
        misses.push(`only ${r.connect.open} of ${opts.drivers} drivers connected`);
    const figures = `${rate.toFixed(0)} pings/s sent with ${r.connect.open} drivers connected, p99 ${ms(p99)} ms, ${vsMutation.toFixed(1)}x the mutation`;
    const met = [
        ...(rate >= TARGET.pingsPerSecond && errors === 0
            ? [`${TARGET.pingsPerSecond} pings/s taken without an error`]
            : []),
        ...(vsMutation >= TARGET.vsMutation ? [`>= ${TARGET.vsMutation}x the mutation`] : []),
        ...(p99 <= TARGET.p99Ms ? [`p99 <= ${TARGET.p99Ms} ms`] : []),
    ];
    return misses.length
        ? `**${r.mode}: target missed**: ${figures}. Met: ${met.join(', ') || 'none'}. Missed: ${misses.join('; ')}.`
        : `**${r.mode}: target met**: ${figures} (targets: >= ${TARGET.pingsPerSecond} pings/s, p99 <= ${TARGET.p99Ms} ms, >= ${TARGET.vsMutation}x).`;
}

async function writeResults(opts: Options, results: ModeResult[]) {
    const row = (r: ModeResult) =>
        `| ${r.mode} | ${r.me.perSecond.toFixed(1)} | ${r.mutation.perSecond.toFixed(1)} | ${opts.rate} / **${sentRate(r, opts).toFixed(0)}** | ` +
        `${(sentRate(r, opts) / r.mutation.perSecond).toFixed(1)}x | ${(sentRate(r, opts) / r.me.perSecond).toFixed(1)}x | ` +
        `${ms(percentile(r.load.indexLatencyMs, 50))} / ${ms(percentile(r.load.indexLatencyMs, 99))} | ` +
        `${ms(percentile(r.load.liveMapLatencyMs, 50))} / ${ms(percentile(r.load.liveMapLatencyMs, 99))} | ` +
        `${Object.values(r.load.errorFrames).reduce((a, b) => a + b, 0)} | ${r.serverCpuPercent.toFixed(0)}% | ` +
        `${r.load.clientCpuPercent.toFixed(0)}% | ${r.loadAverage.toFixed(1)} | ${rssPerThousand(r).toFixed(1)} |`;
    const table = [
        '| mode | `{ me { id } }` req/s | `updateDriverLocation` req/s | channel pings/s offered / sent | vs. mutation | vs. `me` | ping → index p50 / p99 ms | ping → live map p50 / p99 ms | error frames | server CPU | load CPU | load average | RSS MiB per 1,000 sockets |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...results.map(row),
    ].join('\n');
    const idle = results.find(r => r.idle)?.idle;
    const idleBase = results.find(r => r.idle)?.rssBeforeMiB ?? NaN;
    const idleLine = idle
        ? `**Idle connections**: ${idle.open} of ${idle.wanted} driver sockets (each authenticated, each a live client of the event stream) held open by the one server process for ${IDLE_HOLD_MS / 1000} s (Redis mode), opened in ${idle.connectSeconds.toFixed(1)} s; RSS after a full GC ${idle.rssMiB.toFixed(0)} MiB, ${(((idle.rssMiB - idleBase) / idle.open) * 1000).toFixed(1)} MiB per 1,000 above the server without sockets (${idleBase.toFixed(0)} MiB). ${idle.open === idle.wanted ? '**Met.**' : '**Missed**: not all stayed open.'}`
        : 'Idle connections: not measured in this run (--idle 0).';
    const section = `## Driver channel (pings over \`GET /dispatch/driver\`, one server process)

The built server (\`dist/src/index.js\`, one process, no worker) on an embedded PostgreSQL, \`LOCATION_PING_LIMIT=10000000/60\` (the limit raised so no ping is refused), drivers and their sessions seeded in bulk with \`drivers:seed\`. **redis**: \`REDIS_URL\` set (Redis GEO index, Redis ping counters, Redis Stream event log); **embedded**: no \`REDIS_URL\` (SQL index, in-process counters and event log). In the same run on the same server: the baseline, Vendure's own authenticated \`{ me { id } }\` (${opts.connections} keep-alive connections, ${opts.meSeconds} s), and \`updateDriverLocation\` (${opts.connections} drivers, one keep-alive connection each, closed loop, ${opts.mutationSeconds} s). Then ${opts.drivers} driver sockets and pings at ${opts.rate}/s spread over them for ${opts.seconds} s, sent by a separate load process (its CPU in the table, in % of one core; the server's from /proc). Latency: ${SAMPLE_DRIVERS} more drivers ping every 50 ms; **ping → index** is until the position is in the Redis index (its positions hash, written by the same script as the GEO set and the heartbeat; polled every ms), **ping → live map** until the \`driver.location\` event reaches a staff \`GET /dispatch/events\` stream (embedded mode's index is the database, written behind every 2 s by design, so the live map is its figure). Pings are flushed every 10 ms (\`pingFlushIntervalMs\`, the default); the machine is shared, so the p99 figures carry its noise. RSS per 1,000 sockets: after a full GC, with the ${opts.drivers} sockets open minus before.

${table}

${results.map(r => verdict(r, opts)).join('\n\n')}

${idleLine}

Command: \`${COMMAND}\`

Machine: ${describeMachine('PostgreSQL 17 (embedded binaries, default settings), redis-server, the server, the load process and the bench on the same machine')}. Measured ${today()}; one run per mode, every figure of a row from the same server process.
`;
    await writeBenchmarkSection('driver-channel', section);
}

main().catch(async error => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await stopAll();
    process.exit(1);
});
