import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CacheService, Injector, Logger, RequestContext } from '@vendure/core';

import { describeError } from '../../shared/errors';
import { loggerCtx, SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import {
    GeocodedLocation,
    GeocodingQuery,
    GeocodingStrategy,
    normalizeGeocodingQuery,
} from '../strategies/geocoding/geocoding-strategy';

/** Postal-code centroids do not move: a day keeps the table (or an external geocoder) quiet. */
export const GEOCODE_FOUND_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * Unknown codes are cached too, so repeated typos do not each reach the database or a paid API,
 * but briefly: a code imported a moment later should work within minutes.
 */
export const GEOCODE_UNKNOWN_TTL_MS = 5 * 60 * 1000;
/** Every geocode cache entry carries this tag: `invalidateTags([GEOCODE_CACHE_TAG])` drops them all. */
export const GEOCODE_CACHE_TAG = 'seller-store-info:geocode';

const CACHE_KEY_PREFIX = 'seller-store-info:geocode:v1';
const CACHE_WARNING_INTERVAL_MS = 60_000;

/** What goes into the cache: JSON only (Redis in production), `location: null` for an unknown code. */
interface CachedGeocode {
    location: {
        latitude: number;
        longitude: number;
        postalCode: string;
        countryCode: string;
        placeName: string | null;
    } | null;
}

/**
 * Postal code to coordinates through the configured {@link GeocodingStrategy}, behind Vendure's
 * CacheService: in process by default, shared through Redis when the app's cache strategy is
 * Redis (`RedisCachePlugin`, or `RedisCacheStrategy` as this project's app configures it), so
 * every server and worker profits from one lookup.
 *
 * The hit and miss counters are this process's own (for `storeLocatorStats`).
 */
@Injectable()
export class GeocodingService implements OnApplicationBootstrap, OnApplicationShutdown {
    private hits = 0;
    private misses = 0;
    /** Concurrent lookups of the same uncached code share one strategy call. */
    private readonly inFlight = new Map<string, Promise<GeocodedLocation | undefined>>();
    private lastCacheWarningAt = 0;

    constructor(
        private readonly cacheService: CacheService,
        private readonly moduleRef: ModuleRef,
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS)
        private readonly options: Pick<SellerStoreInfoOptions, 'geocodingStrategy'>,
    ) {}

    private get strategy(): GeocodingStrategy {
        return this.options.geocodingStrategy;
    }

    // A strategy in plugin options is not one of Vendure's own config strategies, so Vendure does
    // not call its init/destroy: the service that owns it does, as Vendure's own plugins do.
    async onApplicationBootstrap(): Promise<void> {
        await this.strategy.init?.(new Injector(this.moduleRef));
    }

    async onApplicationShutdown(): Promise<void> {
        await this.strategy.destroy?.();
    }

    /**
     * Where the postal code is, or `undefined` when it is unknown (or blank). The code is matched
     * trimmed and upper case. Errors of the strategy itself propagate and are not cached.
     */
    async geocode(ctx: RequestContext, query: GeocodingQuery): Promise<GeocodedLocation | undefined> {
        const normalized = normalizeGeocodingQuery(query);
        if (!normalized.postalCode || !/^[A-Z]{2}$/.test(normalized.countryCode)) return undefined;
        const key = `${CACHE_KEY_PREFIX}:${normalized.countryCode}:${normalized.postalCode}`;

        const cached = await this.readCache(key);
        if (cached) {
            this.hits++;
            return cached.location ? fromCache(cached.location) : undefined;
        }
        this.misses++;
        const pending = this.inFlight.get(key);
        if (pending) return pending;
        const lookup = this.lookUp(ctx, key, normalized).finally(() => this.inFlight.delete(key));
        this.inFlight.set(key, lookup);
        return lookup;
    }

    /** Cache hits and misses of this process since it started. */
    stats(): { hits: number; misses: number } {
        return { hits: this.hits, misses: this.misses };
    }

    /** Forgets every cached answer, e.g. after importing postal codes into a running system. */
    async clearCache(): Promise<void> {
        await this.cacheService.invalidateTags([GEOCODE_CACHE_TAG]);
    }

    private async lookUp(
        ctx: RequestContext,
        key: string,
        query: GeocodingQuery,
    ): Promise<GeocodedLocation | undefined> {
        const found = await this.strategy.geocode(ctx, query);
        const entry: CachedGeocode = {
            location: found
                ? {
                      latitude: found.latitude,
                      longitude: found.longitude,
                      postalCode: found.postalCode,
                      countryCode: found.countryCode,
                      placeName: found.placeName ?? null,
                  }
                : null,
        };
        await this.writeCache(key, entry, found ? GEOCODE_FOUND_TTL_MS : GEOCODE_UNKNOWN_TTL_MS);
        return found;
    }

    // The cache is an optimisation: when it fails (Redis down), answer from the strategy rather
    // than fail the customer's request, and say so in the log at most once a minute.
    private async readCache(key: string): Promise<CachedGeocode | undefined> {
        try {
            return await this.cacheService.get<CachedGeocode>(key);
        } catch (error) {
            this.warnCacheFailure('read', error);
            return undefined;
        }
    }

    private async writeCache(key: string, entry: CachedGeocode, ttl: number): Promise<void> {
        try {
            await this.cacheService.set(key, entry, { ttl, tags: [GEOCODE_CACHE_TAG] });
        } catch (error) {
            this.warnCacheFailure('write', error);
        }
    }

    private warnCacheFailure(operation: 'read' | 'write', error: unknown): void {
        const now = Date.now();
        if (now - this.lastCacheWarningAt < CACHE_WARNING_INTERVAL_MS) return;
        this.lastCacheWarningAt = now;
        const message = describeError(error);
        Logger.warn(`Geocode cache ${operation} failed, answering without the cache: ${message}`, loggerCtx);
    }
}

function fromCache(location: NonNullable<CachedGeocode['location']>): GeocodedLocation {
    const { placeName, ...rest } = location;
    return placeName === null ? rest : { ...rest, placeName };
}
