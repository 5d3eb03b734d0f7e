import { LocationPingRateLimitError } from '../api/thrown-errors';
import { PingRateLimiter } from './ping-rate-limiter.service';

describe('PingRateLimiter in memory (no redisUrl)', () => {
    it('admits the limit per driver, then refuses with the limit and when to retry', async () => {
        const limiter = new PingRateLimiter({ locationPingLimit: { points: 2, durationSeconds: 30 } });
        await limiter.onApplicationBootstrap();
        await limiter.admit(7);
        await limiter.admit('7');
        const refused = await limiter.admit(7).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(LocationPingRateLimitError);
        const error = refused as LocationPingRateLimitError;
        expect(error.code).toBe('TOO_MANY_REQUESTS');
        expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(29);
        expect(error.retryAfterSeconds).toBeLessThanOrEqual(30);
        expect(error.extensions).toMatchObject({
            code: 'TOO_MANY_REQUESTS',
            retryAfterSeconds: error.retryAfterSeconds,
        });
        expect(error.message).toBe(
            `Too many location pings: at most 2 per 30 s per driver. This ping was not recorded; retry in ${error.retryAfterSeconds} s`,
        );
        // Driver 8 has a count of their own.
        await limiter.admit(8);
        await limiter.onApplicationShutdown();
    });

    it('admits again once the window has passed', async () => {
        const limiter = new PingRateLimiter({ locationPingLimit: { points: 1, durationSeconds: 1 } });
        await limiter.admit(1);
        await expect(limiter.admit(1)).rejects.toBeInstanceOf(LocationPingRateLimitError);
        await new Promise(resolve => setTimeout(resolve, 1100));
        await limiter.admit(1);
    });

    it('uses 10 pings per 10 s when no limit is given', async () => {
        const limiter = new PingRateLimiter({});
        for (let i = 0; i < 10; i++) await limiter.admit(1);
        await expect(limiter.admit(1)).rejects.toThrow('at most 10 per 10 s');
    });

    it.each([
        [{ points: 0, durationSeconds: 10 }, 'locationPingLimit.points'],
        [{ points: 10, durationSeconds: 0.5 }, 'locationPingLimit.durationSeconds'],
    ])('refuses the limit %j at start, naming the option', (locationPingLimit, option) => {
        expect(() => new PingRateLimiter({ locationPingLimit })).toThrow(option);
    });
});
