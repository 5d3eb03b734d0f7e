import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import { DEFAULT_SUPERADMIN, describeRuntime, readSettings } from '../src/runtime/settings';

// No Docker engine runs where these tests run: the compose file and Dockerfile are checked as text,
// and the environment compose would hand the containers is resolved here and fed to readSettings.

const ROOT = path.resolve(__dirname, '..');
const composeText = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

type Env = Record<string, string | undefined>;

interface ComposeService {
    image?: string;
    build?: unknown;
    command?: string | string[];
    environment?: Record<string, string | number | boolean | null> | string[];
    ports?: Array<string | number | { target?: number; published?: number | string }>;
    volumes?: Array<string | { source?: string; target?: string }>;
    depends_on?: string[] | Record<string, { condition?: string }>;
    healthcheck?: { test?: string | string[]; disable?: boolean };
}

interface ComposeFile {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
}

const compose = parse(composeText, { merge: true }) as ComposeFile;

/**
 * Compose's variable substitution for the forms this project uses: `$$`, `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `${VAR?message}`.
 * A missing required variable throws, as `docker compose` refuses to start.
 */
function interpolate(value: string, env: Env): string {
    const pattern =
        /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{))/g;
    return value.replace(
        pattern,
        (
            _match,
            escaped?: string,
            braced?: string,
            operator?: string,
            argument?: string,
            bare?: string,
            invalid?: string,
        ) => {
            if (escaped) return '$';
            if (invalid) throw new Error(`invalid interpolation format in "${value}"`);
            const name = (braced ?? bare) as string;
            const current = env[name];
            // With a colon, an empty value counts as unset.
            const unset = operator?.startsWith(':') ? !current : current === undefined;
            if (operator?.endsWith('-')) return unset ? (argument ?? '') : (current as string);
            if (operator?.endsWith('?')) {
                if (unset) throw new Error(`required variable ${name} is missing a value: ${argument ?? ''}`);
                return current as string;
            }
            return current ?? '';
        },
    );
}

/** A service's environment as the container would see it, for a given shell environment. */
function resolvedEnvironment(service: ComposeService, env: Env): Record<string, string> {
    const entries: Array<[string, string]> = Array.isArray(service.environment)
        ? service.environment.map(line => {
              const at = line.indexOf('=');
              return at < 0 ? [line, env[line] ?? ''] : [line.slice(0, at), line.slice(at + 1)];
          })
        : Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]);
    return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value, env)]));
}

function service(name: string): ComposeService {
    const found = compose.services[name];
    if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
    return found;
}

function commandOf(name: string): string {
    const { command } = service(name);
    return Array.isArray(command) ? command.join(' ') : (command ?? '');
}

/** The shell environment of someone running `docker compose up` with the required secrets set. */
const OPERATOR_ENV: Env = {
    SUPERADMIN_PASSWORD: 'correct-horse-battery-staple-4711',
    COOKIE_SECRET: 'f3b1c9a07e5d42b8a6c0d9e2f7a41b3c5d8e6f9a0b2c4d6e8f1a3b5c7d9e0f2a',
};

const BACKING_SERVICES = ['postgres', 'redis', 'elasticsearch'];
const APP_SERVICES = ['server', 'worker'];

describe('docker-compose.yml', () => {
    it('defines the backing services, the server and the worker', () => {
        expect(Object.keys(compose.services).sort()).toEqual(
            ['elasticsearch', 'postgres', 'redis', 'server', 'worker'].sort(),
        );
    });

    it('pins PostgreSQL 17, Redis 7 and Elasticsearch 9', () => {
        expect(service('postgres').image).toMatch(/^postgres:17(\.|-|$)/);
        expect(service('redis').image).toMatch(/^redis:7(\.|-|$)/);
        expect(service('elasticsearch').image).toMatch(
            /^docker\.elastic\.co\/elasticsearch\/elasticsearch:9\.\d+\.\d+$/,
        );
    });

    it.each(BACKING_SERVICES)('gives %s a healthcheck', name => {
        const { healthcheck } = service(name);
        expect(healthcheck?.disable).not.toBe(true);
        const test = Array.isArray(healthcheck?.test)
            ? healthcheck.test.join(' ')
            : (healthcheck?.test ?? '');
        const expected = {
            postgres: /pg_isready/,
            redis: /redis-cli.*ping/,
            elasticsearch: /_cluster\/health/,
        };
        expect(test).toMatch(expected[name as keyof typeof expected]);
    });

    it.each(APP_SERVICES)('starts %s only once every backing service is healthy', name => {
        const dependsOn = service(name).depends_on;
        expect(Array.isArray(dependsOn)).toBe(false);
        for (const backing of BACKING_SERVICES) {
            expect((dependsOn as Record<string, { condition?: string }>)[backing]?.condition).toBe(
                'service_healthy',
            );
        }
    });

    it('builds the server from the Dockerfile and publishes port 3000', () => {
        expect(service('server').build).toBeDefined();
        const ports = (service('server').ports ?? []).map(port =>
            typeof port === 'object' ? `${port.published}:${port.target}` : String(port),
        );
        expect(ports).toContain('3000:3000');
    });

    it('runs the worker entry point in the same image, without the HTTP healthcheck', () => {
        expect(commandOf('worker')).toMatch(/^node dist\/src\/index-worker\.js$/);
        expect(service('worker').image).toBe(service('server').image);
        expect(service('worker').healthcheck?.disable).toBe(true);
        // The server keeps the image's default command (the server entry point).
        expect(commandOf('server')).toBe('');
    });

    it('refuses to start without SUPERADMIN_PASSWORD or COOKIE_SECRET', () => {
        for (const name of APP_SERVICES) {
            expect(service(name).environment).toMatchObject({
                SUPERADMIN_PASSWORD: expect.stringMatching(/^\$\{SUPERADMIN_PASSWORD:\?[^}]+\}$/),
                COOKIE_SECRET: expect.stringMatching(/^\$\{COOKIE_SECRET:\?[^}]+\}$/),
            });
            expect(() =>
                resolvedEnvironment(service(name), { ...OPERATOR_ENV, SUPERADMIN_PASSWORD: undefined }),
            ).toThrow(/SUPERADMIN_PASSWORD/);
            expect(() => resolvedEnvironment(service(name), { ...OPERATOR_ENV, COOKIE_SECRET: '' })).toThrow(
                /COOKIE_SECRET/,
            );
        }
    });

    it('gives server and worker the same environment', () => {
        expect(resolvedEnvironment(service('worker'), OPERATOR_ENV)).toEqual(
            resolvedEnvironment(service('server'), OPERATOR_ENV),
        );
    });

    it.each([
        ['the default password', {}],
        ['POSTGRES_PASSWORD set', { POSTGRES_PASSWORD: 's3cret-db-password' }],
    ])('connects to PostgreSQL with the password it was created with (%s)', (_label, extra: Env) => {
        const env = { ...OPERATOR_ENV, ...extra };
        const postgres = resolvedEnvironment(service('postgres'), env);
        expect(postgres.POSTGRES_PASSWORD).toBeTruthy();
        for (const name of APP_SERVICES) {
            const url = new URL(resolvedEnvironment(service(name), env).DATABASE_URL);
            expect(url.hostname).toBe('postgres');
            expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
            expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
            expect(url.pathname).toBe(`/${postgres.POSTGRES_DB}`);
        }
        if (extra.POSTGRES_PASSWORD) expect(postgres.POSTGRES_PASSWORD).toBe(extra.POSTGRES_PASSWORD);
    });

    it.each(APP_SERVICES)('%s settings pass readSettings with every production part on', name => {
        const env = resolvedEnvironment(service(name), OPERATOR_ENV);
        const settings = readSettings(env, '/app');

        expect(settings.database.kind).toBe('external');
        expect(settings.redisUrl).toBe('redis://redis:6379');
        expect(settings.elasticsearchUrl).toBe('http://elasticsearch:9200');
        expect(settings.demoData).toBe(false);
        // A separate worker runs the jobs: the server must not run them too.
        expect(settings.workerInProcess).toBe(false);
        expect(settings.superadmin.password).not.toBe(DEFAULT_SUPERADMIN.password);
        expect(settings.cookieSecret).toBe(OPERATOR_ENV.COOKIE_SECRET);

        const runtime = describeRuntime(settings);
        expect(runtime).toContain('BullMQ');
        expect(runtime).toContain('Elasticsearch');
    });

    it.each(APP_SERVICES)('%s keeps its data directory on a named volume', name => {
        const { DATA_DIR } = resolvedEnvironment(service(name), OPERATOR_ENV);
        const mounts = (service(name).volumes ?? []).map(volume =>
            typeof volume === 'string'
                ? { source: volume.split(':')[0], target: volume.split(':')[1] }
                : volume,
        );
        const mount = mounts.find(m => m.target === DATA_DIR);
        expect(mount).toBeDefined();
        expect(Object.keys(compose.volumes ?? {})).toContain(mount?.source);
    });
});

describe('interpolate (compose variable substitution)', () => {
    it('substitutes the forms compose supports', () => {
        const env = { SET: 'value', EMPTY: '' };
        expect(interpolate('a-${SET}-$SET-$$SET', env)).toBe('a-value-value-$SET');
        expect(interpolate('${EMPTY:-fallback}|${EMPTY-fallback}|${UNSET-fallback}', env)).toBe(
            'fallback||fallback',
        );
        expect(interpolate('${SET:?needed}', env)).toBe('value');
        expect(() => interpolate('${EMPTY:?needed here}', env)).toThrow(
            'EMPTY is missing a value: needed here',
        );
        expect(interpolate('${EMPTY?needed}', env)).toBe('');
        expect(() => interpolate('${SET:+x}', env)).toThrow(/invalid interpolation/);
    });
});

describe('Dockerfile', () => {
    const instructions = dockerfile
        .replace(/\\\n/g, ' ')
        .split('\n')
        .map(line => line.trim())
        .filter(line => line && !line.startsWith('#'));
    const stages = instructions.filter(line => /^FROM\s/i.test(line));
    const runtimeStage = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

    it('builds on Node 20 in two stages', () => {
        expect(stages.length).toBeGreaterThanOrEqual(2);
        for (const stage of stages) expect(stage).toMatch(/^FROM node:20-bookworm-slim\b/);
    });

    it('installs from the lockfile, builds, then drops dev dependencies', () => {
        const runs = instructions.filter(line => /^RUN\s/.test(line)).join('\n');
        expect(runs).toMatch(/\bnpm ci\b/);
        expect(runs).toMatch(/\bnpm run build\b/);
        expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
        expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run build'));
    });

    it('ships the demo data files the server reads at run time', () => {
        expect(runtimeStage.join('\n')).toMatch(/^COPY .*\/app\/src\/demo\/data \.\/src\/demo\/data$/m);
    });

    it('runs as a non-root user', () => {
        const users = runtimeStage.filter(line => /^USER\s/.test(line));
        expect(users.length).toBeGreaterThan(0);
        expect(users[users.length - 1]).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
    });

    it('starts the server by default and checks readiness', () => {
        const cmds = runtimeStage.filter(line => /^CMD\s/.test(line));
        expect(cmds[cmds.length - 1]).toMatch(/^CMD \["node", "dist\/src\/index\.js"\]$/);
        const healthcheck = runtimeStage.find(line => /^HEALTHCHECK\s/.test(line));
        expect(healthcheck).toContain('/health/ready');
        expect(runtimeStage).toContain('EXPOSE 3000');
    });
});
