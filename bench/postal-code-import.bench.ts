/**
 * How fast, and in how much memory, the postal-code import handles a file the size of GeoNames'
 * allCountries (1.5 million rows), compared with only reading the same file line by line.
 *
 *   npx tsc -p tsconfig.json --outDir dist/bench-build && node dist/bench-build/bench/postal-code-import.bench.js [ROWS]
 *
 * Generates a synthetic GeoNames-format file in a temp folder, starts a throw-away embedded
 * PostgreSQL, and runs each phase in a child process of its own, so that each peak RSS
 * (resourceUsage().maxRSS) belongs to that phase alone. Writes the results to docs/BENCHMARKS.md.
 * Not part of npm test.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { Client } from 'pg';

import { parseGeoNamesPostalCodeLine } from '../plugins/seller-store-info/import/geonames-postal-code-parser';
import {
    importPostalCodes,
    PostalCodeImportSummary,
} from '../plugins/seller-store-info/import/postal-code-importer';
import { PROJECT_ROOT, RESULTS_FILE, writeBenchmarkSection } from './results';

const COMMAND =
    'npx tsc -p tsconfig.json --outDir dist/bench-build && node dist/bench-build/bench/postal-code-import.bench.js';
// Every 50th line repeats the postal code before it with another place, as GeoNames does.
const DUPLICATE_EVERY = 50;
const COUNTRIES =
    'AD AR AT AU BE BG BR CA CH CZ DE DK ES FI FR GB HR HU IE IN IT JP LT LU MX NL NO NZ PL PT RO RU SE SI SK TR US ZA'.split(
        ' ',
    );

type Phase = 'read' | 'parse' | 'import' | 'reimport';

interface PhaseResult {
    phase: Phase;
    seconds: number;
    lines: number;
    maxRssMb: number;
    summary?: PostalCodeImportSummary;
}

// ---- child: one phase, then its figures as one JSON line on stdout ----

async function runPhase(phase: Phase, file: string, databaseUrl?: string): Promise<PhaseResult> {
    const started = process.hrtime.bigint();
    let lines = 0;
    let summary: PostalCodeImportSummary | undefined;
    if (phase === 'read' || phase === 'parse') {
        for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
            lines++;
            if (phase === 'parse') parseGeoNamesPostalCodeLine(line);
        }
    } else {
        const client = new Client({ connectionString: databaseUrl });
        await client.connect();
        try {
            summary = await importPostalCodes(createReadStream(file), client);
            lines = summary.linesRead;
        } finally {
            await client.end();
        }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { phase, seconds, lines, maxRssMb: process.resourceUsage().maxRSS / 1024, summary };
}

function runChild(phase: Phase, file: string, databaseUrl = ''): Promise<PhaseResult> {
    const child = spawn(process.execPath, [__filename, '--phase', phase, file, databaseUrl], {
        stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', code => {
            if (code !== 0) return reject(new Error(`phase ${phase} exited ${code}`));
            resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as PhaseResult);
        });
    });
}

/** The built CLI as an operator runs it, its peak RSS read from /proc while it runs (Linux). */
async function runCli(
    file: string,
    databaseUrl: string,
): Promise<{ seconds: number; maxRssMb?: number; output: string }> {
    const cli = path.join(PROJECT_ROOT, 'dist/src/scripts/import-postal-codes.js');
    const started = Date.now();
    const child = spawn(process.execPath, [cli, file], {
        env: { ...process.env, DATABASE_URL: databaseUrl, VENDURE_DISABLE_TELEMETRY: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let peakKb: number | undefined;
    const sample = setInterval(() => {
        try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
            if (hwm) peakKb = Math.max(peakKb ?? 0, Number(hwm[1]));
        } catch {
            // Exited between two samples.
        }
    }, 100);
    const [code] = (await once(child, 'close')) as [number | null];
    clearInterval(sample);
    if (code !== 0) throw new Error(`the CLI exited ${code}:\n${output}`);
    return { seconds: (Date.now() - started) / 1000, maxRssMb: peakKb && peakKb / 1024, output };
}

// ---- parent ----

/** Deterministic pseudo-random numbers (mulberry32), so every run imports the same file. */
function random(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

async function writeSyntheticFile(file: string, rows: number): Promise<number> {
    const next = random(42);
    const out = createWriteStream(file);
    const perCountry = Math.ceil(rows / COUNTRIES.length);
    let code = '';
    for (let i = 0; i < rows; i++) {
        const country = COUNTRIES[Math.floor(i / perCountry)];
        // The first line of a country never repeats the code before it (that of another country).
        if (i % DUPLICATE_EVERY !== 1 || i % perCountry === 0)
            code = String(10000 + (i % perCountry)).padStart(6, '0');
        const latitude = (next() * 170 - 85).toFixed(4);
        const longitude = (next() * 350 - 175).toFixed(4);
        const line = [
            country,
            code,
            `Place ${i}`,
            'Region',
            'R1',
            'District',
            'D1',
            '',
            '',
            latitude,
            longitude,
            '4',
        ];
        if (!out.write(`${line.join('\t')}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return (await fs.stat(file)).size;
}

async function main() {
    // Loaded here, not at the top: a phase child must hold only what its phase needs (Vendure
    // alone would add some 150 MiB to every peak RSS).
    const { startEmbeddedPostgres } = await import('../src/runtime/embedded-postgres.js');
    const { runMigrationsExclusively } = await import('../src/runtime/migrate.js');
    const { readSettings } = await import('../src/runtime/settings.js');
    const { createVendureConfig } = await import('../vendure-config.js');
    const rows = Number(process.argv[2] ?? 1_500_000);
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vqd-bench-'));
    // As root, PostgreSQL runs as the postgres user, which must reach its data folder in here.
    await fs.chmod(tmp, 0o755);
    const file = path.join(tmp, 'postal-codes.tsv');
    const postgres = await startEmbeddedPostgres({
        dataDir: path.join(tmp, 'postgres'),
        port: 0,
        database: 'vendure',
        log: message => console.error(message),
    });
    try {
        console.error(`Writing ${rows.toLocaleString('en')} rows to ${file}`);
        const bytes = await writeSyntheticFile(file, rows);
        const url = `postgres://${postgres.username}:${postgres.password}@${postgres.host}:${postgres.port}/vendure`;
        const settings = readSettings({ DATA_DIR: tmp });
        await runMigrationsExclusively(createVendureConfig(settings, postgres), postgres);

        const results: PhaseResult[] = [];
        for (const phase of ['read', 'parse', 'import', 'reimport'] as const) {
            console.error(`Phase ${phase}...`);
            results.push(await runChild(phase, file, url));
            console.error(JSON.stringify(results[results.length - 1]));
        }
        const cli = existsSync(path.join(PROJECT_ROOT, 'dist/src/scripts/import-postal-codes.js'))
            ? await runCli(file, url)
            : undefined;
        const client = new Client({ connectionString: url });
        await client.connect();
        const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
            .rows[0].v;
        const stored = (await client.query<{ n: string }>('SELECT count(*) AS n FROM postal_code_location'))
            .rows[0].n;
        await client.end();

        const report = formatReport({
            rows,
            bytes,
            results,
            cli,
            postgresVersion: version,
            stored: Number(stored),
        });
        console.log(report);
        await writeBenchmarkSection('postal-code-import', report);
        console.error(`Written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
    } finally {
        await postgres.stop();
        await fs.rm(tmp, { recursive: true, force: true });
    }
}

function formatReport(input: {
    rows: number;
    bytes: number;
    results: PhaseResult[];
    cli?: { seconds: number; maxRssMb?: number };
    postgresVersion: string;
    stored: number;
}): string {
    const n = (value: number) => Math.round(value).toLocaleString('en');
    const signed = (value: number) => `${Math.round(value) > 0 ? '+' : ''}${n(value)}`;
    const byPhase = new Map(input.results.map(result => [result.phase, result]));
    const read = byPhase.get('read');
    const describePhase: Record<Phase, string> = {
        read: 'baseline: read the file line by line (node:readline), no database',
        parse: 'baseline: read and parse every line, no database',
        import: 'import into an empty table',
        reimport: 'import the same file again (nothing changes)',
    };
    const lines = [
        '## Postal-code import (`npm run postal-codes:import`)',
        '',
        `Synthetic GeoNames-format file: ${n(input.rows)} rows (${(input.bytes / 1024 / 1024).toFixed(1)} MiB), ` +
            `${COUNTRIES.length} countries, every ${DUPLICATE_EVERY}th line a second place for the postal code ` +
            `before it; ${n(input.stored)} distinct postal codes stored. Default batch of 1,000 codes per statement.`,
        '',
        '| phase | time | rows/s | peak RSS | vs. read-only baseline |',
        '| --- | ---: | ---: | ---: | --- |',
        ...input.results.map(result => {
            const ratio = read
                ? `${(result.seconds / read.seconds).toFixed(1)}x time, ${signed(result.maxRssMb - read.maxRssMb)} MiB`
                : '';
            return `| ${describePhase[result.phase]} | ${result.seconds.toFixed(1)} s | ${n(result.lines / result.seconds)} | ${n(result.maxRssMb)} MiB | ${result.phase === 'read' ? '-' : ratio} |`;
        }),
        ...(input.cli
            ? [
                  `| the built CLI on the same file again (Vendure config, migrations check, import) | ${input.cli.seconds.toFixed(1)} s | ${n(input.rows / input.cli.seconds)} | ${input.cli.maxRssMb ? `${n(input.cli.maxRssMb)} MiB` : 'n/a'} | |`,
              ]
            : []),
        '',
        ...input.results
            .filter(result => result.summary)
            .map(result => `- ${result.phase} summary: \`${JSON.stringify(result.summary)}\``),
        '',
        `Command: \`${COMMAND}\``,
        '',
        `Machine: ${os.availableParallelism()} CPUs (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
            `${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}, ` +
            `embedded PostgreSQL ${input.postgresVersion} (default settings) on the same machine. ` +
            `Measured ${new Date().toISOString().slice(0, 10)}.`,
        '',
        'Peak RSS is each phase’s own process (`process.resourceUsage().maxRSS`; the CLI’s from /proc VmHWM).',
    ];
    return lines.join('\n');
}

if (process.argv[2] === '--phase') {
    const [, , , phase, file, databaseUrl] = process.argv;
    runPhase(phase as Phase, file, databaseUrl).then(
        result => console.log(JSON.stringify(result)),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
} else {
    main().catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
}
