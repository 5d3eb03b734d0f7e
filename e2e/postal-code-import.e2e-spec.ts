/**
 * The postal-code import against real PostgreSQL: the importer in process (counts, upsert,
 * idempotence, malformed lines), then the built CLI as an operator runs it
 * (`node dist/src/scripts/import-postal-codes.js FILE`, built by `npm run build`).
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import { Client } from 'pg';

import {
    importPostalCodes,
    PostalCodeImportOptions,
} from '../plugins/seller-store-info/import/postal-code-importer';
import { startEmbeddedPostgres } from '../src/runtime/embedded-postgres';
import { runMigrationsExclusively } from '../src/runtime/migrate';
import { readSettings } from '../src/runtime/settings';
import { createVendureConfig } from '../vendure-config';
import { e2eEnv } from './config/e2e-env';
import { isAlive } from './utils/app-process';
import { freshDatabase } from './utils/database';

const ROOT = path.resolve(__dirname, '..');
const DEMO_FILE = path.join(ROOT, 'src/demo/data/postal-codes.tsv');
const CLI = path.join(ROOT, 'dist/src/scripts/import-postal-codes.js');
const DATABASE = 'e2e_postal_codes';

interface Row {
    countryCode: string;
    postalCode: string;
    placeName: string | null;
    latitude: number;
    longitude: number;
    updatedAt: Date;
}

/** A GeoNames line. */
function geonames(country: string, code: string, place: string, lat: string, lon: string): string {
    return [country, code, place, 'Admin 1', 'A1', 'Admin 2', 'A2', '', '', lat, lon, '4'].join('\t');
}

function connection(database: string) {
    return {
        host: e2eEnv('pgHost'),
        port: Number(e2eEnv('pgPort')),
        user: e2eEnv('pgUser'),
        password: e2eEnv('pgPassword'),
        database,
    };
}

function databaseUrl(database: string): string {
    const c = connection(database);
    return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${database}`;
}

async function rows(db: Client, where = 'TRUE', params: unknown[] = []): Promise<Row[]> {
    const result = await db.query<Row>(
        `SELECT "countryCode", "postalCode", "placeName", "latitude", "longitude", "updatedAt"
         FROM "postal_code_location" WHERE ${where} ORDER BY "countryCode", "postalCode"`,
        params,
    );
    return result.rows;
}

async function rowOf(db: Client, countryCode: string, postalCode: string): Promise<Row | undefined> {
    return (await rows(db, '"countryCode" = $1 AND "postalCode" = $2', [countryCode, postalCode]))[0];
}

/** Imports text, collecting the malformed-line reports. */
async function importText(db: Client, text: string, options: PostalCodeImportOptions = {}) {
    const malformed: Array<[number, string]> = [];
    const summary = await importPostalCodes(Readable.from([text]), db, {
        ...options,
        onMalformed: (lineNumber, reason) => malformed.push([lineNumber, reason]),
    });
    return { summary, malformed };
}

interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs the built CLI with only the given app variables set. */
function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    const inherited = { ...process.env };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'ELASTICSEARCH_URL', 'DATA_DIR', 'NODE_OPTIONS']) {
        delete inherited[name];
    }
    const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: { ...inherited, VENDURE_DISABLE_TELEMETRY: 'true', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', code => resolve({ code, stdout, stderr }));
    });
}

describe('postal-code import', () => {
    let db: Client;
    let tmp: string;
    let demoLines: string[];

    beforeAll(async () => {
        const database = await freshDatabase(DATABASE);
        const settings = readSettings({ DATA_DIR: path.join(e2eEnv('tmpDir'), 'postal-codes') });
        await runMigrationsExclusively(createVendureConfig(settings, database), database);
        db = new Client(connection(DATABASE));
        await db.connect();
        tmp = await fs.mkdtemp(path.join(e2eEnv('tmpDir'), 'postal-codes-'));
        // As root, PostgreSQL runs as the postgres user, which must reach the cluster started in here.
        await fs.chmod(tmp, 0o755);
        demoLines = (await fs.readFile(DEMO_FILE, 'utf8')).split('\n').filter(line => line.trim() !== '');
    }, 120_000);

    afterAll(async () => {
        await db?.end();
    });

    describe('importer', () => {
        it('imports the demo file into an empty table', async () => {
            expect(demoLines).toHaveLength(84);
            const summary = await importPostalCodes(createReadStream(DEMO_FILE), db, { batchSize: 10 });
            expect(summary).toEqual({
                linesRead: 84,
                valid: 84,
                inserted: 84,
                updated: 0,
                unchanged: 0,
                malformed: 0,
            });
            const stored = await rows(db);
            expect(stored).toHaveLength(84);
            expect(await rowOf(db, 'US', '60601')).toMatchObject({
                placeName: 'Chicago',
                latitude: 41.8858,
                longitude: -87.6181,
            });
        });

        it('changes nothing when the same file is imported again', async () => {
            const before = await rows(db);
            const progress: number[] = [];
            const summary = await importPostalCodes(createReadStream(DEMO_FILE), db, {
                batchSize: 10,
                onProgress: p => progress.push(p.linesRead),
            });
            expect(summary).toEqual({
                linesRead: 84,
                valid: 84,
                inserted: 0,
                updated: 0,
                unchanged: 84,
                malformed: 0,
            });
            // Written in batches of 10 codes, with progress after each batch.
            expect(progress).toEqual([11, 21, 31, 41, 51, 61, 71, 81, 84]);
            expect(await rows(db)).toEqual(before);
        });

        it('updates the one postal code whose coordinate changed, and bumps only its updatedAt', async () => {
            const before = await rows(db);
            const changed = demoLines.map(line =>
                line.startsWith('US\t60601\t') ? line.replace('41.8858', '41.8901') : line,
            );
            expect(changed).not.toEqual(demoLines);
            const { summary } = await importText(db, changed.join('\n'));
            expect(summary).toMatchObject({ inserted: 0, updated: 1, unchanged: 83, malformed: 0 });

            const after = await rows(db);
            const updated = await rowOf(db, 'US', '60601');
            const previous = before.find(row => row.postalCode === '60601');
            expect(updated?.latitude).toBe(41.8901);
            expect(updated?.longitude).toBe(-87.6181);
            expect(updated?.updatedAt.getTime()).toBeGreaterThan(previous?.updatedAt.getTime() ?? Infinity);
            expect(after.filter(row => row.postalCode !== '60601')).toEqual(
                before.filter(row => row.postalCode !== '60601'),
            );
        });

        it('reports malformed lines with their line numbers and imports the good ones', async () => {
            const text = [
                geonames('de', '10115', 'Berlin Mitte', '52.5323', '13.3846'),
                'DE\t10117\tBerlin',
                '',
                geonames('DE', '10119', 'Berlin', '152.53', '13.40'),
                geonames('DEU', '10178', 'Berlin', '52.52', '13.41'),
                geonames('DE', ' ', 'Berlin', '52.52', '13.41'),
                geonames('DE', '10179', 'Berlin', '0', '0'),
                geonames('DE', '10243', 'Berlin Friedrichshain', '52.5122', '13.4497'),
                geonames('DE', '10245', 'Berlin', 'north', '13.46'),
            ].join('\r\n');
            const { summary, malformed } = await importText(db, text);

            expect(malformed).toEqual([
                [2, 'expected 12 tab-separated columns, found 3'],
                [4, 'latitude 152.53 is outside -90..90'],
                [5, "country code 'DEU' is not 2 letters"],
                [6, 'postal code is empty'],
                [7, 'latitude and longitude are both 0 (no coordinates)'],
                [9, "latitude 'north' is not a number"],
            ]);
            expect(summary).toEqual({
                linesRead: 9,
                valid: 2,
                inserted: 2,
                updated: 0,
                unchanged: 0,
                malformed: 6,
            });
            expect((await rows(db, '"countryCode" = $1', ['DE'])).map(row => row.postalCode)).toEqual([
                '10115',
                '10243',
            ]);
            expect(await rowOf(db, 'DE', '10115')).toMatchObject({
                placeName: 'Berlin Mitte',
                latitude: 52.5323,
            });
        });

        it('keeps the last line of a postal code listed several times, and a re-import changes nothing', async () => {
            // GeoNames lists every place sharing a code. With batches of 2 codes, the batch is full
            // after the first FR 01400 line: the next two must still join it, not start a new batch.
            const text = [
                geonames('FR', '01100', 'Oyonnax', '46.2566', '5.6554'),
                geonames('FR', '01400', 'Abergement', '46.1500', '4.9167'),
                geonames('FR', '01400', 'Châtillon', '46.1167', '4.9667'),
                geonames('fr', '01400', 'Sulignat', '46.1833', '4.9500'),
                geonames('FR', '01500', 'Ambérieu', '45.9500', '5.3667'),
                geonames('FR', '01200', 'Bellegarde', '46.1078', '5.8259'),
            ].join('\n');
            const first = await importText(db, text, { batchSize: 2 });
            expect(first.summary).toMatchObject({ valid: 6, inserted: 4, updated: 0, unchanged: 2 });
            expect(await rowOf(db, 'FR', '01400')).toMatchObject({
                placeName: 'Sulignat',
                latitude: 46.1833,
            });

            const second = await importText(db, text, { batchSize: 2 });
            expect(second.summary).toMatchObject({ valid: 6, inserted: 0, updated: 0, unchanged: 6 });
            expect(await rowOf(db, 'FR', '01400')).toMatchObject({ placeName: 'Sulignat' });
        });
    });

    describe('CLI (node dist/src/scripts/import-postal-codes.js)', () => {
        it('exits 1 on a file with no valid line, naming each bad line (the first 50, then a count)', async () => {
            const file = path.join(tmp, 'all-bad.tsv');
            const bad = Array.from({ length: 60 }, (_, i) => `XX\t${i}\tnowhere`);
            bad[9] = geonames('US', '99999', 'Nowhere', '95', '10');
            await fs.writeFile(file, `${bad.join('\n')}\n`);

            const run = await runCli([file], { DATABASE_URL: databaseUrl(DATABASE) });
            expect(run.code).toBe(1);
            expect(run.stderr).toContain('line 1: expected 12 tab-separated columns, found 3');
            expect(run.stderr).toContain('line 10: latitude 95 is outside -90..90');
            expect(run.stderr).toContain('line 50: expected 12 tab-separated columns, found 3');
            expect(run.stderr).not.toContain('line 51:');
            expect(run.stderr).toContain('and 10 more malformed lines');
            expect(run.stderr).toContain('No valid postal code');
            expect(run.stdout).toMatch(/malformed:\s+60/);
            expect(await rowOf(db, 'US', '99999')).toBeUndefined();
        });

        it('exits 1 when the file does not exist', async () => {
            const run = await runCli([path.join(tmp, 'missing.tsv')], {
                DATABASE_URL: databaseUrl(DATABASE),
            });
            expect(run.code).toBe(1);
            expect(run.stderr).toContain('missing.tsv: no such file');
        });

        it('imports a good file, exits 0 and prints a summary', async () => {
            const file = path.join(tmp, 'good.tsv');
            await fs.writeFile(
                file,
                [
                    geonames('NL', '1012 JS', 'Amsterdam', '52.3731', '4.8922'),
                    geonames('NL', '3011 AA', 'Rotterdam', '51.9225', '4.4792'),
                    'not a postal code',
                    ...demoLines,
                ].join('\n'),
            );
            const run = await runCli([file], { DATABASE_URL: databaseUrl(DATABASE) });
            expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
            expect(run.stdout).toMatch(/lines read:\s+87/);
            expect(run.stdout).toMatch(/inserted:\s+2\n/);
            // US 60601 still has the coordinate of the earlier test: the file brings it back.
            expect(run.stdout).toMatch(/updated:\s+1\n/);
            expect(run.stdout).toMatch(/unchanged:\s+83\n/);
            expect(run.stdout).toMatch(/malformed:\s+1 /);
            expect(run.stderr).toContain('line 3: expected 12 tab-separated columns, found 1');
            expect(run.stderr).toMatch(/Done: 87 lines read/);
            expect(await rowOf(db, 'NL', '1012 JS')).toMatchObject({
                placeName: 'Amsterdam',
                latitude: 52.3731,
            });
            expect((await rowOf(db, 'US', '60601'))?.latitude).toBe(41.8858);
        });

        it('uses the embedded cluster of DATA_DIR: the running one, else one it starts and stops', async () => {
            const dataDir = path.join(tmp, 'data');
            const cluster = await startEmbeddedPostgres({
                dataDir: path.join(dataDir, 'postgres'),
                port: 0,
                database: 'vendure',
                log: () => undefined,
            });
            const vendure = new Client({
                host: cluster.host,
                port: cluster.port,
                user: cluster.username,
                password: cluster.password,
                database: 'vendure',
            });
            const pid = Number(
                (await fs.readFile(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8')).split('\n')[0],
            );
            try {
                // A second cluster would be refused on this data folder while this process owns it.
                const running = await runCli([DEMO_FILE], { DATA_DIR: dataDir });
                expect({ code: running.code, stderr: running.stderr }).toMatchObject({ code: 0 });
                expect(running.stderr).toContain(`already running on 127.0.0.1:${cluster.port}`);
                expect(running.stdout).toMatch(/inserted:\s+84\n/);
                expect(isAlive(pid)).toBe(true);
                await vendure.connect();
                const count = await vendure.query<{ n: string }>(
                    'SELECT count(*) AS n FROM postal_code_location',
                );
                expect(Number(count.rows[0].n)).toBe(84);
            } finally {
                await vendure.end().catch(() => undefined);
                await cluster.stop();
            }
            expect(isAlive(pid)).toBe(false);

            const stopped = await runCli([DEMO_FILE], { DATA_DIR: dataDir });
            expect({ code: stopped.code, stderr: stopped.stderr }).toMatchObject({ code: 0 });
            expect(stopped.stderr).toContain('Starting the embedded PostgreSQL');
            expect(stopped.stdout).toMatch(/inserted:\s+0\n/);
            expect(stopped.stdout).toMatch(/unchanged:\s+84\n/);
            // Stopped again at the end: no postmaster left behind.
            expect(existsSync(path.join(dataDir, 'postgres/postmaster.pid'))).toBe(false);
        }, 180_000);
    });
});
