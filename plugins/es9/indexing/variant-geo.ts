import { GlobalFlag } from '@vendure/common/lib/generated-types';
import { ID } from '@vendure/core';

import { IndexedStore, servesSeller } from '../../seller-store-info';

/** What the indexer knows of a variant's stock, per store. */
export interface VariantStock {
    id: ID;
    trackInventory: GlobalFlag;
    useGlobalOutOfStockThreshold: boolean;
    outOfStockThreshold: number;
    stockLevels?: Array<{ stockLocationId: ID; stockOnHand: number; stockAllocated: number }>;
}

/** The channel's inventory settings (GlobalSettings). */
export interface InventorySettings {
    trackInventory: boolean;
    outOfStockThreshold: number;
}

/** The geo part of a variant's index document. */
export interface VariantGeo {
    /** `"lat,lon"` of each serving store: Elasticsearch's string form of a `geo_point`. */
    storePoints: string[];
    storeIds: string[];
    /** The seller's channel; null for the platform's own variants (a single shop). */
    sellerChannelId: string | null;
}

/**
 * The stores that can deliver a variant, whatever the customer's location: geo-tagged stores of
 * the variant's own seller with saleable stock of it (on hand minus allocated minus the
 * out-of-stock threshold above 0; an untracked variant is stocked at every store of its seller).
 * The same rule as seller-store-info's DeliveryRuleService, which decides at the cart and at
 * checkout; the search only needs the distance on top, which Elasticsearch measures.
 */
export function variantGeo(
    variant: VariantStock,
    sellerChannelId: ID | undefined,
    stores: readonly IndexedStore[],
    defaultChannelId: ID,
    settings: InventorySettings,
): VariantGeo {
    const tracked =
        variant.trackInventory === GlobalFlag.TRUE ||
        (variant.trackInventory === GlobalFlag.INHERIT && settings.trackInventory);
    const threshold = variant.useGlobalOutOfStockThreshold
        ? settings.outOfStockThreshold
        : variant.outOfStockThreshold;
    const saleable = new Map<string, number>();
    for (const level of variant.stockLevels ?? []) {
        saleable.set(String(level.stockLocationId), level.stockOnHand - level.stockAllocated - threshold);
    }
    const serving = stores
        .filter(store => servesSeller({ ...store, distanceKm: 0 }, sellerChannelId, defaultChannelId))
        .filter(store => !tracked || (saleable.get(String(store.stockLocationId)) ?? 0) > 0)
        .sort((a, b) => compareIds(a.stockLocationId, b.stockLocationId));
    return {
        storePoints: serving.map(store => `${store.latitude},${store.longitude}`),
        storeIds: serving.map(store => String(store.stockLocationId)),
        sellerChannelId: sellerChannelId === undefined ? null : String(sellerChannelId),
    };
}

function compareIds(a: ID, b: ID): number {
    const [x, y] = [Number(a), Number(b)];
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : String(a).localeCompare(String(b));
}
