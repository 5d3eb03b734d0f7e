import type { ID } from '@vendure/common/lib/shared-types';

import {
    DeliveryScope,
    EntityIdType,
    HiddenSellers,
    NearbyStore,
    SearchTables,
    ServingStoreRow,
} from './delivery-search-scope';

/*
 * The conditions of the delivery rule and of seller verification in the SQL of the
 * {@link DeliverySearchStrategy}: the WITH query of the deliverable variants (from the nearby
 * stores that serve now, their stock and their sellers) and the exclusion of unverified sellers'
 * variants. Pure, like delivery-search-query.ts, which puts them into its statements.
 */

/** Where a condition puts its parameters and finds its tables: the statement being built. */
export interface SqlBuilder {
    /** Adds a positional parameter and returns its placeholder (`$n`). */
    param(value: unknown): string;
    /** The quoted name of one of the search's tables. */
    table(name: keyof SearchTables): string;
}

/**
 * The VALUES rows for a set of nearby stores: one per (store, channel whose variants it serves).
 * A seller's store serves its seller channel (the channels besides the default one); a store in
 * no channel but the default one belongs to the single shop and serves the default channel.
 */
export function servingStoreRows(stores: readonly NearbyStore[], defaultChannelId: ID): ServingStoreRow[] {
    const rows: ServingStoreRow[] = [];
    for (const store of stores) {
        const sellerChannelIds = [
            ...new Set(store.channelIds.map(String).filter(id => id !== String(defaultChannelId))),
        ];
        const servingChannelIds = sellerChannelIds.length ? sellerChannelIds : [String(defaultChannelId)];
        for (const servingChannelId of servingChannelIds) {
            rows.push({
                stockLocationId: store.stockLocationId,
                servingChannelId,
                distanceKm: store.distanceKm,
            });
        }
    }
    return rows;
}

/**
 * The WITH queries of "the variants deliverable from the nearby stores, each with the distance
 * to its nearest such store": the VALUES list of (store, serving channel, distance), then per
 * variant its stock levels at those stores with saleable stock (a variant that tracks
 * inventory), or the stores of its channel (one that does not), its own seller's stores only.
 * Computed once per statement and joined to the index rows: as a condition per index row
 * (EXISTS over the stores) it cost a subplan per row and store, seconds on a listing of 20k
 * variants. Null when no store is near. The ids are cast to the type of the entity id columns
 * ({@link EntityIdType}).
 */
export function servingStoresSql(delivery: DeliveryScope, sql: SqlBuilder): string | null {
    if (!delivery.rows.length) return null;
    const idType: EntityIdType = delivery.idType === 'uuid' ? 'uuid' : 'integer';
    const values = delivery.rows.map(
        row =>
            `(CAST(${sql.param(String(row.stockLocationId))} AS ${idType}), ` +
            `CAST(${sql.param(String(row.servingChannelId))} AS ${idType}), ` +
            `CAST(${sql.param(row.distanceKm)} AS double precision))`,
    );
    const defaultChannel = `CAST(${sql.param(String(delivery.defaultChannelId))} AS ${idType})`;
    const { trackInventory, outOfStockThreshold } = delivery.inventory;
    // GlobalFlag: TRUE and FALSE are the variant's own choice, INHERIT follows the global setting.
    const untracked = trackInventory
        ? `ds_pv."trackInventory" = 'FALSE'`
        : `ds_pv."trackInventory" <> 'TRUE'`;
    const threshold =
        `CASE WHEN ds_pv."useGlobalOutOfStockThreshold" ` +
        `THEN CAST(${sql.param(outOfStockThreshold)} AS integer) ELSE ds_pv."outOfStockThreshold" END`;
    const variantChannels = sql.table('productVariantChannels');
    // A single-shop store (default channel row) serves only variants that have no seller; the
    // variants of sellers are one set per statement (a hashed subplan), not a lookup per row.
    const ownSeller = (variantId: string) =>
        `(ds_nearby."channelId" <> ${defaultChannel} OR ${variantId} NOT IN (` +
        `SELECT ds_seller."productVariantId" FROM ${variantChannels} ds_seller ` +
        `WHERE ds_seller."channelId" <> ${defaultChannel}))`;
    return [
        `ds_nearby("stockLocationId", "channelId", "distanceKm") AS (VALUES ${values.join(', ')}),`,
        'ds_deliverable AS (',
        `  SELECT ds_sl."productVariantId", MIN(ds_nearby."distanceKm") AS "distanceKm"`,
        `  FROM ds_nearby`,
        `  INNER JOIN ${sql.table('stockLevel')} ds_sl ON ds_sl."stockLocationId" = ds_nearby."stockLocationId"`,
        `  INNER JOIN ${sql.table('productVariant')} ds_pv ON ds_pv."id" = ds_sl."productVariantId"`,
        `  INNER JOIN ${variantChannels} ds_pvc`,
        `    ON ds_pvc."productVariantId" = ds_sl."productVariantId" AND ds_pvc."channelId" = ds_nearby."channelId"`,
        `  WHERE NOT (${untracked}) AND ds_sl."stockOnHand" - ds_sl."stockAllocated" - ${threshold} > 0`,
        `    AND ${ownSeller('ds_sl."productVariantId"')}`,
        `  GROUP BY ds_sl."productVariantId"`,
        '  UNION ALL',
        `  SELECT ds_pvc."productVariantId", MIN(ds_nearby."distanceKm") AS "distanceKm"`,
        `  FROM ds_nearby`,
        `  INNER JOIN ${variantChannels} ds_pvc ON ds_pvc."channelId" = ds_nearby."channelId"`,
        `  INNER JOIN ${sql.table('productVariant')} ds_pv ON ds_pv."id" = ds_pvc."productVariantId"`,
        `  WHERE ${untracked} AND ${ownSeller('ds_pvc."productVariantId"')}`,
        `  GROUP BY ds_pvc."productVariantId")`,
    ].join('\n');
}

/**
 * Seller verification: no variant in a channel of an unverified seller, by the live channel
 * assignments (one hashed subplan per statement), so un-verifying needs no reindex.
 */
export function notOfSellersSql(hidden: HiddenSellers, sql: SqlBuilder): string {
    const idType: EntityIdType = hidden.idType === 'uuid' ? 'uuid' : 'integer';
    const variantId = idType === 'uuid' ? 'CAST(si."productVariantId" AS uuid)' : 'si."productVariantId"';
    const channelIds = sql.param(hidden.channelIds.map(String));
    return (
        `${variantId} NOT IN (SELECT hs_pvc."productVariantId" FROM ${sql.table('productVariantChannels')} hs_pvc ` +
        `WHERE hs_pvc."channelId" = ANY (CAST(${channelIds} AS ${idType}[])))`
    );
}
