/**
 * End to end (issue 13, section 4): ready → ASSIGNED on PostgreSQL + Redis + BullMQ with 2 worker
 * processes, measured by the simulator, against Vendure's own authenticated `{ me { id } }` rate
 * on the same server in the same run.
 *
 *   npm run build:server && npm run bench -- end-to-end [--rounds N] [--workers N] [--drivers N]
 *       [--minutes M] [--speedup S] [--me-seconds S] [--connections N] [--no-write]
 *
 * Starts an embedded PostgreSQL, a redis-server, the built server and --workers (default 2)
 * `index-worker` processes with DATABASE_URL and REDIS_URL, the demo marketplace, and seeds
 * --drivers (default 100) simulated drivers with `drivers:seed`. Then, --rounds times (default 3):
 * the `{ me { id } }` loop (--connections keep-alive connections, default 20, for --me-seconds,
 * default 10) and a simulator run at the peak profile (--minutes, default 0.5, at --speedup, default
 * 60: a 2-6 minute preparation takes 2-6 s). Assignments/s is the simulator's `assigned` over its wall-clock seconds. Writes the medians
 * to docs/BENCHMARKS.md (section end-to-end) unless --no-write. About 4 minutes by default. SERVERBENCH_PORT_BASE (default 29400) moves its ports. Not
 * part of npm test.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { SimulationSummary } from '../src/simulation/summary';
import { writeBenchmarkSection } from './results';
import {
    BENCH_ADMIN,
    installCleanup,
    requireBuiltServer,
    startServices,
    startSuite,
    stopAll,
    suiteEnv,
} from './server/deployment';
import { describeMachine, median, today } from './server/machine';
import { adminToken, LoopResult, meRate } from './server/probes';
import { demoDriversOffDuty, seedDrivers, simulate } from './server/simulator';

const COMMAND = 'npm run build:server && npm run bench -- end-to-end';

interface Round {
    me: LoopResult;
    summary: SimulationSummary;
    assignedPerSecond: number;
}

function options() {
    const { values } = parseArgs({
        options: {
            rounds: { type: 'string', default: '3' },
            workers: { type: 'string', default: '2' },
            drivers: { type: 'string', default: '100' },
            minutes: { type: 'string', default: '0.5' },
            speedup: { type: 'string', default: '60' },
            'me-seconds': { type: 'string', default: '10' },
            connections: { type: 'string', default: '20' },
            'no-write': { type: 'boolean', default: false },
        },
        strict: true,
    });
    return {
        rounds: Number(values.rounds),
        workers: Number(values.workers),
        drivers: Number(values.drivers),
        minutes: Number(values.minutes),
        speedup: Number(values.speedup),
        meSeconds: Number(values['me-seconds']),
        connections: Number(values.connections),
        write: !values['no-write'],
    };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
    const opts = options();
    requireBuiltServer();
    installCleanup();
    const services = await startServices(log);
    const suite = await startSuite(services, { workers: opts.workers });
    log(`server ready on ${suite.url} with ${opts.workers} workers`);
    const token = await adminToken(suite.port, BENCH_ADMIN.username, BENCH_ADMIN.password);
    await demoDriversOffDuty(suite.port, token);
    const env = suiteEnv(services);
    const sessions = path.join(services.dataDir, 'simulation', 'driver-sessions.json');
    await seedDrivers(opts.drivers, env, sessions);
    log(`${opts.drivers} drivers seeded`);

    const rounds: Round[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
        const me = await meRate(suite.port, token, opts.connections, opts.meSeconds);
        const { summary, progress } = await simulate(
            suite.url,
            [
                ...[
                    '--drivers',
                    String(opts.drivers),
                    '--profile',
                    'peak',
                    '--speedup',
                    String(opts.speedup),
                ],
                ...['--speed-kmh', '30', '--poll-seconds', '2', '--ping-seconds', '10'],
                ...['--seed', String(round), '--sessions', sessions],
            ],
            env,
            opts.minutes,
        );
        const assignedPerSecond = summary.assigned / summary.wallSeconds;
        rounds.push({ me, summary, assignedPerSecond });
        log(
            `round ${round}: me ${me.perSecond.toFixed(1)} req/s (${me.failures} failed); ` +
                `assigned ${summary.assigned} in ${summary.wallSeconds} s = ${assignedPerSecond.toFixed(2)}/s, ` +
                `doubles ${summary.doubleAssignments}, errors ${summary.errors}, ` +
                `assign p50 ${summary.assignLatencyMs.p50} ms\n  simulator: ${progress}`,
        );
    }
    await stopAll();
    if (opts.write) await writeResults(opts, rounds);
}

function verdict(ratio: number, doubles: number, rounds: Round[]): string {
    const doublesText = doubles === 0 ? '0 doubles (met)' : `${doubles} doubles (missed: the target is 0)`;
    if (ratio >= 1) return `**Target met**: ${ratio.toFixed(2)}x >= 1x, ${doublesText}.`;
    const waiting = median(rounds.map(r => r.summary.ready - r.summary.assigned));
    return (
        `**Target missed** by ${((1 - ratio) * 100).toFixed(0)}% (${ratio.toFixed(2)}x of the \`me\` rate); ${doublesText}. ` +
        `Why: the simulator cannot offer more work than it can check out, and a checkout is a dozen ` +
        `shop-API requests (cart, address, shipping, payment) plus the staff's ready mutation; ` +
        `dispatch kept up with what was offered (median ${waiting} ready deliveries still waiting at the ` +
        `end of a round, assign p50 in the table), so assignments/s here measures the checkout path ` +
        `the simulator drives, not the dispatcher's ceiling.`
    );
}

async function writeResults(opts: ReturnType<typeof options>, rounds: Round[]) {
    const row = (r: Round, label: string) => {
        const s = r.summary;
        return (
            `| ${label} | ${r.me.perSecond.toFixed(1)} | ${s.orders} | ${s.ready} | ${s.assigned} | ${s.wallSeconds} | ` +
            `${r.assignedPerSecond.toFixed(2)} | ${(r.assignedPerSecond / r.me.perSecond).toFixed(3)}x | ` +
            `${s.assignLatencyMs.p50 ?? '-'} / ${s.assignLatencyMs.p95 ?? '-'} ms | ${s.doubleAssignments} | ${s.errors} |`
        );
    };
    const meMedian = median(rounds.map(r => r.me.perSecond));
    const assignedMedian = median(rounds.map(r => r.assignedPerSecond));
    const ratio = assignedMedian / meMedian;
    const doubles = Math.max(...rounds.map(r => r.summary.doubleAssignments));
    const table = [
        '| round | `{ me { id } }` req/s | orders | ready | assigned | wall s | assignments/s | vs. `me` | assign p50 / p95 | doubles | errors |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rounds.map((r, i) => row(r, String(i + 1))),
        `| **median** | **${meMedian.toFixed(1)}** | | | | | **${assignedMedian.toFixed(2)}** | **${ratio.toFixed(3)}x** | ${median(rounds.map(r => r.summary.assignLatencyMs.p50 ?? NaN))} / ${median(rounds.map(r => r.summary.assignLatencyMs.p95 ?? NaN))} ms | max ${doubles} | |`,
    ].join('\n');
    const section = `## End to end (ready → ASSIGNED, PostgreSQL + Redis + BullMQ, ${opts.workers} workers)

The built server (\`dist/src/index.js\`) and ${opts.workers} \`dist/src/index-worker.js\` processes on an embedded PostgreSQL and a redis-server, the demo marketplace, ${opts.drivers} drivers from \`drivers:seed\`. Each round: the baseline, Vendure's own authenticated \`{ me { id } }\` on the admin API (${opts.connections} keep-alive connections, ${opts.meSeconds} s, bearer token of a logged-in superadmin), then \`npm run simulate\` at \`--profile peak\` for ${opts.minutes} wall-clock minute(s) at \`--speedup ${opts.speedup}\` (seed = round). Assignments/s = the simulator's \`assigned\` (deliveries that reached ASSIGNED, from the server's records) over its wall-clock seconds; latencies are ready (PENDING row created) to the first ASSIGNED event, server time.

${table}

${verdict(ratio, doubles, rounds)}

Command: \`${COMMAND}\`

Machine: ${describeMachine('PostgreSQL 17 (embedded binaries, default settings), redis-server, the server, its workers, the simulator and the bench on the same machine')}. Measured ${today()}; medians of ${rounds.length} rounds, the baseline measured in the same run on the same server.
`;
    await writeBenchmarkSection('end-to-end', section);
}

main().catch(async error => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await stopAll();
    process.exit(1);
});
