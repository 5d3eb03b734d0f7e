// Builds the customer's tracking page script and styles (plugins/driver-dispatch/tracking-page and
// the view it shares with the server, a few seconds) into dist/tracking-page, which the
// driver-dispatch plugin serves under /track/assets/. With --if-stale (npm start) it is skipped when
// dist/tracking-page is newer than everything it is built from.
import path from 'node:path';

import { root, viteBuild } from './vite-build.mjs';

const pageRoot = 'plugins/driver-dispatch/tracking-page';
await viteBuild({
    name: 'tracking page',
    script: 'build:tracking-page',
    built: 'dist/tracking-page/tracking-page.js',
    sources: [pageRoot, 'plugins/driver-dispatch/tracking/tracking-view.ts', 'package-lock.json'],
    viteOptions: { configFile: path.join(root, pageRoot, 'vite.config.mjs') },
});
