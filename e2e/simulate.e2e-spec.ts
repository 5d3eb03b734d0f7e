/**
 * `npm run simulate` against a test server with the demo marketplace: a short, fast city (a few
 * drivers, speedup 60) through the public APIs only, ending with its JSON summary: orders placed
 * and delivered, no double assignment, no error. The built simulator runs as a user runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SchedulerService } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';

import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import type { SimulationSummary } from '../src/simulation/summary';
import { e2eConfig } from './config/e2e-config';
import { asSuperadmin } from './fixtures/logins';

const ROOT = path.resolve(__dirname, '..');
const SIMULATOR = path.join(ROOT, 'dist/src/simulation/simulate.js');

const config = e2eConfig(__filename);
const env = createTestEnvironment(config);

beforeAll(async () => {
    await env.server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(env.server.app, { withInitialData: false });
    await env.server.app.get(SchedulerService).updateTask({ id: 'dispatch-sweep', enabled: false });
    // No demo fleet runs here: the demo drivers go OFFLINE, so the simulated drivers deliver everything.
    await asSuperadmin(env.adminClient);
    const { drivers } = await env.adminClient.query<{ drivers: { items: Array<{ id: string }> } }>(gql`
        {
            drivers(options: { take: 100 }) {
                items {
                    id
                }
            }
        }
    `);
    for (const driver of drivers.items) {
        await env.adminClient.query(
            gql`
                mutation ($id: ID!) {
                    updateDriver(input: { id: $id, status: OFFLINE }) {
                        id
                    }
                }
            `,
            {
                id: driver.id,
            },
        );
    }
}, 120_000);

afterAll(async () => {
    await env.server.destroy();
});

function simulate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    if (!existsSync(SIMULATOR)) throw new Error(`${SIMULATOR} is missing: run npm run build:server first`);
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [SIMULATOR, ...args], {
            cwd: ROOT,
            // No seeded sessions here: the simulator creates its few drivers through createDriver.
            env: { ...process.env, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'simulate-e2e-')) },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('exit', code => resolve({ code, stdout, stderr }));
    });
}

it('drives a city through the public APIs and ends with a JSON summary: delivered, no doubles, no errors', async () => {
    const { code, stdout, stderr } = await simulate([
        ...['--url', `http://localhost:${config.apiOptions.port}`],
        ...[
            '--drivers',
            '6',
            '--orders-per-minute',
            '0.3',
            '--minutes',
            '0.6',
            '--speedup',
            '60',
            '--speed-kmh',
            '30',
        ],
        ...[
            '--seed',
            '3',
            '--decline-rate',
            '0.2',
            '--fail-rate',
            '0',
            '--ping-seconds',
            '5',
            '--poll-seconds',
            '1',
        ],
        '--json',
    ]);
    const lines = stdout.trim().split('\n');
    let summary: SimulationSummary;
    try {
        summary = JSON.parse(lines[lines.length - 1]) as SimulationSummary;
    } catch {
        throw new Error(`No JSON summary (exit ${code}):\n${stdout}\n${stderr}`);
    }
    // What the run saw, for whoever reads the test output.
    console.log(`simulate: ${lines[lines.length - 1]}\n${stderr.split('\n').slice(-12).join('\n')}`);
    expect({ code, summary, stderr: summary.errors ? stderr : '' }).toMatchObject({
        code: 0,
        summary: { doubleAssignments: 0, errors: 0 },
    });
    expect(summary.orders).toBeGreaterThan(0);
    expect(summary.delivered).toBeGreaterThan(0);
    expect(summary.assignLatencyMs.p50).toBeGreaterThan(0);
    expect(summary.pickupKm.mean).toBeGreaterThan(0);
    expect(summary.driverUtilisation).toBeGreaterThan(0);
    // The progress line ran on stderr.
    expect(stderr).toMatch(/orders \d+/);
}, 90_000);
