/**
 * migrations/ is the schema of record: on an empty database, running it must yield exactly the
 * schema that the entities and custom fields describe, so a generated migration is empty. Checked
 * for both configurations, whose plugins differ (the embedded default has Vendure's SQL job queue
 * and default search tables; production runs BullMQ and Elasticsearch).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { generateMigration } from '@vendure/core';

import { runMigrationsExclusively } from '../src/runtime/migrate';
import { readSettings } from '../src/runtime/settings';
import { createVendureConfig } from '../vendure-config';
import { e2eEnv } from './config/e2e-env';
import { freshDatabase } from './utils/database';

const configurations: Array<[string, Record<string, string>]> = [
    ['embedded default', {}],
    [
        'production (BullMQ, Redis cache, Elasticsearch)',
        {
            DATABASE_URL: 'postgres://unused-the-connection-is-given@localhost/unused',
            REDIS_URL: 'redis://127.0.0.1:6379',
            ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
            SUPERADMIN_USERNAME: 'operator',
            SUPERADMIN_PASSWORD: 'not-the-default',
            COOKIE_SECRET: 'a-long-random-cookie-secret',
        },
    ],
];

describe.each(configurations)('migrations on an empty database: %s', (label, env) => {
    it('apply cleanly and leave nothing for a new migration to do', async () => {
        const database = await freshDatabase(
            `e2e_migrations_${label.startsWith('embedded') ? 'embedded' : 'production'}`,
        );
        const settings = readSettings({ DATA_DIR: path.join(e2eEnv('tmpDir'), 'migrations'), ...env });
        expect(settings.database.kind).toBe(env.DATABASE_URL ? 'external' : 'embedded');

        const applied = await runMigrationsExclusively(createVendureConfig(settings, database), database);
        expect(applied.length).toBeGreaterThan(0);

        const outputDir = await fs.mkdtemp(path.join(e2eEnv('tmpDir'), 'generated-'));
        const written = await generateMigration(createVendureConfig(settings, database), {
            name: 'ShouldBeEmpty',
            outputDir,
        });
        const generated = written ? await fs.readFile(written, 'utf8') : '';
        expect(generated).toBe('');
        expect(await fs.readdir(outputDir)).toEqual([]);
    }, 120_000);
});
