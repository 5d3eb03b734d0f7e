import { isWellFormedTrackingToken, TRACKING_ROUTE } from '../services/tracking-token';
import { ResolvedTrackingPageOptions, tileOrigin } from './tracking-options';
import { escapeHtml, renderTrackingContent, TrackingView } from './tracking-view';

/** The files of the built page script that `/track/assets/` serves, with their content types. */
const ASSET_TYPES: Record<string, string> = {
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.png': 'image/png',
    '.svg': 'image/svg+xml',
};

/** What a request under /track asks for, read from its URL path alone (pure, unit-tested). */
export type TrackingRequest =
    | { kind: 'page'; token: string }
    | { kind: 'status'; token: string }
    | { kind: 'asset'; file: string; contentType: string }
    /** `json`: the path asked for a status (`/track/<anything>/status`): the not-found answer is JSON. */
    | { kind: 'not-found'; json?: true };

export function readTrackingRequest(urlPath: string): TrackingRequest {
    const prefix = `${TRACKING_ROUTE}/`;
    if (!urlPath.startsWith(prefix)) return { kind: 'not-found' };
    const segments = urlPath.slice(prefix.length).split('/');
    if (segments.length === 2 && segments[0] === 'assets') {
        const file = segments[1];
        const contentType = ASSET_TYPES[file.slice(file.lastIndexOf('.'))];
        // One plain file name: nothing that could leave the folder.
        if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(file) || file.includes('..') || !contentType) {
            return { kind: 'not-found' };
        }
        return { kind: 'asset', file, contentType };
    }
    // The shape is checked before anything is looked up: a malformed token never reaches a query.
    const token = segments[0];
    if (!isWellFormedTrackingToken(token)) {
        return segments.length === 2 && segments[1] === 'status'
            ? { kind: 'not-found', json: true }
            : { kind: 'not-found' };
    }
    if (segments.length === 1) return { kind: 'page', token };
    if (segments.length === 2 && segments[1] === 'status') return { kind: 'status', token };
    return { kind: 'not-found' };
}

/**
 * The page's Content-Security-Policy: its own script and styles only (no inline script or style),
 * requests to its own origin only, images from itself, data: and the tile server, never framed.
 */
export function trackingContentSecurityPolicy(
    options: Pick<ResolvedTrackingPageOptions, 'mapTiles'>,
): string {
    const tiles = options.mapTiles ? tileOrigin(options.mapTiles.url) : undefined;
    return [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        // data: for images only: Leaflet blanks a removed or aborted tile with a data: GIF.
        `img-src 'self' data:${tiles ? ` ${tiles}` : ''}`,
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ].join('; ');
}

/**
 * Headers of every answer under /track: the link is a secret, so it must not leak through a
 * referrer, a search engine, a cache or a frame.
 */
export function trackingHeaders(csp: string, contentType: string): Record<string, string> {
    return {
        'content-type': contentType,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-robots-tag': 'noindex, nofollow',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
        'permissions-policy': 'geolocation=(), camera=(), microphone=()',
    };
}

const HEAD = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
].join('\n');

/**
 * The one answer to every link that does not work (wrong, malformed or expired token), the same
 * bytes for all of them: it says nothing about which tokens exist.
 */
export const TRACKING_NOT_FOUND_HTML = `<!doctype html>
<html lang="en">
<head>
${HEAD}
<title>Not found</title>
</head>
<body>
<main>
<h1>Not found</h1>
<p>This tracking link does not work: it may be mistyped, or the delivery ended a while ago.</p>
<p>If you are waiting for a delivery, the shop can help you.</p>
</main>
</body>
</html>
`;

/** The JSON twin of the not-found page, for the status endpoint. */
export const TRACKING_NOT_FOUND_JSON = JSON.stringify({ statusCode: 404, message: 'Not found' });

/** Past `requestsPerMinute`: the same for every token. */
export function tooManyRequestsHtml(retryAfterSeconds: number): string {
    return `<!doctype html>
<html lang="en">
<head>
${HEAD}
<title>Too many requests</title>
</head>
<body>
<main>
<h1>Too many requests</h1>
<p>This tracking link was opened too often. Try again in ${retryAfterSeconds} s.</p>
</main>
</body>
</html>
`;
}

/**
 * The tracking page with the delivery as it is now (the first paint: it reads even without its
 * script), the map's tiles in data attributes, and the built script and styles by a relative URL,
 * so the page works behind a proxy that serves it under a path of its own.
 */
export function trackingPageHtml(
    view: TrackingView,
    options: Pick<ResolvedTrackingPageOptions, 'mapTiles'>,
): string {
    const { headline, details } = renderTrackingContent(view);
    const tiles = options.mapTiles
        ? ` data-tile-url="${escapeHtml(options.mapTiles.url)}" data-tile-attribution="${escapeHtml(
              options.mapTiles.attribution,
          )}"`
        : '';
    return `<!doctype html>
<html lang="en">
<head>
${HEAD}
<title>Your delivery</title>
<link rel="stylesheet" href="assets/tracking-page.css">
<script type="module" src="assets/tracking-page.js"></script>
</head>
<body>
<main class="tracking" data-poll-seconds="${view.pollAfterSeconds ?? ''}">
<div id="tracking-headline" aria-live="polite">${headline}</div>
<div id="tracking-map" class="map" role="img" aria-label="Map of your driver and the store" hidden${tiles}></div>
<p id="tracking-connection" class="connection" hidden>Reconnecting…</p>
<div id="tracking-details">${details}</div>
</main>
</body>
</html>
`;
}
