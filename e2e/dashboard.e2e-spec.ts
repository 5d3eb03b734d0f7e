/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser) against the built app as `npm start` runs it (dist/src/index.js serving dist/dashboard),
 * with the embedded demo (20 drivers, 3 verified sellers and an unverified fourth, 11 stores, the demo fleet). A failing test leaves a
 * screenshot in e2e/screenshots/ (git-ignored).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';

import { loadDemoCity } from '../src/demo/demo-data';
import { DEMO_SELLER_PASSWORD } from '../src/demo/populate-demo';
import { freePort } from '../src/runtime/embedded-postgres';
import { paidSellerOrder } from './acceptance/dispatch-acceptance';
import { e2eEnv } from './config/e2e-env';
import { ensureChromium } from './setup/chromium';
import { AppProcess, graphql, readiness, startApp, stopApp, waitFor } from './utils/app-process';

const FIRST_START_TIMEOUT = 180_000;
const UI_TIMEOUT = 30_000;
/** One browser test: a few page loads and waits of at most UI_TIMEOUT each. */
const TEST_TIMEOUT = 120_000;
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
const CREDENTIALS = { username: 'superadmin', password: 'superadmin' };

describe('dashboard in headless chromium', () => {
    let app: AppProcess | undefined;
    let port: number;
    let base: string;
    let browser: Browser | undefined;
    let page: Page;
    let staffToken: string;
    /** The seller order marked ready through the dashboard, and its page. */
    let marked: { code: string; url: string } | undefined;
    /** The delivery failed through the API for the retry tests, and whose it is. */
    let failed: { assignmentId: string; url: string; failedDriverId: string; channels: string[] } | undefined;
    const consoleErrors: string[] = [];
    /** HTTP statuses of the dashboard's requests to the live event stream. */
    const streamStatuses: number[] = [];

    /** Runs one test's steps; on failure saves a screenshot named after the test, then fails. */
    async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
        try {
            await steps();
        } catch (error) {
            await fs.mkdir(SCREENSHOTS, { recursive: true });
            const file = path.join(SCREENSHOTS, `dashboard-${name}.png`);
            await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.log(`[dashboard e2e] screenshot of the failure: ${file}`);
            throw error;
        }
    }

    /** Failed tile loads are expected offline, and so is a 404 from a server without the event stream. */
    function isExpected(message: ConsoleMessage): boolean {
        const url = message.location().url ?? '';
        const fromApp = url.startsWith(`http://127.0.0.1:${port}/`) && !url.includes('/dispatch/events');
        return message.text().startsWith('Failed to load resource') && !fromApp;
    }

    beforeAll(async () => {
        const executablePath = ensureChromium(message => console.log(`[dashboard e2e] ${message}`));
        port = await freePort();
        base = `http://127.0.0.1:${port}/dashboard`;
        app = startApp('index', {
            DATA_DIR: path.join(e2eEnv('tmpDir'), 'dashboard-embedded'),
            PORT: String(port),
        });
        const started = Date.now();
        await waitFor(
            'the demo server to be ready',
            async () => (await readiness(port)).status === 200,
            FIRST_START_TIMEOUT,
            app,
        );
        console.log(`[dashboard e2e] demo server ready in ${Date.now() - started} ms`);
        const login = await graphql<{ login: { identifier?: string } }>(
            port,
            'admin-api',
            `mutation { login(username: "${CREDENTIALS.username}", password: "${CREDENTIALS.password}") { ... on CurrentUser { identifier } } }`,
        );
        staffToken = login.token ?? '';
        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        page.setDefaultTimeout(UI_TIMEOUT);
        page.on('console', message => {
            if (message.type() === 'error' && !isExpected(message)) {
                consoleErrors.push(`${message.text()} (${message.location().url})`);
            }
        });
        page.on('pageerror', error => consoleErrors.push(`uncaught: ${error.message}`));
        page.on('response', response => {
            if (response.url().includes('/dispatch/events')) streamStatuses.push(response.status());
        });
    }, FIRST_START_TIMEOUT + 120_000);

    afterAll(async () => {
        await browser?.close();
        if (app && app.child.exitCode === null) await stopApp(app);
    });

    it(
        'logs in as the superadmin',
        async () => {
            await withScreenshot('login', async () => {
                const started = Date.now();
                await page.goto(`${base}/login`);
                await page.locator('input[name="username"]').fill(CREDENTIALS.username);
                await page.locator('input[name="password"]').fill(CREDENTIALS.password);
                await page.locator('button[type="submit"]').click();
                await page.waitForURL(url => !url.pathname.endsWith('/login'));
                await page.getByRole('button', { name: 'Delivery', exact: true }).waitFor();
                console.log(`[dashboard e2e] logged in in ${Date.now() - started} ms`);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'lists the demo drivers, searchable by name and filtered by status',
        async () => {
            await withScreenshot('drivers', async () => {
                await openDeliveryPage(page, 'Drivers');
                await page.waitForURL(/\/dashboard\/drivers$/);
                await expectCount(page.getByTestId('driver-row'), 20);
                const first = await page.getByTestId('driver-row').first().locator('a').first().innerText();
                await page.getByLabel('Search by name').fill(first);
                await expectCount(page.getByTestId('driver-row'), 1);
                await page.getByLabel('Search by name').fill('');
                await page.getByLabel('Status').selectOption('BUSY');
                await waitUntil('only BUSY drivers listed', async () =>
                    (await page.getByTestId('driver-row').locator('[data-status]').allInnerTexts()).every(
                        text => text === 'BUSY',
                    ),
                );
                await page.getByLabel('Status').selectOption('');
                await expectCount(page.getByTestId('driver-row'), 20);
                await page.getByTestId('driver-row').first().locator('a').first().click();
                await page.getByRole('heading', { name: first }).waitFor();
                await page.getByText('Recent deliveries', { exact: true }).waitFor();
                // The link staff hand to the driver: this server's driver web app.
                const link = await page.getByTestId('driver-app-link').getAttribute('href');
                expect(link).toBe(`http://127.0.0.1:${port}/driver/`);
                const app = await fetch(link ?? '');
                expect(app.status).toBe(200);
                expect(await app.text()).toContain(
                    '<link rel="manifest" href="/driver/manifest.webmanifest"',
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'disables a driver from their page, and enables them again',
        async () => {
            await withScreenshot('disable-driver', async () => {
                const driversNow = async () =>
                    (
                        await graphql<{
                            drivers: { items: Array<{ id: string; status: string; enabled: boolean }> };
                        }>(
                            port,
                            'admin-api',
                            '{ drivers(options: { take: 1000 }) { items { id status enabled } } }',
                            staffToken,
                        )
                    ).data.drivers.items;
                const driver = (await driversNow()).find(item => item.enabled && item.status !== 'BUSY');
                if (!driver) throw new Error('No driver off a delivery to disable');
                await page.goto(`${base}/drivers/${driver.id}`);
                const state = page.getByTestId('driver-enabled');
                await state.waitFor();
                expect(await state.getAttribute('data-enabled')).toBe('true');
                await page.getByRole('button', { name: 'Disable driver', exact: true }).click();
                await waitUntil(
                    'the page to show the driver disabled',
                    async () => (await state.getAttribute('data-enabled')) === 'false',
                );
                expect((await driversNow()).find(item => item.id === driver.id)).toMatchObject({
                    enabled: false,
                    status: 'OFFLINE',
                });
                await page.getByRole('button', { name: 'Enable driver', exact: true }).click();
                await waitUntil(
                    'the page to show the driver enabled',
                    async () => (await state.getAttribute('data-enabled')) === 'true',
                );
                expect((await driversNow()).find(item => item.id === driver.id)).toMatchObject({
                    enabled: true,
                    status: 'OFFLINE',
                });
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'creates a driver with their login, and edits them',
        async () => {
            await withScreenshot('create-driver', async () => {
                const email = `dashboard-driver-${Date.now()}@example.com`;
                await page.goto(`${base}/drivers/new`);
                await page.locator('#driver-name').fill('Dashboard Driver');
                await page.locator('#driver-email').fill(email);
                await page.locator('#driver-password').fill('dashboard-password');
                await page.getByRole('button', { name: 'Create', exact: true }).click();
                await page.getByRole('heading', { name: 'Dashboard Driver' }).waitFor();
                await page.locator('#driver-phone').fill('+1 312 555 0100');
                await page.getByRole('button', { name: 'Update', exact: true }).click();
                const created = async () =>
                    (
                        await graphql<{
                            drivers: { items: Array<{ phoneNumber: string | null; status: string }> };
                        }>(
                            port,
                            'admin-api',
                            `{ drivers(options: { filter: { emailAddress: { eq: "${email}" } } }) { items { phoneNumber status } } }`,
                            staffToken,
                        )
                    ).data.drivers.items;
                await waitUntil(
                    'the phone number to be saved',
                    async () => (await created())[0]?.phoneNumber === '+1 312 555 0100',
                );
                expect(await created()).toEqual([{ phoneNumber: '+1 312 555 0100', status: 'OFFLINE' }]);
                // The new login works: the driver can log in to the admin API.
                const login = await graphql<{ login: { identifier?: string } }>(
                    port,
                    'admin-api',
                    `mutation { login(username: "${email}", password: "dashboard-password") { ... on CurrentUser { identifier } } }`,
                );
                expect(login.data.login.identifier).toBe(email);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows every driver and store on the live map, without tiles',
        async () => {
            await withScreenshot('map', async () => {
                await openDeliveryPage(page, 'Live map');
                await page.waitForURL(/\/dashboard\/dispatch\/map$/);
                const { drivers } = (
                    await graphql<{ drivers: { items: Array<{ latitude: number | null }> } }>(
                        port,
                        'admin-api',
                        '{ drivers(options: { take: 1000 }) { items { latitude } } }',
                        staffToken,
                    )
                ).data;
                const positioned = drivers.items.filter(driver => driver.latitude != null).length;
                expect(positioned).toBe(20);
                await expectCount(page.locator('.vqd-driver-marker'), positioned);
                // Staff see every store, the unverified fourth seller's too.
                await expectCount(page.locator('.vqd-store-marker'), 11);
                // The map follows the live event stream (and polls besides).
                await waitUntil('the live event stream to be open', () =>
                    Promise.resolve(streamStatuses.includes(200)),
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        "shows a store's coordinates on a small map on its stock location page",
        async () => {
            await withScreenshot('store-map', async () => {
                const { stockLocations } = (
                    await graphql<{
                        stockLocations: {
                            items: Array<{
                                id: string;
                                customFields: { latitude: number | null; longitude: number | null };
                            }>;
                        };
                    }>(
                        port,
                        'admin-api',
                        '{ stockLocations(options: { take: 100 }) { items { id customFields { latitude longitude } } } }',
                        staffToken,
                    )
                ).data;
                const store = stockLocations.items.find(item => item.customFields.latitude != null);
                if (!store) throw new Error('No store with coordinates');
                await page.goto(`${base}/stock-locations/${store.id}`);
                const block = page.getByTestId('store-location-map');
                await block.locator('.vqd-store-point').waitFor();
                expect(await block.innerText()).toContain(
                    `${store.customFields.latitude?.toFixed(5)}, ${store.customFields.longitude?.toFixed(5)}`,
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'marks a paid order ready from its page and sees its delivery on the board',
        async () => {
            await withScreenshot('mark-ready', async () => {
                const order = await paidSellerOrder(port, staffToken);
                const { order: sellerOrder } = (
                    await graphql<{ order: { code: string; aggregateOrderId: string } }>(
                        port,
                        'admin-api',
                        'query ($id: ID!) { order(id: $id) { code aggregateOrderId } }',
                        staffToken,
                        { id: order.sellerOrderId },
                    )
                ).data;
                const url = `${base}/orders/${sellerOrder.aggregateOrderId}/seller-orders/${order.sellerOrderId}`;
                marked = { code: sellerOrder.code, url };
                await page.goto(url);
                const panel = page.getByTestId('order-delivery-panel');
                await panel.getByRole('button', { name: 'Mark ready for dispatch' }).click();
                // Dispatched at once to a demo driver (the demo fleet then drives it to the door).
                await waitUntil('the panel shows the delivery', async () =>
                    ['PENDING', 'ASSIGNED', 'PICKED_UP', 'DELIVERED'].includes(
                        (await panel.getAttribute('data-status')) ?? '',
                    ),
                );
                await panel.getByTestId('delivery-timeline').waitFor();

                await openDeliveryPage(page, 'Dispatch board');
                await page.waitForURL(/\/dashboard\/dispatch\/board$/);
                const card = page.locator(
                    `[data-testid="assignment-card"][data-order-code="${sellerOrder.code}"]`,
                );
                await card.waitFor();
                expect(['PENDING', 'ASSIGNED', 'PICKED_UP', 'DELIVERED']).toContain(
                    await card.getAttribute('data-status'),
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'runs that delivery to Delivered from the order panel, and the board follows',
        async () => {
            await withScreenshot('deliver', async () => {
                if (!marked) throw new Error('No order was marked ready by the test before');
                await page.goto(marked.url);
                const panel = page.getByTestId('order-delivery-panel');
                await panel.getByTestId('delivery-timeline').waitFor();
                // Staff confirm each step; the demo fleet may take a step first, which is fine:
                // either way the panel must move on to DELIVERED.
                await waitUntil(
                    'the delivery to be DELIVERED',
                    async () => {
                        const status = await panel.getAttribute('data-status');
                        if (status === 'DELIVERED') return true;
                        const step = status === 'ASSIGNED' ? 'Confirm pickup' : 'Confirm delivery';
                        const button = panel.getByRole('button', { name: step, exact: true });
                        // Only an enabled button, and never wait on it: while a confirmation runs
                        // the button is disabled, then gone, and a plain click() would sit out
                        // UI_TIMEOUT on it (past this wait's deadline on a loaded machine).
                        const open = ['ASSIGNED', 'PICKED_UP'].includes(status ?? '');
                        if (open && (await button.isVisible()) && (await button.isEnabled())) {
                            await button.click({ timeout: 2_000 });
                        }
                        return false;
                    },
                    60_000,
                );
                const timeline = panel.getByTestId('delivery-timeline');
                await timeline.locator('[data-status="PICKED_UP"]').first().waitFor();
                await timeline.locator('[data-status="DELIVERED"]').first().waitFor();
                await openDeliveryPage(page, 'Dispatch board');
                await page
                    .locator(
                        `[data-testid="assignment-card"][data-order-code="${marked.code}"][data-status="DELIVERED"]`,
                    )
                    .waitFor();
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows a delivery its driver failed on the board, with Retry delivery',
        async () => {
            await withScreenshot('failed', async () => {
                const admin = async <T>(query: string, variables?: Record<string, unknown>) =>
                    (await graphql<T>(port, 'admin-api', query, staffToken, variables)).data;
                const order = await paidSellerOrder(port, staffToken);
                const { order: sellerOrder } = await admin<{
                    order: { code: string; aggregateOrderId: string; channels: Array<{ code: string }> };
                }>('query ($id: ID!) { order(id: $id) { code aggregateOrderId channels { code } } }', {
                    id: order.sellerOrderId,
                });
                const { markOrderReadyForDispatch: ready } = await admin<{
                    markOrderReadyForDispatch: { id?: string; message?: string };
                }>(
                    'mutation ($id: ID!) { markOrderReadyForDispatch(orderId: $id) { ... on DeliveryAssignment { id } ... on ErrorResult { message } } }',
                    { id: order.sellerOrderId },
                );
                if (!ready.id) throw new Error(`Not ready for dispatch: ${ready.message}`);
                const assignmentId = ready.id;
                // Dispatch hands it to a demo driver at once; that driver then fails it (reported by staff).
                let driverId = '';
                await waitUntil('the delivery to be assigned', async () => {
                    const { deliveryAssignment } = await admin<{
                        deliveryAssignment: { status: string; driver: { id: string } | null };
                    }>('query ($id: ID!) { deliveryAssignment(id: $id) { status driver { id } } }', {
                        id: assignmentId,
                    });
                    driverId = deliveryAssignment.driver?.id ?? '';
                    return ['ASSIGNED', 'PICKED_UP'].includes(deliveryAssignment.status) && !!driverId;
                });
                const { reportDeliveryFailed } = await admin<{ reportDeliveryFailed: { status?: string } }>(
                    'mutation ($id: ID!) { reportDeliveryFailed(assignmentId: $id, reasonCode: "DELIVERY_FAILED", note: "dashboard e2e") { ... on DeliveryAssignment { status } ... on ErrorResult { message } } }',
                    { id: assignmentId },
                );
                expect(reportDeliveryFailed).toEqual({ status: 'FAILED' });
                failed = {
                    assignmentId,
                    url: `${base}/orders/${sellerOrder.aggregateOrderId}/seller-orders/${order.sellerOrderId}`,
                    failedDriverId: driverId,
                    channels: sellerOrder.channels.map(channel => channel.code),
                };

                await page.goto(`${base}/dispatch/board`);
                const card = page.locator(
                    `[data-testid="assignment-card"][data-assignment-id="${assignmentId}"][data-status="FAILED"]`,
                );
                await card.waitFor();
                await card.getByRole('button', { name: 'Retry delivery', exact: true }).waitFor();
            });
        },
        TEST_TIMEOUT,
    );

    it(
        "shows a seller's staff only what their permissions allow",
        async () => {
            await withScreenshot('seller-staff', async () => {
                // The seller whose order was failed, so that their board shows a FAILED delivery.
                const sellers = loadDemoCity().sellers;
                const seller =
                    sellers.find(candidate => failed?.channels.includes(candidate.code)) ?? sellers[0];
                const context = await browser?.newContext({ viewport: { width: 1400, height: 1000 } });
                if (!context) throw new Error('No browser');
                const sellerPage = await context.newPage();
                sellerPage.setDefaultTimeout(UI_TIMEOUT);
                try {
                    await sellerPage.goto(`${base}/login`);
                    await sellerPage.locator('input[name="username"]').fill(`${seller.code}@demo.example`);
                    await sellerPage.locator('input[name="password"]').fill(DEMO_SELLER_PASSWORD);
                    await sellerPage.locator('button[type="submit"]').click();
                    await sellerPage.waitForURL(url => !url.pathname.endsWith('/login'));
                    // ReadOrder but neither ReadDriver nor ManageDispatch: the board, read-only.
                    await openDeliveryPage(sellerPage, 'Dispatch board');
                    await sellerPage.waitForURL(/\/dashboard\/dispatch\/board$/);
                    expect(await sellerPage.getByRole('link', { name: 'Drivers', exact: true }).count()).toBe(
                        0,
                    );
                    expect(
                        await sellerPage.getByRole('link', { name: 'Live map', exact: true }).count(),
                    ).toBe(0);
                    expect(await sellerPage.getByRole('button', { name: 'Reassign' }).count()).toBe(0);
                    expect(await sellerPage.getByRole('button', { name: 'Cancel delivery' }).count()).toBe(0);
                    if (failed) {
                        await sellerPage
                            .locator(
                                `[data-testid="assignment-card"][data-assignment-id="${failed.assignmentId}"][data-status="FAILED"]`,
                            )
                            .waitFor();
                    }
                    expect(await sellerPage.getByRole('button', { name: 'Retry delivery' }).count()).toBe(0);
                    await sellerPage.goto(`${base}/drivers`);
                    await sellerPage.getByTestId('not-allowed').waitFor();
                    expect(await sellerPage.getByTestId('driver-row').count()).toBe(0);
                } finally {
                    await context.close();
                }
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'retries the FAILED delivery from the order panel: dispatched again, and the API agrees',
        async () => {
            await withScreenshot('retry', async () => {
                if (!failed) throw new Error('No delivery was failed by the test before');
                const { assignmentId, failedDriverId } = failed;
                await page.goto(failed.url);
                const panel = page.getByTestId('order-delivery-panel');
                await waitUntil(
                    'the panel to show the delivery FAILED',
                    async () => (await panel.getAttribute('data-status')) === 'FAILED',
                );
                await panel.getByRole('button', { name: 'Retry delivery', exact: true }).click();
                let shown = '';
                await waitUntil('the panel to show the delivery dispatched again', async () => {
                    shown = (await panel.getAttribute('data-status')) ?? '';
                    return ['PENDING', 'ASSIGNED'].includes(shown);
                });
                await panel
                    .getByTestId('delivery-timeline')
                    .locator('[data-status="FAILED"]')
                    .first()
                    .waitFor();
                expect(await panel.getByRole('button', { name: 'Retry delivery' }).count()).toBe(0);

                const { deliveryAssignment } = (
                    await graphql<{
                        deliveryAssignment: {
                            status: string;
                            driver: { id: string } | null;
                            events: Array<{
                                fromStatus: string | null;
                                toStatus: string;
                                actor: string | null;
                            }>;
                        };
                    }>(
                        port,
                        'admin-api',
                        'query ($id: ID!) { deliveryAssignment(id: $id) { status driver { id } events { fromStatus toStatus actor } } }',
                        staffToken,
                        { id: assignmentId },
                    )
                ).data;
                // The demo fleet may have taken it on since the panel refreshed, never back to FAILED.
                expect(['PENDING', 'ASSIGNED']).toContain(deliveryAssignment.status);
                if (shown === 'ASSIGNED') expect(deliveryAssignment.status).toBe('ASSIGNED');
                expect(deliveryAssignment.events).toContainEqual(
                    expect.objectContaining({ fromStatus: 'FAILED', toStatus: 'PENDING' }),
                );
                // Dispatched again without the driver who failed it.
                expect(deliveryAssignment.driver?.id).not.toBe(failedDriverId);

                await openDeliveryPage(page, 'Dispatch board');
                await page.waitForURL(/\/dashboard\/dispatch\/board$/);
                const card = page.locator(
                    `[data-testid="assignment-card"][data-assignment-id="${assignmentId}"]`,
                );
                await waitUntil('the board to show the delivery open again', async () =>
                    ['PENDING', 'ASSIGNED', 'PICKED_UP'].includes(
                        (await card.getAttribute('data-status')) ?? '',
                    ),
                );
            });
        },
        TEST_TIMEOUT,
    );

    it('logged no console errors on the way', () => {
        expect(consoleErrors).toEqual([]);
    });
});

/** Opens a page of the Delivery section from the navigation, expanding the section when folded. */
async function openDeliveryPage(page: Page, title: string): Promise<void> {
    const link = page.getByRole('link', { name: title, exact: true }).first();
    if (!(await link.isVisible())) await page.getByRole('button', { name: 'Delivery', exact: true }).click();
    await link.click();
}

async function expectCount(locator: ReturnType<Page['locator']>, count: number): Promise<void> {
    await waitUntil(`${count} of ${locator.toString()}`, async () => (await locator.count()) === count);
}

async function waitUntil(description: string, predicate: () => Promise<boolean>, timeoutMs = UI_TIMEOUT) {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
        if (await predicate().catch(() => false)) return;
        await new Promise(resolve => setTimeout(resolve, 200));
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
}
