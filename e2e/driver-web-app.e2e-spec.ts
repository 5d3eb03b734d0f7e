/**
 * The driver web app at /driver/ in a real browser: Debian's chromium driven by playwright-core
 * (never a downloaded browser), a phone-sized context whose position the test moves
 * (`context.setGeolocation`). One driver walks a whole delivery: log in, go on duty, move (the
 * server sees each position), an order marked ready appears live, picked up while offline (queued,
 * sent once when the connection is back), a wrong code refused with the server's message, the
 * right code delivered; the app reopened offline from its service worker. A failing test leaves a screenshot in e2e/screenshots/ (git-ignored).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { ConfigService, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { placePaidOrder } from './fixtures/checkout';
import { asSuperadmin } from './fixtures/logins';
import {
    CANCEL,
    CREATE_DRIVER,
    DELIVERY,
    Delivery,
    DISABLE_DRIVER,
    DRIVER,
    MARK_READY,
    PICKUP,
    SET_INSTRUCTIONS,
} from './graphql/driver-web-app-documents';
import { ensureChromium } from './setup/chromium';
import { graphql } from './utils/app-process';
import { eventually } from './utils/eventually';

const UI_TIMEOUT = 20_000;
const TEST_TIMEOUT = 60_000;
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
const PASSWORD = 'driver-web-app-1';
const INSTRUCTIONS = 'Ring twice, third floor';

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));
const sql = () => server.app.get(TransactionalConnection).rawConnection;

describe('the driver web app in headless chromium', () => {
    let browser: Browser | undefined;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let port: number;
    let driverId: string;
    let emailAddress: string;
    let assignmentId: string;
    const pageErrors: string[] = [];
    /** The driver channel connections the page opened, in order. */
    const channelUrls: string[] = [];

    async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
        try {
            await steps();
        } catch (error) {
            await fs.mkdir(SCREENSHOTS, { recursive: true });
            const file = path.join(SCREENSHOTS, `driver-web-app-${name}.png`);
            await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.log(`[driver web app e2e] screenshot of the failure: ${file}`);
            throw error;
        }
    }

    async function driverRow() {
        await asSuperadmin(adminClient);
        return (
            await adminClient.query<{
                driver: { status: string; latitude: number | null; longitude: number | null };
            }>(DRIVER, { id: driverId })
        ).driver;
    }

    /** A bearer session of the test's driver, as a native app (or a retrying client) has. */
    async function driverToken(): Promise<string | undefined> {
        const login = await graphql<unknown>(
            port,
            'admin-api',
            'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
            undefined,
            { u: emailAddress, p: PASSWORD },
        );
        return login.token;
    }

    async function delivery(id = assignmentId): Promise<Delivery> {
        await asSuperadmin(adminClient);
        return (await adminClient.query<{ deliveryAssignment: Delivery }>(DELIVERY, { id }))
            .deliveryAssignment;
    }

    /** A new paid order marked ready: it reaches the app as an assigned delivery. */
    async function orderReady(): Promise<string> {
        await asSuperadmin(adminClient);
        const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
        const { markOrderReadyForDispatch } = await adminClient.query<{
            markOrderReadyForDispatch: { id: string };
        }>(MARK_READY, { orderId: order.sellerOrders[0].id });
        await page.locator('[data-testid="delivery"][data-status="ASSIGNED"]').waitFor();
        expect((await delivery(markOrderReadyForDispatch.id)).driver?.id).toBe(driverId);
        return markOrderReadyForDispatch.id;
    }

    beforeAll(async () => {
        const executablePath = ensureChromium(message => console.log(`[driver web app e2e] ${message}`));
        await server.init({ initialData: demoInitialData, customerCount: 1 });
        await populateDemoMarketplace(server.app, { withInitialData: false });
        // Only this test's driver is on duty, so dispatch gives them the order.
        await sql().query(`UPDATE driver SET status = 'OFFLINE'`);
        await asSuperadmin(adminClient);
        emailAddress = `web-app-${Date.now()}@example.com`;
        const { createDriver } = await adminClient.query<{ createDriver: { id: string } }>(CREATE_DRIVER, {
            input: { name: 'Web App Driver', emailAddress, password: PASSWORD },
        });
        driverId = createDriver.id;
        port = server.app.get(ConfigService).apiOptions.port;
        base = `http://127.0.0.1:${port}`;
        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        context = await browser.newContext({
            viewport: { width: 390, height: 844 },
            isMobile: true,
            hasTouch: true,
            permissions: ['geolocation'],
            geolocation: { latitude: city.center.latitude, longitude: city.center.longitude, accuracy: 10 },
        });
        page = await context.newPage();
        page.setDefaultTimeout(UI_TIMEOUT);
        page.on('pageerror', error => pageErrors.push(error.message));
        page.on('websocket', socket => {
            if (socket.url().includes('/dispatch/driver')) channelUrls.push(socket.url());
        });
    }, 240_000);

    afterAll(async () => {
        await browser?.close();
        await server.destroy();
    });

    it(
        'is served at /driver/ as an installable app, and logs a driver in (not a wrong password)',
        async () => {
            await withScreenshot('login', async () => {
                const manifest = await fetch(`${base}/driver/manifest.webmanifest`);
                expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
                expect(await manifest.json()).toMatchObject({ start_url: '/driver/', display: 'standalone' });
                const shell = await fetch(`${base}/driver/deliveries/now`);
                expect(shell.status).toBe(200);
                expect(shell.headers.get('cache-control')).toBe('no-cache');
                expect(await shell.text()).toContain('<div id="root">');

                await page.goto(`${base}/driver/`);
                await page.getByLabel('Email').fill(emailAddress);
                await page.getByLabel('Password').fill('not-the-password');
                await page.getByRole('button', { name: 'Log in' }).click();
                await page.getByText('Wrong email or password.').waitFor();
                await page.getByLabel('Password').fill(PASSWORD);
                await page.getByRole('button', { name: 'Log in' }).click();
                await page.getByRole('heading', { name: 'Web App Driver' }).waitFor();
                expect(await page.getByTestId('driver-status').getAttribute('data-status')).toBe('OFFLINE');
                // Browser code, as a string: this file is type-checked for node.
                const worker = await page.evaluate<string>(
                    'navigator.serviceWorker.ready.then(registration => registration.active.scriptURL)',
                );
                expect(worker).toBe(`${base}/driver/sw.js`);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'goes on duty over the channel and shares a moving position the server sees',
        async () => {
            await withScreenshot('on-duty', async () => {
                await page.getByRole('button', { name: 'Go on duty' }).click();
                await page.locator('[data-testid="driver-status"][data-status="AVAILABLE"]').waitFor();
                expect((await driverRow()).status).toBe('AVAILABLE');
                const at = await eventually(
                    () => driverRow(),
                    row => row.latitude != null && Math.abs(row.latitude - city.center.latitude) < 1e-6,
                    10_000,
                );
                expect(at.longitude).toBeCloseTo(city.center.longitude, 6);
                // 500 m north: the app sends the move, the server's position follows.
                const moved = { latitude: city.center.latitude + 0.0045, longitude: city.center.longitude };
                await context.setGeolocation({ ...moved, accuracy: 10 });
                const after = await eventually(
                    () => driverRow(),
                    row => row.latitude != null && Math.abs(row.latitude - moved.latitude) < 1e-6,
                    10_000,
                );
                expect(after.longitude).toBeCloseTo(moved.longitude, 6);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows an order marked ready live: the store, its distance and a maps link',
        async () => {
            await withScreenshot('assigned', async () => {
                await asSuperadmin(adminClient);
                const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
                await adminClient.query(SET_INSTRUCTIONS, { id: order.id, instructions: INSTRUCTIONS });
                const { markOrderReadyForDispatch } = await adminClient.query<{
                    markOrderReadyForDispatch: { id: string };
                }>(MARK_READY, { orderId: order.sellerOrders[0].id });
                assignmentId = markOrderReadyForDispatch.id;
                const card = page.locator('[data-testid="delivery"][data-status="ASSIGNED"]');
                await card.waitFor();
                expect((await delivery()).driver?.id).toBe(driverId);
                const { deliveryAssignment } = await adminClient.query<{
                    deliveryAssignment: {
                        pickupStockLocation: {
                            name: string;
                            customFields: { latitude: number; longitude: number };
                        };
                    };
                }>(PICKUP, { id: assignmentId });
                const store = deliveryAssignment.pickupStockLocation;
                await card.getByText(store.name, { exact: true }).waitFor();
                expect(await card.getByTestId('distance').innerText()).toMatch(/^\d+(\.\d)? (m|km) away$/);
                const link = await card.getByRole('link', { name: 'Open in maps' }).getAttribute('href');
                expect(link).toContain(
                    `${store.customFields.latitude.toFixed(6)},${store.customFields.longitude.toFixed(6)}`,
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'queues a pickup taken offline and sends it exactly once when the connection is back',
        async () => {
            await withScreenshot('offline-pickup', async () => {
                await context.setOffline(true);
                await page.getByTestId('offline-banner').waitFor();
                await page.getByRole('button', { name: 'Picked up' }).click();
                await page.getByText('Saved: it is sent as soon as you are back online.').waitFor();
                await new Promise(resolve => setTimeout(resolve, 1000));
                expect((await delivery()).status).toBe('ASSIGNED');
                // Reopened without a connection: the service worker's shell, the delivery as last
                // known, and the action still waiting.
                await page.reload();
                await page.locator('[data-testid="delivery"][data-status="ASSIGNED"]').waitFor();
                await page.getByText('1 action(s) waiting to be sent.').waitFor();
                expect((await delivery()).status).toBe('ASSIGNED');

                const connectionsBefore = channelUrls.length;
                await context.setOffline(false);
                await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
                const card = page.locator('[data-testid="delivery"][data-status="PICKED_UP"]');
                await card.waitFor();
                await card.getByText('100 W Randolph St, 60601 Chicago').waitFor();
                console.log(`[driver web app e2e] channel connections: ${channelUrls.join(' ')}`);
                // The channel was reconnected, resuming after the last event the app had seen.
                expect(channelUrls.length).toBeGreaterThan(connectionsBefore);
                expect(channelUrls.at(-1)).toMatch(/\/dispatch\/driver\?lastEventId=/);
                expect(await card.getByTestId('instructions').innerText()).toContain(INSTRUCTIONS);
                const pickups = (await delivery()).events.filter(event => event.toStatus === 'PICKED_UP');
                expect(pickups).toMatchObject([{ toStatus: 'PICKED_UP', actor: `driver:${driverId}` }]);

                // Sent again (a lost answer), the pickup is done already: no error, nothing new.
                const again = await graphql<{ confirmPickup: { __typename: string; status?: string } }>(
                    port,
                    'admin-api',
                    'mutation ($id: ID!) { confirmPickup(assignmentId: $id) { __typename ... on DeliveryAssignment { status } } }',
                    await driverToken(),
                    { id: assignmentId },
                );
                expect(again.data.confirmPickup).toEqual({
                    __typename: 'DeliveryAssignment',
                    status: 'PICKED_UP',
                });
                expect(
                    (await delivery()).events.filter(event => event.toStatus === 'PICKED_UP'),
                ).toHaveLength(1);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        "refuses a wrong code with the server's message, and delivers with the customer's code",
        async () => {
            await withScreenshot('deliver', async () => {
                const [{ deliveryCode }] = await sql().query<Array<{ deliveryCode: string }>>(
                    'SELECT "deliveryCode" FROM delivery_assignment WHERE id = $1',
                    [assignmentId],
                );
                const wrong = deliveryCode === '000000' ? '111111' : '000000';
                await page.getByLabel("The customer's code").fill(wrong);
                await page.getByRole('button', { name: 'Delivered' }).click();
                const refusal = await page.getByTestId('code-error').innerText();
                expect(refusal).toMatch(/code is wrong.*\(4 tries left\)/);
                expect((await delivery()).status).toBe('PICKED_UP');

                await page.getByLabel("The customer's code").fill(deliveryCode);
                await page.getByRole('button', { name: 'Delivered' }).click();
                await page.getByText('Delivered. Thank you!').waitFor();
                await page.getByTestId('delivery').waitFor({ state: 'detached' });
                await page.locator('[data-testid="driver-status"][data-status="AVAILABLE"]').waitFor();
                expect((await delivery()).status).toBe('DELIVERED');
                expect((await driverRow()).status).toBe('AVAILABLE');
                // A delivery sent again (its answer lost) is done already, even with no code.
                const again = await graphql<{ confirmDelivery: { __typename: string; status?: string } }>(
                    port,
                    'admin-api',
                    'mutation ($id: ID!) { confirmDelivery(assignmentId: $id) { __typename ... on DeliveryAssignment { status } } }',
                    await driverToken(),
                    { id: assignmentId },
                );
                expect(again.data.confirmDelivery).toEqual({
                    __typename: 'DeliveryAssignment',
                    status: 'DELIVERED',
                });
                expect(
                    (await delivery()).events.filter(event => event.toStatus === 'DELIVERED'),
                ).toHaveLength(1);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows the lockout after five wrong codes, and a delivery staff cancel leaves the screen live',
        async () => {
            await withScreenshot('lockout', async () => {
                const id = await orderReady();
                await page.getByRole('button', { name: 'Picked up' }).click();
                await page.locator('[data-testid="delivery"][data-status="PICKED_UP"]').waitFor();
                const [{ deliveryCode }] = await sql().query<Array<{ deliveryCode: string }>>(
                    'SELECT "deliveryCode" FROM delivery_assignment WHERE id = $1',
                    [id],
                );
                const wrong = deliveryCode === '000000' ? '111111' : '000000';
                const refusal = page.getByTestId('code-error');
                for (const left of [4, 3, 2, 1]) {
                    await page.getByLabel("The customer's code").fill(wrong);
                    await page.getByRole('button', { name: 'Delivered' }).click();
                    await page.getByText(`(${left} ${left === 1 ? 'try' : 'tries'} left)`).waitFor();
                }
                await page.getByLabel("The customer's code").fill(wrong);
                await page.getByRole('button', { name: 'Delivered' }).click();
                await page.getByText(/That was the last try: the delivery is locked until/).waitFor();
                // Locked: even the right code is refused, and the app says so.
                await page.getByLabel("The customer's code").fill(deliveryCode);
                await page.getByRole('button', { name: 'Delivered' }).click();
                await page
                    .getByText(/Too many wrong delivery codes: this delivery is locked until/)
                    .waitFor();
                expect(await refusal.innerText()).toMatch(/Ask dispatch to confirm it/);
                expect((await delivery(id)).status).toBe('PICKED_UP');

                await asSuperadmin(adminClient);
                await adminClient.query(CANCEL, { id });
                await page.getByTestId('delivery').waitFor({ state: 'detached' });
                await page.locator('[data-testid="driver-status"][data-status="AVAILABLE"]').waitFor();
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'declines a delivery with a reason, and reports one that could not be delivered',
        async () => {
            await withScreenshot('decline-fail', async () => {
                const declined = await orderReady();
                await page.getByText('Decline', { exact: true }).click();
                await page.getByLabel('Why (optional)').fill('Flat tyre');
                await page.getByRole('button', { name: 'Decline delivery' }).click();
                await page.getByText('Declined: the delivery goes to another driver').waitFor();
                await page.getByTestId('delivery').waitFor({ state: 'detached' });
                const afterDecline = await delivery(declined);
                expect(afterDecline.status).toBe('PENDING');
                expect(afterDecline.events.at(-1)).toMatchObject({
                    toStatus: 'PENDING',
                    reasonCode: 'DRIVER_DECLINED',
                    note: 'Flat tyre',
                    actor: `driver:${driverId}`,
                });

                const failed = await orderReady();
                await page.getByText('Could not deliver', { exact: true }).click();
                await page.getByLabel('What happened').selectOption('TIMEOUT');
                await page.getByLabel('Note (optional)').fill('Store closed');
                await page.getByRole('button', { name: 'Report: could not deliver' }).click();
                await page.getByText('Reported: the office takes it from here').waitFor();
                await page.getByTestId('delivery').waitFor({ state: 'detached' });
                const afterFailure = await delivery(failed);
                expect(afterFailure.status).toBe('FAILED');
                expect(afterFailure.events.at(-1)).toMatchObject({
                    reasonCode: 'TIMEOUT',
                    note: 'Store closed',
                });
                // The declined delivery waits for another driver; nobody else is on duty.
                expect((await delivery(declined)).status).toBe('PENDING');
                await page.locator('[data-testid="driver-status"][data-status="AVAILABLE"]').waitFor();
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'ends the session at once when staff disable the driver, back at the login saying why',
        async () => {
            await withScreenshot('disabled', async () => {
                await asSuperadmin(adminClient);
                await adminClient.query(DISABLE_DRIVER, { id: driverId });
                await page
                    .getByText('This login may not drive (disabled or not a driver): ask the office.')
                    .waitFor();
                await page.getByRole('button', { name: 'Log in' }).waitFor();
                expect(
                    await page.evaluate<number>(
                        'Object.keys(localStorage).filter(key => !key.includes("queued")).length',
                    ),
                ).toBe(0);
                expect(pageErrors).toEqual([]);
            });
        },
        TEST_TIMEOUT,
    );
});
