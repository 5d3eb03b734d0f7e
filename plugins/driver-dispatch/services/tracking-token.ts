import { randomBytes } from 'node:crypto';

/**
 * The secret in a delivery's tracking link (`/track/<token>`): 24 random bytes (192 bits) in
 * base64url, unrelated to the order code, the delivery reference or any id, so a link can be
 * guessed from none of them. Set once when the delivery is created and kept by every later step
 * (a retry included), so the link in the customer's email keeps working.
 */
export function generateTrackingToken(): string {
    return randomBytes(24).toString('base64url');
}

/** What a tracking token can look like (this plugin's, and the 64 hex digits of migrated rows). */
const TRACKING_TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,64}$/;

/** A token as received from a URL, bounded before it reaches the database. */
export function isWellFormedTrackingToken(token: string): boolean {
    return TRACKING_TOKEN_SHAPE.test(token);
}

/**
 * The customer's tracking link: the plugin's `publicBaseUrl` (where customers reach this server,
 * e.g. `https://shop.example.com`) and `/track/<token>`. Null without a `publicBaseUrl`: a link
 * to the wrong host would be worse than none.
 */
export function trackingUrlFor(publicBaseUrl: string | undefined, token: string): string | null {
    if (!publicBaseUrl) return null;
    return `${publicBaseUrl.replace(/\/+$/, '')}${TRACKING_ROUTE}/${token}`;
}

/** Where the plugin serves the tracking page. */
export const TRACKING_ROUTE = '/track';

/** Why a `publicBaseUrl` cannot work, or undefined when it can. */
export function publicBaseUrlProblem(publicBaseUrl: string | undefined): string | undefined {
    if (publicBaseUrl === undefined) return undefined;
    if (!URL.canParse(publicBaseUrl))
        return `publicBaseUrl must be a URL, got "${publicBaseUrl.slice(0, 80)}"`;
    const url = new URL(publicBaseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return `publicBaseUrl must be an http or https URL, got "${publicBaseUrl.slice(0, 80)}"`;
    }
    if (url.search || url.hash) return 'publicBaseUrl must not have a query or fragment';
    return undefined;
}
