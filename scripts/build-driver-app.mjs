// Builds the driver web app (plugins/driver-dispatch/driver-app, a few seconds) into
// dist/driver-app, which the driver-dispatch plugin serves at /driver/. With --if-stale (npm start)
// it is skipped when dist/driver-app is newer than everything it is built from: the app's folder,
// the shared geo code it imports and the lock file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const appRoot = path.join(root, 'plugins/driver-dispatch/driver-app');
const built = path.join(root, 'dist/driver-app/index.html');
const sources = [appRoot, path.join(root, 'plugins/shared/geo'), path.join(root, 'package-lock.json')];

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
        console.log('driver app: dist/driver-app is up to date (npm run build:driver-app rebuilds it)');
        process.exit(0);
    }
}
await build({ configFile: path.join(appRoot, 'vite.config.mjs'), logLevel: 'warn' });
console.log('driver app: built into dist/driver-app');
