/**
 * Measurements of a running server from outside: its resident memory (VmRSS in /proc), a full
 * GC through the gc-on-signal preload, and a bounded keep-alive request loop (the `{ me { id } }`
 * baseline and the catalogue load), all on loopback.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';

import { AppProcess, graphql } from '../../e2e/utils/app-process';
import { GC_LINE_PREFIX, GcReport } from './gc-on-signal';
import { sleep } from './machine';

const MIB = 2 ** 20;

/** Resident set size of a process in MiB, from /proc/PID/status (VmRSS). */
export async function rssMiB(pid: number): Promise<number> {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!match) throw new Error(`no VmRSS for process ${pid}`);
    return Number(match[1]) / 1024;
}

export interface MemoryReading {
    /** VmRSS as the server left it. */
    rss: number;
    /** V8 heap in use before the full GC (live objects and garbage not collected yet). */
    heapUsed: number;
    /** VmRSS and heap in use after a full GC: what is still referenced. */
    rssAfterGc: number;
    heapUsedAfterGc: number;
    /** Memory of C++ objects bound to JS (Buffers and the like) after the GC. */
    externalAfterGc: number;
}

/** Reads VmRSS, then asks the preload for a full GC and reads again. All in MiB. */
export async function readMemory(app: AppProcess): Promise<MemoryReading> {
    const pid = app.child.pid;
    if (pid === undefined) throw new Error('the server has no pid');
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
        const tail = app.output().split('\n').slice(-30).join('\n');
        throw new Error(
            `the server exited (${app.child.exitCode ?? app.child.signalCode}) before the reading:\n${tail}`,
        );
    }
    const rss = await rssMiB(pid);
    const report = await fullGc(app);
    // Let the kernel account for the pages V8 returned.
    await sleep(1000);
    return {
        rss,
        heapUsed: report.before.heapUsed / MIB,
        rssAfterGc: await rssMiB(pid),
        heapUsedAfterGc: report.after.heapUsed / MIB,
        externalAfterGc: report.after.external / MIB,
    };
}

async function fullGc(app: AppProcess): Promise<GcReport> {
    const seen = gcLines(app).length;
    app.child.kill('SIGWINCH');
    const started = Date.now();
    while (Date.now() - started < 30_000) {
        const lines = gcLines(app);
        if (lines.length > seen) return JSON.parse(lines[lines.length - 1]) as GcReport;
        await sleep(100);
    }
    throw new Error('no GC report from the server: is it running with the gc-on-signal preload?');
}

function gcLines(app: AppProcess): string[] {
    return app
        .output()
        .split('\n')
        .filter(line => line.startsWith(GC_LINE_PREFIX))
        .map(line => line.slice(GC_LINE_PREFIX.length));
}

/** Logs in to the admin API and returns the bearer token. */
export async function adminToken(port: number, username: string, password: string): Promise<string> {
    const { token } = await graphql<unknown>(
        port,
        'admin-api',
        'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { ... on CurrentUser { id } } }',
        undefined,
        { u: username, p: password },
    );
    if (!token) throw new Error('the admin login returned no token');
    return token;
}

export interface LoopResult {
    requests: number;
    failures: number;
    seconds: number;
    perSecond: number;
}

export interface LoopOptions {
    port: number;
    path: string;
    /** GraphQL documents sent in turn. */
    queries: string[];
    token?: string;
    connections: number;
    seconds: number;
    /** A response body that lacks this counts as a failure. */
    expect: string;
}

/**
 * A bounded closed loop: `connections` keep-alive connections, each sending the next request when
 * the last one answered, for `seconds`. Successful answers per second.
 */
export async function requestLoop(options: LoopOptions): Promise<LoopResult> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
    const bodies = options.queries.map(query => JSON.stringify({ query }));
    let requests = 0;
    let failures = 0;
    let next = 0;
    const started = Date.now();
    const endsAt = started + options.seconds * 1000;
    const connection = async () => {
        while (Date.now() < endsAt) {
            const body = bodies[next++ % bodies.length];
            const ok = await post(agent, options, body).catch(() => false);
            if (ok) requests++;
            else failures++;
        }
    };
    await Promise.all(Array.from({ length: options.connections }, connection));
    agent.destroy();
    const seconds = (Date.now() - started) / 1000;
    return { requests, failures, seconds, perSecond: requests / seconds };
}

function post(agent: http.Agent, options: LoopOptions, body: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
        const request = http.request(
            {
                agent,
                host: '127.0.0.1',
                port: options.port,
                path: options.path,
                method: 'POST',
                headers: {
                    'content-type': 'application/json',
                    'content-length': Buffer.byteLength(body),
                    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
                },
                timeout: 30_000,
            },
            response => {
                let text = '';
                response.setEncoding('utf8');
                response.on('data', (chunk: string) => (text += chunk));
                response.on('end', () =>
                    resolve(
                        response.statusCode === 200 &&
                            text.includes(options.expect) &&
                            !text.includes('"errors"'),
                    ),
                );
                response.on('error', reject);
            },
        );
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', reject);
        request.end(body);
    });
}

/** Vendure's own authenticated `{ me { id } }`: the rate a request through Vendure's auth costs. */
export function meRate(port: number, token: string, connections: number, seconds: number) {
    return requestLoop({
        port,
        path: '/admin-api',
        queries: ['{ me { id } }'],
        token,
        connections,
        seconds,
        expect: '"me":{"id"',
    });
}
