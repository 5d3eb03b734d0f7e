/**
 * A production-shaped deployment for the server benches, all on loopback: an embedded PostgreSQL,
 * a redis-server, the built server (`dist/src/index.js`) and N job-queue workers
 * (`dist/src/index-worker.js`) started as a user starts them, with DATABASE_URL and REDIS_URL;
 * or, for the memory baseline, a plain Vendure 3.7.3 server on the same database. Every process it
 * starts is stopped by `stopAll`, which also runs on SIGINT/SIGTERM and on an uncaught error.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ensureRedisServer, startRedisServer } from '../../e2e/setup/redis-server';
import { AppProcess, stopApp } from '../../e2e/utils/app-process';
import { startEmbeddedPostgres } from '../../src/runtime/embedded-postgres';
import { PROJECT_ROOT } from '../results';

/** The ports the server benches use, from SERVERBENCH_PORT_BASE (default 29400): two benches can run at once. */
const PORT_BASE = Number(process.env.SERVERBENCH_PORT_BASE ?? 29400);
export const BENCH_PORTS = {
    postgres: PORT_BASE,
    redis: PORT_BASE + 1,
    suite: PORT_BASE + 10,
    plain: PORT_BASE + 11,
} as const;

export const BENCH_ADMIN = { username: 'bench-admin', password: 'bench-admin-password' } as const;
const COOKIE_SECRET = 'bench-cookie-secret-loopback-only-0123456789';
const START_TIMEOUT_MS = 5 * 60_000;
const STOP_TIMEOUT_MS = 20_000;
const GC_PRELOAD = path.join(__dirname, 'gc-on-signal.js');
const CPU_PROFILE_PRELOAD = path.join(__dirname, 'cpu-profile-on-request.js');
const PLAIN_VENDURE = path.join(__dirname, 'plain-vendure.js');
const SERVER = path.join(PROJECT_ROOT, 'dist/src/index.js');
const WORKER = path.join(PROJECT_ROOT, 'dist/src/index-worker.js');

export interface Services {
    databaseUrl: string;
    redisUrl: string;
    /** A fresh folder for DATA_DIR (assets, the simulator's sessions file). */
    dataDir: string;
}

export interface RunningServer {
    port: number;
    url: string;
    server: AppProcess;
    workers: AppProcess[];
}

type Stop = () => Promise<void>;
const stops: Stop[] = [];
let handlersInstalled = false;

/** Remembers how to stop something; stopAll stops everything in reverse order. */
function track(stop: Stop): Stop {
    stops.push(stop);
    return async () => {
        const index = stops.indexOf(stop);
        if (index >= 0) stops.splice(index, 1);
        await stop();
    };
}

export async function stopAll(): Promise<void> {
    while (stops.length) {
        const stop = stops.pop();
        await stop?.().catch(error => process.stderr.write(`stop failed: ${String(error)}\n`));
    }
}

/** Stops every child process on Ctrl-C, on SIGTERM and on an uncaught error before exiting. */
export function installCleanup(): void {
    if (handlersInstalled) return;
    handlersInstalled = true;
    const exitAfterCleanup = (code: number) => () => void stopAll().finally(() => process.exit(code));
    process.once('SIGINT', exitAfterCleanup(130));
    process.once('SIGTERM', exitAfterCleanup(143));
    process.once('uncaughtException', error => {
        process.stderr.write(`${error.stack ?? String(error)}\n`);
        exitAfterCleanup(1)();
    });
}

export function requireBuiltServer(): void {
    for (const entry of ['index', 'index-worker', 'simulation/simulate', 'scripts/seed-drivers']) {
        const file = path.join(PROJECT_ROOT, 'dist/src', `${entry}.js`);
        if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build:server first`);
    }
}

/** PostgreSQL (embedded binaries, a throw-away cluster) and Redis, on the bench ports. */
export async function startServices(log: (line: string) => void): Promise<Services> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vqd-serverbench-'));
    track(() => fs.rm(root, { recursive: true, force: true }));
    const database = await startEmbeddedPostgres({
        dataDir: path.join(root, 'postgres'),
        port: BENCH_PORTS.postgres,
        database: 'vendure',
        log: () => undefined,
    });
    track(() => database.stop());
    const redis = await startRedisServer(ensureRedisServer(log), BENCH_PORTS.redis);
    track(() => redis.stop());
    const { username, password, host, port } = database;
    return {
        databaseUrl: `postgres://${username}:${password}@${host}:${port}/${database.database}`,
        redisUrl: redis.url,
        dataDir: path.join(root, 'data'),
    };
}

/** What the server, its workers and the scripts (drivers:seed) read from the environment. */
export function suiteEnv(services: Services): Record<string, string> {
    return {
        DATABASE_URL: services.databaseUrl,
        REDIS_URL: services.redisUrl,
        DATA_DIR: services.dataDir,
        PORT: String(BENCH_PORTS.suite),
        SUPERADMIN_USERNAME: BENCH_ADMIN.username,
        SUPERADMIN_PASSWORD: BENCH_ADMIN.password,
        COOKIE_SECRET,
        DEMO_DATA: 'true',
        // The simulator's drivers do the driving; the demo fleet would take its deliveries.
        DEMO_FLEET: 'false',
        WORKER_IN_PROCESS: 'false',
    };
}

/**
 * Starts the suite's server and `workers` worker processes, and waits until the server reports
 * ready (demo data populated on the first start). `gcProbe` preloads gc-on-signal into the server;
 * `env` overrides the deployment's environment; `cpuProfileDir` preloads cpu-profile-on-request.
 */
export async function startSuite(
    services: Services,
    options: { workers: number; gcProbe?: boolean; env?: Record<string, string>; cpuProfileDir?: string },
): Promise<RunningServer & { stop: Stop }> {
    // An empty value unsets a setting (e.g. REDIS_URL: '' for the embedded mode's strategies).
    const env = { ...suiteEnv(services), ...options.env };
    const nodeOptions = [
        ...(options.gcProbe ? [`--expose-gc --require ${GC_PRELOAD}`] : []),
        ...(options.cpuProfileDir ? [`--require ${CPU_PROFILE_PRELOAD}`] : []),
    ].join(' ');
    const server = startNode(SERVER, {
        ...env,
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        ...(options.cpuProfileDir ? { CPU_PROFILE_DIR: options.cpuProfileDir } : {}),
    });
    const workers: AppProcess[] = [];
    const stop = track(async () => {
        await Promise.all([server, ...workers].map(app => stopProcess(app)));
    });
    const port = BENCH_PORTS.suite;
    // Vendure's bootstrap creates the default channel and stock location on a fresh database:
    // processes bootstrapping together race for them, so the workers start once the server listens.
    await waitUntil(`the suite's server on :${port} to listen`, () => isListening(port), [server]);
    for (let i = 0; i < options.workers; i++) workers.push(startNode(WORKER, env));
    await waitUntil(`the suite's server on :${port} to be ready`, () => isReady(port, '/health/ready'), [
        server,
        ...workers,
    ]);
    return { port, url: `http://127.0.0.1:${port}`, server, workers, stop };
}

/** Starts plain Vendure 3.7.3 (bench/server/plain-vendure.ts) on the suite's database. */
export async function startPlainVendure(services: Services): Promise<RunningServer & { stop: Stop }> {
    const port = BENCH_PORTS.plain;
    const server = startNode(PLAIN_VENDURE, {
        DATABASE_URL: services.databaseUrl,
        PORT: String(port),
        SUPERADMIN_USERNAME: BENCH_ADMIN.username,
        SUPERADMIN_PASSWORD: BENCH_ADMIN.password,
        COOKIE_SECRET,
        NODE_OPTIONS: `--expose-gc --require ${GC_PRELOAD}`,
    });
    const stop = track(() => stopProcess(server));
    await waitUntil(`plain Vendure on :${port} to be ready`, () => isReady(port, '/health'), [server]);
    return { port, url: `http://127.0.0.1:${port}`, server, workers: [], stop };
}

/**
 * A node script as a child process (as e2e/utils/app-process.ts starts the app: output kept, exit
 * awaited), with only the environment given: nothing of the bench's own environment leaks in.
 */
function startNode(script: string, env: Record<string, string>): AppProcess {
    const child: ChildProcess = spawn(process.execPath, [script], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), VENDURE_DISABLE_TELEMETRY: 'true', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, output: () => output, exited };
}

/** SIGTERM (the app's graceful shutdown), SIGKILL when it takes too long. */
async function stopProcess(app: AppProcess): Promise<void> {
    if (app.child.exitCode !== null || app.child.signalCode !== null) return;
    const timer = setTimeout(() => app.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
        await stopApp(app);
    } finally {
        clearTimeout(timer);
    }
}

async function isListening(port: number): Promise<boolean> {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    await response.arrayBuffer();
    return true;
}

async function isReady(port: number, route: string): Promise<boolean> {
    const response = await fetch(`http://127.0.0.1:${port}${route}`);
    await response.arrayBuffer();
    return response.ok;
}

async function waitUntil(description: string, predicate: () => Promise<boolean>, apps: AppProcess[]) {
    const started = Date.now();
    while (Date.now() - started < START_TIMEOUT_MS) {
        const dead = apps.find(app => app.child.exitCode !== null);
        if (dead) {
            throw new Error(
                `A process exited (${dead.child.exitCode}) before ${description}:\n${tail(dead)}`,
            );
        }
        if (await predicate().catch(() => false)) return;
        await new Promise(resolve => setTimeout(resolve, 500));
    }
    throw new Error(`Timed out waiting for ${description}:\n${tail(apps[0])}`);
}

function tail(app: AppProcess): string {
    return app.output().split('\n').slice(-40).join('\n');
}
