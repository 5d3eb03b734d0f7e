import { LogicalOperator, SortOrder } from '@vendure/common/lib/generated-types';

import {
    collectionIdsQuery,
    countIds,
    DeliveryScope,
    facetValueIdsQuery,
    IndexSearchInput,
    InvalidFacetValueFilterError,
    prefixTsQuery,
    searchResultsQuery,
    SearchScope,
    servingStoreRows,
    SqlQuery,
    totalCountQuery,
} from './delivery-search-query';

const DEFAULT_CHANNEL = 1;
const COLUMNS = ['sku', 'enabled', 'price', 'productVariantId', 'productId', 'productName', 'facetValueIds'];

const shopScope: SearchScope = {
    channelId: DEFAULT_CHANNEL,
    languageCode: 'en',
    defaultLanguageCode: 'en',
    enabledOnly: true,
};

function nearby(rows: DeliveryScope['rows'], trackInventory = true): SearchScope {
    return {
        ...shopScope,
        delivery: {
            rows,
            defaultChannelId: DEFAULT_CHANNEL,
            inventory: { trackInventory, outOfStockThreshold: 0 },
        },
    };
}

const twoStores = nearby([
    { stockLocationId: 11, servingChannelId: '2', distanceKm: 0.4 },
    { stockLocationId: 12, servingChannelId: '1', distanceKm: 3.2 },
]);

/** Every $n placeholder refers to a parameter and every parameter is used. */
function expectPlaceholdersMatch({ sql, parameters }: SqlQuery) {
    const used = new Set([...sql.matchAll(/\$(\d+)/g)].map(match => Number(match[1])));
    expect(Math.max(0, ...used)).toBe(parameters.length);
    for (let n = 1; n <= parameters.length; n++) expect(used.has(n)).toBe(true);
}

describe('servingStoreRows', () => {
    it("gives a seller's store one row for its seller channel, not for the default channel", () => {
        const rows = servingStoreRows([{ stockLocationId: 7, channelIds: [1, 3], distanceKm: 1.5 }], 1);
        expect(rows).toEqual([{ stockLocationId: 7, servingChannelId: '3', distanceKm: 1.5 }]);
    });

    it('gives a store in the default channel only (a single shop) a row for the default channel', () => {
        expect(servingStoreRows([{ stockLocationId: 8, channelIds: ['1'], distanceKm: 2 }], 1)).toEqual([
            { stockLocationId: 8, servingChannelId: '1', distanceKm: 2 },
        ]);
        expect(servingStoreRows([{ stockLocationId: 9, channelIds: [], distanceKm: 2 }], 1)).toEqual([
            { stockLocationId: 9, servingChannelId: '1', distanceKm: 2 },
        ]);
    });

    it('gives a store shared by two sellers a row per seller, and keeps the stores in their order', () => {
        const rows = servingStoreRows(
            [
                { stockLocationId: 1, channelIds: [1, 2, 4], distanceKm: 0.1 },
                { stockLocationId: 2, channelIds: [1, 2, 2], distanceKm: 4.9 },
            ],
            '1',
        );
        expect(rows.map(row => [row.stockLocationId, row.servingChannelId])).toEqual([
            [1, '2'],
            [1, '4'],
            [2, '2'],
        ]);
    });

    it('gives no rows for no stores', () => {
        expect(servingStoreRows([], 1)).toEqual([]);
    });
});

describe('prefixTsQuery', () => {
    it('requires every word, each as a prefix', () => {
        expect(prefixTsQuery('  fresh   milk ')).toBe("'fresh':* & 'milk':*");
    });

    it('drops the characters that are operators in tsquery syntax', () => {
        expect(prefixTsQuery(`o'brien's "milk" | (a & !b) <-> c:*`)).toBe(
            "'o':* & 'brien':* & 's':* & 'milk':* & 'a':* & 'b':* & '-':* & 'c':*",
        );
    });

    it('leaves nothing for a term of operators only', () => {
        expect(prefixTsQuery(`'"|&!()`)).toBe('');
    });
});

describe('countIds', () => {
    it('counts each id once per row, ignoring empty lists', () => {
        expect(countIds(['1,2,2', '2,3', '', null, '1'])).toEqual(
            new Map([
                ['1', 2],
                ['2', 2],
                ['3', 1],
            ]),
        );
    });
});

describe('searchResultsQuery', () => {
    it("without a location is Vendure's search: no delivery condition and no distance", () => {
        const query = searchResultsQuery({ take: 10, skip: 20 }, shopScope, COLUMNS);
        expect(query.sql).not.toContain('EXISTS');
        expect(query.sql).not.toContain('nearestStoreDistanceKm');
        expect(query.sql).toContain('si."enabled" = true');
        expect(query.sql).toMatch(/LIMIT \$\d+ OFFSET \$\d+$/);
        expect(query.parameters).toEqual(['1', 'en', 10, 20]);
        expectPlaceholdersMatch(query);
    });

    it('selects the index columns under the aliases Vendure maps to a SearchResult', () => {
        const { sql } = searchResultsQuery({}, shopScope, COLUMNS);
        expect(sql).toContain('si."productName" AS "si_productName"');
        expect(sql).toContain('si."facetValueIds" AS "si_facetValueIds"');
    });

    it('with a location joins the variants deliverable from the VALUES list of nearby stores and selects the distance', () => {
        const query = searchResultsQuery({}, twoStores, COLUMNS);
        const { sql, parameters } = query;
        expect(sql).toMatch(
            /^WITH ds_nearby\("stockLocationId", "channelId", "distanceKm"\) AS \(VALUES \(CAST\(\$3 AS integer\), CAST\(\$4 AS integer\)/,
        );
        // The store ids, serving channels and distances are parameters, in row order.
        expect(parameters.slice(2, 8)).toEqual(['11', '2', 0.4, '12', '1', 3.2]);
        // The variant's stock at a nearby store, in that store's serving channel.
        expect(sql).toContain('ds_sl."stockLocationId" = ds_nearby."stockLocationId"');
        expect(sql).toContain(
            'ds_pvc."productVariantId" = ds_sl."productVariantId" AND ds_pvc."channelId" = ds_nearby."channelId"',
        );
        expect(sql).toContain('ds_sl."stockOnHand" - ds_sl."stockAllocated" -');
        // A default-channel (single shop) row serves only variants in no seller channel.
        expect(sql).toMatch(
            /ds_nearby\."channelId" <> CAST\(\$9 AS integer\) OR ds_sl\."productVariantId" NOT IN/,
        );
        expect(parameters[8]).toBe('1');
        // Computed once, joined to the index rows, the distance read from the join.
        expect(sql).toContain(
            'INNER JOIN ds_deliverable ds ON ds."productVariantId" = si."productVariantId"',
        );
        expect(sql).toContain('ds."distanceKm" AS "nearestStoreDistanceKm"');
        expect(sql).not.toContain('EXISTS');
        expectPlaceholdersMatch(query);
    });

    it("on UUID ids casts the stores to uuid, and the index's variant id (varchar there) to uuid", () => {
        const scope = twoStores.delivery as DeliveryScope;
        const query = searchResultsQuery(
            {},
            { ...twoStores, delivery: { ...scope, idType: 'uuid' } },
            COLUMNS,
        );
        expect(query.sql).toContain('AS (VALUES (CAST($3 AS uuid), CAST($4 AS uuid)');
        expect(query.sql).toContain('ds."productVariantId" = CAST(si."productVariantId" AS uuid)');
        expect(query.sql).toMatch(/ds_nearby\."channelId" <> CAST\(\$9 AS uuid\) OR ds_sl/);
        expect(query.sql).not.toMatch(/AS integer\), CAST/);
        expectPlaceholdersMatch(query);
    });

    it('lists the stores once, in one WITH query that both parts of the deliverable set read', () => {
        const { sql, parameters } = searchResultsQuery({}, twoStores, COLUMNS);
        expect(sql.match(/VALUES/g)).toHaveLength(1);
        expect(parameters.filter(value => value === 0.4)).toHaveLength(1);
    });

    it('counts untracked variants as stocked, following the global setting for INHERIT', () => {
        const tracked = searchResultsQuery({}, twoStores, COLUMNS).sql;
        // Tracked variants need saleable stock at the store; untracked ones only the store's channel.
        expect(tracked).toContain(`WHERE NOT (ds_pv."trackInventory" = 'FALSE') AND ds_sl."stockOnHand"`);
        expect(tracked).toContain(`WHERE ds_pv."trackInventory" = 'FALSE' AND (ds_nearby`);
        const untrackedByDefault = searchResultsQuery(
            {},
            nearby(twoStores.delivery?.rows ?? [], false),
            COLUMNS,
        );
        expect(untrackedByDefault.sql).toContain(`WHERE NOT (ds_pv."trackInventory" <> 'TRUE') AND`);
        expect(untrackedByDefault.sql).toContain(`WHERE ds_pv."trackInventory" <> 'TRUE' AND (ds_nearby`);
    });

    it('finds nothing when no store is near the location', () => {
        const { sql, parameters } = searchResultsQuery({}, nearby([]), COLUMNS);
        expect(sql).toMatch(/\n {2}AND false\n/);
        expect(sql).toContain('CAST(NULL AS double precision) AS "nearestStoreDistanceKm"');
        expect(sql).not.toContain('VALUES');
        expect(parameters).toEqual(['1', 'en', 25, 0]);
    });

    it('groups by product: aggregates every column, price ranges, and the nearest distance among the variants', () => {
        const { sql } = searchResultsQuery({ groupByProduct: true }, twoStores, COLUMNS);
        expect(sql).toContain('GROUP BY si."productId"');
        expect(sql).toContain('si."productId" AS "si_productId"');
        expect(sql).toContain('MIN(si."productName") AS "si_productName"');
        expect(sql).toContain(`string_agg(si."facetValueIds", ',') AS "si_facetValueIds"`);
        expect(sql).toContain('bool_or(si."enabled") AS "si_enabled"');
        expect(sql).toContain('MAX(si."price") AS "maxPrice"');
        expect(sql).toContain('MIN(ds."distanceKm") AS "nearestStoreDistanceKm"');
    });

    it('never puts the term into the SQL text, only a sanitised tsquery parameter', () => {
        const term = "milk'); DROP TABLE search_index_item; --";
        const query = searchResultsQuery({ term }, twoStores, COLUMNS);
        expect(query.sql).not.toContain('DROP');
        expect(query.sql).not.toContain('milk');
        expect(query.parameters).toContain(
            "'milk':* & ';':* & 'DROP':* & 'TABLE':* & 'search_index_item;':* & '--':*",
        );
        expect(query.sql).toContain('to_tsvector(si."productName") @@ to_tsquery($3)');
        expect(query.sql).toContain('"score" DESC, "si_productVariantId" ASC');
        expectPlaceholdersMatch(query);
    });

    it('ignores terms shorter than three characters, as Vendure does', () => {
        const { sql } = searchResultsQuery({ term: 'mi' }, shopScope, COLUMNS);
        expect(sql).not.toContain('to_tsquery');
    });

    it('keeps every input value out of the SQL text', () => {
        const hostile = `x' OR '1'='1`;
        const input: IndexSearchInput = {
            term: hostile,
            facetValueFilters: [{ and: hostile }, { or: [hostile, '4'] }],
            facetValueIds: [hostile],
            collectionId: hostile,
            collectionSlug: hostile,
            collectionIds: [hostile],
            collectionSlugs: [hostile],
            inStock: true,
        };
        for (const query of [
            searchResultsQuery(input, twoStores, COLUMNS),
            totalCountQuery(input, twoStores),
            facetValueIdsQuery(input, twoStores),
            collectionIdsQuery(input, twoStores),
        ]) {
            expect(query.sql).not.toContain(`'1'='1`);
            expect(query.parameters).toContain(hostile);
            expectPlaceholdersMatch(query);
        }
    });

    it('sorts by name and price in the given direction, whatever else arrives', () => {
        const byName = searchResultsQuery({ sort: { name: SortOrder.DESC } }, shopScope, COLUMNS).sql;
        expect(byName).toContain('ORDER BY "si_productName" DESC, "si_productVariantId" ASC');
        const byPrice = searchResultsQuery(
            { term: 'milk', sort: { price: SortOrder.ASC } },
            shopScope,
            COLUMNS,
        ).sql;
        expect(byPrice).toContain('ORDER BY "si_price" ASC, "si_productVariantId" ASC');
        const hostile = { name: 'DESC; DROP TABLE x' as SortOrder };
        expect(searchResultsQuery({ sort: hostile }, shopScope, COLUMNS).sql).toContain(
            '"si_productName" ASC',
        );
    });

    it('pages with take and skip as parameters, 25 by default', () => {
        expect(searchResultsQuery({ take: 5, skip: 10 }, shopScope, COLUMNS).parameters.slice(-2)).toEqual([
            5, 10,
        ]);
        expect(searchResultsQuery({ take: 0 }, shopScope, COLUMNS).parameters.slice(-2)).toEqual([25, 0]);
    });

    it('refuses a column name that is not a plain identifier', () => {
        expect(() => searchResultsQuery({}, shopScope, ['sku"; DROP'])).toThrow(/Not a search index column/);
    });

    it('quotes the configured table names', () => {
        const { sql } = searchResultsQuery(
            {},
            {
                ...twoStores,
                tables: {
                    searchIndexItem: 'vqd_search_index_item',
                    productVariant: 'vqd_product_variant',
                    productVariantChannels: 'vqd_product_variant_channels_channel',
                    stockLevel: 'vqd_stock_level',
                },
            },
            COLUMNS,
        );
        expect(sql).toContain('FROM "vqd_search_index_item" si');
        expect(sql).toContain('INNER JOIN "vqd_product_variant_channels_channel" ds_pvc');
        expect(sql).toContain('INNER JOIN "vqd_stock_level" ds_sl');
        expect(sql).not.toMatch(/"(search_index_item|stock_level|product_variant)"/);
    });
});

describe('filters', () => {
    it('combines facet value filters: each filter must hold, "or" within a filter', () => {
        const { sql, parameters } = totalCountQuery(
            { facetValueFilters: [{ and: '3' }, { or: ['4', '5'] }] },
            shopScope,
        );
        expect(sql).toContain(`CAST($3 AS varchar) = ANY (string_to_array(si."facetValueIds", ','))`);
        expect(sql).toContain(
            `(CAST($4 AS varchar) = ANY (string_to_array(si."facetValueIds", ',')) OR CAST($5 AS varchar) = ANY (string_to_array(si."facetValueIds", ',')))`,
        );
        expect(parameters).toEqual(['1', 'en', '3', '4', '5']);
    });

    it('refuses a facet value filter with both "and" and "or"', () => {
        expect(() => totalCountQuery({ facetValueFilters: [{ and: '3', or: ['4'] }] }, shopScope)).toThrow(
            InvalidFacetValueFilterError,
        );
    });

    it('joins the deprecated facetValueIds with the given operator', () => {
        const and = totalCountQuery(
            { facetValueIds: ['3', '4'], facetValueOperator: LogicalOperator.AND },
            shopScope,
        );
        expect(and.sql).toMatch(/\(CAST\(\$3 AS varchar\)[^()]*\(string_to_array[^)]*\)\) AND CAST\(\$4/);
        const or = totalCountQuery(
            { facetValueIds: ['3', '4'], facetValueOperator: LogicalOperator.OR },
            shopScope,
        );
        expect(or.sql).toMatch(/\) OR CAST\(\$4/);
    });

    it('filters by collection id and slug, and by the stock status of the variant or the product', () => {
        const { sql } = totalCountQuery(
            { collectionId: '2', collectionSlug: 'bakery', inStock: true },
            shopScope,
        );
        expect(sql).toContain(`= ANY (string_to_array(si."collectionIds", ','))`);
        expect(sql).toContain(`= ANY (string_to_array(si."collectionSlugs", ','))`);
        expect(sql).toContain('si."inStock" = $');
        expect(totalCountQuery({ inStock: false, groupByProduct: true }, shopScope).sql).toContain(
            'si."productInStock" = $',
        );
    });

    it("falls back to the channel's default language for variants without a row in the requested one", () => {
        const { sql, parameters } = totalCountQuery({}, { ...shopScope, languageCode: 'de' });
        expect(parameters).toEqual(['1', 'de', 'en']);
        expect(sql).toContain('si."languageCode" = $2 OR (si."languageCode" = $3 AND NOT EXISTS');
        expect(sql).toContain('si_lang."productVariantId" = si."productVariantId"');
    });

    it('filters by currency when the index holds one row per currency', () => {
        const { sql, parameters } = totalCountQuery({}, { ...shopScope, currencyCode: 'USD' });
        expect(sql).toContain('si."currencyCode" = $3');
        expect(parameters).toContain('USD');
    });

    it('leaves out disabled variants only when asked to (the shop API)', () => {
        expect(totalCountQuery({}, { ...shopScope, enabledOnly: false }).sql).not.toContain('enabled');
    });
});

describe('counts', () => {
    it('counts variants, or products with groupByProduct, under the same delivery condition as the results', () => {
        const variants = totalCountQuery({}, twoStores);
        expect(variants.sql).toContain('COUNT(DISTINCT si."productVariantId")');
        expect(variants.sql).toMatch(/^WITH ds_nearby/);
        expect(variants.sql).toContain('INNER JOIN ds_deliverable ds');
        expectPlaceholdersMatch(variants);
        expect(totalCountQuery({ groupByProduct: true }, twoStores).sql).toContain(
            'COUNT(DISTINCT si."productId")',
        );
    });

    it('lists facet values and collections per result under the delivery condition', () => {
        const facets = facetValueIdsQuery({}, twoStores);
        expect(facets.sql).toMatch(/\nSELECT si."facetValueIds" AS "ids"/);
        expect(facets.sql).toContain('INNER JOIN ds_deliverable ds');
        const grouped = collectionIdsQuery({ groupByProduct: true }, twoStores);
        expect(grouped.sql).toMatch(/\nSELECT string_agg\(si."collectionIds", ','\) AS "ids"/);
        expect(grouped.sql).toContain('GROUP BY si."productId"');
        expectPlaceholdersMatch(grouped);
    });
});

describe('seller verification', () => {
    const hidden: SearchScope = { ...shopScope, hiddenSellers: { channelIds: [4, '7'] } };

    it('leaves out the variants of unverified sellers’ channels, by the live channel assignments', () => {
        const query = searchResultsQuery({}, hidden, COLUMNS);
        expect(query.sql).toContain(
            'si."productVariantId" NOT IN (SELECT hs_pvc."productVariantId" FROM "product_variant_channels_channel" hs_pvc ' +
                'WHERE hs_pvc."channelId" = ANY (CAST($',
        );
        expect(query.sql).toContain('AS integer[])))');
        expect(query.parameters).toContainEqual(['4', '7']);
        expectPlaceholdersMatch(query);
    });

    it('applies the same condition to totals, facets and collections, and with a delivery location', () => {
        for (const query of [
            totalCountQuery({}, hidden),
            facetValueIdsQuery({}, hidden),
            collectionIdsQuery({ groupByProduct: true }, hidden),
            searchResultsQuery({}, { ...twoStores, hiddenSellers: { channelIds: [4] } }, COLUMNS),
        ]) {
            expect(query.sql).toContain('NOT IN (SELECT hs_pvc."productVariantId"');
            expectPlaceholdersMatch(query);
        }
    });

    it('casts for UUID ids, and adds nothing when every seller is verified', () => {
        const uuid = totalCountQuery(
            {},
            { ...shopScope, hiddenSellers: { channelIds: ['a'], idType: 'uuid' } },
        );
        expect(uuid.sql).toContain('CAST(si."productVariantId" AS uuid) NOT IN');
        expect(uuid.sql).toContain('AS uuid[])))');
        const none = totalCountQuery({}, { ...shopScope, hiddenSellers: { channelIds: [] } });
        expect(none.sql).not.toContain('hs_pvc');
        expect(totalCountQuery({}, shopScope).sql).not.toContain('hs_pvc');
    });
});
