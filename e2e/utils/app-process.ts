import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { e2eDispatchEnv } from '../config/dispatch-mode';

const ROOT = path.resolve(__dirname, '../..');

/** The environment variables of the app; removed from the inherited environment so each test sets its own. */
const APP_VARIABLES = [
    'DATABASE_URL',
    'REDIS_URL',
    'ELASTICSEARCH_URL',
    'DISPATCH_SWEEP_SCHEDULE',
    'DISPATCH_MODE',
    'DISPATCH_BATCH_WINDOW_MS',
    'DISPATCH_PENDING_ALERT_SECONDS',
    'PUBLIC_BASE_URL',
    'DEV_MAILBOX',
    'SMTP_URL',
    'WEBHOOKS_ALLOW_PRIVATE_TARGETS',
    'WEBHOOK_RETRY_BASE_MS',
    'PORT',
    'DATA_DIR',
    'SUPERADMIN_USERNAME',
    'SUPERADMIN_PASSWORD',
    'COOKIE_SECRET',
    'DEMO_DATA',
    'DEMO_FLEET',
    'WORKER_IN_PROCESS',
    'CORS_ORIGINS',
    'EMBEDDED_POSTGRES_PORT',
    'NODE_OPTIONS',
];

export interface AppProcess {
    child: ChildProcess;
    output(): string;
    /** Resolves with the exit code (or null when killed by a signal) and how long the exit took. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the built server or worker (`npm run build` first) as a user would: `node dist/src/...`,
 * in the run's dispatch mode (`E2E_DISPATCH_MODE`) unless `env` names one.
 */
export function startApp(entry: 'index' | 'index-worker', env: Record<string, string>): AppProcess {
    const script = path.join(ROOT, 'dist/src', `${entry}.js`);
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
    const inherited = { ...process.env };
    for (const name of APP_VARIABLES) delete inherited[name];
    const child = spawn(process.execPath, [script], {
        cwd: ROOT,
        env: { ...inherited, VENDURE_DISABLE_TELEMETRY: 'true', ...e2eDispatchEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const copy = appLogFile(entry, child.pid);
    const collect = (chunk: Buffer): void => {
        output += chunk.toString();
        copy?.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => copy?.end());
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, output: () => output, exited };
}

/**
 * With `E2E_APP_LOG_DIR` set, each app's output is also written to `<dir>/<entry>-<pid>.log` as it
 * comes, so a long suite that fails (the fault suite) can be read process by process afterwards.
 */
function appLogFile(entry: string, pid: number | undefined): NodeJS.WritableStream | undefined {
    const dir = process.env.E2E_APP_LOG_DIR;
    if (!dir) return undefined;
    mkdirSync(dir, { recursive: true });
    return createWriteStream(path.join(dir, `${entry}-${String(pid)}.log`));
}

/** Polls until the predicate holds, or fails with the app's output. */
export async function waitFor(
    description: string,
    predicate: () => Promise<boolean>,
    timeoutMs: number,
    app?: AppProcess,
): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
        if (app?.child.exitCode != null) {
            throw new Error(`The app exited (${app.child.exitCode}) before ${description}:\n${app.output()}`);
        }
        if (await predicate().catch(() => false)) return Date.now() - started;
        await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}:\n${app?.output() ?? ''}`);
}

export async function readiness(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sends a signal and measures how long the process takes to exit. */
export async function stopApp(
    app: AppProcess,
    signal: NodeJS.Signals = 'SIGTERM',
): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    app.child.kill(signal);
    const { code } = await app.exited;
    return { code, ms: Date.now() - started };
}

export async function graphql<T>(
    port: number,
    api: 'shop-api' | 'admin-api',
    query: string,
    token?: string,
    variables?: Record<string, unknown>,
): Promise<{ data: T; token?: string }> {
    const response = await fetch(`http://127.0.0.1:${port}/${api}`, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: Array<{ message: string }> };
    if (body.errors?.length) throw new Error(body.errors.map(error => error.message).join('; '));
    return { data: body.data, token: response.headers.get('vendure-auth-token') ?? undefined };
}

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}
