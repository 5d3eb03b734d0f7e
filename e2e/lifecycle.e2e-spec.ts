/**
 * The app as a user runs it: `node dist/src/index.js` (after `npm run build`), in the embedded
 * default and in production mode (DATABASE_URL + REDIS_URL, a separate worker process).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

import { freePort } from '../src/runtime/embedded-postgres';
import { dispatchAcceptance } from './acceptance/dispatch-acceptance';
import { e2eEnv } from './config/e2e-env';
import { Mailbox } from './fixtures/mailbox';
import { AppProcess, graphql, isAlive, readiness, startApp, stopApp, waitFor } from './utils/app-process';
import { databaseUrl as urlOf, freshDatabase } from './utils/database';
import { eventually } from './utils/eventually';

const FIRST_START_TIMEOUT = 180_000;

interface Counts {
    products: number;
    searchable: number;
    sellers: number;
    geoStores: number;
}

async function counts(port: number, username: string, password: string): Promise<Counts> {
    const shop = await graphql<{ products: { totalItems: number }; search: { totalItems: number } }>(
        port,
        'shop-api',
        '{ products(options: { take: 1 }) { totalItems } search(input: { take: 1 }) { totalItems } }',
    );
    const login = await graphql<{ login: { identifier?: string } }>(
        port,
        'admin-api',
        `mutation { login(username: "${username}", password: "${password}") { ... on CurrentUser { identifier } } }`,
    );
    expect(login.data.login.identifier).toBe(username);
    const admin = await graphql<{
        sellers: { totalItems: number };
        stockLocations: {
            items: Array<{ customFields: { latitude: number | null; longitude: number | null } }>;
        };
    }>(
        port,
        'admin-api',
        '{ sellers { totalItems } stockLocations(options: { take: 100 }) { items { customFields { latitude longitude } } } }',
        login.token,
    );
    return {
        products: shop.data.products.totalItems,
        searchable: shop.data.search.totalItems,
        sellers: admin.data.sellers.totalItems,
        geoStores: admin.data.stockLocations.items.filter(
            item => item.customFields.latitude != null && item.customFields.longitude != null,
        ).length,
    };
}

async function readPostgresPid(dataDir: string): Promise<number> {
    const pidFile = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
    return Number(pidFile.split('\n')[0]);
}

/** The 5 km rule as a shop client meets it on the demo server (Chicago). */
async function acceptance(port: number) {
    const near = { postalCode: '60601' };
    const far = { postalCode: '60633' };
    const search = (location?: object) =>
        graphql<{
            search: {
                totalItems: number;
                items: Array<{ fastDelivery: boolean; nearestStoreDistanceKm: number | null }>;
            };
        }>(
            port,
            'shop-api',
            `{ search(input: { take: 100${location ? `, deliveryLocation: ${gqlObject(location)}` : ''} }) {
                totalItems items { productVariantId fastDelivery nearestStoreDistanceKm } } }`,
        );
    const nearResults = (await search(near)).data.search;
    expect(nearResults.totalItems).toBeGreaterThan(0);
    expect(
        nearResults.items.every(item => item.fastDelivery && (item.nearestStoreDistanceKm ?? 99) <= 5),
    ).toBe(true);
    expect((await search(far)).data.search.totalItems).toBe(0);
    const unfiltered = (await search()).data.search;
    expect(unfiltered.totalItems).toBeGreaterThan(nearResults.totalItems);
    expect(unfiltered.items.every(item => !item.fastDelivery && item.nearestStoreDistanceKm === null)).toBe(
        true,
    );

    const stores = await graphql<{ nearbyStores: Array<{ distanceKm: number }> }>(
        port,
        'shop-api',
        `{ nearbyStores(location: ${gqlObject(near)}) { distanceKm } }`,
    );
    expect(stores.data.nearbyStores.length).toBeGreaterThanOrEqual(3);

    const variantId = (nearResults.items[0] as unknown as { productVariantId: string }).productVariantId;
    const setFar = await graphql<{ setDeliveryLocation: { __typename: string } }>(
        port,
        'shop-api',
        `mutation { setDeliveryLocation(input: ${gqlObject(far)}) { __typename } }`,
    );
    const token = setFar.token;
    const refused = await graphql<{ addItemToOrder: { interceptorError?: string } }>(
        port,
        'shop-api',
        `mutation { addItemToOrder(productVariantId: "${variantId}", quantity: 1) { ... on OrderInterceptorError { interceptorError } } }`,
        token,
    );
    expect(refused.data.addItemToOrder.interceptorError).toMatch(/cannot be delivered/);
    await graphql(
        port,
        'shop-api',
        `mutation { setDeliveryLocation(input: ${gqlObject(near)}) { __typename } }`,
        token,
    );
    const accepted = await graphql<{ addItemToOrder: { lines?: unknown[] } }>(
        port,
        'shop-api',
        `mutation { addItemToOrder(productVariantId: "${variantId}", quantity: 1) { ... on Order { lines { id } } } }`,
        token,
    );
    expect(accepted.data.addItemToOrder.lines).toHaveLength(1);
}

function gqlObject(value: object): string {
    return `{ ${Object.entries(value)
        .map(([key, v]) => `${key}: ${JSON.stringify(v)}`)
        .join(', ')} }`;
}

describe('embedded default: npm start on a fresh data folder', () => {
    let dataDir: string;
    let port: number;
    let app: AppProcess | undefined;

    beforeAll(async () => {
        dataDir = path.join(e2eEnv('tmpDir'), 'lifecycle-embedded');
        port = await freePort();
    });

    afterEach(async () => {
        if (app && app.child.exitCode === null) await stopApp(app, 'SIGKILL');
        app = undefined;
    });

    let firstCounts: Counts;

    it('starts its own PostgreSQL, populates the demo marketplace and reports ready', async () => {
        app = startApp('index', { DATA_DIR: dataDir, PORT: String(port) });
        const readyMs = await waitFor(
            'readiness',
            async () => (await readiness(port)).status === 200,
            FIRST_START_TIMEOUT,
            app,
        );
        console.log(`embedded default, first start (initdb, migrations, demo data): ready in ${readyMs} ms`);
        expect(app.output()).toMatch(
            /database: embedded PostgreSQL .* job queue: SQL .* driver index: SQL .* search: default/,
        );
        expect((await readiness(port)).body).toMatchObject({
            status: 'ready',
            parts: { database: { state: 'up' } },
        });

        firstCounts = await counts(port, 'superadmin', 'superadmin');
        expect(firstCounts.products).toBeGreaterThanOrEqual(50);
        expect(firstCounts.searchable).toBeGreaterThanOrEqual(firstCounts.products);
        // Three verified sellers, the unverified fourth, the default channel's seller.
        expect(firstCounts.sellers).toBe(5);
        expect(firstCounts.geoStores).toBeGreaterThanOrEqual(8);

        const postgresPid = await readPostgresPid(dataDir);
        expect(isAlive(postgresPid)).toBe(true);
        const stopped = await stopApp(app, 'SIGTERM');
        console.log(`embedded default: SIGTERM to exit in ${stopped.ms} ms`);
        expect(stopped.code).toBe(0);
        expect(stopped.ms).toBeLessThan(10_000);
        expect(isAlive(postgresPid)).toBe(false);
    }, 240_000);

    it('starts again on the same data without duplicating it, and stops on SIGINT', async () => {
        app = startApp('index', { DATA_DIR: dataDir, PORT: String(port) });
        const readyMs = await waitFor(
            'readiness',
            async () => (await readiness(port)).status === 200,
            60_000,
            app,
        );
        console.log(`embedded default, second start: ready in ${readyMs} ms`);
        expect(app.output()).toContain('Demo marketplace already populated');
        expect(await counts(port, 'superadmin', 'superadmin')).toEqual(firstCounts);
        await acceptance(port);
        const { delivered } = await dispatchAcceptance(port, {
            username: 'superadmin',
            password: 'superadmin',
        });
        // The demo's dev mailbox has the customer's delivery emails, the first with a tracking
        // link to this server that works.
        const mailbox = new Mailbox(`http://127.0.0.1:${port}`);
        const subjects = [
            `Your driver is on the way with order ${delivered.code}`,
            `Order ${delivered.code} has been picked up`,
            `Order ${delivered.code} has been delivered`,
        ];
        const emails = await eventually(
            () => mailbox.emailsTo(delivered.emailAddress),
            found => subjects.every(subject => found.some(email => email.subject === subject)),
            30_000,
        );
        for (const subject of subjects) {
            expect(emails.filter(email => email.subject === subject)).toHaveLength(1);
        }
        const onTheWay = emails.find(email => email.subject === subjects[0]);
        const link = /href="(http:\/\/localhost:\d+\/track\/[A-Za-z0-9_-]{32})"/.exec(
            onTheWay?.body ?? '',
        )?.[1];
        expect(link).toBeDefined();
        const page = await fetch((link ?? '').replace('localhost', '127.0.0.1'));
        expect(page.status).toBe(200);

        const postgresPid = await readPostgresPid(dataDir);
        const stopped = await stopApp(app, 'SIGINT');
        expect(stopped.code).toBe(0);
        expect(stopped.ms).toBeLessThan(10_000);
        expect(isAlive(postgresPid)).toBe(false);
    }, 360_000);
});

describe('production: DATABASE_URL and REDIS_URL, server and worker processes', () => {
    const database = 'e2e_lifecycle_production';
    let databaseUrl: string;
    let env: Record<string, string>;
    let server: AppProcess | undefined;
    let worker: AppProcess | undefined;
    let port: number;

    beforeAll(async () => {
        databaseUrl = urlOf(await freshDatabase(database));
        port = await freePort();
        env = {
            DATABASE_URL: databaseUrl,
            REDIS_URL: e2eEnv('redisUrl'),
            PORT: String(port),
            DATA_DIR: path.join(e2eEnv('tmpDir'), 'lifecycle-production'),
            SUPERADMIN_USERNAME: 'operator',
            SUPERADMIN_PASSWORD: 'a-long-production-password',
            COOKIE_SECRET: 'a-long-random-cookie-secret-for-the-e2e-run',
        };
    });

    afterAll(async () => {
        for (const app of [server, worker])
            if (app && app.child.exitCode === null) await stopApp(app, 'SIGKILL');
    });

    it('refuses to start on default credentials or without COOKIE_SECRET, saying what to set', async () => {
        const refused = startApp('index', { DATABASE_URL: databaseUrl, PORT: String(port) });
        const { code } = await refused.exited;
        expect(code).toBe(1);
        expect(refused.output()).toContain('SUPERADMIN_PASSWORD');
        expect(refused.output()).toContain('COOKIE_SECRET');

        const withDefaults = startApp('index', {
            ...env,
            SUPERADMIN_USERNAME: 'superadmin',
            SUPERADMIN_PASSWORD: 'superadmin',
        });
        expect((await withDefaults.exited).code).toBe(1);
        expect(withDefaults.output()).toContain('must not be the default');
    }, 60_000);

    it('runs the migrations, says BullMQ, and processes jobs in a separate worker', async () => {
        server = startApp('index', { ...env, DEMO_DATA: 'true' });
        worker = startApp('index-worker', env);
        const readyMs = await waitFor(
            'readiness',
            async () => (await readiness(port)).status === 200,
            FIRST_START_TIMEOUT,
            server,
        );
        console.log(`production mode with demo data and a separate worker: ready in ${readyMs} ms`);
        expect(server.output()).toMatch(
            /Starting server: database: PostgreSQL at .* job queue: BullMQ on Redis/,
        );
        expect(server.output()).not.toContain(env.SUPERADMIN_PASSWORD);
        expect(worker.output()).toMatch(/Starting worker: .*BullMQ/);
        expect((await readiness(port)).body).toMatchObject({
            parts: { database: { state: 'up' }, redis: { state: 'up' } },
        });

        const client = new Client({ connectionString: databaseUrl });
        await client.connect();
        const migrations = await client.query<{ name: string }>('SELECT name FROM migrations');
        await client.end();
        expect(migrations.rows.map(row => row.name)).toContain('InitialSchema1795733480607');

        // The search index is built by the reindex job, which only the worker process runs.
        const result = await counts(port, env.SUPERADMIN_USERNAME, env.SUPERADMIN_PASSWORD);
        expect(result.products).toBeGreaterThanOrEqual(50);
        expect(result.searchable).toBeGreaterThanOrEqual(result.products);
        await acceptance(port);
        // Dispatch jobs run in the worker process, on BullMQ; drivers match through Redis GEO.
        await dispatchAcceptance(port, {
            username: env.SUPERADMIN_USERNAME,
            password: env.SUPERADMIN_PASSWORD,
        });

        const [serverStop, workerStop] = await Promise.all([stopApp(server), stopApp(worker)]);
        expect(serverStop).toMatchObject({ code: 0 });
        expect(workerStop).toMatchObject({ code: 0 });
        expect(Math.max(serverStop.ms, workerStop.ms)).toBeLessThan(10_000);
    }, 360_000);
});
