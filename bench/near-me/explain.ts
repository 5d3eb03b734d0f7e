/**
 * The profile behind the timings: the statements DeliverySearchStrategy sends for a case, built
 * with its own query builders (delivery-search-query.ts) for the same input and the same nearby
 * stores the StoreLocator finds (every bench store within 5 km), run under EXPLAIN ANALYZE.
 */
import { getFieldsToSelect } from '@vendure/core';
import { Client } from 'pg';

import {
    DeliveryScope,
    IndexSearchInput,
    searchResultsQuery,
    SearchScope,
    servingStoreRows,
    SqlQuery,
    totalCountQuery,
} from '../../plugins/seller-store-info/config/delivery-search-query';
import { distanceKm, LatLng } from '../../plugins/shared/geo';
import { GeneratedCatalogue } from './catalogue';
import { searchInput, SearchKind } from './search-cases';

export const MAX_DISTANCE_KM = 5;

export interface StatementProfile {
    statement: 'results' | 'totalItems';
    executionMs: number;
    planningMs: number;
    plan: string;
}

export async function deliveryScope(
    client: Client,
    catalogue: GeneratedCatalogue,
    location: LatLng,
): Promise<DeliveryScope> {
    const settings = await client.query<{ trackInventory: boolean; outOfStockThreshold: number }>(
        `SELECT "trackInventory", "outOfStockThreshold" FROM global_settings LIMIT 1`,
    );
    const nearby = catalogue.stores
        .map(store => ({ store, km: distanceKm(location, store) }))
        .filter(({ km }) => km <= MAX_DISTANCE_KM)
        .sort((a, b) => a.km - b.km)
        .map(({ store, km }) => ({
            stockLocationId: store.id,
            channelIds: [catalogue.channelId],
            distanceKm: km,
        }));
    return {
        rows: servingStoreRows(nearby, catalogue.channelId),
        defaultChannelId: catalogue.channelId,
        inventory: {
            trackInventory: settings.rows[0]?.trackInventory ?? true,
            outOfStockThreshold: settings.rows[0]?.outOfStockThreshold ?? 0,
        },
    };
}

export async function profileCase(
    client: Client,
    catalogue: GeneratedCatalogue,
    kind: SearchKind,
    location: LatLng | undefined,
): Promise<StatementProfile[]> {
    const input = searchInput(kind, undefined) as IndexSearchInput;
    const scope: SearchScope = {
        channelId: catalogue.channelId,
        languageCode: 'en',
        defaultLanguageCode: 'en',
        enabledOnly: true,
        delivery: location ? await deliveryScope(client, catalogue, location) : undefined,
    };
    const statements: Array<[StatementProfile['statement'], SqlQuery]> = [
        ['results', searchResultsQuery(input, scope, getFieldsToSelect(true, false))],
        ['totalItems', totalCountQuery(input, scope)],
    ];
    const profiles: StatementProfile[] = [];
    for (const [statement, query] of statements) {
        // Once to warm the cache as the timed requests have, then the measured plan.
        await client.query(query.sql, query.parameters);
        const json = await client.query<{
            'QUERY PLAN': Array<{ 'Execution Time': number; 'Planning Time': number }>;
        }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, query.parameters);
        const text = await client.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`,
            query.parameters,
        );
        const [root] = json.rows[0]['QUERY PLAN'];
        profiles.push({
            statement,
            executionMs: root['Execution Time'],
            planningMs: root['Planning Time'],
            plan: text.rows.map(row => row['QUERY PLAN']).join('\n'),
        });
    }
    return profiles;
}
