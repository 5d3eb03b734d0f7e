import { Query, Resolver } from '@nestjs/graphql';
import { Allow, Permission } from '@vendure/core';

import { GeocodingService } from '../services/geocoding.service';
import { StoreLocator } from '../services/store-locator.service';

@Resolver()
export class StoreLocatorAdminResolver {
    constructor(
        private readonly storeLocator: StoreLocator,
        private readonly geocoding: GeocodingService,
    ) {}

    @Query()
    @Allow(Permission.ReadStockLocation)
    storeLocatorStats() {
        const { hits, misses } = this.geocoding.stats();
        return {
            indexedStores: this.storeLocator.indexedStores(),
            geocodeCacheHits: hits,
            geocodeCacheMisses: misses,
            lookups: this.storeLocator.lookups,
        };
    }
}
