import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { defaultDriverAppDir } from '../options';
import { readDriverAppRequest } from './driver-app-server';

describe('readDriverAppRequest', () => {
    it('moves /driver to /driver/', () => {
        expect(readDriverAppRequest('/driver')).toEqual({ kind: 'redirect', location: '/driver/' });
    });

    it('serves the page at the root, never cached, and falls back to it for the pages of the app', () => {
        expect(readDriverAppRequest('/driver/')).toEqual({
            kind: 'file',
            relativePath: 'index.html',
            cacheControl: 'no-cache',
            pageFallback: true,
        });
        expect(readDriverAppRequest('/driver/deliveries/42')).toMatchObject({ pageFallback: true });
    });

    it('caches the content-hashed assets for good, and revalidates the service worker and manifest', () => {
        expect(readDriverAppRequest('/driver/assets/index-abc123.js')).toEqual({
            kind: 'file',
            relativePath: 'assets/index-abc123.js',
            cacheControl: 'public, max-age=31536000, immutable',
            pageFallback: false,
        });
        expect(readDriverAppRequest('/driver/sw.js')).toMatchObject({
            cacheControl: 'no-cache',
            pageFallback: false,
        });
        expect(readDriverAppRequest('/driver/manifest.webmanifest')).toMatchObject({
            cacheControl: 'no-cache',
        });
    });

    it.each([
        '/driver/../package.json',
        '/driver/%2e%2e/package.json',
        '/driver/a/../../x',
        '/driver/%E0%A4%A',
        '/driverx',
    ])('answers 404 for %s (outside the folder, unreadable, or another route)', urlPath => {
        expect(readDriverAppRequest(urlPath)).toEqual({ kind: 'not-found' });
    });
});

describe('defaultDriverAppDir', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'driver-app-dir-'));

    it('finds dist/driver-app from the compiled plugin folder (dist/plugins/driver-dispatch)', () => {
        mkdirSync(path.join(project, 'dist/driver-app'), { recursive: true });
        writeFileSync(path.join(project, 'dist/driver-app/index.html'), '<html></html>');
        expect(defaultDriverAppDir(path.join(project, 'dist/plugins/driver-dispatch'))).toBe(
            path.join(project, 'dist/driver-app'),
        );
    });

    it('finds dist/driver-app from the source plugin folder (plugins/driver-dispatch)', () => {
        expect(defaultDriverAppDir(path.join(project, 'plugins/driver-dispatch'))).toBe(
            path.join(project, 'dist/driver-app'),
        );
    });

    it('names the compiled layout when nothing is built yet', () => {
        const empty = mkdtempSync(path.join(tmpdir(), 'driver-app-dir-'));
        expect(defaultDriverAppDir(path.join(empty, 'dist/plugins/driver-dispatch'))).toBe(
            path.join(empty, 'dist/driver-app'),
        );
    });
});
