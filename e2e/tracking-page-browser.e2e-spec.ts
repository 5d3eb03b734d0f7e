/**
 * The customer's tracking page in a real browser: Debian's chromium driven by playwright-core
 * (never a downloaded browser), phone-sized. The page follows one delivery live, without a reload,
 * from assigned to picked up to delivered: the driver's first name, the code while it is needed,
 * the driver on the map while on the way (the tile server is unreachable: the markers still show),
 * the position gone after delivery; no CSP violation on the way. A wrong link shows the same
 * not-found page as any other. Headers, expiry and limits over plain HTTP: tracking-page.e2e-spec.ts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { ConfigService, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import { Browser, chromium, Locator, Page } from 'playwright-core';

import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { asSuperadmin } from './fixtures/logins';
import { assignmentOf, TrackedDelivery, trackedDelivery, TrackingWorld } from './fixtures/tracking';
import { CONFIRM_DELIVERY, CONFIRM_PICKUP } from './graphql/dispatch-documents';
import { ensureChromium } from './setup/chromium';
import { eventually } from './utils/eventually';

const UI_TIMEOUT = 15_000;
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
/** Nothing listens there: every tile fails, as with no internet. */
const UNREACHABLE_TILES = 'http://127.0.0.1:9/{z}/{x}/{y}.png';

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(
    e2eConfig(__filename, {
        dispatch: {
            tracking: {
                pollIntervalSeconds: 1,
                mapTiles: { url: UNREACHABLE_TILES, attribution: 'Test tiles' },
            },
        },
    }),
);
const sql = () => server.app.get(TransactionalConnection).rawConnection;
const world: TrackingWorld = { adminClient, shopClient, sql, app: () => server.app };

describe('the tracking page in headless chromium', () => {
    let browser: Browser | undefined;
    let page: Page;
    let base: string;
    let driverId: string;
    let delivery: TrackedDelivery;
    const pageErrors: string[] = [];
    const cspViolations: string[] = [];
    let navigations = 0;

    async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
        try {
            await steps();
        } catch (error) {
            await fs.mkdir(SCREENSHOTS, { recursive: true });
            const file = path.join(SCREENSHOTS, `tracking-page-${name}.png`);
            await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
            console.log(`[tracking page e2e] screenshot of the failure: ${file}`);
            throw error;
        }
    }

    const headline = (status: string) => page.locator(`#tracking-headline [data-status="${status}"]`);
    const mapElement = () => page.locator('#tracking-map');

    beforeAll(async () => {
        const executablePath = ensureChromium(message => console.log(`[tracking page e2e] ${message}`));
        await server.init({ initialData: demoInitialData, customerCount: 1 });
        await populateDemoMarketplace(server.app, { withInitialData: false });
        base = `http://127.0.0.1:${server.app.get(ConfigService).apiOptions.port}`;
        const [maria] = await sql().query(`SELECT id FROM driver WHERE name = 'Maria Gonzalez'`);
        driverId = String(maria.id);
        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        const context = await browser.newContext({
            viewport: { width: 390, height: 844 },
            isMobile: true,
            hasTouch: true,
        });
        page = await context.newPage();
        page.setDefaultTimeout(UI_TIMEOUT);
        page.on('pageerror', error => pageErrors.push(error.message));
        page.on('console', message => {
            if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
        });
        page.on('framenavigated', frame => {
            if (frame === page.mainFrame()) navigations += 1;
        });
    }, 240_000);

    afterAll(async () => {
        await browser?.close();
        await server.destroy();
    });

    /**
     * The tooltip a marker shows while the pointer is on it. Hovered again until read: a poll
     * that changes the page's height moves the map under a still pointer, and the tooltip closes
     * (CI: found, then gone before its text was read).
     */
    async function tooltipOf(marker: Locator): Promise<string | null> {
        const tooltip = page.locator('#tracking-map .leaflet-tooltip');
        for (let attempt = 1; ; attempt++) {
            await marker.hover();
            try {
                return await tooltip.textContent({ timeout: 2_000 });
            } catch (error) {
                if (attempt === 5) throw error;
            }
        }
    }

    it('shows the assigned delivery: first name, code, store, and the driver on a map without tiles', async () => {
        delivery = await trackedDelivery(world, city.sellers[0].code, driverId);
        // Seller staff type the store's name: markup in it stays text, on the page and on the map.
        const storeName = `${delivery.pickup.name} <img src=x id=injected-store>`;
        await sql().query(`UPDATE stock_location SET name = $2 WHERE id = $1`, [
            delivery.pickup.id,
            storeName,
        ]);
        const [{ code }] = await sql().query(
            `SELECT "deliveryCode" AS code FROM delivery_assignment WHERE id = $1`,
            [delivery.assignmentId],
        );
        await withScreenshot('assigned', async () => {
            const response = await page.goto(`${base}/track/${delivery.token}`);
            expect(response?.status()).toBe(200);
            await headline('ASSIGNED').waitFor();
            expect(await page.locator('h1').textContent()).toBe('Maria is on the way to the store');
            expect(await page.getByTestId('delivery-code').textContent()).toContain(code);
            expect(await page.getByTestId('store').textContent()).toContain(storeName);
            await page.getByTestId('eta').waitFor();
            await page.locator('#tracking-map path.driver-marker').waitFor();
            expect(await tooltipOf(page.locator('#tracking-map path.store-marker'))).toBe(storeName);
            expect(await page.locator('#injected-store').count()).toBe(0);
            expect(Number(await mapElement().getAttribute('data-driver-latitude'))).toBeCloseTo(
                delivery.pickup.customFields.latitude + 0.009,
                6,
            );
            const body = (await page.locator('body').textContent()) ?? '';
            expect(body).not.toContain('Gonzalez');
            for (const secret of delivery.secrets) expect(body).not.toContain(secret);
            // A phone's width: nothing wider than the screen.
            expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
                390,
            );
            await page.evaluate('window.__sameDocument = true');
        });
    }, 60_000);

    it('follows the driver and the pickup live, without reloading', async () => {
        await withScreenshot('picked-up', async () => {
            const moved = delivery.pickup.customFields.latitude + 0.004;
            await sql().query(`UPDATE driver SET latitude = $2 WHERE id = $1`, [driverId, moved]);
            // Read through the DOM, not a function evaluated in the page: its CSP forbids eval.
            const shown = await eventually(
                async () => Number(await mapElement().getAttribute('data-driver-latitude')),
                latitude => Math.abs(latitude - moved) < 1e-6,
                UI_TIMEOUT,
            );
            expect(shown).toBeCloseTo(moved, 6);
            await asSuperadmin(adminClient);
            await adminClient.query(CONFIRM_PICKUP, { id: delivery.assignmentId });
            await headline('PICKED_UP').waitFor();
            expect(await page.locator('h1').textContent()).toBe('Maria is bringing your order');
            await page.getByTestId('delivery-code').waitFor();
            await page.locator('#tracking-map path.driver-marker').waitFor();
            expect(await page.locator('.timeline li').last().getAttribute('data-status')).toBe('PICKED_UP');
        });
    }, 60_000);

    it('shows the delivery done: no code, no position, no driver, still the same page', async () => {
        await withScreenshot('delivered', async () => {
            await asSuperadmin(adminClient);
            await adminClient.query(CONFIRM_DELIVERY, { id: delivery.assignmentId });
            await headline('DELIVERED').waitFor();
            expect(await page.getByTestId('delivery-code').count()).toBe(0);
            expect(await mapElement().isHidden()).toBe(true);
            expect(await page.locator('path.driver-marker').count()).toBe(0);
            expect(await mapElement().getAttribute('data-driver-latitude')).toBeNull();
            expect(await page.locator('body').textContent()).not.toContain('Maria');
            expect(
                await page
                    .locator('.timeline li')
                    .evaluateAll(items => items.map(item => item.getAttribute('data-status'))),
            ).toEqual((await assignmentOf(world, delivery.assignmentId)).events.map(event => event.toStatus));
            expect(await page.evaluate<boolean>('window.__sameDocument === true')).toBe(true);
            expect(navigations).toBe(1);
            expect(pageErrors).toEqual([]);
            expect(cspViolations).toEqual([]);
        });
    }, 60_000);

    it('shows a wrong link the same not-found page as any other', async () => {
        await withScreenshot('not-found', async () => {
            const wrong = `${delivery.token.slice(0, -4)}AAAA`;
            const response = await page.goto(`${base}/track/${wrong}`);
            expect(response?.status()).toBe(404);
            expect(await page.locator('h1').textContent()).toBe('Not found');
            const other = await fetch(`${base}/track/${'Z'.repeat(40)}`);
            expect(await response?.text()).toBe(await other.text());
            expect(cspViolations).toEqual([]);
        });
    }, 30_000);
});
