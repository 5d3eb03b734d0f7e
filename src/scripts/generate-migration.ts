/**
 * Writes a migration for the difference between the database (after the existing migrations) and
 * what the entities and custom fields of the full configuration describe:
 *   npm run migration:generate -- <name>
 * It starts a throw-away embedded PostgreSQL (or uses DATABASE_URL), so it needs nothing running.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { generateMigration } from '@vendure/core';

import { createVendureConfig, DatabaseConnection } from '../../vendure-config';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { runMigrationsExclusively } from '../runtime/migrate';
import { readSettings } from '../runtime/settings';

const MIGRATIONS_DIR = path.resolve(__dirname, '../../../migrations');

async function main() {
    const name = process.argv[2];
    if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
        throw new Error('Usage: npm run migration:generate -- <kebab-case-name>');
    }
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vqd-migration-'));
    const external = process.env.DATABASE_URL;
    const embedded = external
        ? undefined
        : await startEmbeddedPostgres({
              dataDir: path.join(tmp, 'pg'),
              port: 0,
              database: 'vendure',
              log: () => undefined,
          });
    try {
        const database: DatabaseConnection = embedded ?? { url: external as string };
        // The embedded configuration has every table: Vendure's SQL job queue and search included.
        const settings = readSettings({ DATA_DIR: tmp });
        await runMigrationsExclusively(createVendureConfig(settings, database), database);
        const written = await generateMigration(createVendureConfig(settings, database), {
            name: toClassName(name),
            outputDir: MIGRATIONS_DIR,
        });
        if (written) {
            const kebab = path.join(MIGRATIONS_DIR, path.basename(written).replace(toClassName(name), name));
            const source = await fs.readFile(written, 'utf8');
            await fs.rm(written);
            await fs.writeFile(kebab, source.replace(/Promise<any>/g, 'Promise<void>'));
            await writeIndex();
            console.log(`Wrote ${path.relative(process.cwd(), kebab)}; run npm run format`);
        }
    } finally {
        await embedded?.stop();
        await fs.rm(tmp, { recursive: true, force: true });
    }
}

/** migrations/index.ts lists every migration file in order, so none can be forgotten. */
async function writeIndex() {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter(file => /^\d+-[a-z0-9-]+\.ts$/.test(file)).sort();
    const entries = await Promise.all(
        files.map(async file => {
            const source = await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
            const className = /export class (\w+)/.exec(source)?.[1];
            if (!className) throw new Error(`${file} exports no class`);
            return { className, module: `./${file.replace(/\.ts$/, '')}` };
        }),
    );
    const lines = [
        '// The schema of record, in order. Written by `npm run migration:generate -- <name>`.',
        ...entries.map(entry => `import { ${entry.className} } from '${entry.module}';`),
        '',
        `export const migrations: Array<new () => object> = [${entries.map(entry => entry.className).join(', ')}];`,
        '',
    ];
    await fs.writeFile(path.join(MIGRATIONS_DIR, 'index.ts'), lines.join('\n'));
}

function toClassName(name: string): string {
    return name.replace(/(^|-)([a-z0-9])/g, (_, __, char: string) => char.toUpperCase());
}

main().catch(error => {
    console.error(error);
    process.exit(1);
});
