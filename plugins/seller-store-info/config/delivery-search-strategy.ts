import { SearchInput, SearchResult } from '@vendure/common/lib/generated-types';
import {
    ChannelService,
    DefaultSearchPlugin,
    getFieldsToSelect,
    GlobalSettingsService,
    ID,
    Injector,
    mapToSearchResult,
    PLUGIN_INIT_OPTIONS,
    ProductVariant,
    RequestContext,
    SearchStrategy,
    StockLevel,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';
import { DataSource } from 'typeorm';

import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import { DeliveryLocationInput, DeliveryLocationService } from '../services/delivery-location.service';
import { SellerVerificationService } from '../services/seller-verification.service';
import { StoreHoursService } from '../services/store-hours.service';
import { StoreLocator } from '../services/store-locator.service';
import {
    collectionIdsQuery,
    countIds,
    DEFAULT_SEARCH_TABLES,
    DeliveryScope,
    EntityIdType,
    facetValueIdsQuery,
    HiddenSellers,
    InvalidFacetValueFilterError,
    searchResultsQuery,
    SearchScope,
    SearchTables,
    servingStoreRows,
    SqlQuery,
    totalCountQuery,
} from './delivery-search-query';

/** The DefaultSearchPlugin's options, from its public `init` (its options type is not exported). */
type DefaultSearchPluginInitOptions = NonNullable<Parameters<typeof DefaultSearchPlugin.init>[0]>;

/** Vendure's SearchInput with the field seller-store-info adds to it. */
export type DeliverySearchInput = SearchInput & { deliveryLocation?: DeliveryLocationInput | null };

/** A search result with the fields the `SearchResult.fastDelivery` and `nearestStoreDistanceKm` resolvers read. */
export type DeliverySearchResult = SearchResult & {
    fastDelivery: boolean;
    nearestStoreDistanceKm: number | null;
};

/**
 * @description
 * Vendure's default PostgreSQL search with the 5 km delivery rule. Configure it as the
 * DefaultSearchPlugin's `searchStrategy`:
 *
 * ```ts
 * DefaultSearchPlugin.init({ indexStockStatus: true, searchStrategy: new DeliverySearchStrategy() })
 * ```
 *
 * With a delivery location (`SearchInput.deliveryLocation`, else in the shop API the one stored
 * on the session or active order) only deliverable variants are found: a store of the variant's
 * own seller within `maxDistanceKm` has saleable stock of it (on hand minus allocated minus the
 * out-of-stock threshold above 0, as DeliveryRuleService counts it; an untracked variant is stocked
 * at every store of its seller). The rule is a condition of the SQL
 * itself, so `totalItems`, paging, facet value counts and collection counts all describe the
 * filtered set. Each result carries `fastDelivery` and `nearestStoreDistanceKm` (with
 * `groupByProduct`, the nearest among the product's deliverable variants). Without a location the
 * search is Vendure's, unfiltered, and no result is fast-delivery.
 *
 * Needs the SellerStoreInfoPlugin (its StoreLocator and DeliveryLocationService).
 */
export class DeliverySearchStrategy implements SearchStrategy {
    private services: Services | undefined;
    private tables: SearchTables = DEFAULT_SEARCH_TABLES;
    private idType: EntityIdType = 'integer';
    /**
     * One request asks four times with the same input (results, total, facet values,
     * collections): the delivery location is resolved once per request and input.
     */
    private readonly scopes = new WeakMap<
        RequestContext,
        WeakMap<object, Promise<DeliveryScope | undefined>>
    >();
    private readonly hiddenSellersOf = new WeakMap<RequestContext, Promise<HiddenSellers>>();

    init(injector: Injector): void {
        const connection = injector.get(TransactionalConnection);
        this.services = {
            connection,
            searchOptions: injector.get<unknown, DefaultSearchPluginInitOptions>(PLUGIN_INIT_OPTIONS),
            options: injector.get<unknown, SellerStoreInfoOptions>(SELLER_STORE_INFO_PLUGIN_OPTIONS),
            storeLocator: injector.get(StoreLocator),
            storeHours: injector.get(StoreHoursService),
            deliveryLocations: injector.get(DeliveryLocationService),
            channelService: injector.get(ChannelService),
            globalSettings: injector.get(GlobalSettingsService),
            sellerVerification: injector.get(SellerVerificationService),
        };
        this.tables = tablesOf(connection.rawConnection);
        this.idType = idTypeOf(connection.rawConnection);
    }

    async getSearchResults(
        ctx: RequestContext,
        input: SearchInput,
        enabledOnly: boolean,
    ): Promise<DeliverySearchResult[]> {
        const { searchOptions } = this.ready();
        const scope = await this.scope(ctx, input, enabledOnly);
        const columns = getFieldsToSelect(searchOptions.indexStockStatus, searchOptions.indexCurrencyCode);
        const rows = await this.run<SearchRow>(ctx, () => searchResultsQuery(input, scope, columns));
        return rows.map(row => {
            const currencyCode = searchOptions.indexCurrencyCode
                ? row.si_currencyCode
                : ctx.channel.defaultCurrencyCode;
            const distance = row.nearestStoreDistanceKm == null ? null : Number(row.nearestStoreDistanceKm);
            return Object.assign(mapToSearchResult(row, currencyCode), {
                fastDelivery: distance !== null,
                nearestStoreDistanceKm: distance,
            });
        });
    }

    async getTotalCount(ctx: RequestContext, input: SearchInput, enabledOnly: boolean): Promise<number> {
        const scope = await this.scope(ctx, input, enabledOnly);
        const [row] = await this.run<{ total: string | number }>(ctx, () => totalCountQuery(input, scope));
        return Number(row?.total ?? 0);
    }

    async getFacetValueIds(
        ctx: RequestContext,
        input: SearchInput,
        enabledOnly: boolean,
    ): Promise<Map<ID, number>> {
        const scope = await this.scope(ctx, input, enabledOnly);
        const rows = await this.run<{ ids: string | null }>(ctx, () => facetValueIdsQuery(input, scope));
        return countIds(rows.map(row => row.ids));
    }

    async getCollectionIds(
        ctx: RequestContext,
        input: SearchInput,
        enabledOnly: boolean,
    ): Promise<Map<ID, number>> {
        const scope = await this.scope(ctx, input, enabledOnly);
        const rows = await this.run<{ ids: string | null }>(ctx, () => collectionIdsQuery(input, scope));
        return countIds(rows.map(row => row.ids));
    }

    private async scope(ctx: RequestContext, input: SearchInput, enabledOnly: boolean): Promise<SearchScope> {
        let perInput = this.scopes.get(ctx);
        if (!perInput) {
            perInput = new WeakMap();
            this.scopes.set(ctx, perInput);
        }
        let delivery = perInput.get(input);
        if (!delivery) {
            delivery = this.deliveryScope(ctx, input);
            perInput.set(input, delivery);
        }
        return {
            channelId: ctx.channelId,
            languageCode: ctx.languageCode,
            defaultLanguageCode: ctx.channel.defaultLanguageCode,
            currencyCode: this.ready().searchOptions.indexCurrencyCode ? ctx.currencyCode : undefined,
            enabledOnly,
            delivery: await delivery,
            hiddenSellers: await this.hiddenSellers(ctx),
            tables: this.tables,
        };
    }

    /** Seller verification: the shop sees nothing of unverified sellers; staff see everything. */
    private hiddenSellers(ctx: RequestContext): Promise<HiddenSellers | undefined> {
        if (ctx.apiType !== 'shop') return Promise.resolve(undefined);
        let hidden = this.hiddenSellersOf.get(ctx);
        if (!hidden) {
            hidden = this.ready()
                .sellerVerification.unverifiedSellerChannelIds(ctx)
                .then(channelIds => ({ channelIds, idType: this.idType }));
            this.hiddenSellersOf.set(ctx, hidden);
        }
        return hidden;
    }

    /** The stores near the delivery location, as VALUES rows; undefined without a location. */
    private async deliveryScope(
        ctx: RequestContext,
        input: DeliverySearchInput,
    ): Promise<DeliveryScope | undefined> {
        const { deliveryLocations, options, storeLocator, storeHours, channelService, globalSettings } =
            this.ready();
        const location = await deliveryLocations.forSearch(ctx, input);
        if (!location) return undefined;
        // Every seller's stores: the SQL keeps, per variant, those of its own seller.
        let stores = storeLocator.near(location, options.maxDistanceKm);
        // Opening hours: a closed store does not serve.
        stores = storeHours.openOnly(stores);
        const defaultChannel = await channelService.getDefaultChannel(ctx);
        const settings = await globalSettings.getSettings(ctx);
        return {
            rows: servingStoreRows(stores, defaultChannel.id),
            defaultChannelId: defaultChannel.id,
            inventory: {
                trackInventory: settings.trackInventory,
                outOfStockThreshold: settings.outOfStockThreshold,
            },
            idType: this.idType,
        };
    }

    private async run<T>(ctx: RequestContext, build: () => SqlQuery): Promise<T[]> {
        let query: SqlQuery;
        try {
            query = build();
        } catch (error) {
            // Vendure's own message key for this input error.
            if (error instanceof InvalidFacetValueFilterError) {
                throw new UserInputError('error.facetfilterinput-invalid-input');
            }
            throw error;
        }
        // Through the request's transaction, when there is one.
        const { manager } = this.ready().connection.getRepository(ctx, ProductVariant);
        return manager.query<T[]>(query.sql, query.parameters);
    }

    private ready(): Services {
        if (!this.services) throw new Error('DeliverySearchStrategy used before init()');
        return this.services;
    }
}

interface Services {
    connection: TransactionalConnection;
    searchOptions: DefaultSearchPluginInitOptions;
    options: SellerStoreInfoOptions;
    storeLocator: StoreLocator;
    storeHours: StoreHoursService;
    deliveryLocations: DeliveryLocationService;
    channelService: ChannelService;
    globalSettings: GlobalSettingsService;
    sellerVerification: SellerVerificationService;
}

/** A raw result row: Vendure's `si_<column>` aliases, read by its mapToSearchResult. */
interface SearchRow {
    si_currencyCode: SearchResult['currencyCode'];
    nearestStoreDistanceKm?: number | string | null;
    [alias: string]: unknown;
}

/** Table names from the entity metadata, so a configured `entityPrefix` is respected. */
function tablesOf(dataSource: DataSource): SearchTables {
    const variant = dataSource.getMetadata(ProductVariant);
    const channels = variant.manyToManyRelations.find(relation => relation.propertyName === 'channels');
    return {
        searchIndexItem: dataSource.getMetadata('SearchIndexItem').tableName,
        productVariant: variant.tableName,
        productVariantChannels:
            channels?.junctionEntityMetadata?.tableName ?? DEFAULT_SEARCH_TABLES.productVariantChannels,
        stockLevel: dataSource.getMetadata(StockLevel).tableName,
    };
}

/** The type of the entity id columns: the EntityIdStrategy decides it (auto-increment or UUID). */
function idTypeOf(dataSource: DataSource): EntityIdType {
    const [id] = dataSource.getMetadata(ProductVariant).primaryColumns;
    return id?.generationStrategy === 'uuid' ? 'uuid' : 'integer';
}
