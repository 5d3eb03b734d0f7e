import path from 'node:path';

import { describeRuntime, readSettings, redact, SettingsError } from './settings';

const cwd = path.resolve('/srv/quick-delivery');

/** A complete production environment: an external database and real credentials. */
const production = {
    DATABASE_URL: 'postgres://vendure:db-s3cret@db.internal:5432/vendure',
    SUPERADMIN_USERNAME: 'ops',
    SUPERADMIN_PASSWORD: 'a-long-admin-password',
    COOKIE_SECRET: 'a-long-random-cookie-secret',
};

/** The message of the SettingsError that `readSettings` throws for `env`. */
function refusal(env: Record<string, string>): string {
    try {
        readSettings(env, cwd);
    } catch (error) {
        expect(error).toBeInstanceOf(SettingsError);
        return (error as SettingsError).message;
    }
    throw new Error(`readSettings accepted ${JSON.stringify(env)}`);
}

describe('readSettings', () => {
    describe('embedded default (empty environment)', () => {
        const settings = readSettings({}, cwd);

        it('listens on port 3000', () => {
            expect(settings.port).toBe(3000);
        });

        it('runs an embedded PostgreSQL with its data under <cwd>/data/postgres', () => {
            expect(settings.database).toEqual({
                kind: 'embedded',
                dataDir: path.join(cwd, 'data', 'postgres'),
                port: 0,
            });
        });

        it('lets the local user in as superadmin/superadmin', () => {
            expect(settings.superadmin).toEqual({ username: 'superadmin', password: 'superadmin' });
        });

        it('populates the demo, runs the worker in process and accepts any browser origin', () => {
            expect(settings.demoData).toBe(true);
            expect(settings.workerInProcess).toBe(true);
            expect(settings.corsOrigins).toBe(true);
        });

        it('builds tracking links on this server at localhost and its port', () => {
            expect(settings.publicBaseUrl).toBe('http://localhost:3000');
            expect(readSettings({ PORT: '4000' }, cwd).publicBaseUrl).toBe('http://localhost:4000');
        });

        it('uses no Redis and no Elasticsearch', () => {
            expect(settings.redisUrl).toBeUndefined();
            expect(settings.elasticsearchUrl).toBeUndefined();
        });
    });

    describe('PUBLIC_BASE_URL', () => {
        it('is taken as given', () => {
            expect(readSettings({ PUBLIC_BASE_URL: 'https://shop.example.com' }, cwd).publicBaseUrl).toBe(
                'https://shop.example.com',
            );
        });

        it('must be an http(s) URL without a query', () => {
            expect(refusal({ PUBLIC_BASE_URL: 'shop.example.com' })).toContain('PUBLIC_BASE_URL');
            expect(refusal({ PUBLIC_BASE_URL: 'ftp://shop.example.com' })).toContain('PUBLIC_BASE_URL');
            expect(refusal({ PUBLIC_BASE_URL: 'https://shop.example.com/?x=1' })).toContain('query');
        });
    });

    describe('with DATABASE_URL', () => {
        it('refuses the default superadmin password, naming SUPERADMIN_PASSWORD', () => {
            const message = refusal({ ...production, SUPERADMIN_PASSWORD: 'superadmin' });
            expect(message).toContain('SUPERADMIN_PASSWORD');
            expect(message).not.toContain('COOKIE_SECRET');
        });

        it('refuses a missing superadmin password, naming SUPERADMIN_PASSWORD', () => {
            const { SUPERADMIN_PASSWORD: _omitted, ...env } = production;
            expect(refusal(env)).toContain('SUPERADMIN_PASSWORD');
        });

        it('refuses a blank superadmin password', () => {
            expect(refusal({ ...production, SUPERADMIN_PASSWORD: '   ' })).toContain('SUPERADMIN_PASSWORD');
        });

        it('refuses a missing cookie secret, naming COOKIE_SECRET', () => {
            const { COOKIE_SECRET: _omitted, ...env } = production;
            const message = refusal(env);
            expect(message).toContain('COOKIE_SECRET');
            expect(message).not.toContain('SUPERADMIN_PASSWORD');
        });

        it('lists every problem at once', () => {
            const message = refusal({ DATABASE_URL: production.DATABASE_URL, PORT: 'abc' });
            expect(message).toContain('SUPERADMIN_PASSWORD');
            expect(message).toContain('COOKIE_SECRET');
            expect(message).toContain('PORT');
            expect(message.split('\n').filter(line => line.trim().startsWith('- '))).toHaveLength(3);
        });

        it('connects to the external database with the given superadmin', () => {
            const settings = readSettings(production, cwd);
            expect(settings.database).toEqual({ kind: 'external', url: production.DATABASE_URL });
            expect(settings.superadmin).toEqual({ username: 'ops', password: 'a-long-admin-password' });
            expect(settings.cookieSecret).toBe('a-long-random-cookie-secret');
        });

        it('does not populate the demo unless DEMO_DATA=true', () => {
            expect(readSettings(production, cwd).demoData).toBe(false);
            expect(readSettings({ ...production, DEMO_DATA: 'false' }, cwd).demoData).toBe(false);
            expect(readSettings({ ...production, DEMO_DATA: 'true' }, cwd).demoData).toBe(true);
        });

        it('expects a separate worker process', () => {
            expect(readSettings(production, cwd).workerInProcess).toBe(false);
        });

        it('allows no browser origin unless CORS_ORIGINS lists them', () => {
            expect(readSettings(production, cwd).corsOrigins).toEqual([]);
            const listed = readSettings(
                { ...production, CORS_ORIGINS: 'https://shop.example.com, http://localhost:5173' },
                cwd,
            );
            expect(listed.corsOrigins).toEqual(['https://shop.example.com', 'http://localhost:5173']);
        });
    });

    describe('invalid values', () => {
        it.each(['abc', '70000', '0', '-1'])('refuses PORT=%s', port => {
            const message = refusal({ PORT: port });
            expect(message).toContain('PORT');
            expect(message).toContain(`"${port}"`);
        });

        it('accepts a valid PORT', () => {
            expect(readSettings({ PORT: '8080' }, cwd).port).toBe(8080);
        });

        it.each([
            ['DATABASE_URL', 'mysql://vendure:pw@db:3306/vendure'],
            ['REDIS_URL', 'http://redis:6379'],
            ['ELASTICSEARCH_URL', 'not a url'],
            ['CORS_ORIGINS', 'ftp://shop.example.com'],
        ])('refuses %s=%s, naming the variable', (name, value) => {
            const message = refusal({ ...production, [name]: value });
            expect(message).toContain(name);
        });

        it.each(['0x1F90', '80.5'])('refuses PORT=%s that is not a plain number', port => {
            expect(refusal({ PORT: port })).toContain('PORT');
        });

        it.each(['https://shop.example.com/', 'https://shop.example.com/store'])(
            'refuses CORS_ORIGINS=%s: browsers send origins without a path',
            origin => {
                expect(refusal({ ...production, CORS_ORIGINS: origin })).toContain('without a path');
            },
        );

        it('refuses a REDIS_URL whose database is not a number', () => {
            expect(refusal({ REDIS_URL: 'redis://redis:6379/abc' })).toContain("REDIS_URL's database");
        });

        it('takes DISPATCH_PENDING_ALERT_SECONDS as whole seconds above 0 and refuses anything else', () => {
            expect(readSettings({ DISPATCH_PENDING_ALERT_SECONDS: '30' }).dispatchPendingAlertSeconds).toBe(
                30,
            );
            expect(readSettings({}).dispatchPendingAlertSeconds).toBeUndefined();
            expect(refusal({ DISPATCH_PENDING_ALERT_SECONDS: '0' })).toContain(
                'DISPATCH_PENDING_ALERT_SECONDS',
            );
            expect(refusal({ DISPATCH_PENDING_ALERT_SECONDS: '2 min' })).toContain(
                'DISPATCH_PENDING_ALERT_SECONDS',
            );
        });

        it('keeps webhooks off private targets unless WEBHOOKS_ALLOW_PRIVATE_TARGETS=true, and checks WEBHOOK_RETRY_BASE_MS', () => {
            expect(readSettings({}).webhooksAllowPrivateTargets).toBe(false);
            expect(readSettings({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' }).webhooksAllowPrivateTargets).toBe(
                true,
            );
            expect(refusal({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'yes' })).toContain(
                'WEBHOOKS_ALLOW_PRIVATE_TARGETS',
            );
            expect(readSettings({ WEBHOOK_RETRY_BASE_MS: '500' }).webhookRetryBaseMs).toBe(500);
            expect(readSettings({}).webhookRetryBaseMs).toBeUndefined();
            expect(refusal({ WEBHOOK_RETRY_BASE_MS: '0' })).toContain('WEBHOOK_RETRY_BASE_MS');
            expect(refusal({ WEBHOOK_RETRY_BASE_MS: '1s' })).toContain('WEBHOOK_RETRY_BASE_MS');
        });

        it('takes DISPATCH_SWEEP_SCHEDULE as a cron expression and refuses anything else', () => {
            expect(readSettings({ DISPATCH_SWEEP_SCHEDULE: '* * * * * *' }).dispatchSweepSchedule).toBe(
                '* * * * * *',
            );
            expect(readSettings({}).dispatchSweepSchedule).toBeUndefined();
            expect(refusal({ DISPATCH_SWEEP_SCHEDULE: 'every minute' })).toContain('DISPATCH_SWEEP_SCHEDULE');
        });

        it('takes DISPATCH_MODE nearest or batch, in any case, and refuses anything else', () => {
            expect(readSettings({ DISPATCH_MODE: 'batch' }).dispatchMode).toBe('batch');
            expect(readSettings({ DISPATCH_MODE: 'Nearest' }).dispatchMode).toBe('nearest');
            expect(readSettings({}).dispatchMode).toBeUndefined();
            const message = refusal({ DISPATCH_MODE: 'hungarian' });
            expect(message).toContain('DISPATCH_MODE must be nearest or batch');
            expect(message).toContain('"hungarian"');
        });

        it('takes DISPATCH_BATCH_WINDOW_MS as whole milliseconds above 0', () => {
            expect(readSettings({ DISPATCH_BATCH_WINDOW_MS: '500' }).dispatchBatchWindowMs).toBe(500);
            expect(readSettings({}).dispatchBatchWindowMs).toBeUndefined();
        });

        it.each(['0', '-5', '1.5', '2s', 'soon'])('refuses DISPATCH_BATCH_WINDOW_MS=%s', value => {
            const message = refusal({ DISPATCH_BATCH_WINDOW_MS: value });
            expect(message).toContain('DISPATCH_BATCH_WINDOW_MS');
            expect(message).toContain(`"${value}"`);
        });

        it('takes LOCATION_PING_LIMIT as pings/seconds', () => {
            expect(readSettings({ LOCATION_PING_LIMIT: '100000/10' }).locationPingLimit).toEqual({
                points: 100000,
                durationSeconds: 10,
            });
            expect(readSettings({}).locationPingLimit).toBeUndefined();
        });

        it.each(['10', '0/10', '10/0', '1.5/10', 'lots'])('refuses LOCATION_PING_LIMIT=%s', value => {
            const message = refusal({ LOCATION_PING_LIMIT: value });
            expect(message).toContain('LOCATION_PING_LIMIT');
            expect(message).toContain(`"${value}"`);
        });

        it('refuses DEMO_DATA=maybe', () => {
            const message = refusal({ DEMO_DATA: 'maybe' });
            expect(message).toContain('DEMO_DATA');
            expect(message).toContain('"maybe"');
        });
    });
});

describe('describeRuntime', () => {
    const redisUrl = 'redis://default:redis-s3cret@cache.internal:6379/0';
    const elasticsearchUrl = 'https://elastic:es-s3cret@search.internal:9200';

    it('names the SQL job queue and SQL driver index without Redis', () => {
        const line = describeRuntime(readSettings({}, cwd));
        expect(line).toContain('embedded PostgreSQL');
        expect(line).toMatch(/job queue: SQL/);
        expect(line).toMatch(/driver index: SQL/);
        expect(line).not.toContain('BullMQ');
        expect(line).not.toContain('Redis GEO');
        expect(line).not.toContain('Elasticsearch');
    });

    it('names BullMQ and Redis GEO with REDIS_URL, and Elasticsearch with ELASTICSEARCH_URL', () => {
        const line = describeRuntime(
            readSettings({ ...production, REDIS_URL: redisUrl, ELASTICSEARCH_URL: elasticsearchUrl }, cwd),
        );
        expect(line).toContain('BullMQ');
        expect(line).toContain('Redis GEO');
        expect(line).toContain('Elasticsearch');
        expect(line).not.toMatch(/job queue: SQL/);
        expect(line).toContain('cache.internal');
        expect(line).toContain('search.internal');
    });

    it('never shows the password of any URL', () => {
        const line = describeRuntime(
            readSettings({ ...production, REDIS_URL: redisUrl, ELASTICSEARCH_URL: elasticsearchUrl }, cwd),
        );
        expect(line).toContain('db.internal');
        for (const secret of ['db-s3cret', 'redis-s3cret', 'es-s3cret']) {
            expect(line).not.toContain(secret);
        }
    });
});

describe('redact', () => {
    it('hides the password and keeps the rest of the URL', () => {
        expect(redact('postgres://vendure:db-s3cret@db.internal:5432/vendure')).toBe(
            'postgres://vendure:***@db.internal:5432/vendure',
        );
    });

    it('hides a password given without a username', () => {
        const redacted = redact('redis://:only-password@cache.internal:6379');
        expect(redacted).not.toContain('only-password');
        expect(redacted).toContain('cache.internal:6379');
    });

    it('hides a password that contains URL-encoded characters', () => {
        expect(redact('postgres://vendure:p%40ss%3Aword@db.internal/vendure')).not.toMatch(/p%40ss|p@ss/);
    });

    it('hides a password given in the query string', () => {
        const shown = redact('postgres://vendure@db/vendure?password=s3cret&sslmode=require');
        expect(shown).not.toContain('s3cret');
        expect(shown).toContain('sslmode=require');
    });

    it('leaves a URL without a password as it is', () => {
        expect(redact('http://search.internal:9200')).toBe('http://search.internal:9200');
    });

    it('shows nothing of a string that is not a URL', () => {
        expect(redact('not a url with s3cret')).toBe('<invalid url>');
    });
});
