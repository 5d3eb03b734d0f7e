import {
    generateTrackingToken,
    isWellFormedTrackingToken,
    publicBaseUrlProblem,
    trackingUrlFor,
} from './tracking-token';

describe('tracking tokens', () => {
    it('are 192 random bits in base64url, different every time', () => {
        const tokens = Array.from({ length: 500 }, generateTrackingToken);
        expect(new Set(tokens).size).toBe(500);
        for (const token of tokens) {
            expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
            expect(Buffer.from(token, 'base64url')).toHaveLength(24);
            expect(isWellFormedTrackingToken(token)).toBe(true);
        }
    });

    it('refuses what cannot be a token before it reaches the database', () => {
        expect(isWellFormedTrackingToken('a'.repeat(64))).toBe(true);
        for (const bad of [
            '',
            'short',
            'a'.repeat(65),
            `${'a'.repeat(31)}/`,
            `${'a'.repeat(40)} `,
            '../../etc',
        ]) {
            expect(isWellFormedTrackingToken(bad)).toBe(false);
        }
    });

    it('builds the link from the public base URL, with or without a trailing slash', () => {
        expect(trackingUrlFor('https://shop.example.com', 'tok')).toBe('https://shop.example.com/track/tok');
        expect(trackingUrlFor('https://shop.example.com/de/', 'tok')).toBe(
            'https://shop.example.com/de/track/tok',
        );
        expect(trackingUrlFor(undefined, 'tok')).toBeNull();
    });

    it('says what is wrong with a public base URL', () => {
        expect(publicBaseUrlProblem(undefined)).toBeUndefined();
        expect(publicBaseUrlProblem('http://localhost:3000')).toBeUndefined();
        expect(publicBaseUrlProblem('shop.example.com')).toMatch(/must be a URL/);
        expect(publicBaseUrlProblem('ftp://shop.example.com')).toMatch(/http or https/);
        expect(publicBaseUrlProblem('https://shop.example.com/?a=1')).toMatch(/query/);
    });
});
