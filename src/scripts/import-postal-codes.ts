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
import { createVendureConfig } from '../../vendure-config';
import { pgClientConfig, runMigrationsExclusively } from '../runtime/migrate';
import { connectScriptDatabase, scriptSettingsEnv } from '../runtime/script-database';
import { readSettings } from '../runtime/settings';

const PROGRESS_EVERY_LINES = 50_000;
const MALFORMED_SHOWN = 50;

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

    const settings = readSettings(scriptSettingsEnv(process.env));
    const { database, embedded } = await connectScriptDatabase(settings, message => console.error(message));
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
