import { createHmac } from 'node:crypto';

import { signatureHeader, verifyWebhookSignature, webhookSignature } from './webhook-signature';

const SECRET = 'whsec_0123456789abcdef';
const BODY = '{"id":"evt_1","type":"delivery.delivered"}';

describe('webhook signatures', () => {
    it('is the HMAC-SHA256 of "<t>.<body>", as a receiver computes it with node:crypto', () => {
        // Computed independently of webhookSignature, as the README's snippet does.
        const expected = createHmac('sha256', SECRET).update(`1700000000.${BODY}`).digest('hex');
        expect(webhookSignature(SECRET, 1700000000, BODY)).toBe(expected);
        expect(signatureHeader(SECRET, BODY, new Date(1700000000_500))).toBe(`t=1700000000,v1=${expected}`);
    });

    it('verifies a fresh header and refuses a changed body, another secret, an old or future timestamp', () => {
        const now = new Date(1700000000_000);
        const header = signatureHeader(SECRET, BODY, now);
        expect(verifyWebhookSignature(header, BODY, SECRET, 300, now)).toBe(true);
        expect(verifyWebhookSignature(header, BODY.replace('delivered', 'cancelled'), SECRET, 300, now)).toBe(
            false,
        );
        expect(verifyWebhookSignature(header, BODY, `${SECRET}x`, 300, now)).toBe(false);
        expect(verifyWebhookSignature(header, BODY, SECRET, 300, new Date(now.getTime() + 301_000))).toBe(
            false,
        );
        expect(verifyWebhookSignature(header, BODY, SECRET, 300, new Date(now.getTime() - 301_000))).toBe(
            false,
        );
    });

    it('refuses headers that are missing or malformed', () => {
        const now = new Date(1700000000_000);
        for (const header of [
            undefined,
            '',
            't=1700000000',
            'v1=abc',
            't=abc,v1=' + '0'.repeat(64),
            't=1700000000,v1=zz',
        ]) {
            expect(verifyWebhookSignature(header, BODY, SECRET, 300, now)).toBe(false);
        }
    });
});
