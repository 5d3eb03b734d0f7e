/**
 * The database of a command-line script (postal-code import, driver seeding): the one the server
 * uses, found the way the server finds it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { DatabaseConnection } from '../../vendure-config';
import { clusterDataDir, EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { RuntimeSettings } from './settings';

// Credentials of the embedded cluster (embedded-postgres.ts): loopback only.
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';
const EMBEDDED_DATABASE = 'vendure';

/**
 * A script never starts a server, so the credentials the server requires with DATABASE_URL
 * (which only matter to a running server) get placeholders when they are not set.
 */
export function scriptSettingsEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    if (!env.DATABASE_URL?.trim()) return env;
    return {
        SUPERADMIN_USERNAME: 'unused-by-scripts',
        SUPERADMIN_PASSWORD: 'unused-by-scripts',
        COOKIE_SECRET: 'unused-by-scripts',
        ...env,
    };
}

/**
 * DATABASE_URL; else the embedded cluster of DATA_DIR: the one a running server started, if any
 * (a second cluster on the same data would corrupt it), otherwise one started for the script (the caller stops it).
 */
export async function connectScriptDatabase(
    settings: RuntimeSettings,
    log: (message: string) => void,
): Promise<{ database: DatabaseConnection; embedded?: EmbeddedDatabase }> {
    if (settings.database.kind === 'external') return { database: { url: settings.database.url } };
    const running = await runningClusterPort(await clusterDataDir(settings.database.dataDir));
    if (running !== undefined) {
        log(`Using the embedded PostgreSQL already running on 127.0.0.1:${running}`);
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
    log(`Starting the embedded PostgreSQL in ${settings.database.dataDir}`);
    const embedded = await startEmbeddedPostgres({
        dataDir: settings.database.dataDir,
        port: settings.database.port,
        database: EMBEDDED_DATABASE,
        log,
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
