/**
 * The delivery webhooks page in a real browser: Debian's chromium driven by playwright-core against
 * the built app (the embedded demo) with private targets allowed and a 500 ms first retry, and a
 * real HTTP receiver on loopback that answers 500. Staff add an endpoint on the page (a bad URL is
 * refused with the server's message, nothing added), a delivery's events reach the receiver signed,
 * and the page reports the endpoint as failing with its last error. A failing test leaves a
 * screenshot in e2e/screenshots/ (git-ignored).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Browser, chromium, Page } from 'playwright-core';

import { freePort } from '../src/runtime/embedded-postgres';
import { paidSellerOrder } from './acceptance/dispatch-acceptance';
import { e2eEnv } from './config/e2e-env';
import { ensureChromium } from './setup/chromium';
import { AppProcess, graphql, readiness, startApp, stopApp, waitFor } from './utils/app-process';
import { receiverAccepts, WebhookReceiver } from './utils/webhook-receiver';

const FIRST_START_TIMEOUT = 180_000;
const UI_TIMEOUT = 30_000;
const TEST_TIMEOUT = 120_000;
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
const SECRET = 'whsec_dashboard_0123456789';

describe('delivery webhooks in the dashboard (headless chromium)', () => {
    let app: AppProcess | undefined;
    let port: number;
    let base: string;
    let browser: Browser | undefined;
    let page: Page;
    let staffToken = '';
    const receiver = new WebhookReceiver();
    let receiverPort: number;

    const admin = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> =>
        (await graphql<T>(port, 'admin-api', query, staffToken, variables)).data;

    async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
        try {
            await steps();
        } catch (error) {
            await fs.mkdir(SCREENSHOTS, { recursive: true });
            const file = path.join(SCREENSHOTS, `dashboard-webhooks-${name}.png`);
            await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.log(`[dashboard-webhooks e2e] screenshot of the failure: ${file}`);
            throw error;
        }
    }

    async function webhookCount(): Promise<number> {
        const { deliveryWebhooks } = await admin<{ deliveryWebhooks: { totalItems: number } }>(
            '{ deliveryWebhooks { totalItems } }',
        );
        return deliveryWebhooks.totalItems;
    }

    beforeAll(async () => {
        const executablePath = ensureChromium(message => console.log(`[dashboard-webhooks e2e] ${message}`));
        receiver.respond = () => 500;
        receiverPort = await receiver.start();
        port = await freePort();
        base = `http://127.0.0.1:${port}/dashboard`;
        app = startApp('index', {
            DATA_DIR: path.join(e2eEnv('tmpDir'), 'dashboard-webhooks'),
            PORT: String(port),
            DEMO_FLEET: 'false',
            WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
            WEBHOOK_RETRY_BASE_MS: '500',
        });
        await waitFor(
            'the demo server to be ready',
            async () => (await readiness(port)).status === 200,
            FIRST_START_TIMEOUT,
            app,
        );
        const login = await graphql(
            port,
            'admin-api',
            'mutation { login(username: "superadmin", password: "superadmin") { __typename } }',
        );
        staffToken = login.token ?? '';
        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        page.setDefaultTimeout(UI_TIMEOUT);
        await page.goto(`${base}/login`);
        await page.locator('input[name="username"]').fill('superadmin');
        await page.locator('input[name="password"]').fill('superadmin');
        await page.locator('button[type="submit"]').click();
        await page.waitForURL(url => !url.pathname.endsWith('/login'));
    }, FIRST_START_TIMEOUT + 60_000);

    afterAll(async () => {
        await browser?.close();
        if (app && app.child.exitCode === null) await stopApp(app);
        await receiver.stop();
    });

    it(
        'refuses a URL that is not http(s) with the reason, and adds nothing',
        async () => {
            await withScreenshot('refused', async () => {
                await page.goto(`${base}/delivery-webhooks`);
                await page.getByTestId('add-webhook').waitFor();
                await page.locator('#webhook-url').fill('ftp://hooks.example.com/delivery');
                await page.locator('#webhook-secret').fill(SECRET);
                await page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
                await page.getByText('The URL must start with https:// or http://').first().waitFor();
                expect(await page.getByTestId('webhook-row').count()).toBe(0);
                expect(await webhookCount()).toBe(0);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'adds an endpoint, and reports it failing with its last error once the receiver keeps answering 500',
        async () => {
            await withScreenshot('failing', async () => {
                const url = `http://127.0.0.1:${receiverPort}/hooks/delivery`;
                await page.goto(`${base}/delivery-webhooks`);
                await page.locator('#webhook-url').fill(url);
                await page.locator('#webhook-secret').fill(SECRET);
                // Only cancellations for this endpoint.
                for (const label of ['Assigned', 'Picked up', 'Delivered', 'Failed', 'Delayed']) {
                    await page.getByLabel(label, { exact: true }).uncheck();
                }
                await page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
                const row = page.locator(`[data-testid="webhook-row"][data-url="${url}"]`);
                await row.waitFor();
                expect(await row.innerText()).toContain('Cancelled');
                expect(await row.innerText()).toContain('nothing sent yet');
                // The page never shows the secret, nor does the API have it.
                expect(await page.content()).not.toContain(SECRET);

                // A delivery cancelled by staff: its event goes to the endpoint, which answers 500.
                const order = await paidSellerOrder(port, staffToken);
                const { markOrderReadyForDispatch } = await admin<{
                    markOrderReadyForDispatch: { id: string };
                }>(
                    'mutation ($id: ID!) { markOrderReadyForDispatch(orderId: $id) { ... on DeliveryAssignment { id } } }',
                    { id: order.sellerOrderId },
                );
                await admin(
                    'mutation ($id: ID!) { cancelDelivery(assignmentId: $id, reason: "dashboard e2e") { __typename } }',
                    { id: markOrderReadyForDispatch.id },
                );
                // Polled every 5 s: red, with the number of failures and the last error.
                await page
                    .locator(`[data-testid="webhook-row"][data-url="${url}"][data-failing="true"]`)
                    .waitFor();
                expect(await row.getByTestId('webhook-failing').innerText()).toMatch(
                    /Failing: \d+ failed attempts in a row/,
                );
                expect(await row.getByTestId('webhook-last-error').innerText()).toContain('HTTP 500');
                const attempts = receiver.at('/hooks/delivery');
                expect(attempts.length).toBeGreaterThanOrEqual(3);
                expect(new Set(attempts.map(request => request.headers['x-delivery-event-id'])).size).toBe(1);
                expect(JSON.parse(attempts[0].body)).toMatchObject({ type: 'delivery.cancelled' });
                for (const request of attempts) {
                    expect(
                        receiverAccepts(request.headers['x-delivery-signature'], request.body, SECRET),
                    ).toBe(true);
                }
                // Staff disable it from the page: no more attempts are made.
                await row.getByRole('button', { name: 'Disable', exact: true }).click();
                await row.getByText('disabled', { exact: true }).waitFor();
            });
        },
        TEST_TIMEOUT,
    );
});
