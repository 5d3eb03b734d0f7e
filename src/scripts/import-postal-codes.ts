/**
 * Imports a GeoNames postal-code file (e.g. allCountries.txt from
 * https://download.geonames.org/export/zip/) into the postal-code table used for geocoding:
 *   npm run postal-codes:import -- FILE
 * Uses the database the server uses: DATABASE_URL, else the embedded cluster under DATA_DIR (the
 * running one if the server is up, otherwise it is started for the import and stopped after).
 * Exits 1 when the file cannot be read or holds no valid line.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

import { importPostalCodes, PostalCodeImportProgress } from '../../plugins/seller-store-info';
import { describeError } from '../../plugins/shared/errors';
import { createVendureConfig, DatabaseConnection } from '../../vendure-config';
import { clusterDataDir, EmbeddedDatabase, startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { pgClientConfig, runMigrationsExclusively } from '../runtime/migrate';
import { readSettings, RuntimeSettings } from '../runtime/settings';

const PROGRESS_EVERY_LINES = 50_000;
const MALFORMED_SHOWN = 50;
// Credentials of the embedded cluster (src/runtime/embedded-postgres.ts): loopback only.
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';
const EMBEDDED_DATABASE = 'vendure';

class UsageError extends Error {}

async function main(): Promise<number> {
    const file = process.argv[2];
    if (!file)
        throw new UsageError('Usage: npm run postal-codes:import -- FILE (a GeoNames postal-code file)');

    // Open before touching the database: a wrong path fails in a moment, with nothing started.
    let handle: fs.FileHandle;
    try {
        handle = await fs.open(file, 'r');
    } catch (error) {
        throw new UsageError(
            `Cannot read ${file}: ${isMissingFile(error) ? 'no such file' : describeError(error)}`,
        );
    }
    try {
        if (!(await handle.stat()).isFile()) throw new UsageError(`Cannot read ${file}: not a file`);
    } catch (error) {
        await handle.close();
        throw error;
    }

    const settings = readSettings(settingsEnv(process.env));
    const { database, embedded } = await connectDatabase(settings);
    try {
        await runMigrationsExclusively(createVendureConfig(settings, database), database);
        // Vendure's runMigrations reports a failed migration through the exit code, not a throw.
        if (process.exitCode === 1) throw new Error('The database migrations failed (see above)');

        const client = new Client(pgClientConfig(database));
        await client.connect();
        try {
            return await runImport(file, handle, client);
        } finally {
            await client.end();
        }
    } finally {
        await handle.close().catch(() => undefined);
        await embedded?.stop();
    }
}

async function runImport(file: string, handle: fs.FileHandle, client: Client): Promise<number> {
    const started = Date.now();
    let nextProgressAt = PROGRESS_EVERY_LINES;
    let malformedShown = 0;
    const progressLine = (progress: PostalCodeImportProgress) => {
        const seconds = (Date.now() - started) / 1000;
        return (
            `${progress.linesRead.toLocaleString('en')} lines read, ${progress.valid.toLocaleString('en')} valid, ` +
            `${progress.inserted.toLocaleString('en')} inserted, ${progress.updated.toLocaleString('en')} updated, ` +
            `${progress.malformed.toLocaleString('en')} malformed (${seconds.toFixed(1)} s, ` +
            `${Math.round(progress.linesRead / Math.max(seconds, 0.001)).toLocaleString('en')} lines/s)`
        );
    };

    console.error(`Importing ${path.resolve(file)}`);
    const summary = await importPostalCodes(handle.createReadStream({ autoClose: false }), client, {
        onProgress: progress => {
            if (progress.linesRead < nextProgressAt) return;
            console.error(progressLine(progress));
            nextProgressAt =
                (Math.floor(progress.linesRead / PROGRESS_EVERY_LINES) + 1) * PROGRESS_EVERY_LINES;
        },
        onMalformed: (lineNumber, reason) => {
            malformedShown++;
            if (malformedShown <= MALFORMED_SHOWN) console.error(`line ${lineNumber}: ${reason}`);
        },
    });
    if (summary.malformed > MALFORMED_SHOWN) {
        console.error(`... and ${summary.malformed - MALFORMED_SHOWN} more malformed lines`);
    }
    console.error(`Done: ${progressLine(summary)}`);

    console.log(
        [
            `Postal codes from ${file}:`,
            `  lines read: ${summary.linesRead}`,
            `  valid:      ${summary.valid}`,
            `  inserted:   ${summary.inserted}`,
            `  updated:    ${summary.updated}`,
            `  unchanged:  ${summary.unchanged}`,
            `  malformed:  ${summary.malformed} (skipped)`,
        ].join('\n'),
    );
    if (summary.valid === 0) {
        console.error(
            `No valid postal code in ${file}: is it a GeoNames postal-code file (12 tab-separated columns)?`,
        );
        return 1;
    }
    return 0;
}

/**
 * The import never starts a server, so the credentials the server requires with DATABASE_URL
 * (which only matter to a running server) get placeholders when they are not set.
 */
function settingsEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    if (!env.DATABASE_URL?.trim()) return env;
    return {
        SUPERADMIN_USERNAME: 'unused-by-the-import',
        SUPERADMIN_PASSWORD: 'unused-by-the-import',
        COOKIE_SECRET: 'unused-by-the-import',
        ...env,
    };
}

/**
 * DATABASE_URL; else the embedded cluster of DATA_DIR: the one a running server started, if any
 * (a second cluster on the same data would corrupt it), otherwise one started for the import.
 */
async function connectDatabase(
    settings: RuntimeSettings,
): Promise<{ database: DatabaseConnection; embedded?: EmbeddedDatabase }> {
    if (settings.database.kind === 'external') return { database: { url: settings.database.url } };
    const running = await runningClusterPort(await clusterDataDir(settings.database.dataDir));
    if (running !== undefined) {
        console.error(`Using the embedded PostgreSQL already running on 127.0.0.1:${running}`);
        return {
            database: {
                host: '127.0.0.1',
                port: running,
                username: EMBEDDED_USER,
                password: EMBEDDED_PASSWORD,
                database: EMBEDDED_DATABASE,
            },
        };
    }
    console.error(`Starting the embedded PostgreSQL in ${settings.database.dataDir}`);
    const embedded = await startEmbeddedPostgres({
        dataDir: settings.database.dataDir,
        port: settings.database.port,
        database: EMBEDDED_DATABASE,
        log: message => console.error(message),
    });
    return { database: embedded, embedded };
}

/** The port of a live postmaster on the data folder (postmaster.pid: line 1 pid, line 4 port). */
async function runningClusterPort(dataDir: string): Promise<number | undefined> {
    let lines: string[];
    try {
        lines = (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
    } catch {
        return undefined;
    }
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
    try {
        process.kill(pid, 0);
    } catch (error) {
        // EPERM: alive, but another user's; anything else: a stale file left by a crash.
        if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
    }
    return port;
}

function isMissingFile(error: unknown): boolean {
    return !!error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT';
}

main().then(
    code => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof UsageError ? error.message : error);
        process.exit(1);
    },
);
