/**
 * Delivery insights: does `deliveryInsights` stay an index read on a large delivery table? On an
 * embedded PostgreSQL of its own with the project's migrations, it writes `--deliveries` deliveries
 * (ready times spread over `--days` days, two channels each: the default and one of `--sellers`
 * seller channels, a realistic mix of statuses and durations) with bulk SQL, ANALYZEs, then runs
 * the two statements of `deliveryInsights` (INSIGHTS_SQL of plugins/driver-dispatch, the very
 * text the server sends) under EXPLAIN ANALYZE for a day, a week and the longest period (31 days),
 * in the default channel and in one seller's. Passes when the day and the week read the deliveries
 * through IDX_delivery_assignment_created_at (the migration's index) and every statement stays
 * under `--budget-ms`; prints the plans with `--explain`. Writes its section of
 * docs/BENCHMARKS.md unless `--no-write`.
 *
 *   npm run bench -- insights [options]
 *
 * Options (defaults in brackets):
 *   --deliveries N   deliveries written [100000]
 *   --days N         days their ready times spread over [90]
 *   --sellers N      seller channels [10]
 *   --budget-ms N    the slowest statement allowed, execution time [500]
 *   --pg-port N      PostgreSQL's port [a free port]
 *   --explain        print the plans
 *   --no-write       print only
 * The default run takes about 20 s here (the migrations 3 s, writing 100k deliveries 5 s); a
 * smoke run: `--deliveries 5000 --no-write`.
 */
import os from 'node:os';

import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { migrations } from '../migrations';
import { INSIGHTS_SQL } from '../plugins/driver-dispatch/services/delivery-insights';
import { freePort } from '../src/runtime/embedded-postgres';
import { startBenchDatabase } from './near-me/server';
import { writeBenchmarkSection } from './results';

const INDEX = 'IDX_delivery_assignment_created_at';
const CHANNEL_JOIN_NOTE =
    "`IDX_58d3a65b7ae4d6f76ae0f97a3c` is the channel join table's `channelId` index: PostgreSQL joins the period's deliveries to the channel's links by hashing, so in the default channel, which holds every delivery, that part reads all its links and grows with the table, not the period (about 30 ms a day at 100k here); an `EXISTS` form of the filter got the same plan.";
const DAY_MS = 86_400_000;

interface Options {
    deliveries: number;
    days: number;
    sellers: number;
    budgetMs: number;
    pgPort: number;
    explain: boolean;
    write: boolean;
}

function readOptions(argv: string[]): Options {
    const value = (name: string, fallback: number): number => {
        const at = argv.indexOf(`--${name}`);
        if (at < 0) return fallback;
        const parsed = Number(argv[at + 1]);
        if (!Number.isFinite(parsed) || parsed < 0)
            throw new Error(`--${name} takes a number, got ${argv[at + 1]}`);
        return parsed;
    };
    return {
        deliveries: value('deliveries', 100_000),
        days: value('days', 90),
        sellers: value('sellers', 10),
        budgetMs: value('budget-ms', 500),
        pgPort: value('pg-port', 0),
        explain: argv.includes('--explain'),
        write: !argv.includes('--no-write'),
    };
}

const log = (message: string) => process.stdout.write(`[insights] ${message}\n`);

/**
 * The deliveries, written in one statement each for the rows and the channel links. Foreign keys
 * are not checked while writing (session_replication_role = replica): the bench has no orders,
 * drivers or channels, and the planner does not read them.
 */
async function writeDeliveries(client: Client, options: Options, end: Date): Promise<void> {
    await client.query('SET session_replication_role = replica');
    await client.query(
        `INSERT INTO delivery_assignment ("orderId", "status", "dropoffLatitude", "dropoffLongitude",
            "deliveryReference", "trackingToken", "correlationId", "createdAt", "updatedAt", "assignedAt", "pickedUpAt",
            "deliveredAt", "waitingForDriverDelayedAt", "outForDeliveryDelayedAt")
        SELECT s.n, s.status, 41.88, -87.63, 'B-' || s.n, md5('t' || s.n::text), md5(s.n::text), s.ready, s.ready,
            CASE WHEN s.status <> 'PENDING' AND s.r > 0.03 THEN s.ready + make_interval(secs => 10 + s.r * 600) END,
            CASE WHEN s.status IN ('DELIVERED', 'PICKED_UP', 'FAILED') THEN s.ready + make_interval(secs => 300 + s.r * 900) END,
            CASE WHEN s.status = 'DELIVERED' THEN s.ready + make_interval(secs => 900 + s.r * 2400) END,
            CASE WHEN s.r > 0.92 THEN s.ready + interval '2 minutes' END,
            CASE WHEN s.r > 0.96 AND s.status <> 'PENDING' THEN s.ready + interval '45 minutes' END
        FROM (
            SELECT n, r, ready, CASE
                WHEN pick < 0.85 THEN 'DELIVERED' WHEN pick < 0.9 THEN 'FAILED'
                WHEN pick < 0.95 THEN 'CANCELLED' WHEN pick < 0.97 THEN 'PENDING'
                WHEN pick < 0.99 THEN 'ASSIGNED' ELSE 'PICKED_UP' END AS status
            FROM (
                -- random() in the select list of the series: drawn per row.
                SELECT n, random() AS r, random() AS pick,
                    $2::timestamp - make_interval(secs => random() * $3::double precision) AS ready
                FROM generate_series(1, $1::int) AS n
            ) AS drawn
        ) AS s`,
        [options.deliveries, end, (options.days * DAY_MS) / 1000],
    );
    await client.query(
        `INSERT INTO delivery_assignment_channels_channel ("deliveryAssignmentId", "channelId")
        SELECT id, 1 FROM delivery_assignment
        UNION ALL SELECT id, 2 + (id % $1::int) FROM delivery_assignment`,
        [options.sellers],
    );
    await client.query('SET session_replication_role = DEFAULT');
    await client.query('ANALYZE delivery_assignment');
    await client.query('ANALYZE delivery_assignment_channels_channel');
}

interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    Plans?: PlanNode[];
}

function indexesOf(node: PlanNode): string[] {
    return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesOf)];
}

interface Profile {
    period: string;
    channel: string;
    statement: string;
    executionMs: number;
    indexes: string[];
    plan: PlanNode;
}

async function profile(
    client: Client,
    statement: 'aggregates' | 'buckets',
    parameters: unknown[],
): Promise<Omit<Profile, 'period' | 'channel' | 'statement'>> {
    // Once to warm the cache as a dashboard that polls has, then the measured plan.
    await client.query(INSIGHTS_SQL[statement], parameters);
    const result = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${INSIGHTS_SQL[statement]}`,
        parameters,
    );
    const [explained] = result.rows[0]['QUERY PLAN'];
    return {
        executionMs: explained['Execution Time'],
        indexes: [...new Set(indexesOf(explained.Plan))],
        plan: explained.Plan,
    };
}

async function main(): Promise<void> {
    const options = readOptions(process.argv.slice(2));
    const database = await startBenchDatabase(options.pgPort || (await freePort()), log);
    try {
        const started = Date.now();
        const dataSource = new DataSource({ type: 'postgres', url: database.url, migrations });
        await dataSource.initialize();
        await dataSource.runMigrations();
        await dataSource.destroy();
        log(`migrations in ${Date.now() - started} ms`);
        const client = new Client({ connectionString: database.url });
        await client.connect();
        try {
            const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
            const writeStarted = Date.now();
            await writeDeliveries(client, options, end);
            log(`${options.deliveries} deliveries written in ${Date.now() - writeStarted} ms`);
            // What a week holds, so a plan over an empty period cannot pass for a fast one.
            const week = await client.query<{ deliveries: string; withinTarget: string }>(
                INSIGHTS_SQL.aggregates,
                [1, new Date(end.getTime() - 7 * DAY_MS), end, 1800],
            );
            const weekly = Number(week.rows[0].deliveries);
            log(
                `a week in the default channel: ${weekly} deliveries, ${week.rows[0].withinTarget} within 30 min`,
            );
            const expected = (options.deliveries * 7) / options.days;
            if (Math.abs(weekly - expected) > expected * 0.2 + 10) {
                throw new Error(
                    `a week holds ${weekly} deliveries, about ${Math.round(expected)} were written`,
                );
            }
            const profiles: Profile[] = [];
            for (const [period, days] of [
                ['day', 1],
                ['week', 7],
                ['31 days', 31],
            ] as const) {
                const from = new Date(end.getTime() - days * DAY_MS);
                for (const [channel, channelId] of [
                    ['default', 1],
                    ['seller', 2],
                ] as const) {
                    for (const [statement, fourth] of [
                        ['aggregates', 30 * 60],
                        ['buckets', 'hour'],
                    ] as const) {
                        const measured = await profile(client, statement, [channelId, from, end, fourth]);
                        profiles.push({ period, channel, statement, ...measured });
                    }
                }
            }
            report(options, profiles);
            const missing = profiles.filter(row => row.period !== '31 days' && !row.indexes.includes(INDEX));
            const slow = profiles.filter(row => row.executionMs > options.budgetMs);
            const verdict =
                missing.length || slow.length
                    ? `FAIL: ${missing.length} statements of a day or a week without ${INDEX}, ${slow.length} over ${options.budgetMs} ms`
                    : `PASS: every day and week statement reads through ${INDEX}; slowest ${Math.max(...profiles.map(row => row.executionMs)).toFixed(1)} ms`;
            log(verdict);
            if (options.write) await writeBenchmarkSection('insights', section(options, profiles, verdict));
            if (missing.length || slow.length) process.exitCode = 1;
        } finally {
            await client.end();
        }
    } finally {
        await database.stop();
    }
}

function report(options: Options, profiles: Profile[]): void {
    for (const row of profiles) {
        log(
            `${row.period.padEnd(8)} ${row.channel.padEnd(8)} ${row.statement.padEnd(11)} ${row.executionMs.toFixed(1).padStart(8)} ms  ${row.indexes.join(', ') || 'no index'}`,
        );
        if (options.explain) log(JSON.stringify(row.plan, null, 1));
    }
}

function section(options: Options, profiles: Profile[], verdict: string): string {
    const rows = profiles.map(
        row =>
            `| ${row.period} | ${row.channel} | ${row.statement} | ${row.executionMs.toFixed(1)} | ${row.indexes.join(', ') || 'none'} |`,
    );
    return [
        '## Delivery insights (`npm run bench -- insights`)',
        '',
        `${options.deliveries} deliveries over ${options.days} days in ${options.sellers} seller channels ` +
            `(each also in the default channel), ${os.cpus().length} cores. The two statements of ` +
            '`deliveryInsights` under EXPLAIN ANALYZE, execution time after one warm-up run.',
        '',
        '| period | channel | statement | ms | indexes read |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
        '',
        CHANNEL_JOIN_NOTE,
        '',
        verdict,
    ].join('\n');
}

main().catch(error => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
