/**
 * The load of the server benches: `npm run simulate` (the built dist/src/simulation/simulate.js)
 * driving a running server through its public APIs, with drivers seeded by `npm run drivers:seed`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { graphql } from '../../e2e/utils/app-process';
import type { SimulationSummary } from '../../src/simulation/summary';
import { PROJECT_ROOT } from '../results';
import { BENCH_ADMIN } from './deployment';

const SIMULATOR = path.join(PROJECT_ROOT, 'dist/src/simulation/simulate.js');
const SEED_DRIVERS = path.join(PROJECT_ROOT, 'dist/src/scripts/seed-drivers.js');

interface Finished {
    code: number | null;
    stdout: string;
    stderr: string;
}

function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs: number) {
    return new Promise<Finished>((resolve, reject) => {
        const child = spawn(process.execPath, [script, ...args], {
            cwd: PROJECT_ROOT,
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
        // Bounded: a run that hangs is stopped (SIGINT lets the simulator finish its summary).
        const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
        const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 60_000);
        child.on('error', reject);
        child.on('exit', code => {
            clearTimeout(timer);
            clearTimeout(killer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** `npm run drivers:seed -- --count N --sessions FILE` against the deployment's database. */
export async function seedDrivers(count: number, env: Record<string, string>, sessionsFile: string) {
    const { code, stderr } = await runNode(
        SEED_DRIVERS,
        ['--count', String(count), '--sessions', sessionsFile],
        env,
        5 * 60_000,
    );
    if (code !== 0) throw new Error(`drivers:seed exited ${code}:\n${stderr}`);
}

/** Runs the simulator with `args` and returns its JSON summary (the last line of its stdout). */
export async function simulate(
    url: string,
    args: string[],
    env: Record<string, string>,
    minutes: number,
): Promise<{ summary: SimulationSummary; progress: string }> {
    const { code, stdout, stderr } = await runNode(
        SIMULATOR,
        [
            ...['--url', url, '--minutes', String(minutes), '--json'],
            ...['--admin-username', BENCH_ADMIN.username, '--admin-password', BENCH_ADMIN.password],
            ...args,
        ],
        env,
        (minutes + 3) * 60_000,
    );
    const last = stdout.trim().split('\n').pop() ?? '';
    try {
        // The simulator's last progress line (stderr): requests sent, queued, checkouts behind.
        const progress =
            stderr
                .trim()
                .split('\n')
                .filter(line => line.includes('| requests '))
                .pop() ?? '';
        return { summary: JSON.parse(last) as SimulationSummary, progress };
    } catch {
        throw new Error(`the simulator gave no JSON summary (exit ${code}):\n${stdout}\n${stderr}`);
    }
}

/**
 * Takes the demo marketplace's own drivers off duty: without the demo fleet nobody drives them, so
 * deliveries assigned to them would never finish. The simulated drivers do all the driving.
 */
export async function demoDriversOffDuty(port: number, token: string): Promise<number> {
    const { data } = await graphql<{ drivers: { items: Array<{ id: string; status: string }> } }>(
        port,
        'admin-api',
        '{ drivers(options: { take: 100 }) { items { id status } } }',
        token,
    );
    const onDuty = data.drivers.items.filter(driver => driver.status !== 'OFFLINE');
    for (const driver of onDuty) {
        await graphql(
            port,
            'admin-api',
            'mutation ($id: ID!) { updateDriver(input: { id: $id, status: OFFLINE }) { id } }',
            token,
            { id: driver.id },
        );
    }
    return onDuty.length;
}
