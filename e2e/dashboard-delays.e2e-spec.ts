/**
 * Delayed deliveries and delivery insights in the dashboard, in Debian's chromium (playwright-core)
 * against the built app with the embedded demo, `DISPATCH_PENDING_ALERT_SECONDS=2` and the sweep
 * every second: a delivery delivered through the API and one left waiting with the fleet off duty;
 * the board and the order panel mark the waiting one delayed; the insights block on the board and
 * the widget on the Insights page show the numbers `deliveryInsights` answers, drawn as charts.
 * A failing test leaves a screenshot in e2e/screenshots/ (git-ignored).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Browser, chromium, Page, Response } from 'playwright-core';

import { freePort } from '../src/runtime/embedded-postgres';
import { paidSellerOrder } from './acceptance/dispatch-acceptance';
import { e2eEnv } from './config/e2e-env';
import { ensureChromium } from './setup/chromium';
import { AppProcess, graphql, readiness, startApp, stopApp, waitFor } from './utils/app-process';

const FIRST_START_TIMEOUT = 180_000;
const UI_TIMEOUT = 30_000;
const TEST_TIMEOUT = 120_000;
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');

interface InsightsAnswer {
    deliveries: number;
    delivered: number;
    delayed: number;
    failed: number;
}

describe('delayed deliveries and insights in headless chromium', () => {
    let app: AppProcess | undefined;
    let port: number;
    let base: string;
    let browser: Browser | undefined;
    let page: Page;
    let staffToken: string;
    let waiting: { code: string; url: string };

    const admin = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> =>
        (await graphql<T>(port, 'admin-api', query, staffToken, variables)).data;

    async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
        try {
            await steps();
        } catch (error) {
            await fs.mkdir(SCREENSHOTS, { recursive: true });
            const file = path.join(SCREENSHOTS, `dashboard-delays-${name}.png`);
            await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.log(`[dashboard-delays e2e] screenshot of the failure: ${file}`);
            throw error;
        }
    }

    async function status(assignmentId: string): Promise<string> {
        const { deliveryAssignment } = await admin<{ deliveryAssignment: { status: string } }>(
            'query ($id: ID!) { deliveryAssignment(id: $id) { status } }',
            { id: assignmentId },
        );
        return deliveryAssignment.status;
    }

    async function markReady(sellerOrderId: string): Promise<string> {
        const { markOrderReadyForDispatch } = await admin<{ markOrderReadyForDispatch: { id: string } }>(
            'mutation ($id: ID!) { markOrderReadyForDispatch(orderId: $id) { ... on DeliveryAssignment { id } } }',
            { id: sellerOrderId },
        );
        return markOrderReadyForDispatch.id;
    }

    /** The next deliveryInsights answer the page receives. */
    function nextInsights(): Promise<Response> {
        return page.waitForResponse(
            response =>
                response.url().includes('/admin-api') &&
                (response.request().postData() ?? '').includes('deliveryInsights'),
        );
    }

    async function expectNumbers(scope: ReturnType<Page['getByTestId']>, answer: InsightsAnswer) {
        for (const key of ['deliveries', 'delivered', 'delayed', 'failed'] as const) {
            await waitUntil(`insight ${key} = ${answer[key]}`, async () => {
                const shown = await scope.getByTestId(`insight-${key}-value`).textContent();
                return shown === String(answer[key]);
            });
        }
        // Drawn: one bar per status of the fleet chart, bars of the volume chart.
        await waitUntil('the fleet chart bars', async () => {
            const bars = scope.getByTestId('insights-fleet-chart').locator('.recharts-bar-rectangle');
            return (await bars.count()) >= 1;
        });
        await waitUntil('the volume chart bars', async () => {
            const bars = scope.getByTestId('insights-volume-chart').locator('.recharts-bar-rectangle');
            return (await bars.count()) >= 1;
        });
    }

    beforeAll(async () => {
        const executablePath = ensureChromium(message => console.log(`[dashboard-delays e2e] ${message}`));
        port = await freePort();
        base = `http://127.0.0.1:${port}/dashboard`;
        app = startApp('index', {
            DATA_DIR: path.join(e2eEnv('tmpDir'), 'dashboard-delays-embedded'),
            PORT: String(port),
            DISPATCH_PENDING_ALERT_SECONDS: '2',
            DISPATCH_SWEEP_SCHEDULE: '* * * * * *',
        });
        await waitFor(
            'the demo server to be ready',
            async () => (await readiness(port)).status === 200,
            FIRST_START_TIMEOUT,
            app,
        );
        const login = await graphql<unknown>(
            port,
            'admin-api',
            'mutation { login(username: "superadmin", password: "superadmin") { ... on CurrentUser { identifier } } }',
        );
        staffToken = login.token ?? '';

        // One delivery run to the door through the API (staff confirm each step).
        const delivered = await paidSellerOrder(port, staffToken);
        const deliveredId = await markReady(delivered.sellerOrderId);
        await waitFor(
            'a driver for the first delivery',
            async () => (await status(deliveredId)) !== 'PENDING',
            30_000,
            app,
        );
        for (const step of ['confirmPickup', 'confirmDelivery']) {
            if ((await status(deliveredId)) === 'DELIVERED') break;
            await admin(`mutation ($id: ID!) { ${step}(assignmentId: $id) { __typename } }`, {
                id: deliveredId,
            });
        }
        await waitFor(
            'the first delivery DELIVERED',
            async () => (await status(deliveredId)) === 'DELIVERED',
            30_000,
            app,
        );

        // The fleet off duty: the next delivery waits for a driver, past the 2 s alert.
        const { drivers } = await admin<{ drivers: { items: Array<{ id: string }> } }>(
            '{ drivers(options: { take: 100 }) { items { id } } }',
        );
        for (const driver of drivers.items) {
            await admin('mutation ($id: ID!) { updateDriver(input: { id: $id, status: OFFLINE }) { id } }', {
                id: driver.id,
            });
        }
        const late = await paidSellerOrder(port, staffToken, 1);
        const lateId = await markReady(late.sellerOrderId);
        const { order } = await admin<{ order: { code: string; aggregateOrderId: string } }>(
            'query ($id: ID!) { order(id: $id) { code aggregateOrderId } }',
            { id: late.sellerOrderId },
        );
        waiting = {
            code: order.code,
            url: `${base}/orders/${order.aggregateOrderId}/seller-orders/${late.sellerOrderId}`,
        };
        // The sweep (every second) alerts it once its 2 s have passed.
        await waitFor(
            'the waiting delivery to be alerted',
            async () =>
                (
                    await admin<{ dispatchStats: { delayedAssignments: number } }>(
                        '{ dispatchStats { delayedAssignments } }',
                    )
                ).dispatchStats.delayedAssignments === 1 && (await status(lateId)) === 'PENDING',
            30_000,
            app,
        );

        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
        page.setDefaultTimeout(UI_TIMEOUT);
        await page.goto(`${base}/login`);
        await page.locator('input[name="username"]').fill('superadmin');
        await page.locator('input[name="password"]').fill('superadmin');
        await page.locator('button[type="submit"]').click();
        await page.waitForURL(url => !url.pathname.endsWith('/login'));
    }, FIRST_START_TIMEOUT + 150_000);

    afterAll(async () => {
        await browser?.close();
        if (app && app.child.exitCode === null) await stopApp(app);
    });

    it(
        'marks the waiting delivery delayed on the board, and not the delivered one',
        async () => {
            await withScreenshot('board', async () => {
                await page.goto(`${base}/dispatch/board`);
                const card = page.locator(
                    `[data-testid="assignment-card"][data-order-code="${waiting.code}"]`,
                );
                await card.waitFor();
                expect(await card.getAttribute('data-overdue')).toBe('true');
                await expect(card.getByTestId('delayed-marker').textContent()).resolves.toBe(
                    'Delayed: waiting for a driver',
                );
                const done = page.locator('[data-testid="assignment-card"][data-status="DELIVERED"]');
                await done.first().waitFor();
                expect(await done.getByTestId('delayed-marker').count()).toBe(0);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'marks it delayed on its order panel',
        async () => {
            await withScreenshot('panel', async () => {
                await page.goto(waiting.url);
                const panel = page.getByTestId('order-delivery-panel');
                await panel.getByTestId('delayed-marker').waitFor();
                expect(await panel.getAttribute('data-status')).toBe('PENDING');
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows the insights of the last 24 hours on the board, and another period on choice',
        async () => {
            await withScreenshot('board-insights', async () => {
                const answered = nextInsights();
                await page.goto(`${base}/dispatch/board`);
                const day = (
                    (await (await answered).json()) as { data: { deliveryInsights: InsightsAnswer } }
                ).data.deliveryInsights;
                // Real data: the two deliveries of this test at least, one delivered, one delayed.
                expect(day.deliveries).toBeGreaterThanOrEqual(2);
                expect(day.delivered).toBeGreaterThanOrEqual(1);
                expect(day.delayed).toBeGreaterThanOrEqual(1);
                const block = page.getByTestId('delivery-insights');
                await expectNumbers(block, day);
                await expect(
                    block.getByTestId('insight-ready-to-delivered-value').textContent(),
                ).resolves.toMatch(/^\d+(\.\d)? (s|min)$/);

                const week = nextInsights();
                await page.getByRole('button', { name: 'Last 7 days' }).click();
                const weekly = ((await (await week).json()) as { data: { deliveryInsights: InsightsAnswer } })
                    .data.deliveryInsights;
                expect(weekly.deliveries).toBeGreaterThanOrEqual(day.deliveries);
                await expectNumbers(page.getByTestId('delivery-insights'), weekly);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows the delivery insights widget on the Insights page',
        async () => {
            await withScreenshot('insights-page', async () => {
                const answered = nextInsights();
                await page.goto(`${base}/`);
                const answer = (
                    (await (await answered).json()) as { data: { deliveryInsights: InsightsAnswer } }
                ).data.deliveryInsights;
                expect(answer.deliveries).toBeGreaterThanOrEqual(2);
                await expectNumbers(page.getByTestId('delivery-insights'), answer);
            });
        },
        TEST_TIMEOUT,
    );
});

async function waitUntil(description: string, predicate: () => Promise<boolean>, timeoutMs = UI_TIMEOUT) {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
        if (await predicate().catch(() => false)) return;
        await new Promise(resolve => setTimeout(resolve, 200));
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
}
