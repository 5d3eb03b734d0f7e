import path from 'node:path';

/** The default superadmin credentials: accepted only in the embedded default, never against a real database. */
export const DEFAULT_SUPERADMIN = { username: 'superadmin', password: 'superadmin' } as const;

export type DatabaseSettings =
    { kind: 'embedded'; dataDir: string; port: number } | { kind: 'external'; url: string };

/**
 * Everything the server and worker read from the environment, parsed and checked once.
 * Each external service switches its own part on: any subset of them works.
 */
export interface RuntimeSettings {
    port: number;
    dataDir: string;
    database: DatabaseSettings;
    redisUrl?: string;
    elasticsearchUrl?: string;
    superadmin: { username: string; password: string };
    cookieSecret: string;
    /** Populate the demo marketplace on first start. */
    demoData: boolean;
    /** Keep the demo drivers moving and completing their deliveries (driver-dispatch demo fleet). */
    demoFleet: boolean;
    /** Run the job-queue worker and scheduled tasks in the server process (the embedded default). */
    workerInProcess: boolean;
    /** Where uploaded assets are stored. */
    assetDir: string;
    /**
     * Origins allowed to call the APIs from a browser (storefronts), with credentials. `true`
     * allows any origin without credentials (no cookies): the embedded default only, for local
     * development.
     */
    corsOrigins: string[] | true;
    /** Country of postal codes given without one (ISO 3166-1 alpha-2). */
    defaultCountryCode: string;
    /** Cron schedule of driver-dispatch's sweep; unset: the plugin's default (every 20 s). */
    dispatchSweepSchedule?: string;
    /** driver-dispatch's `dispatchMode`; unset: the plugin's default (`nearest`). */
    dispatchMode?: 'nearest' | 'batch';
    /** driver-dispatch's `batchWindowMs` in batch mode; unset: the plugin's default (2000). */
    dispatchBatchWindowMs?: number;
    /** driver-dispatch's `pendingAlertAfterSeconds`; unset: the plugin's default (120). */
    dispatchPendingAlertSeconds?: number;
    /** driver-dispatch's `locationPingLimit` (LOCATION_PING_LIMIT=points/seconds); unset: 10 per 10 s. */
    locationPingLimit?: { points: number; durationSeconds: number };
    /** Where customers reach this server (PUBLIC_BASE_URL): the base of tracking links. */
    publicBaseUrl: string;
    /**
     * Emails go to the email plugin's dev mailbox at /mailbox (files under the data dir) instead of
     * being sent (DEV_MAILBOX; the embedded default). Anyone who can reach the server reads them there.
     */
    devMailbox: boolean;
    /** Without the dev mailbox: the SMTP server that sends the emails (SMTP_URL); unset, none are sent. */
    smtpUrl?: string;
    /** Delivery webhooks may reach private and loopback addresses (WEBHOOKS_ALLOW_PRIVATE_TARGETS=true; tests only). */
    webhooksAllowPrivateTargets: boolean;
    /** First retry delay of the delivery webhooks (WEBHOOK_RETRY_BASE_MS); unset: the plugin's default (10 s). */
    webhookRetryBaseMs?: number;
}

export class SettingsError extends Error {
    constructor(problems: string[]) {
        super(`The server cannot start:\n${problems.map(p => `  - ${p}`).join('\n')}`);
        this.name = 'SettingsError';
    }
}

type Env = Record<string, string | undefined>;

export function readSettings(env: Env = process.env, cwd = process.cwd()): RuntimeSettings {
    const problems: string[] = [];
    const nonEmpty = (name: string): string | undefined => {
        const value = env[name]?.trim();
        return value ? value : undefined;
    };

    const port = parsePort(nonEmpty('PORT') ?? '3000', 'PORT', problems);
    const dataDir = path.resolve(cwd, nonEmpty('DATA_DIR') ?? 'data');
    const databaseUrl = nonEmpty('DATABASE_URL');
    const redisUrl = nonEmpty('REDIS_URL');
    const elasticsearchUrl = nonEmpty('ELASTICSEARCH_URL');

    if (databaseUrl) checkUrl(databaseUrl, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
    if (redisUrl) {
        checkUrl(redisUrl, 'REDIS_URL', ['redis:', 'rediss:'], problems);
        const db = URL.canParse(redisUrl) ? new URL(redisUrl).pathname.replace('/', '') : '';
        if (db && !/^\d+$/.test(db)) problems.push(`REDIS_URL's database must be a number, got "${db}"`);
    }
    if (elasticsearchUrl) checkUrl(elasticsearchUrl, 'ELASTICSEARCH_URL', ['http:', 'https:'], problems);

    const embedded = !databaseUrl;
    const username = nonEmpty('SUPERADMIN_USERNAME');
    const password = nonEmpty('SUPERADMIN_PASSWORD');
    const cookieSecret = nonEmpty('COOKIE_SECRET');
    if (!embedded) {
        if (!username || !password) {
            problems.push('set SUPERADMIN_USERNAME and SUPERADMIN_PASSWORD (required with DATABASE_URL)');
        } else if (password === DEFAULT_SUPERADMIN.password) {
            problems.push(
                `SUPERADMIN_PASSWORD must not be the default "${DEFAULT_SUPERADMIN.password}" with DATABASE_URL`,
            );
        }
        if (!cookieSecret) {
            problems.push('set COOKIE_SECRET to a long random string (required with DATABASE_URL)');
        }
    }

    const demoData = parseBoolean(nonEmpty('DEMO_DATA'), embedded, 'DEMO_DATA', problems);
    const workerInProcess = parseBoolean(
        nonEmpty('WORKER_IN_PROCESS'),
        embedded,
        'WORKER_IN_PROCESS',
        problems,
    );
    const demoFleet = parseBoolean(nonEmpty('DEMO_FLEET'), demoData, 'DEMO_FLEET', problems);
    const embeddedPort = parsePort(
        nonEmpty('EMBEDDED_POSTGRES_PORT') ?? '0',
        'EMBEDDED_POSTGRES_PORT',
        problems,
        true,
    );

    const corsList = (nonEmpty('CORS_ORIGINS') ?? '')
        .split(',')
        .map(origin => origin.trim())
        .filter(Boolean);
    for (const origin of corsList) {
        checkUrl(origin, 'CORS_ORIGINS', ['http:', 'https:'], problems);
        // Browsers send an origin without path or trailing slash, and CORS compares exactly.
        if (/^https?:\/\/[^/]+\/.+|\/$/.test(origin)) {
            problems.push(
                `CORS_ORIGINS entries are origins without a path or trailing slash, got "${origin}"`,
            );
        }
    }

    const defaultCountryCode = (nonEmpty('DEFAULT_COUNTRY_CODE') ?? 'US').toUpperCase();
    if (!/^[A-Z]{2}$/.test(defaultCountryCode)) {
        problems.push(`DEFAULT_COUNTRY_CODE must be a 2-letter country code, got "${defaultCountryCode}"`);
    }

    const dispatchSweepSchedule = nonEmpty('DISPATCH_SWEEP_SCHEDULE');
    if (dispatchSweepSchedule && !/^[\d*/,-]+( [\d*/,-]+){4,5}$/.test(dispatchSweepSchedule)) {
        problems.push(
            `DISPATCH_SWEEP_SCHEDULE must be a cron expression of 5 or 6 fields (e.g. "*/20 * * * * *"), got "${dispatchSweepSchedule.slice(0, 60)}"`,
        );
    }

    const dispatchMode = nonEmpty('DISPATCH_MODE')?.toLowerCase();
    if (dispatchMode && dispatchMode !== 'nearest' && dispatchMode !== 'batch') {
        problems.push(`DISPATCH_MODE must be nearest or batch, got "${dispatchMode.slice(0, 60)}"`);
    }
    const batchWindow = nonEmpty('DISPATCH_BATCH_WINDOW_MS');
    const dispatchBatchWindowMs = batchWindow && /^\d+$/.test(batchWindow) ? Number(batchWindow) : undefined;
    if (batchWindow && !dispatchBatchWindowMs) {
        problems.push(
            `DISPATCH_BATCH_WINDOW_MS must be a whole number of milliseconds above 0, got "${batchWindow.slice(0, 60)}"`,
        );
    }

    const pendingAlert = nonEmpty('DISPATCH_PENDING_ALERT_SECONDS');
    const dispatchPendingAlertSeconds =
        pendingAlert && /^\d+$/.test(pendingAlert) ? Number(pendingAlert) : undefined;
    if (pendingAlert && !dispatchPendingAlertSeconds) {
        problems.push(
            `DISPATCH_PENDING_ALERT_SECONDS must be a whole number of seconds above 0, got "${pendingAlert.slice(0, 60)}"`,
        );
    }

    const pingLimit = nonEmpty('LOCATION_PING_LIMIT');
    const pingLimitMatch = pingLimit ? /^(\d+)\/(\d+)$/.exec(pingLimit) : null;
    const locationPingLimit = pingLimitMatch
        ? { points: Number(pingLimitMatch[1]), durationSeconds: Number(pingLimitMatch[2]) }
        : undefined;
    if (
        pingLimit &&
        (!locationPingLimit || !locationPingLimit.points || !locationPingLimit.durationSeconds)
    ) {
        problems.push(
            `LOCATION_PING_LIMIT must be pings/seconds in whole numbers above 0 (e.g. "10/10"), got "${pingLimit.slice(0, 60)}"`,
        );
    }

    // Tracking links in emails and deliveryTracking; behind a proxy, its public address.
    const publicBaseUrl = nonEmpty('PUBLIC_BASE_URL') ?? `http://localhost:${port}`;
    checkUrl(publicBaseUrl, 'PUBLIC_BASE_URL', ['http:', 'https:'], problems);
    if (URL.canParse(publicBaseUrl) && (new URL(publicBaseUrl).search || new URL(publicBaseUrl).hash)) {
        problems.push('PUBLIC_BASE_URL must not have a query or fragment');
    }

    const devMailbox = parseBoolean(nonEmpty('DEV_MAILBOX'), embedded, 'DEV_MAILBOX', problems);
    const smtpUrl = nonEmpty('SMTP_URL');
    if (smtpUrl) checkUrl(smtpUrl, 'SMTP_URL', ['smtp:', 'smtps:'], problems);
    const allowPrivate = nonEmpty('WEBHOOKS_ALLOW_PRIVATE_TARGETS');
    if (allowPrivate && allowPrivate !== 'true' && allowPrivate !== 'false') {
        problems.push(
            `WEBHOOKS_ALLOW_PRIVATE_TARGETS must be true or false, got "${allowPrivate.slice(0, 60)}"`,
        );
    }
    const retryBase = nonEmpty('WEBHOOK_RETRY_BASE_MS');
    const webhookRetryBaseMs = retryBase && /^\d{1,7}$/.test(retryBase) ? Number(retryBase) : undefined;
    if (retryBase && !webhookRetryBaseMs) {
        problems.push(
            `WEBHOOK_RETRY_BASE_MS must be a whole number of milliseconds above 0, got "${retryBase.slice(0, 60)}"`,
        );
    }

    if (problems.length) throw new SettingsError(problems);

    return {
        port,
        dataDir,
        database: databaseUrl
            ? { kind: 'external', url: databaseUrl }
            : { kind: 'embedded', dataDir: path.join(dataDir, 'postgres'), port: embeddedPort },
        redisUrl,
        elasticsearchUrl,
        superadmin: {
            username: username ?? DEFAULT_SUPERADMIN.username,
            password: password ?? DEFAULT_SUPERADMIN.password,
        },
        // The embedded default is a local demo: a fixed secret there keeps sessions across restarts.
        cookieSecret: cookieSecret ?? 'embedded-default-cookie-secret',
        demoData,
        demoFleet,
        workerInProcess,
        assetDir: path.join(dataDir, 'assets'),
        corsOrigins: corsList.length ? corsList : embedded ? true : [],
        defaultCountryCode,
        publicBaseUrl,
        devMailbox,
        ...(smtpUrl ? { smtpUrl } : {}),
        webhooksAllowPrivateTargets: allowPrivate === 'true',
        ...(webhookRetryBaseMs ? { webhookRetryBaseMs } : {}),
        ...(dispatchSweepSchedule ? { dispatchSweepSchedule } : {}),
        ...(dispatchMode === 'nearest' || dispatchMode === 'batch' ? { dispatchMode } : {}),
        ...(dispatchBatchWindowMs ? { dispatchBatchWindowMs } : {}),
        ...(locationPingLimit ? { locationPingLimit } : {}),
        ...(dispatchPendingAlertSeconds ? { dispatchPendingAlertSeconds } : {}),
    };
}

/** One line for the start log: which database, job queue, driver index and search this run uses. */
export function describeRuntime(settings: RuntimeSettings): string {
    const database =
        settings.database.kind === 'embedded'
            ? `embedded PostgreSQL (${settings.database.dataDir})`
            : `PostgreSQL at ${redact(settings.database.url)}`;
    const redis = settings.redisUrl ? redact(settings.redisUrl) : undefined;
    return [
        `database: ${database}`,
        `job queue: ${redis ? `BullMQ on Redis ${redis}` : 'SQL (DefaultJobQueuePlugin)'}`,
        `driver index: ${redis ? 'Redis GEO' : 'SQL'}`,
        `search: ${settings.elasticsearchUrl ? `Elasticsearch 9 at ${redact(settings.elasticsearchUrl)}` : 'default (SQL)'}`,
        `cache: ${redis ? 'Redis' : 'in-process'}`,
    ].join(' | ');
}

/** Hides the password of a connection URL for logs. */
export function redact(url: string): string {
    try {
        const parsed = new URL(url);
        if (parsed.password) parsed.password = '***';
        // node-postgres also reads a password from the query string.
        if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
        return parsed.toString().replace(/\/$/, '');
    } catch {
        return '<invalid url>';
    }
}

function parsePort(value: string, name: string, problems: string[], allowZero = false): number {
    const port = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
        problems.push(`${name} must be a port number (${allowZero ? 0 : 1}-65535), got "${value}"`);
        return 0;
    }
    return port;
}

function parseBoolean(
    value: string | undefined,
    fallback: boolean,
    name: string,
    problems: string[],
): boolean {
    if (value === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
}

function checkUrl(value: string, name: string, protocols: string[], problems: string[]): void {
    let protocol: string;
    try {
        protocol = new URL(value).protocol;
    } catch {
        problems.push(`${name} is not a valid URL`);
        return;
    }
    if (!protocols.includes(protocol)) {
        problems.push(`${name} must start with ${protocols.map(p => `${p}//`).join(' or ')}`);
    }
}
