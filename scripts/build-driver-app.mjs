// Builds the driver web app (plugins/driver-dispatch/driver-app, a few seconds) into
// dist/driver-app, which the driver-dispatch plugin serves at /driver/. With --if-stale (npm start)
// it is skipped when dist/driver-app is newer than everything it is built from: the app's folder,
// the shared geo code it imports and the lock file.
import path from 'node:path';

import { root, viteBuild } from './vite-build.mjs';

const appRoot = 'plugins/driver-dispatch/driver-app';
await viteBuild({
    name: 'driver app',
    script: 'build:driver-app',
    built: 'dist/driver-app/index.html',
    sources: [appRoot, 'plugins/shared/geo', 'package-lock.json'],
    viteOptions: { configFile: path.join(root, appRoot, 'vite.config.mjs') },
});
