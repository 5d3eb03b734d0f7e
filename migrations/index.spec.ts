import { readdirSync } from 'node:fs';
import path from 'node:path';

import { migrations } from './index';

const MIGRATION_FILE = /^(\d{13})-[a-z0-9-]+\.ts$/;

/** The migration files of this folder, oldest first, with the classes each one exports. */
const migrationFiles = readdirSync(__dirname)
    .filter(file => MIGRATION_FILE.test(file))
    .sort()
    .map(file => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = require(path.join(__dirname, file)) as Record<string, unknown>;
        const classes = Object.values(exported).filter(
            (value): value is new () => object => typeof value === 'function',
        );
        return { file, timestamp: file.slice(0, 13), classes };
    });

describe('migrations', () => {
    it('finds the migration files', () => {
        expect(migrationFiles.length).toBeGreaterThan(0);
    });

    it('names every file of the folder <timestamp>-<name>.ts', () => {
        const others = readdirSync(__dirname).filter(
            file => file !== 'index.ts' && !file.endsWith('.spec.ts') && !MIGRATION_FILE.test(file),
        );
        expect(others).toEqual([]);
    });

    it.each(migrationFiles.map(migration => [migration.file, migration] as const))(
        '%s exports exactly one class, named with its timestamp as TypeORM requires',
        (_file, migration) => {
            expect(migration.classes).toHaveLength(1);
            expect(migration.classes[0].name.endsWith(migration.timestamp)).toBe(true);
            expect(typeof (migration.classes[0].prototype as { up?: unknown }).up).toBe('function');
            expect(typeof (migration.classes[0].prototype as { down?: unknown }).down).toBe('function');
        },
    );

    it('lists every migration class once, in timestamp order, and nothing else', () => {
        expect(migrations).toEqual(migrationFiles.flatMap(migration => migration.classes));
    });
});
