import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { Allow, Permission } from '@vendure/core';

import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { MapTileOptions, SellerStoreInfoOptions } from '../options';
import { GeocodingService } from '../services/geocoding.service';
import { StoreLocator } from '../services/store-locator.service';

@Resolver()
export class StoreLocatorAdminResolver {
    constructor(
        private readonly storeLocator: StoreLocator,
        private readonly geocoding: GeocodingService,
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS) private readonly options: SellerStoreInfoOptions,
    ) {}

    /** Not a secret: any logged-in administrator's dashboard may draw a map. */
    @Query()
    @Allow(Permission.Authenticated)
    mapTileSettings(): MapTileOptions {
        return this.options.mapTiles;
    }

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
