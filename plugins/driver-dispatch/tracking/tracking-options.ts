import { existsSync } from 'node:fs';
import path from 'node:path';

/** Map tiles behind the tracking page's map: a Leaflet URL template and the provider's attribution. */
export interface TrackingMapTiles {
    /** `{z}`, `{x}`, `{y}` (and optionally `{s}`), e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`. */
    url: string;
    /** HTML the tile provider asks to show (e.g. `&copy; OpenStreetMap contributors`). */
    attribution: string;
}

/**
 * @description
 * Options of the customer's tracking page at `/track/<token>` (the `tracking` option of the
 * {@link DriverDispatchPluginOptions}). Give only what you change.
 */
export interface TrackingPageOptions {
    /**
     * @description
     * How long a tracking link keeps working after its delivery ended (DELIVERED, FAILED or
     * CANCELLED); then it shows the same "not found" page as a wrong link. A FAILED delivery that
     * staff retry is open again, and so is its link.
     *
     * @default 24
     */
    expiresAfterHours?: number;
    /**
     * @description
     * How often the open page asks for news (`GET /track/<token>/status`). Every answer is read from
     * the database, so a change made by any server or worker process shows within this time.
     *
     * @default 5
     */
    pollIntervalSeconds?: number;
    /**
     * @description
     * Requests (the page and its status polls) one token may make per minute, counted before the
     * token is looked up, so a wrong token is limited the same way; one more is answered 429 with
     * `Retry-After`. Counted in Redis with `redisUrl` (shared by all processes; while Redis is
     * unreachable requests are let through), else in this process's memory.
     *
     * @default 60
     */
    requestsPerMinute?: number;
    /**
     * @description
     * Requests one client address may make per minute, whatever the tokens: counted before the
     * per-token limit, so guessing many tokens from one address is limited too. The address is
     * Express's `req.ip` (behind a proxy, set Express's `trust proxy` so it is the client's); an
     * IPv6 client counts by its /64, which one subscriber holds whole. The
     * default lets about 50 open pages share one address (a shop's or a carrier's NAT).
     *
     * @default 600
     */
    requestsPerMinutePerAddress?: number;
    /**
     * @description
     * Tiles under the driver and store markers, or `false` for a plain background. The tile
     * server's origin is added to the page's Content-Security-Policy (`img-src`). Tiles are
     * decoration: without a reachable tile server the markers still show.
     *
     * @default OpenStreetMap's standard tiles
     */
    mapTiles?: TrackingMapTiles | false;
    /**
     * @description
     * The folder of the built page script and styles (`npm run build` writes `dist/tracking-page`),
     * served under `/track/assets/`. Found from the plugin's folder like `appDir`. Without it the
     * page still shows the delivery as it was when loaded, without live updates or the map.
     *
     * @default the built `dist/tracking-page`
     */
    assetsDir?: string;
}

export type ResolvedTrackingPageOptions = Required<Omit<TrackingPageOptions, 'assetsDir'>> &
    Pick<TrackingPageOptions, 'assetsDir'>;

export const DEFAULT_TRACKING_PAGE_OPTIONS: ResolvedTrackingPageOptions = {
    expiresAfterHours: 24,
    pollIntervalSeconds: 5,
    requestsPerMinute: 60,
    requestsPerMinutePerAddress: 600,
    mapTiles: {
        url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
        attribution: '&copy; OpenStreetMap contributors',
    },
};

/** The options with their defaults (the plugin's options may hold a partial object). */
export function resolveTrackingPageOptions(options: TrackingPageOptions = {}): ResolvedTrackingPageOptions {
    return { ...DEFAULT_TRACKING_PAGE_OPTIONS, ...options };
}

/** Why the tracking options cannot work, or undefined when they can. */
export function trackingPageOptionsProblem(options: ResolvedTrackingPageOptions): string | undefined {
    const positive: Array<[string, number]> = [
        ['expiresAfterHours', options.expiresAfterHours],
        ['pollIntervalSeconds', options.pollIntervalSeconds],
    ];
    for (const [name, value] of positive) {
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
            return `tracking.${name} must be a positive number`;
        }
    }
    for (const name of ['requestsPerMinute', 'requestsPerMinutePerAddress'] as const) {
        if (!Number.isInteger(options[name]) || options[name] < 1) {
            return `tracking.${name} must be a positive whole number`;
        }
    }
    if (options.mapTiles !== false && tileOrigin(options.mapTiles.url) === undefined) {
        return 'tracking.mapTiles.url must be an http or https URL template';
    }
    return undefined;
}

/**
 * The origin a tile URL template loads from, as a CSP source: `{s}` subdomains become a wildcard
 * (`https://{s}.tile.example.org/...` → `https://*.tile.example.org`).
 */
export function tileOrigin(template: string): string | undefined {
    const withHost = template.replace(/\{s\}/g, 'tiles-wildcard');
    if (!URL.canParse(withHost)) return undefined;
    const url = new URL(withHost.replace(/\{[a-z]+\}/g, '0'));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return `${url.protocol}//${url.host.replace('tiles-wildcard', '*')}`;
}

/**
 * The default `assetsDir`: `<plugin>/../../tracking-page` when the plugin runs compiled
 * (`dist/plugins/driver-dispatch`), else `<plugin>/../../dist/tracking-page` (from source).
 */
export function defaultTrackingAssetsDir(pluginDir: string = path.resolve(__dirname, '..')): string {
    const candidates = [
        path.resolve(pluginDir, '../../tracking-page'),
        path.resolve(pluginDir, '../../dist/tracking-page'),
    ];
    return candidates.find(dir => existsSync(path.join(dir, 'tracking-page.js'))) ?? candidates[0];
}
