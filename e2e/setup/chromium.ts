import { existsSync } from 'node:fs';

import { installDebianPackages, which } from './debian-packages';

/** Where the browser tests look, in order; `CHROMIUM_PATH` first when set. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Finds Debian's `chromium` for the dashboard's browser tests: `CHROMIUM_PATH`, then the usual
 * paths, else installed with apt-get when running as root where apt-get exists (saying so), else
 * an error naming what to install. Never a browser downloaded by Playwright.
 */
export function ensureChromium(log: (message: string) => void): string {
    const found = findChromium();
    if (found) return found;
    log('chromium is not installed');
    installDebianPackages(
        ['chromium', 'fonts-liberation'],
        'The dashboard browser tests need Chromium: install it (Debian/Ubuntu: ' +
            'sudo apt-get install -y chromium fonts-liberation) or set CHROMIUM_PATH to a Chromium binary.',
        log,
    );
    const installed = findChromium();
    if (!installed) throw new Error('apt-get installed chromium, but no chromium binary was found');
    return installed;
}

function findChromium(): string | undefined {
    const fromEnv = process.env.CHROMIUM_PATH?.trim();
    if (fromEnv) {
        if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist`);
        return fromEnv;
    }
    return CANDIDATES.find(candidate => existsSync(candidate)) ?? which('chromium');
}
