// Builds the dashboard (vite, about 40 s) into dist/dashboard. With --if-stale (npm start) it is
// skipped when dist/dashboard is newer than everything it is built from: the plugins (their
// dashboard extensions and the admin API schema the dashboard is typed against), src/dashboard,
// the vite config and the lock file; not the driver web app (plugins/*/driver-app) nor the tracking page
// (plugins/*/tracking-page), built apart.
import { root, viteBuild } from './vite-build.mjs';

await viteBuild({
    name: 'dashboard',
    script: 'build:dashboard',
    built: 'dist/dashboard/index.html',
    sources: ['plugins', 'src/dashboard', 'vite.config.mts', 'package-lock.json'],
    skip: ['node_modules', 'driver-app', 'tracking-page'],
    // vite.config.mts in the project folder says what to build and where.
    viteOptions: { root },
});
