import { ModuleRef } from '@nestjs/core';
import { CacheService, Injector, Logger, RequestContext } from '@vendure/core';

import {
    GeocodedLocation,
    GeocodingQuery,
    GeocodingStrategy,
} from '../strategies/geocoding/geocoding-strategy';
import {
    GEOCODE_CACHE_TAG,
    GEOCODE_FOUND_TTL_MS,
    GEOCODE_UNKNOWN_TTL_MS,
    GeocodingService,
} from './geocoding.service';

/** Vendure's CacheService contract (get/set with ttl and tags), in a Map, with a clock we control. */
class FakeCache {
    now = 0;
    failing = false;
    readonly entries = new Map<string, { value: unknown; expiresAt: number; tags: string[] }>();
    readonly ttls: number[] = [];

    get(key: string): Promise<unknown> {
        if (this.failing) return Promise.reject(new Error('Redis connection refused'));
        const entry = this.entries.get(key);
        if (!entry || entry.expiresAt <= this.now) return Promise.resolve(undefined);
        // Through JSON, as Redis would: nothing but JSON survives.
        return Promise.resolve(JSON.parse(JSON.stringify(entry.value)));
    }

    set(key: string, value: unknown, options: { ttl: number; tags: string[] }): Promise<void> {
        if (this.failing) return Promise.reject(new Error('Redis connection refused'));
        this.ttls.push(options.ttl);
        this.entries.set(key, { value, expiresAt: this.now + options.ttl, tags: options.tags });
        return Promise.resolve();
    }

    invalidateTags(tags: string[]): Promise<void> {
        for (const [key, entry] of this.entries) {
            if (entry.tags.some(tag => tags.includes(tag))) this.entries.delete(key);
        }
        return Promise.resolve();
    }
}

class FakeStrategy implements GeocodingStrategy {
    readonly table = new Map<string, GeocodedLocation>([
        [
            'DE:10178',
            {
                postalCode: '10178',
                countryCode: 'DE',
                latitude: 52.5219,
                longitude: 13.4132,
                placeName: 'Berlin',
            },
        ],
        ['GB:SW1A 1AA', { postalCode: 'SW1A 1AA', countryCode: 'GB', latitude: 51.501, longitude: -0.1416 }],
    ]);
    readonly queries: GeocodingQuery[] = [];
    injector: Injector | undefined;
    destroyed = false;
    failWith: Error | undefined;

    init(injector: Injector) {
        this.injector = injector;
    }

    destroy() {
        this.destroyed = true;
    }

    async geocode(_ctx: RequestContext, query: GeocodingQuery): Promise<GeocodedLocation | undefined> {
        this.queries.push(query);
        await new Promise(resolve => setImmediate(resolve));
        if (this.failWith) throw this.failWith;
        return this.table.get(`${query.countryCode}:${query.postalCode}`);
    }
}

describe('GeocodingService', () => {
    const ctx = RequestContext.empty();
    let cache: FakeCache;
    let strategy: FakeStrategy;
    let service: GeocodingService;

    beforeEach(async () => {
        jest.spyOn(Logger, 'warn').mockImplementation(() => undefined);
        cache = new FakeCache();
        strategy = new FakeStrategy();
        service = new GeocodingService(cache as unknown as CacheService, {} as ModuleRef, {
            geocodingStrategy: strategy,
        });
        await service.onApplicationBootstrap();
    });

    afterEach(() => jest.restoreAllMocks());

    it('initialises the strategy with an Injector and destroys it at shutdown', async () => {
        expect(strategy.injector).toBeInstanceOf(Injector);
        await service.onApplicationShutdown();
        expect(strategy.destroyed).toBe(true);
    });

    it('finds a postal code, trimmed and upper case, with its place name', async () => {
        await expect(service.geocode(ctx, { postalCode: ' sw1a 1aa ', countryCode: 'gb' })).resolves.toEqual({
            postalCode: 'SW1A 1AA',
            countryCode: 'GB',
            latitude: 51.501,
            longitude: -0.1416,
        });
        expect(strategy.queries).toEqual([{ postalCode: 'SW1A 1AA', countryCode: 'GB' }]);
        await expect(service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' })).resolves.toMatchObject(
            {
                placeName: 'Berlin',
            },
        );
    });

    it('answers a repeated code from the cache for a day, counting hits and misses', async () => {
        const first = await service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' });
        const second = await service.geocode(ctx, { postalCode: '10178 ', countryCode: 'de' });
        expect(second).toEqual(first);
        expect(strategy.queries).toHaveLength(1);
        expect(service.stats()).toEqual({ hits: 1, misses: 1 });
        expect(cache.ttls).toEqual([GEOCODE_FOUND_TTL_MS]);

        cache.now = GEOCODE_FOUND_TTL_MS + 1;
        await service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' });
        expect(strategy.queries).toHaveLength(2);
        expect(service.stats()).toEqual({ hits: 1, misses: 2 });
    });

    it('caches an unknown code briefly, so a code imported later is found within minutes', async () => {
        await expect(
            service.geocode(ctx, { postalCode: '99999', countryCode: 'DE' }),
        ).resolves.toBeUndefined();
        await expect(
            service.geocode(ctx, { postalCode: '99999', countryCode: 'DE' }),
        ).resolves.toBeUndefined();
        expect(strategy.queries).toHaveLength(1);
        expect(cache.ttls).toEqual([GEOCODE_UNKNOWN_TTL_MS]);
        expect(service.stats()).toEqual({ hits: 1, misses: 1 });

        strategy.table.set('DE:99999', {
            postalCode: '99999',
            countryCode: 'DE',
            latitude: 51,
            longitude: 11,
        });
        cache.now = GEOCODE_UNKNOWN_TTL_MS + 1;
        await expect(service.geocode(ctx, { postalCode: '99999', countryCode: 'DE' })).resolves.toMatchObject(
            {
                latitude: 51,
            },
        );
    });

    it('asks the strategy once for concurrent lookups of the same code', async () => {
        const answers = await Promise.all(
            [1, 2, 3].map(() => service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' })),
        );
        expect(strategy.queries).toHaveLength(1);
        expect(answers[1]).toEqual(answers[0]);
        expect(answers[2]).toEqual(answers[0]);
    });

    it('does not ask the strategy for a blank code or a country code that is not two letters', async () => {
        await expect(service.geocode(ctx, { postalCode: '  ', countryCode: 'DE' })).resolves.toBeUndefined();
        await expect(
            service.geocode(ctx, { postalCode: '10178', countryCode: 'DEU' }),
        ).resolves.toBeUndefined();
        expect(strategy.queries).toHaveLength(0);
    });

    it('lets a failing strategy fail the lookup, and does not cache the failure', async () => {
        strategy.failWith = new Error('geocoder unreachable');
        await expect(service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' })).rejects.toThrow(
            'geocoder unreachable',
        );
        strategy.failWith = undefined;
        await expect(service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' })).resolves.toMatchObject(
            {
                latitude: 52.5219,
            },
        );
    });

    it('answers from the strategy when the cache is down, and says so in the log', async () => {
        cache.failing = true;
        await expect(service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' })).resolves.toMatchObject(
            {
                latitude: 52.5219,
            },
        );
        expect(Logger.warn).toHaveBeenCalledWith(
            expect.stringMatching(/Redis connection refused/),
            expect.any(String),
        );
    });

    it('forgets every cached answer on clearCache', async () => {
        await service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' });
        expect([...cache.entries.values()][0].tags).toEqual([GEOCODE_CACHE_TAG]);
        await service.clearCache();
        await service.geocode(ctx, { postalCode: '10178', countryCode: 'DE' });
        expect(strategy.queries).toHaveLength(2);
    });
});
