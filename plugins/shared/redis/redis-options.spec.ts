import { redisOptionsFromUrl } from './redis-options';

describe('redisOptionsFromUrl', () => {
    it('connects to the given host on port 6379 by default, without credentials, db or TLS', () => {
        expect(redisOptionsFromUrl('redis://cache.internal')).toEqual({ host: 'cache.internal', port: 6379 });
    });

    it('uses the port of the URL', () => {
        expect(redisOptionsFromUrl('redis://cache.internal:6380')).toMatchObject({
            host: 'cache.internal',
            port: 6380,
        });
    });

    it('passes username and password', () => {
        expect(redisOptionsFromUrl('redis://worker:s3cret@cache.internal:6379')).toMatchObject({
            username: 'worker',
            password: 's3cret',
        });
    });

    it('passes a password given without a username', () => {
        const options = redisOptionsFromUrl('redis://:s3cret@cache.internal');
        expect(options.password).toBe('s3cret');
        expect(options.username).toBeUndefined();
    });

    it('decodes URL-encoded characters in username and password', () => {
        expect(redisOptionsFromUrl('redis://ops%40team:p%40ss%3Aw%2Ford%25@cache.internal')).toMatchObject({
            username: 'ops@team',
            password: 'p@ss:w/ord%',
        });
    });

    it('selects the database number from the path', () => {
        expect(redisOptionsFromUrl('redis://cache.internal:6379/3').db).toBe(3);
        expect(redisOptionsFromUrl('redis://cache.internal:6379/0').db).toBe(0);
        expect(redisOptionsFromUrl('redis://cache.internal:6379/').db).toBeUndefined();
    });

    it('uses TLS for rediss:// only', () => {
        expect(redisOptionsFromUrl('rediss://cache.example.com:6380').tls).toEqual({});
        expect(redisOptionsFromUrl('redis://cache.example.com:6380').tls).toBeUndefined();
    });

    it('unwraps a bracketed IPv6 host', () => {
        expect(redisOptionsFromUrl('redis://[::1]:6380').host).toBe('::1');
    });
});
