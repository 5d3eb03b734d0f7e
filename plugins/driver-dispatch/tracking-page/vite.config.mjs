// Builds the tracking page's script and styles (this folder) into <project>/dist/tracking-page,
// which the plugin serves under /track/assets/ (its tracking.assetsDir option). Fixed file names:
// the page the server renders links them by name. `npm run build` runs it through
// scripts/build-tracking-page.mjs.
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

export default defineConfig({
    root: fileURLToPath(new URL('.', import.meta.url)),
    // Relative: the page links `assets/…` from /track/<token>, behind any path prefix of a proxy.
    base: './',
    publicDir: false,
    build: {
        outDir: fileURLToPath(new URL('../../../dist/tracking-page', import.meta.url)),
        emptyOutDir: true,
        sourcemap: false,
        assetsDir: '',
        modulePreload: false,
        // Leaflet's images as files: the CSP allows no data: images.
        assetsInlineLimit: 0,
        rollupOptions: {
            input: { 'tracking-page': fileURLToPath(new URL('./src/main.ts', import.meta.url)) },
            output: {
                entryFileNames: '[name].js',
                chunkFileNames: '[name].js',
                assetFileNames: '[name][extname]',
            },
        },
    },
});
