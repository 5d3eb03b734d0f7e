import { SearchInput } from '@vendure/common/lib/generated-types';
import type { ID } from '@vendure/common/lib/shared-types';

/*
 * What decides which index rows a search of the {@link DeliverySearchStrategy} sees besides the
 * SearchInput: the channel and language, the delivery rule (the stores near the delivery location
 * that serve now) and seller verification. Built by the strategy, turned into SQL by
 * delivery-search-query.ts and delivery-search-conditions.ts.
 */

/** A nearby store as the StoreLocator reports it (only what the query needs). */
export interface NearbyStore {
    stockLocationId: ID;
    /** The channels the store is assigned to: the default channel and, in a marketplace, its seller's. */
    channelIds: readonly ID[];
    distanceKm: number;
}

/** One row of the VALUES list: a nearby store and a channel whose variants it serves. */
export interface ServingStoreRow {
    stockLocationId: ID;
    servingChannelId: ID;
    distanceKm: number;
}

/** The global inventory settings the saleable-stock test needs (Vendure's GlobalSettings). */
export interface InventorySettings {
    trackInventory: boolean;
    outOfStockThreshold: number;
}

/**
 * The SQL type of the entity id columns: `integer` with Vendure's default (auto-increment) ids,
 * `uuid` with its UuidIdStrategy. The search index stores its ids without a relation, so on the
 * uuid strategy they are `varchar` there and are cast to compare with the entity tables.
 */
export type EntityIdType = 'integer' | 'uuid';

/** The delivery rule for one search: the stores near the delivery location. */
export interface DeliveryScope {
    rows: readonly ServingStoreRow[];
    defaultChannelId: ID;
    inventory: InventorySettings;
    /** @default 'integer' */
    idType?: EntityIdType;
}

/** The channels of unverified sellers, read when the search runs (shop API only). */
export interface HiddenSellers {
    channelIds: readonly ID[];
    /** @default 'integer' */
    idType?: EntityIdType;
}

/** Table names, from the entity metadata (they change with an `entityPrefix`). */
export interface SearchTables {
    searchIndexItem: string;
    productVariant: string;
    /** The junction table of ProductVariant.channels. */
    productVariantChannels: string;
    stockLevel: string;
}

export const DEFAULT_SEARCH_TABLES: SearchTables = {
    searchIndexItem: 'search_index_item',
    productVariant: 'product_variant',
    productVariantChannels: 'product_variant_channels_channel',
    stockLevel: 'stock_level',
};

/** Everything besides the SearchInput that decides which index rows a search sees. */
export interface SearchScope {
    channelId: ID;
    languageCode: string;
    defaultLanguageCode: string;
    /** Set when the index holds one row per currency (DefaultSearchPlugin `indexCurrencyCode`). */
    currencyCode?: string;
    enabledOnly: boolean;
    /** The delivery rule; absent without a delivery location (then nothing is filtered by it). */
    delivery?: DeliveryScope;
    /** Seller verification: the variants of these sellers' channels are left out. */
    hiddenSellers?: HiddenSellers;
    tables?: SearchTables;
}

/**
 * Vendure's SearchInput with `inStock`, which the DefaultSearchPlugin adds when it indexes stock
 * status (`indexStockStatus`).
 */
export type IndexSearchInput = SearchInput & { inStock?: boolean | null };

export interface SqlQuery {
    sql: string;
    parameters: unknown[];
}
