// Builds the customer's tracking page script and styles (plugins/driver-dispatch/tracking-page and
// the view it shares with the server, a few seconds) into dist/tracking-page, which the
// driver-dispatch plugin serves under /track/assets/. With --if-stale (npm start) it is skipped when
// dist/tracking-page is newer than everything it is built from.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pageRoot = path.join(root, 'plugins/driver-dispatch/tracking-page');
const built = path.join(root, 'dist/tracking-page/tracking-page.js');
const sources = [
    pageRoot,
    path.join(root, 'plugins/driver-dispatch/tracking/tracking-view.ts'),
    path.join(root, 'package-lock.json'),
];

function newest(entry) {
    const stat = statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return readdirSync(entry).reduce(
        (latest, name) => Math.max(latest, newest(path.join(entry, name))),
        stat.mtimeMs,
    );
}

if (process.argv.includes('--if-stale') && existsSync(built)) {
    if (statSync(built).mtimeMs > Math.max(...sources.map(newest))) {
        console.log(
            'tracking page: dist/tracking-page is up to date (npm run build:tracking-page rebuilds it)',
        );
        process.exit(0);
    }
}
await build({ configFile: path.join(pageRoot, 'vite.config.mjs'), logLevel: 'warn' });
console.log('tracking page: built into dist/tracking-page');
