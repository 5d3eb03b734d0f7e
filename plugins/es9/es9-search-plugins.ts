import { Type } from '@vendure/core';
import {
    createElasticsearchAdapter,
    ElasticsearchOptions,
    ElasticsearchPlugin,
    ElasticSearchSortInput,
    SearchClientAdapter,
} from '@vendure-community/elasticsearch-plugin';

import { DeliverySearchAdapter, SearchBackendState } from './adapter/delivery-search-adapter';
import { GEO_FIELDS, GEO_MAPPINGS } from './constants';
import { Es9Plugin } from './es9.plugin';
import { Es9Options, Es9PluginOptions, withDefaults } from './options';
import { DeliveryScopes } from './search/delivery-scopes';
import { BoolQuery, withDeliveryFilter, withDeliverySort } from './search/delivery-search-query';
import { withoutSellers } from './search/seller-visibility';
import { VariantGeoService } from './services/variant-geo.service';

/**
 * @description
 * The plugins of Elasticsearch search with the 5 km rule: the community ElasticsearchPlugin,
 * configured by es9, and es9 itself. Use them instead of Vendure's DefaultSearchPlugin:
 *
 * ```ts
 * plugins: [...es9SearchPlugins({ url: process.env.ELASTICSEARCH_URL })]
 * ```
 */
export function es9SearchPlugins(options: Es9PluginOptions): Array<Type<unknown>> {
    const resolved = withDefaults(options);
    const createAdapter = () =>
        createElasticsearchAdapter({
            clientOptions: {
                node: resolved.url,
                requestTimeout: resolved.requestTimeoutMs,
                // One retry: a search waits at most two timeouts before it fails with a clear error.
                maxRetries: 1,
            },
        });
    return [
        ElasticsearchPlugin.init(
            communityPluginOptions(resolved, Es9Plugin.scopes, Es9Plugin.backendState, createAdapter),
        ),
        Es9Plugin.init(options, createAdapter),
    ];
}

/**
 * The community plugin's options with es9's hooks: the store geo fields in the mapping and the
 * documents, the delivery filter and sort in the query, the result fields from the hits.
 */
export function communityPluginOptions(
    options: Es9Options,
    scopes: DeliveryScopes,
    state: SearchBackendState,
    createAdapter: () => SearchClientAdapter,
): ElasticsearchOptions {
    return {
        adapter: () => new DeliverySearchAdapter(createAdapter(), state),
        // One quick try at start: the server must start without Elasticsearch (es9's watcher
        // connects the plugin later). The default, 10 tries 5 s apart, holds start-up for 50 s.
        connectionAttempts: 1,
        connectionAttemptInterval: 100,
        indexPrefix: options.indexPrefix,
        indexSettings: options.indexSettings,
        indexMappingProperties: {
            [GEO_FIELDS.storePoints]: { type: 'geo_point' },
            [GEO_FIELDS.storeIds]: { type: 'keyword' },
            [GEO_FIELDS.sellerChannelId]: { type: 'keyword' },
        },
        // Per-store stock for the store points, loaded with the variants of each product.
        hydrateProductVariantRelations: ['stockLevels'],
        customProductVariantMappings: {
            // Not in the GraphQL schema (public: false): the API fields are seller-store-info's.
            [GEO_MAPPINGS.storePoints]: {
                graphQlType: '[String!]!',
                public: false,
                valueFn: async (variant, _languageCode, injector, ctx) =>
                    (await injector.get(VariantGeoService).geoOf(ctx, variant)).storePoints,
            },
            [GEO_MAPPINGS.storeIds]: {
                graphQlType: '[ID!]!',
                public: false,
                valueFn: async (variant, _languageCode, injector, ctx) =>
                    (await injector.get(VariantGeoService).geoOf(ctx, variant)).storeIds,
            },
            [GEO_MAPPINGS.sellerChannelId]: {
                graphQlType: 'ID',
                public: false,
                valueFn: async (variant, _languageCode, injector, ctx) =>
                    (await injector.get(VariantGeoService).geoOf(ctx, variant)).sellerChannelId ?? undefined,
            },
        },
        searchConfig: {
            mapQuery: (query: BoolQuery, input) =>
                withoutSellers(
                    withDeliveryFilter(query, scopes.forInput(input)),
                    scopes.hiddenSellersFor(input),
                ),
            mapSort: (sort, input) =>
                // The community type describes field sorts only, not `_geo_distance`.
                withDeliverySort(sort, input, scopes.forInput(input)) as ElasticSearchSortInput,
        },
    };
}
