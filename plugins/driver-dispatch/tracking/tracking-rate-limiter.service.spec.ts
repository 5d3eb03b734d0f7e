import { randomBytes } from 'node:crypto';

import { clientAddressGroup, TrackingRateLimiter } from './tracking-rate-limiter.service';

describe('clientAddressGroup', () => {
    it('counts an IPv4 client by its address, also when it arrives IPv4-mapped', () => {
        expect(clientAddressGroup('203.0.113.9')).toBe('203.0.113.9');
        expect(clientAddressGroup('::ffff:203.0.113.9')).toBe('203.0.113.9');
        expect(clientAddressGroup('64:ff9b::203.0.113.9')).toBe('203.0.113.9');
        expect(clientAddressGroup('64:ff9b::cb00:710a')).toBe('203.0.113.10');
        expect(clientAddressGroup('203.0.113.10')).not.toBe(clientAddressGroup('203.0.113.9'));
    });

    it('counts an IPv6 client by its /64, however the address is written', () => {
        const group = clientAddressGroup('2001:db8:1:2::1');
        expect(group).toBe('2001:db8:1:2::/64');
        expect(clientAddressGroup('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe(group);
        expect(clientAddressGroup('2001:DB8:1:2:a:b:c:d')).toBe(group);
        expect(clientAddressGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
        // A local-use NAT64 prefix (RFC 8215) may place the IPv4 address elsewhere: an IPv6 client.
        expect(clientAddressGroup('64:ff9b:1::cb00:710a')).toBe('64:ff9b:1::/64');
    });

    it('counts anything else as itself, cut to 64 characters', () => {
        expect(clientAddressGroup('unix-socket')).toBe('unix-socket');
        expect(clientAddressGroup('x'.repeat(100))).toHaveLength(64);
    });
});

describe('TrackingRateLimiter per address (in memory)', () => {
    const token = () => randomBytes(16).toString('base64url');

    it('refuses a fresh address of the same IPv6 /64 once the /64 used its minute, not another /64', async () => {
        const limiter = new TrackingRateLimiter({
            tracking: { requestsPerMinute: 100, requestsPerMinutePerAddress: 3 },
        });
        await limiter.onApplicationBootstrap();
        try {
            expect(limiter.store).toBe('memory');
            const answers = [];
            for (let host = 1; host <= 4; host++) {
                answers.push((await limiter.take(token(), `2001:db8:7:7::${host.toString(16)}`)).allowed);
            }
            expect(answers).toEqual([true, true, true, false]);
            const refused = await limiter.take(token(), '2001:db8:7:7:abcd::1');
            expect(refused).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
            expect((await limiter.take(token(), '2001:db8:7:8::1')).allowed).toBe(true);
        } finally {
            await limiter.onApplicationShutdown();
        }
    });
});
