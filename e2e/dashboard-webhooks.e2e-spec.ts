/**
 * The delivery webhooks page in a real browser: Debian's chromium driven by playwright-core against
 * the built app (the embedded demo) with private targets allowed and a 500 ms first retry, and a
 * real HTTP receiver on loopback that answers 500. Staff add an endpoint on the page (a bad URL is
 * refused with the server's message, nothing added), a delivery's events reach the receiver signed,
 * the page reports the endpoint as failing with its last error, a disabled endpoint gets nothing
 * more, and staff edit its events and secret, which signs the next event. A failing test leaves a
 * screenshot in e2e/screenshots/ (git-ignored).
 */
import { paidSellerOrder } from './acceptance/dispatch-acceptance';
import { graphql } from './utils/app-process';
import { DashboardSession, OPEN_DASHBOARD_TIMEOUT, openDashboard } from './utils/dashboard-session';
import { eventually } from './utils/eventually';
import { receiverAccepts, WebhookReceiver } from './utils/webhook-receiver';

const TEST_TIMEOUT = 120_000;
const SECRET = 'whsec_dashboard_0123456789';
const NEW_SECRET = 'whsec_dashboard_rotated_9876543210';

describe('delivery webhooks in the dashboard (headless chromium)', () => {
    let session: DashboardSession | undefined;
    let port: number;
    let base: string;
    let page: DashboardSession['page'];
    let staffToken = '';
    const receiver = new WebhookReceiver();
    let receiverPort: number;

    const admin = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> =>
        (await graphql<T>(port, 'admin-api', query, staffToken, variables)).data;

    const withScreenshot = (name: string, steps: () => Promise<void>) =>
        (session as DashboardSession).withScreenshot(name, steps);

    async function endpoint(url: string) {
        const { deliveryWebhooks } = await admin<{
            deliveryWebhooks: {
                items: Array<{ url: string; events: string[]; pendingEvents: number; failedEvents: number }>;
            };
        }>('{ deliveryWebhooks { items { url events pendingEvents failedEvents } } }');
        const found = deliveryWebhooks.items.find(item => item.url === url);
        if (!found) throw new Error(`No endpoint ${url}`);
        return found;
    }

    /** A paid order of a seller, marked ready: its delivery's id. */
    async function readyDelivery(): Promise<string> {
        const order = await paidSellerOrder(port, staffToken);
        const { markOrderReadyForDispatch } = await admin<{ markOrderReadyForDispatch: { id: string } }>(
            'mutation ($id: ID!) { markOrderReadyForDispatch(orderId: $id) { ... on DeliveryAssignment { id } } }',
            { id: order.sellerOrderId },
        );
        return markOrderReadyForDispatch.id;
    }

    async function webhookCount(): Promise<number> {
        const { deliveryWebhooks } = await admin<{ deliveryWebhooks: { totalItems: number } }>(
            '{ deliveryWebhooks { totalItems } }',
        );
        return deliveryWebhooks.totalItems;
    }

    beforeAll(async () => {
        receiver.respond = () => 500;
        receiverPort = await receiver.start();
        session = await openDashboard('dashboard-webhooks', {
            DEMO_FLEET: 'false',
            WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
            WEBHOOK_RETRY_BASE_MS: '500',
        });
        ({ port, base, page, staffToken } = session);
    }, OPEN_DASHBOARD_TIMEOUT);

    afterAll(async () => {
        await session?.close();
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
                const deliveryId = await readyDelivery();
                await admin(
                    'mutation ($id: ID!) { cancelDelivery(assignmentId: $id, reason: "dashboard e2e") { __typename } }',
                    { id: deliveryId },
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
                // Staff disable it from the page: no more attempts are made; the event's next
                // retry finds it disabled and gives up without sending.
                await row.getByRole('button', { name: 'Disable', exact: true }).click();
                await row.getByText('disabled', { exact: true }).waitFor();
                const sentBefore = receiver.at('/hooks/delivery').length;
                await eventually(
                    async () => (await endpoint(url)).pendingEvents,
                    pending => pending === 0,
                    90_000,
                );
                expect((await endpoint(url)).failedEvents).toBe(1);
                expect(receiver.at('/hooks/delivery')).toHaveLength(sentBefore);
            });
        },
        TEST_TIMEOUT + 90_000,
    );

    it(
        'edits the endpoint: more events and a new secret, which signs the next event',
        async () => {
            await withScreenshot('edited', async () => {
                const url = `http://127.0.0.1:${receiverPort}/hooks/delivery`;
                receiver.respond = () => 200;
                await page.goto(`${base}/delivery-webhooks`);
                const row = page.locator(`[data-testid="webhook-row"][data-url="${url}"]`);
                await row.getByRole('button', { name: 'Edit', exact: true }).click();
                const form = page.getByTestId('edit-webhook');
                await form.waitFor();
                expect(await page.locator('#edit-webhook-url').inputValue()).toBe(url);
                await form.getByLabel('Failed', { exact: true }).check();
                await page.locator('#edit-webhook-secret').fill(NEW_SECRET);
                await form.getByRole('button', { name: 'Save endpoint', exact: true }).click();
                await form.waitFor({ state: 'detached' });
                await row.getByText(/Cancelled, Failed|Failed, Cancelled/).waitFor();
                expect(await page.content()).not.toContain(NEW_SECRET);
                await row.getByRole('button', { name: 'Enable', exact: true }).click();
                await row.getByRole('button', { name: 'Disable', exact: true }).waitFor();
                expect((await endpoint(url)).events.sort()).toEqual(['CANCELLED', 'FAILED']);

                const deliveryId = await readyDelivery();
                const sentBefore = receiver.at('/hooks/delivery').length;
                await admin(
                    'mutation ($id: ID!) { cancelDelivery(assignmentId: $id, reason: "dashboard e2e, edited") { __typename } }',
                    { id: deliveryId },
                );
                const [next] = (
                    await eventually(
                        () => Promise.resolve(receiver.at('/hooks/delivery')),
                        requests => requests.length > sentBefore,
                        30_000,
                    )
                ).slice(sentBefore);
                expect(JSON.parse(next.body)).toMatchObject({ type: 'delivery.cancelled' });
                expect(receiverAccepts(next.headers['x-delivery-signature'], next.body, NEW_SECRET)).toBe(
                    true,
                );
                expect(receiverAccepts(next.headers['x-delivery-signature'], next.body, SECRET)).toBe(false);
            });
        },
        TEST_TIMEOUT,
    );
});
