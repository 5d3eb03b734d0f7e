import { promises as fs } from 'node:fs';
import path from 'node:path';

import { Browser, chromium, Page } from 'playwright-core';

import { freePort } from '../../src/runtime/embedded-postgres';
import { e2eEnv } from '../config/e2e-env';
import { ensureChromium } from '../setup/chromium';
import { AppProcess, graphql, readiness, startApp, stopApp, waitFor } from './app-process';

const FIRST_START_TIMEOUT = 180_000;
const UI_TIMEOUT = 30_000;
const SCREENSHOTS = path.resolve(__dirname, '../screenshots');
export const DASHBOARD_CREDENTIALS = { username: 'superadmin', password: 'superadmin' };

/** How long `openDashboard` may take: the demo's first start, then the browser and the login. */
export const OPEN_DASHBOARD_TIMEOUT = FIRST_START_TIMEOUT + 120_000;

/**
 * The built demo server (`npm start` as a user runs it) and Debian's chromium logged in to its
 * dashboard as the superadmin, for the browser suites of the dashboard extensions.
 */
export interface DashboardSession {
    app: AppProcess;
    port: number;
    /** `http://127.0.0.1:<port>/dashboard` */
    base: string;
    page: Page;
    /** The superadmin's bearer token for the admin API. */
    staffToken: string;
    /** Console errors of the app's own pages (an unreachable map tile server is not one). */
    consoleErrors: string[];
    /** Runs the steps; on a failure leaves a screenshot in e2e/screenshots/ (git-ignored) first. */
    withScreenshot(name: string, steps: () => Promise<void>): Promise<void>;
    close(): Promise<void>;
}

/** Starts the demo in a data folder of its own (`name`) with `env`, and logs the browser in. */
export async function openDashboard(
    name: string,
    env: Record<string, string> = {},
): Promise<DashboardSession> {
    const log = (message: string) => console.log(`[${name} e2e] ${message}`);
    const executablePath = ensureChromium(log);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/dashboard`;
    const app = startApp('index', {
        DATA_DIR: path.join(e2eEnv('tmpDir'), name),
        PORT: String(port),
        ...env,
    });
    let browser: Browser | undefined;
    const close = async () => {
        await browser?.close();
        if (app.child.exitCode === null) await stopApp(app);
    };
    try {
        await waitFor(
            'the demo server to be ready',
            async () => (await readiness(port)).status === 200,
            FIRST_START_TIMEOUT,
            app,
        );
        const { username, password } = DASHBOARD_CREDENTIALS;
        const login = await graphql(
            port,
            'admin-api',
            `mutation { login(username: "${username}", password: "${password}") { __typename } }`,
        );
        browser = await chromium.launch({
            executablePath,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        page.setDefaultTimeout(UI_TIMEOUT);
        const consoleErrors: string[] = [];
        page.on('console', message => {
            const fromApp = (message.location().url ?? '').startsWith(`http://127.0.0.1:${port}/`);
            const offlineTile = message.text().startsWith('Failed to load resource') && !fromApp;
            if (message.type() === 'error' && !offlineTile) consoleErrors.push(message.text());
        });
        page.on('pageerror', error => consoleErrors.push(`uncaught: ${error.message}`));
        await page.goto(`${base}/login`);
        await page.locator('input[name="username"]').fill(username);
        await page.locator('input[name="password"]').fill(password);
        await page.locator('button[type="submit"]').click();
        await page.waitForURL(url => !url.pathname.endsWith('/login'));
        const withScreenshot = async (shot: string, steps: () => Promise<void>) => {
            try {
                await steps();
            } catch (error) {
                await fs.mkdir(SCREENSHOTS, { recursive: true });
                const file = path.join(SCREENSHOTS, `${name}-${shot}.png`);
                await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
                log(`screenshot of the failure: ${file}`);
                throw error;
            }
        };
        return { app, port, base, page, staffToken: login.token ?? '', consoleErrors, withScreenshot, close };
    } catch (error) {
        await close();
        throw error;
    }
}
