import { appendFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startEmbeddedPostgres } from '../../src/runtime/embedded-postgres';
import { E2E_ENV } from '../config/e2e-env';
import { ensureRedisServer, startRedisServer } from './redis-server';
import { setServices } from './services';

/**
 * Starts what the e2e suites need, once per run: PostgreSQL (embedded-postgres, unless
 * DATABASE_URL is set) and Redis (REDIS_URL, else a redis-server started here). Suites find them
 * through the E2E_* environment variables, which jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
    const log = (message: string) => console.log(`[e2e setup] ${message}`);
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vqd-e2e-'));
    // As root, PostgreSQL runs as the postgres user, which must reach the data folders in here.
    await fs.chmod(tmp, 0o755);
    process.env[E2E_ENV.tmpDir] = tmp;

    if (process.env.DATABASE_URL) {
        const url = new URL(process.env.DATABASE_URL);
        Object.assign(process.env, {
            [E2E_ENV.pgHost]: url.hostname,
            [E2E_ENV.pgPort]: url.port || '5432',
            [E2E_ENV.pgUser]: decodeURIComponent(url.username),
            [E2E_ENV.pgPassword]: decodeURIComponent(url.password),
        });
        log(`PostgreSQL from DATABASE_URL (${url.hostname}:${url.port || 5432})`);
    } else {
        const started = Date.now();
        const postgres = await startEmbeddedPostgres({
            dataDir: path.join(tmp, 'postgres'),
            port: 0,
            database: 'postgres',
            log,
            // E2E_PG_LOG=FILE keeps PostgreSQL's own log (a deadlock's detail names both statements).
            output: process.env.E2E_PG_LOG
                ? chunk => appendFileSync(process.env.E2E_PG_LOG ?? '', chunk)
                : undefined,
        });
        setServices({ postgres });
        Object.assign(process.env, {
            [E2E_ENV.pgHost]: postgres.host,
            [E2E_ENV.pgPort]: String(postgres.port),
            [E2E_ENV.pgUser]: postgres.username,
            [E2E_ENV.pgPassword]: postgres.password,
        });
        log(`embedded PostgreSQL on port ${postgres.port} (${Date.now() - started} ms)`);
    }

    if (process.env.REDIS_URL) {
        process.env[E2E_ENV.redisUrl] = process.env.REDIS_URL;
        log('Redis from REDIS_URL');
    } else {
        const redis = await startRedisServer(ensureRedisServer(log));
        setServices({ redis });
        process.env[E2E_ENV.redisUrl] = redis.url;
        log(`redis-server on ${redis.url}`);
    }
}
