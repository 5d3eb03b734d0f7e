// Builds the dashboard (vite, about 40 s) into dist/dashboard. With --if-stale (npm start) it is
// skipped when dist/dashboard is newer than everything it is built from: the plugins (their
// dashboard extensions and the admin API schema the dashboard is typed against), src/dashboard,
// the vite config and the lock file; not the driver web app (plugins/*/driver-app) nor the tracking page
// (plugins/*/tracking-page), built apart.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const built = path.join(root, 'dist/dashboard/index.html');
const sources = ['plugins', 'src/dashboard', 'vite.config.mts', 'package-lock.json'];

function newest(entry) {
    const stat = statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return readdirSync(entry)
        .filter(name => !['node_modules', 'driver-app', 'tracking-page'].includes(name))
        .reduce((latest, name) => Math.max(latest, newest(path.join(entry, name))), stat.mtimeMs);
}

if (process.argv.includes('--if-stale') && existsSync(built)) {
    const sourceTime = Math.max(...sources.map(source => newest(path.join(root, source))));
    if (statSync(built).mtimeMs > sourceTime) {
        console.log('dashboard: dist/dashboard is up to date (npm run build:dashboard rebuilds it)');
        process.exit(0);
    }
}
// vite.config.mts in the project folder says what to build and where.
await build({ root, logLevel: 'warn' });
