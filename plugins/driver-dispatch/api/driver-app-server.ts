import { createReadStream, promises as fs } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/** Where the driver web app is served (the plugin's `appDir`). */
export const DRIVER_APP_ROUTE = 'driver';
const PREFIX = `/${DRIVER_APP_ROUTE}/`;

const CONTENT_TYPES: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.webmanifest': 'application/manifest+json; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
    '.map': 'application/json; charset=utf-8',
    '.txt': 'text/plain; charset=utf-8',
};

/** What a request under /driver/ asks for, read from its URL path alone. */
export type DriverAppRequest =
    | { kind: 'redirect'; location: string }
    | { kind: 'file'; relativePath: string; cacheControl: string; pageFallback: boolean }
    | { kind: 'not-found' };

/**
 * Reads the URL path (pure, unit-tested): `/driver` moves to `/driver/`; content-hashed files
 * under `assets/` may be cached for good; everything else (`index.html`, the service worker, the
 * manifest) is revalidated every time, so a new deployment reaches the phones at the next open. A
 * path without a file extension that is no file is a page of the app (SPA fallback to
 * `index.html`); a missing file with an extension is 404, not the page. Paths leaving the folder
 * are 404.
 */
export function readDriverAppRequest(urlPath: string): DriverAppRequest {
    if (urlPath === `/${DRIVER_APP_ROUTE}`) return { kind: 'redirect', location: PREFIX };
    if (!urlPath.startsWith(PREFIX)) return { kind: 'not-found' };
    let relativePath: string;
    try {
        relativePath = decodeURIComponent(urlPath.slice(PREFIX.length));
    } catch {
        return { kind: 'not-found' };
    }
    const normalized = path.posix.normalize(relativePath || 'index.html');
    const outside =
        normalized.startsWith('..') || path.posix.isAbsolute(normalized) || normalized.includes('\0');
    if (outside || normalized.includes('\\')) return { kind: 'not-found' };
    return {
        kind: 'file',
        relativePath: normalized,
        cacheControl: normalized.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        pageFallback: normalized === 'index.html' || !path.posix.extname(normalized),
    };
}

/**
 * Express-style middleware serving the built app from `appDir`, with content types, the SPA
 * fallback and no caching of `index.html`. Hand-written (a few lines over node:fs) rather than a
 * static-file dependency; only GET and HEAD.
 */
export function driverAppServer(appDir: string) {
    const root = path.resolve(appDir);
    return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            next();
            return;
        }
        answer(root, req, res).catch(() => {
            if (!res.headersSent) plain(res, 500, 'The driver app could not be read from the server.');
        });
    };
}

async function answer(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Nest hands the middleware the path below its route; originalUrl keeps the whole one.
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const urlPath = new URL(url, 'http://localhost').pathname;
    const request = readDriverAppRequest(urlPath);
    if (request.kind === 'redirect') {
        res.writeHead(301, { location: request.location });
        res.end();
        return;
    }
    if (request.kind === 'not-found') {
        plain(res, 404, `Not found: ${urlPath}`);
        return;
    }
    let file = path.join(root, request.relativePath);
    let size = await fileSize(file);
    let cacheControl = request.cacheControl;
    if (size === undefined && request.pageFallback) {
        file = path.join(root, 'index.html');
        size = await fileSize(file);
        cacheControl = 'no-cache';
        if (size === undefined) {
            plain(res, 503, `The driver app is not built in ${root}: run npm run build (or set appDir).`);
            return;
        }
    }
    if (size === undefined) {
        plain(res, 404, `Not found: ${urlPath}`);
        return;
    }
    res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': cacheControl,
        'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
        res.end();
        return;
    }
    createReadStream(file).pipe(res);
}

async function fileSize(file: string): Promise<number | undefined> {
    const stat = await fs.stat(file).catch(() => undefined);
    return stat?.isFile() ? stat.size : undefined;
}

function plain(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(message);
}
