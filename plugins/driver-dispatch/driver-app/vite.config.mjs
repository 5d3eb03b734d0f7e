// Builds the driver web app (this folder) into <project>/dist/driver-app, which the plugin serves
// at /driver/ (its appDir option). `npm run build` runs it through scripts/build-driver-app.mjs.
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
    root: fileURLToPath(new URL('.', import.meta.url)),
    base: '/driver/',
    plugins: [react()],
    build: {
        outDir: fileURLToPath(new URL('../../../dist/driver-app', import.meta.url)),
        emptyOutDir: true,
        // One small phone app: no source maps shipped, one chunk.
        sourcemap: false,
    },
});
