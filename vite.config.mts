// Builds the Vendure dashboard with this project's extensions (plugins/*/dashboard) into
// dist/dashboard, which the server's DashboardPlugin serves at /dashboard (`npm run build`).
import { fileURLToPath } from 'node:url';

import { vendureDashboardPlugin } from '@vendure/dashboard/vite';
import { defineConfig } from 'vite';

export default defineConfig({
    base: '/dashboard/',
    build: {
        outDir: fileURLToPath(new URL('./dist/dashboard', import.meta.url)),
        emptyOutDir: true,
        // The dashboard is one large app; its chunk sizes are Vendure's, not ours to tune.
        chunkSizeWarningLimit: 10_000,
    },
    plugins: [
        vendureDashboardPlugin({
            // A file exporting a VendureConfig object: the plugin reads it to find the plugins'
            // dashboard extensions and to build the admin API schema the dashboard introspects.
            vendureConfigPath: new URL('./src/dashboard/dashboard-build-config.ts', import.meta.url),
            // The dashboard calls the server that serves it, whatever its host and port.
            api: { host: 'auto', port: 'auto' },
        }),
    ],
});
