import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-Delivery-Signature';
/** How old a signature a receiver accepts by default (the README's snippet uses the same). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** HMAC-SHA256 (hex) of `<timestamp>.<body>` under the endpoint's secret. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
    return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The value of {@link SIGNATURE_HEADER} for a POST of `body` at `now` (re-signed on each attempt). */
export function signatureHeader(secret: string, body: string, now: Date = new Date()): string {
    const timestamp = Math.floor(now.getTime() / 1000);
    return `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
}

/**
 * What a receiver checks: the header's `v1` is the HMAC of `t.body` (compared in constant time)
 * and `t` is within `toleranceSeconds` of `now`, so a recorded request cannot be replayed later.
 * The README's snippet is this logic in plain Node.
 */
export function verifyWebhookSignature(
    header: string | undefined,
    body: string,
    secret: string,
    toleranceSeconds: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
    now: Date = new Date(),
): boolean {
    const parts = Object.fromEntries(
        (header ?? '').split(',').map(part => {
            const at = part.indexOf('=');
            return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
        }),
    ) as Record<string, string | undefined>;
    const timestamp = Number(parts.t);
    if (!Number.isInteger(timestamp) || !parts.v1 || !/^[0-9a-f]{64}$/.test(parts.v1)) return false;
    if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
    const expected = Buffer.from(webhookSignature(secret, timestamp, body), 'hex');
    return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}
