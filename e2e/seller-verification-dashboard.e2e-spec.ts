/**
 * The seller verification badge in a real browser: Debian's chromium driven by playwright-core
 * against the built app as `npm start` runs it (the embedded demo, whose fourth seller is not
 * verified). Staff see the badge on the seller's page and verify and un-verify from there; the
 * shop follows at once. A failing test leaves a screenshot in e2e/screenshots/ (git-ignored).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Browser, chromium, Page } from 'playwright-core';

import { loadDemoCity, loadDemoPendingSeller } from '../src/demo/demo-data';
import { freePort } from '../src/runtime/embedded-postgres';
import { e2eEnv } from './config/e2e-env';
import { ensureChromium } from './setup/chromium';
import { AppProcess, graphql, readiness, startApp, stopApp, waitFor } from './utils/app-process';

const FIRST_START_TIMEOUT = 180_000;
const UI_TIMEOUT = 30_000;
const TEST_TIMEOUT = 120_000;
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
const CREDENTIALS = { username: 'superadmin', password: 'superadmin' };
const pending = loadDemoPendingSeller();
const pendingSkus = pending.products.flatMap(product => product.variants.map(variant => variant.sku));

describe('seller verification in the dashboard (headless chromium)', () => {
    let app: AppProcess | undefined;
    let port: number;
    let base: string;
    let browser: Browser | undefined;
    let page: Page;
    let staffToken = '';
    const sellerIds = new Map<string, string>();
    const consoleErrors: string[] = [];

    async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
        try {
            await steps();
        } catch (error) {
            await fs.mkdir(SCREENSHOTS, { recursive: true });
            const file = path.join(SCREENSHOTS, `seller-verification-${name}.png`);
            await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.log(`[seller verification e2e] screenshot of the failure: ${file}`);
            throw error;
        }
    }

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
        const executablePath = ensureChromium(message => console.log(`[seller verification e2e] ${message}`));
        port = await freePort();
        base = `http://127.0.0.1:${port}/dashboard`;
        app = startApp('index', {
            DATA_DIR: path.join(e2eEnv('tmpDir'), 'seller-verification-dashboard'),
            PORT: String(port),
            DEMO_FLEET: 'false',
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
            `mutation { login(username: "${CREDENTIALS.username}", password: "${CREDENTIALS.password}") { __typename } }`,
        );
        staffToken = login.token ?? '';
        const { data } = await graphql<{ sellers: { items: Array<{ id: string; name: string }> } }>(
            port,
            'admin-api',
            '{ sellers { items { id name } } }',
            staffToken,
        );
        for (const seller of data.sellers.items) sellerIds.set(seller.name, seller.id);
        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        page.setDefaultTimeout(UI_TIMEOUT);
        page.on('console', message => {
            const fromApp = (message.location().url ?? '').startsWith(`http://127.0.0.1:${port}/`);
            const offlineTile = message.text().startsWith('Failed to load resource') && !fromApp;
            if (message.type() === 'error' && !offlineTile) consoleErrors.push(message.text());
        });
        page.on('pageerror', error => consoleErrors.push(`uncaught: ${error.message}`));
        await page.goto(`${base}/login`);
        await page.locator('input[name="username"]').fill(CREDENTIALS.username);
        await page.locator('input[name="password"]').fill(CREDENTIALS.password);
        await page.locator('button[type="submit"]').click();
        await page.waitForURL(url => !url.pathname.endsWith('/login'));
    }, FIRST_START_TIMEOUT + 120_000);

    afterAll(async () => {
        await browser?.close();
        if (app && app.child.exitCode === null) await stopApp(app);
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
                    `by ${CREDENTIALS.username}`,
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
        expect(consoleErrors).toEqual([]);
    });
});
