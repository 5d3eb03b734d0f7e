/**
 * The seller verification badge in a real browser: Debian's chromium driven by playwright-core
 * against the built app as `npm start` runs it (the embedded demo, whose fourth seller is not
 * verified). Staff see the badge on the seller's page and verify and un-verify from there; the
 * shop follows at once. A failing test leaves a screenshot in e2e/screenshots/ (git-ignored).
 */
import { loadDemoCity, loadDemoPendingSeller } from '../src/demo/demo-data';
import { graphql } from './utils/app-process';
import {
    DASHBOARD_CREDENTIALS,
    DashboardSession,
    OPEN_DASHBOARD_TIMEOUT,
    openDashboard,
} from './utils/dashboard-session';

const TEST_TIMEOUT = 120_000;
const pending = loadDemoPendingSeller();
const pendingSkus = pending.products.flatMap(product => product.variants.map(variant => variant.sku));

describe('seller verification in the dashboard (headless chromium)', () => {
    let session: DashboardSession;
    let port: number;
    let base: string;
    let page: DashboardSession['page'];
    let staffToken = '';
    const sellerIds = new Map<string, string>();
    const withScreenshot = (name: string, steps: () => Promise<void>) => session.withScreenshot(name, steps);

    /** The pending seller's SKUs the shop search finds (no location, anonymous). */
    async function pendingSkusInShop(): Promise<string[]> {
        const { data } = await graphql<{ search: { items: Array<{ sku: string }> } }>(
            port,
            'shop-api',
            '{ search(input: { take: 100 }) { items { sku } } }',
        );
        return data.search.items.map(item => item.sku).filter(sku => pendingSkus.includes(sku));
    }

    async function verifiedInApi(name: string): Promise<boolean | undefined> {
        const { data } = await graphql<{ seller: { verified: boolean } | null }>(
            port,
            'admin-api',
            'query ($id: ID!) { seller(id: $id) { verified } }',
            staffToken,
            { id: sellerIds.get(name) },
        );
        return data.seller?.verified;
    }

    beforeAll(async () => {
        session = await openDashboard('seller-verification-dashboard', { DEMO_FLEET: 'false' });
        ({ port, base, page, staffToken } = session);
        const { data } = await graphql<{ sellers: { items: Array<{ id: string; name: string }> } }>(
            port,
            'admin-api',
            '{ sellers { items { id name } } }',
            staffToken,
        );
        for (const seller of data.sellers.items) sellerIds.set(seller.name, seller.id);
    }, OPEN_DASHBOARD_TIMEOUT);

    afterAll(async () => {
        await session?.close();
    });

    it(
        'shows a verified demo seller as Verified, with no way to verify it again',
        async () => {
            await withScreenshot('verified', async () => {
                const name = loadDemoCity().sellers[0].name;
                await page.goto(`${base}/sellers/${sellerIds.get(name)}`);
                const badge = page.getByTestId('seller-verification-badge');
                await badge.waitFor();
                expect(await badge.innerText()).toBe('Verified');
                expect(await badge.getAttribute('data-verified')).toBe('true');
                expect(await page.getByRole('button', { name: 'Verify seller', exact: true }).count()).toBe(
                    0,
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'shows the fourth demo seller as Not verified, verifies it, and the shop finds its products',
        async () => {
            await withScreenshot('verify', async () => {
                expect(await pendingSkusInShop()).toEqual([]);
                await page.goto(`${base}/sellers/${sellerIds.get(pending.name)}`);
                const badge = page.getByTestId('seller-verification-badge');
                await badge.waitFor();
                expect(await badge.innerText()).toBe('Not verified');
                await page.getByRole('button', { name: 'Verify seller', exact: true }).click();
                await page
                    .locator('[data-testid="seller-verification-badge"][data-verified="true"]')
                    .waitFor();
                expect(await badge.innerText()).toBe('Verified');
                expect(await page.getByTestId('seller-verification-changed').innerText()).toContain(
                    `by ${DASHBOARD_CREDENTIALS.username}`,
                );
                expect(await verifiedInApi(pending.name)).toBe(true);
                expect((await pendingSkusInShop()).sort()).toEqual([...pendingSkus].sort());
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'un-verifies it with a reason: the badge, the reason, and the shop hides it at once',
        async () => {
            await withScreenshot('unverify', async () => {
                const unverify = page.getByRole('button', { name: 'Un-verify seller', exact: true });
                expect(await unverify.isDisabled()).toBe(true);
                await page.getByPlaceholder('Reason for un-verifying').fill('Licence under review');
                await unverify.click();
                await page
                    .locator('[data-testid="seller-verification-badge"][data-verified="false"]')
                    .waitFor();
                expect(await page.getByTestId('seller-verification-reason').innerText()).toBe(
                    'Reason: Licence under review',
                );
                expect(await verifiedInApi(pending.name)).toBe(false);
                expect(await pendingSkusInShop()).toEqual([]);
            });
        },
        TEST_TIMEOUT,
    );

    it('logged no console errors on the way', () => {
        expect(session.consoleErrors).toEqual([]);
    });
});
