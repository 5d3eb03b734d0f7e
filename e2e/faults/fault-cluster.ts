/**
 * The deployment the fault suite breaks: PostgreSQL (a fresh database on the e2e cluster), a Redis
 * of its own without persistence (so it can stop and restart it on the same port, empty), two
 * server processes and four worker processes of the built app, started as users start them, in the
 * run's dispatch mode (startApp passes `E2E_DISPATCH_MODE` on as DISPATCH_MODE).
 */
import path from 'node:path';

import { Client } from 'pg';

import { freePort } from '../../src/runtime/embedded-postgres';
import { e2eEnv } from '../config/e2e-env';
import { ensureRedisServer, RunningRedis, startRedisServer } from '../setup/redis-server';
import { AppProcess, readiness, startApp, stopApp, waitFor } from '../utils/app-process';
import { databaseUrl, freshDatabase } from '../utils/database';

export const STAFF = { username: 'operator', password: 'a-long-fault-suite-password' };

// Populating the demo took 163 s of this on a loaded 2-core machine: room for a slower day.
const START_TIMEOUT_MS = 300_000;

export interface ClusterProcess {
    name: string;
    app: AppProcess;
    /** The HTTP port of a server; undefined for a worker. */
    port?: number;
}

export class FaultCluster {
    readonly servers: ClusterProcess[] = [];
    readonly workers: ClusterProcess[] = [];
    databaseUrl: string;
    redisPort: number;
    private redis: RunningRedis | undefined;
    private redisBinary: string;
    private env: Record<string, string>;
    /** The database name, also the folder of the processes' data. */
    private database: string;

    constructor(private readonly log: (message: string) => void) {}

    get redisUrl(): string {
        return `redis://127.0.0.1:${this.redisPort}`;
    }

    /** The first server populates the demo marketplace; the others start once it is ready. */
    async start(options: { database: string; servers: number; workers: number }): Promise<void> {
        this.database = options.database;
        this.databaseUrl = databaseUrl(await freshDatabase(options.database));
        this.redisBinary = ensureRedisServer(this.log);
        this.redis = await startRedisServer(this.redisBinary);
        this.redisPort = Number(new URL(this.redis.url).port);
        this.env = {
            DATABASE_URL: this.databaseUrl,
            REDIS_URL: this.redisUrl,
            SUPERADMIN_USERNAME: STAFF.username,
            SUPERADMIN_PASSWORD: STAFF.password,
            COOKIE_SECRET: 'a-long-random-cookie-secret-for-the-fault-suite',
            DEMO_FLEET: 'false',
            WORKER_IN_PROCESS: 'false',
        };
        const first = await this.startServer('server-1', { DEMO_DATA: 'true' });
        // The search index that checkouts need is built by a worker's reindex job.
        for (let i = 1; i <= options.workers; i++) this.startWorker(`worker-${i}`);
        await this.waitReady(first);
        for (let i = 2; i <= options.servers; i++) {
            await this.waitReady(await this.startServer(`server-${i}`, { DEMO_DATA: 'false' }));
        }
    }

    adminApiUrl(server: ClusterProcess): string {
        return `http://127.0.0.1:${String(server.port)}/admin-api`;
    }

    /** Stops Redis (its data goes with it: it runs without persistence). */
    async stopRedis(): Promise<void> {
        await this.redis?.stop();
        this.redis = undefined;
    }

    /** Starts an empty Redis on the same port, so every client reconnects to it. */
    async restartRedis(): Promise<void> {
        this.redis = await startRedisServer(this.redisBinary, this.redisPort);
    }

    async kill(process: ClusterProcess): Promise<void> {
        process.app.child.kill('SIGKILL');
        await process.app.exited;
    }

    /** SIGTERM to every process still running (SIGKILL to those that do not exit), then Redis. */
    async stop(): Promise<void> {
        const running = [...this.servers, ...this.workers].filter(
            p => p.app.child.exitCode === null && !p.app.child.signalCode,
        );
        await Promise.all(
            running.map(async p => {
                const timer = setTimeout(() => p.app.child.kill('SIGKILL'), 15_000);
                await stopApp(p.app, 'SIGTERM');
                clearTimeout(timer);
            }),
        );
        await this.stopRedis();
    }

    /**
     * What to print when a wait fails: every session of the cluster's database (whose it is, what
     * it waits for, who blocks it, how long its transaction is open, its query) and the last lines
     * of each process's output, so a stall found in CI can be understood from its log alone.
     */
    async diagnose(db: Client): Promise<string> {
        const lines: string[] = [];
        try {
            const { rows } = await db.query<Record<string, unknown>>(
                `SELECT pid, application_name AS app, state, wait_event_type AS "waitType",
                        wait_event AS "wait", pg_blocking_pids(pid) AS "blockedBy",
                        round(EXTRACT(EPOCH FROM (now() - xact_start))::numeric, 1) AS "xactSeconds",
                        left(regexp_replace(query, '\\s+', ' ', 'g'), 200) AS query
                   FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid()
                  ORDER BY xact_start NULLS LAST`,
            );
            lines.push(`database sessions (${rows.length}):`, ...rows.map(row => JSON.stringify(row)));
        } catch (error) {
            lines.push(`database sessions: could not read them: ${String(error)}`);
        }
        for (const process of [...this.servers, ...this.workers]) {
            const tail = process.app.output().split('\n').slice(-40).join('\n');
            lines.push(`--- last output of ${process.name} ---`, tail);
        }
        return lines.join('\n');
    }

    private async startServer(name: string, env: Record<string, string>): Promise<ClusterProcess> {
        const port = await freePort();
        const server: ClusterProcess = {
            name,
            port,
            app: startApp('index', {
                ...this.env,
                ...env,
                PORT: String(port),
                // node-postgres names its sessions after it: diagnose() shows whose session waits.
                PGAPPNAME: name,
                DATA_DIR: path.join(e2eEnv('tmpDir'), this.database, name),
            }),
        };
        this.servers.push(server);
        return server;
    }

    private startWorker(name: string): ClusterProcess {
        const worker: ClusterProcess = {
            name,
            app: startApp('index-worker', {
                ...this.env,
                PGAPPNAME: name,
                DATA_DIR: path.join(e2eEnv('tmpDir'), this.database, name),
            }),
        };
        this.workers.push(worker);
        return worker;
    }

    private async waitReady(server: ClusterProcess): Promise<void> {
        const port = server.port ?? 0;
        const ms = await waitFor(
            `${server.name} readiness`,
            async () => (await readiness(port)).status === 200,
            START_TIMEOUT_MS,
            server.app,
        );
        this.log(`${server.name} ready on port ${port} in ${ms} ms`);
    }
}
