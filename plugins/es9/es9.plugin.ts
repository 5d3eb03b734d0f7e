import { APP_INTERCEPTOR } from '@nestjs/core';
import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';
import type { SearchClientAdapter } from '@vendure-community/elasticsearch-plugin';

import { SellerStoreInfoPlugin } from '../seller-store-info';
import { SearchBackendState } from './adapter/delivery-search-adapter';
import { DeliverySearchInterceptor } from './api/delivery-search.interceptor';
import { ES9_ADAPTER_FACTORY, ES9_PLUGIN_OPTIONS } from './constants';
import { Es9Options, Es9PluginOptions, withDefaults } from './options';
import { DeliveryScopes } from './search/delivery-scopes';
import { CommunityPluginBridge } from './services/community-plugin-bridge';
import { DeliverySearchScopeService } from './services/delivery-search-scope.service';
import { SearchBackendClient } from './services/search-backend-client';
import { SearchBackendWatcher } from './services/search-backend-watcher';
import { StoreChangeIndexer } from './services/store-change-indexer';
import { VariantGeoService } from './services/variant-geo.service';

/**
 * @description
 * The geo part of shop search on Elasticsearch 9, next to the community ElasticsearchPlugin that
 * es9 configures (register both with {@link es9SearchPlugins}). It resolves the delivery location
 * of each search, indexes each variant's serving stores, re-indexes after store changes, and
 * brings indexing back after Elasticsearch was down. Loaded only when `ELASTICSEARCH_URL` is set.
 */
@VendurePlugin({
    imports: [PluginCommonModule, SellerStoreInfoPlugin],
    providers: [
        { provide: ES9_PLUGIN_OPTIONS, useFactory: () => Es9Plugin.options },
        { provide: ES9_ADAPTER_FACTORY, useFactory: () => Es9Plugin.createAdapter },
        { provide: DeliveryScopes, useFactory: () => Es9Plugin.scopes },
        { provide: SearchBackendState, useFactory: () => Es9Plugin.backendState },
        { provide: APP_INTERCEPTOR, useClass: DeliverySearchInterceptor },
        DeliverySearchScopeService,
        VariantGeoService,
        CommunityPluginBridge,
        SearchBackendClient,
        StoreChangeIndexer,
        SearchBackendWatcher,
    ],
    compatibility: '^3.7.0',
})
export class Es9Plugin {
    static options: Es9Options;
    /** Shared with the community plugin's `mapQuery`/`mapSort`, which run outside Nest's injector. */
    static readonly scopes = new DeliveryScopes();
    static readonly backendState = new SearchBackendState();
    static createAdapter: () => SearchClientAdapter;

    /**
     * Use {@link es9SearchPlugins}, which also configures the community plugin; `init` alone sets
     * es9's part only.
     */
    static init(options: Es9PluginOptions, createAdapter: () => SearchClientAdapter): Type<Es9Plugin> {
        this.options = withDefaults(options);
        this.createAdapter = createAdapter;
        return Es9Plugin;
    }
}
