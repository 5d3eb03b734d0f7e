import path from 'node:path';

import {
    defaultConfig,
    DefaultLogger,
    LogLevel,
    mergeConfig,
    NoopLogger,
    RuntimeVendureConfig,
} from '@vendure/core';
import {
    E2E_DEFAULT_CHANNEL_TOKEN,
    PostgresInitializer,
    registerInitializer,
    TestDbInitializer,
} from '@vendure/testing';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

import { DriverDispatchPlugin, ResolvedDriverDispatchOptions } from '../../plugins/driver-dispatch';
import { readSettings } from '../../src/runtime/settings';
import { createVendureConfig } from '../../vendure-config';
import { e2eDispatchMode } from './dispatch-mode';
import { e2eEnv } from './e2e-env';

/**
 * The file jest is running: the calling file's name, unless a variant file runs that file's suite
 * (dispatch-batch.e2e-spec.ts imports dispatch.e2e-spec.ts), which then gets a port and a database
 * of its own, so both can run at once in parallel workers.
 */
function runningTestFile(callerFile: string): string {
    return expect.getState().testPath ?? callerFile;
}

/** @vendure/testing names the database after the file calling `server.init`: here, the running one. */
class RunningFileDatabase implements TestDbInitializer<PostgresConnectionOptions> {
    private readonly postgres = new PostgresInitializer();
    init(testFileName: string, options: PostgresConnectionOptions): Promise<PostgresConnectionOptions> {
        return this.postgres.init(runningTestFile(testFileName), options);
    }
    populate(populateFn: () => Promise<void>): Promise<void> {
        return this.postgres.populate(populateFn);
    }
    destroy(): void | Promise<void> {
        return this.postgres.destroy();
    }
}

registerInitializer('postgres', new RunningFileDatabase());

/**
 * Each e2e file gets its own API port, so files can run in parallel workers. `E2E_PORT_BASE`
 * (default 3100) moves them all, so two runs on one machine do not collide.
 */
const PORT_OFFSETS: Record<string, number> = {
    'marketplace.e2e-spec.ts': 1,
    'readiness.e2e-spec.ts': 2,
    'migrations.e2e-spec.ts': 3,
    'seller-store-info.e2e-spec.ts': 4,
    'drivers.e2e-spec.ts': 5,
    'dispatch.e2e-spec.ts': 6,
    'dispatch-batch.e2e-spec.ts': 50,
    'driver-app-batch.e2e-spec.ts': 51,
    'dispatch-redis.e2e-spec.ts': 7,
    'delivery-search.e2e-spec.ts': 10,
    'dispatch-events.e2e-spec.ts': 11,
    'driver-app.e2e-spec.ts': 13,
    'probed-defects.e2e-spec.ts': 14,
    'uuid-ids.e2e-spec.ts': 15,
    'es9-unavailable.e2e-spec.ts': 20,
    'es9-live.e2e-spec.ts': 21,
    'driver-admin.e2e-spec.ts': 12,
    'bad-input-matrix.e2e-spec.ts': 30,
    'authorization-matrix.e2e-spec.ts': 31,
    'multi-channel-stock.e2e-spec.ts': 40,
    'batch-dispatch.e2e-spec.ts': 41,
    'simulate.e2e-spec.ts': 42,
    'driver-channel.e2e-spec.ts': 45,
    'driver-web-app.e2e-spec.ts': 53,
    'lock-cycles.e2e-spec.ts': 54,
    'delivery-fee.e2e-spec.ts': 60,
    'store-hours.e2e-spec.ts': 62,
    'delivery-delays.e2e-spec.ts': 66,
    'seller-verification.e2e-spec.ts': 64,
    'delivery-emails.e2e-spec.ts': 68,
    'tracking-page.e2e-spec.ts': 70,
    'tracking-page-browser.e2e-spec.ts': 71,
    'delivery-webhooks.e2e-spec.ts': 72,
    'dashboard-webhooks.e2e-spec.ts': 73,
};
const PORT_BASE = Number(process.env.E2E_PORT_BASE ?? 3100);
const ONCE_A_YEAR = '0 0 0 1 1 *';

export interface E2eConfigOptions {
    /** Environment as the server would see it (REDIS_URL, ELASTICSEARCH_URL, ...). */
    env?: Record<string, string>;
    /** Driver-dispatch options of this file, over the environment's (e.g. a batch window period). */
    dispatch?: Partial<ResolvedDriverDispatchOptions>;
}

/**
 * The project's own configuration (plugins, strategies, custom fields) on the e2e PostgreSQL,
 * with the port of the calling file. The PostgresInitializer of @vendure/testing gives each file
 * a database of its own, named after the file.
 */
export function e2eConfig(testFile: string, options: E2eConfigOptions = {}): RuntimeVendureConfig {
    const file = path.basename(runningTestFile(testFile));
    const offset = PORT_OFFSETS[file];
    if (!offset) throw new Error(`Add ${file} to PORT_OFFSETS in e2e/config/e2e-config.ts`);
    const port = PORT_BASE + offset;
    const settings = readSettings({
        DATA_DIR: path.join(e2eEnv('tmpDir'), file),
        // Tracking links (publicBaseUrl) then point at this suite's server.
        PORT: String(port),
        DEMO_DATA: 'false',
        // Vendure's order emails and the delivery emails queue jobs on every order: only the suites
        // about emails turn the dev mailbox on.
        DEV_MAILBOX: 'false',
        ...options.env,
    });
    const config = createVendureConfig(settings, {
        host: e2eEnv('pgHost'),
        port: Number(e2eEnv('pgPort')),
        username: e2eEnv('pgUser'),
        password: e2eEnv('pgPassword'),
        database: 'placeholder-set-by-initializer',
    });
    // The suites run the dispatch sweep themselves when they test it. Left on its 20 s schedule it
    // would race their heartbeats, and Vendure 3.7.3's scheduler throws an unhandled rejection when
    // a test closes an app while a task is running (its error path writes to the closed pool).
    DriverDispatchPlugin.options = {
        ...DriverDispatchPlugin.options,
        sweepSchedule: ONCE_A_YEAR,
        ...e2eDispatchMode(),
        ...options.dispatch,
    };
    return mergeConfig(mergeConfig(defaultConfig, config), {
        apiOptions: { port },
        defaultChannelToken: E2E_DEFAULT_CHANNEL_TOKEN,
        logger: process.env.LOG ? new DefaultLogger({ level: LogLevel.Info }) : new NoopLogger(),
    });
}
