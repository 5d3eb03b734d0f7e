import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { demoDataDir, loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { haversineKm } from './utils/haversine';

/**
 * es9 live: the acceptance scenarios of the embedded search (delivery-search.e2e-spec.ts), run
 * against a real Elasticsearch 9 when ELASTICSEARCH_URL is set (docker-compose provides one):
 * with a delivery location only deliverable variants, each fast-delivery with the distance to its
 * nearest store of its own seller; grouping by product; facet counts, totals and pages over the
 * deliverable set; terms and facet filters; the location stored on the session; and freshness:
 * stock changes, tracking changes and a new single-shop store reach the index through the job
 * queue (the checks retry until the index caught up). The expected set is computed here,
 * independently, from the admin API and a haversine distance of our own.
 *
 * Without ELASTICSEARCH_URL the suite is skipped and says so: no Elasticsearch can be installed
 * on the CI machines. It writes the index `vendure-variants` of the cluster it is given.
 */

const MAX_DISTANCE_KM = 5;
const DEMO_VARIANTS = 72;
const DEMO_PRODUCTS = 60;
/** Larger than the demo catalogue, so one page holds every result. */
const ALL = 100;

interface Point {
    latitude: number;
    longitude: number;
}

const SEARCH = gql`
    query DeliverySearch($input: SearchInput!) {
        search(input: $input) {
            totalItems
            items {
                productId
                productVariantId
                productName
                sku
                facetValueIds
                fastDelivery
                nearestStoreDistanceKm
            }
            facetValues {
                count
                facetValue {
                    id
                }
            }
        }
    }
`;
interface SearchItem {
    productId: string;
    productVariantId: string;
    productName: string;
    sku: string;
    facetValueIds: string[];
    fastDelivery: boolean;
    nearestStoreDistanceKm: number | null;
}
interface SearchResponse {
    search: {
        totalItems: number;
        items: SearchItem[];
        facetValues: Array<{ count: number; facetValue: { id: string } }>;
    };
}

const SET_DELIVERY_LOCATION = gql`
    mutation SetDeliveryLocation($input: DeliveryLocationInput!) {
        setDeliveryLocation(input: $input) {
            __typename
        }
    }
`;

const SELLER_CATALOGUE = gql`
    query SellerCatalogue {
        stockLocations(options: { take: 100 }) {
            items {
                id
                name
                customFields {
                    latitude
                    longitude
                }
            }
        }
        productVariants(options: { take: 100 }) {
            items {
                id
                sku
                trackInventory
                useGlobalOutOfStockThreshold
                outOfStockThreshold
                product {
                    id
                }
                stockLevels {
                    stockLocationId
                    stockOnHand
                    stockAllocated
                }
            }
        }
        globalSettings {
            trackInventory
            outOfStockThreshold
        }
    }
`;
interface SellerCatalogueResult {
    stockLocations: {
        items: Array<{
            id: string;
            name: string;
            customFields: { latitude: number | null; longitude: number | null };
        }>;
    };
    productVariants: {
        items: Array<{
            id: string;
            sku: string;
            trackInventory: 'TRUE' | 'FALSE' | 'INHERIT';
            useGlobalOutOfStockThreshold: boolean;
            outOfStockThreshold: number;
            product: { id: string };
            stockLevels: Array<{ stockLocationId: string; stockOnHand: number; stockAllocated: number }>;
        }>;
    };
    globalSettings: { trackInventory: boolean; outOfStockThreshold: number };
}

const UPDATE_VARIANT_STOCK = gql`
    mutation UpdateVariantStock($input: [UpdateProductVariantInput!]!) {
        updateProductVariants(input: $input) {
            id
        }
    }
`;

/** One seller as the admin API shows it in the seller's channel. */
interface Seller {
    code: string;
    stores: Array<{ id: string; name: string; point: Point }>;
    variants: SellerCatalogueResult['productVariants']['items'];
    globalSettings: SellerCatalogueResult['globalSettings'];
}

/** Postal-code centroids of the demo city (GeoNames TSV: latitude and longitude in columns 10 and 11). */
function postalCodePoints(): Map<string, Point> {
    const rows = readFileSync(path.join(demoDataDir, 'postal-codes.tsv'), 'utf8').trim().split('\n');
    return new Map(
        rows.map(row => {
            const columns = row.split('\t');
            return [columns[1], { latitude: Number(columns[9]), longitude: Number(columns[10]) }];
        }),
    );
}

const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL;
if (!ELASTICSEARCH_URL) {
    console.log('es9-live.e2e-spec.ts skipped: set ELASTICSEARCH_URL to an Elasticsearch 9 node to run it');
}
/** The suite runs only against a real Elasticsearch; with one, every failure counts. */
const describeLive = ELASTICSEARCH_URL ? describe : describe.skip;

const city = loadDemoCity();
const postalCodes = postalCodePoints();
const { server, adminClient, shopClient } = createTestEnvironment(
    e2eConfig(__filename, { env: ELASTICSEARCH_URL ? { ELASTICSEARCH_URL } : {} }),
);
let sellers: Seller[] = [];

async function loadSellers(): Promise<Seller[]> {
    const loaded: Seller[] = [];
    for (const { code } of city.sellers) {
        adminClient.setChannelToken(code);
        const result = await adminClient.query<SellerCatalogueResult>(SELLER_CATALOGUE);
        loaded.push({
            code,
            // In a seller's channel the admin API lists that seller's stores only.
            stores: result.stockLocations.items.flatMap(store => {
                const { latitude, longitude } = store.customFields;
                return latitude == null || longitude == null
                    ? []
                    : [{ id: store.id, name: store.name, point: { latitude, longitude } }];
            }),
            variants: result.productVariants.items,
            globalSettings: result.globalSettings,
        });
    }
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    return loaded;
}

/** Variant id => distance to the nearest store of its own seller within 5 km with saleable stock. */
function expectedDeliverable(point: Point): Map<string, number> {
    const expected = new Map<string, number>();
    for (const seller of sellers) {
        const { globalSettings } = seller;
        for (const variant of seller.variants) {
            const tracked =
                variant.trackInventory === 'TRUE' ||
                (variant.trackInventory === 'INHERIT' && globalSettings.trackInventory);
            const threshold = variant.useGlobalOutOfStockThreshold
                ? globalSettings.outOfStockThreshold
                : variant.outOfStockThreshold;
            for (const store of seller.stores) {
                const distance = haversineKm(point, store.point);
                if (distance > MAX_DISTANCE_KM) continue;
                const level = variant.stockLevels.find(stock => stock.stockLocationId === store.id);
                const saleable = level ? level.stockOnHand - level.stockAllocated - threshold : 0;
                if (tracked && saleable <= 0) continue;
                expected.set(variant.id, Math.min(distance, expected.get(variant.id) ?? Infinity));
            }
        }
    }
    return expected;
}

function productOf(variantId: string): string {
    for (const seller of sellers) {
        const variant = seller.variants.find(candidate => candidate.id === variantId);
        if (variant) return variant.product.id;
    }
    throw new Error(`Unknown variant ${variantId}`);
}

/** Retries until the check passes: the search index catches up through the job queue. */
async function eventually<T>(
    attempt: () => Promise<T>,
    check: (value: T) => boolean,
    timeoutMs = 30_000,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await attempt();
        if (check(value) || Date.now() > deadline) return value;
        await new Promise(resolve => setTimeout(resolve, 250));
    }
}

async function search(input: Record<string, unknown>): Promise<SearchResponse['search']> {
    const { search: response } = await shopClient.query<SearchResponse>(SEARCH, { input });
    return response;
}

/** The facet value counts the items themselves give (each facet value once per item). */
function facetCountsOf(items: SearchItem[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const item of items) {
        for (const id of new Set(item.facetValueIds)) counts[id] = (counts[id] ?? 0) + 1;
    }
    return counts;
}

function facetCountsReported(response: SearchResponse['search']): Record<string, number> {
    return Object.fromEntries(response.facetValues.map(entry => [entry.facetValue.id, entry.count]));
}

const storePoints = city.sellers.flatMap(seller =>
    seller.stores.map(store => ({
        label: `on ${store.name}`,
        point: { latitude: store.latitude, longitude: store.longitude },
    })),
);
const nearPostalCodePoints = city.nearPostalCodes.map(code => ({
    label: `at postal code ${code}`,
    point: postalCodes.get(code) as Point,
}));
/** On the Kenwood store: no other seller has a store within 5 km. */
const kenwood = storePoints.find(entry => entry.label.endsWith('Kenwood'))?.point as Point;
const loop = postalCodes.get('60601') as Point;
/** Springfield, Illinois: about 300 km from every store. */
const farPoint: Point = { latitude: 39.7817, longitude: -89.6501 };

describeLive('es9 live: the embedded search scenarios on Elasticsearch 9', () => {
    beforeAll(async () => {
        await server.init({ initialData: demoInitialData, customerCount: 0 });
        await populateDemoMarketplace(server.app, { withInitialData: false });
        await adminClient.asSuperAdmin();
        sellers = await loadSellers();
        // The demo populate waits for its reindex; make sure the whole catalogue is searchable.
        const indexed = await eventually(
            () => search({ take: ALL }),
            result => result.totalItems === DEMO_VARIANTS,
            60_000,
        );
        expect(indexed.totalItems).toBe(DEMO_VARIANTS);
    }, 240_000);

    afterAll(async () => {
        await server.destroy();
    });

    describe('the test setup', () => {
        it('has the demo catalogue: every variant of a seller, every seller with geo-tagged stores', () => {
            expect(sellers.flatMap(seller => seller.variants)).toHaveLength(DEMO_VARIANTS);
            expect(new Set(sellers.flatMap(seller => seller.variants.map(v => v.product.id))).size).toBe(
                DEMO_PRODUCTS,
            );
            for (const seller of sellers) expect(seller.stores.length).toBeGreaterThan(0);
        });

        it('uses points that no store sits on the 5 km boundary of (within 10 m), so rounding cannot decide', () => {
            for (const { point } of [...storePoints, ...nearPostalCodePoints]) {
                for (const store of sellers.flatMap(seller => seller.stores)) {
                    expect(Math.abs(haversineKm(point, store.point) - MAX_DISTANCE_KM)).toBeGreaterThan(0.01);
                }
            }
        });
    });

    describe('search without a delivery location', () => {
        beforeAll(async () => {
            await shopClient.asAnonymousUser();
        });

        it('is unfiltered: every variant, none fast-delivery, no distance', async () => {
            const response = await search({ take: ALL });
            expect(response.totalItems).toBe(DEMO_VARIANTS);
            expect(response.items).toHaveLength(DEMO_VARIANTS);
            for (const item of response.items) {
                expect(item.fastDelivery).toBe(false);
                expect(item.nearestStoreDistanceKm).toBeNull();
            }
        });

        it('groups by product: every product', async () => {
            const response = await search({ take: ALL, groupByProduct: true });
            expect(response.totalItems).toBe(DEMO_PRODUCTS);
            expect(response.items).toHaveLength(DEMO_PRODUCTS);
            expect(
                response.items.every(item => !item.fastDelivery && item.nearestStoreDistanceKm === null),
            ).toBe(true);
        });
    });

    describe('search with a delivery location', () => {
        describe.each([...storePoints, ...nearPostalCodePoints])('$label', ({ point }) => {
            it('finds exactly the deliverable variants, each fast-delivery with its nearest store of its own seller', async () => {
                const expected = expectedDeliverable(point);
                expect(expected.size).toBeGreaterThan(0);
                const response = await search({ take: ALL, deliveryLocation: point });
                expect(response.totalItems).toBe(response.items.length);
                expect(response.items.map(item => item.productVariantId).sort()).toEqual(
                    [...expected.keys()].sort(),
                );
                for (const item of response.items) {
                    expect(item.fastDelivery).toBe(true);
                    expect(item.nearestStoreDistanceKm).not.toBeNull();
                    expect(item.nearestStoreDistanceKm).toBeLessThanOrEqual(MAX_DISTANCE_KM);
                    expect(item.nearestStoreDistanceKm).toBeCloseTo(
                        expected.get(item.productVariantId) ?? NaN,
                        3,
                    );
                }
            });

            it('groups by product: a product when any variant is deliverable, at its nearest variant', async () => {
                const nearestPerProduct = new Map<string, number>();
                for (const [variantId, distance] of expectedDeliverable(point)) {
                    const productId = productOf(variantId);
                    nearestPerProduct.set(
                        productId,
                        Math.min(distance, nearestPerProduct.get(productId) ?? Infinity),
                    );
                }
                const response = await search({ take: ALL, groupByProduct: true, deliveryLocation: point });
                expect(response.totalItems).toBe(nearestPerProduct.size);
                expect(response.items.map(item => item.productId).sort()).toEqual(
                    [...nearestPerProduct.keys()].sort(),
                );
                for (const item of response.items) {
                    expect(item.fastDelivery).toBe(true);
                    expect(item.nearestStoreDistanceKm).toBeCloseTo(
                        nearestPerProduct.get(item.productId) ?? NaN,
                        3,
                    );
                }
            });

            it('counts facet values over the deliverable results only', async () => {
                for (const groupByProduct of [false, true]) {
                    const response = await search({ take: ALL, groupByProduct, deliveryLocation: point });
                    expect(facetCountsReported(response)).toEqual(facetCountsOf(response.items));
                }
            });
        });

        it('filters out what the unfiltered search would show: near Kenwood only its own seller delivers', async () => {
            const flowers = sellers.find(seller => seller.code === 'second-city-flowers');
            const flowerVariants = new Set(flowers?.variants.map(variant => variant.id));
            const response = await search({ take: ALL, deliveryLocation: kenwood });
            expect(response.totalItems).toBeGreaterThan(0);
            expect(response.totalItems).toBeLessThan(DEMO_VARIANTS);
            expect(response.items.every(item => flowerVariants.has(item.productVariantId))).toBe(true);
            const unfiltered = await search({ take: ALL });
            expect(facetCountsReported(response)).not.toEqual(facetCountsReported(unfiltered));
        });

        it.each(city.farAwayPostalCodes.map(code => ({ code, point: postalCodes.get(code) as Point })))(
            'finds nothing far from every store (postal code $code)',
            async ({ point }) => {
                expect(expectedDeliverable(point).size).toBe(0);
                const response = await search({ take: ALL, deliveryLocation: point });
                expect(response.totalItems).toBe(0);
                expect(response.items).toEqual([]);
                expect(response.facetValues).toEqual([]);
            },
        );

        it('finds nothing hundreds of kilometres away, grouped or not', async () => {
            expect((await search({ deliveryLocation: farPoint })).totalItems).toBe(0);
            expect((await search({ groupByProduct: true, deliveryLocation: farPoint })).totalItems).toBe(0);
        });

        it('pages through the deliverable results: every page agrees with totalItems and the pages make up the whole', async () => {
            for (const groupByProduct of [false, true]) {
                const base = { groupByProduct, deliveryLocation: loop, sort: { price: 'ASC' } };
                const all = await search({ ...base, take: ALL });
                expect(all.totalItems).toBeGreaterThan(7);
                const pages: SearchItem[] = [];
                for (let skip = 0; skip < all.totalItems; skip += 7) {
                    const page = await search({ ...base, skip, take: 7 });
                    expect(page.totalItems).toBe(all.totalItems);
                    expect(page.items.length).toBe(Math.min(7, all.totalItems - skip));
                    pages.push(...page.items);
                }
                const ids = (items: SearchItem[]) =>
                    items.map(item => `${item.productId}/${item.productVariantId}`);
                expect(ids(pages)).toEqual(ids(all.items));
                expect((await search({ ...base, skip: all.totalItems, take: 7 })).items).toEqual([]);
            }
        });

        it('combines with a facet value filter: the count matches the filtered items that carry it', async () => {
            const all = await search({ take: ALL, deliveryLocation: loop });
            const [facetValueId, count] = Object.entries(facetCountsOf(all.items))[0];
            const filtered = await search({
                take: ALL,
                deliveryLocation: loop,
                facetValueFilters: [{ and: facetValueId }],
            });
            expect(filtered.totalItems).toBe(count);
            expect(filtered.items.every(item => item.facetValueIds.includes(facetValueId))).toBe(true);
        });

        it('combines with a search term: only deliverable matches', async () => {
            const expected = expectedDeliverable(loop);
            const all = await search({ take: ALL, deliveryLocation: loop });
            const word = all.items[0].productName.split(/\s+/).find(candidate => candidate.length >= 4) ?? '';
            const response = await search({ term: word, take: ALL, deliveryLocation: loop });
            expect(response.totalItems).toBeGreaterThan(0);
            expect(response.totalItems).toBe(response.items.length);
            expect(response.items.every(item => expected.has(item.productVariantId))).toBe(true);

            const products = new Set([...expected.keys()].map(productOf));
            const grouped = await search({
                term: word,
                take: ALL,
                groupByProduct: true,
                inStock: true,
                sort: { name: 'ASC' },
                deliveryLocation: loop,
            });
            expect(grouped.totalItems).toBeGreaterThan(0);
            expect(grouped.totalItems).toBe(grouped.items.length);
            expect(grouped.items.every(item => products.has(item.productId) && item.fastDelivery)).toBe(true);
        });

        it('refuses coordinates out of range', async () => {
            await expect(search({ deliveryLocation: { latitude: 91, longitude: 0 } })).rejects.toThrow(
                /latitude/i,
            );
        });
    });

    describe('search with the delivery location stored on the session', () => {
        afterAll(async () => {
            await shopClient.asAnonymousUser();
        });

        it('uses the stored location when none is given, and a given one over it', async () => {
            await shopClient.asAnonymousUser();
            const { setDeliveryLocation } = await shopClient.query<{
                setDeliveryLocation: { __typename: string };
            }>(SET_DELIVERY_LOCATION, { input: kenwood });
            expect(setDeliveryLocation.__typename).toBe('DeliveryLocation');
            const stored = await search({ take: ALL });
            const given = await search({ take: ALL, deliveryLocation: kenwood });
            expect(stored.totalItems).toBe(expectedDeliverable(kenwood).size);
            expect(stored.items).toEqual(given.items);
            expect((await search({ take: ALL, deliveryLocation: farPoint })).totalItems).toBe(0);
        });
    });

    describe('search reads the stock as it is now', () => {
        afterAll(async () => {
            sellers = await loadSellers();
        });

        it('drops a variant whose only nearby stocked store sells out, and counts it again once untracked', async () => {
            const flowers = sellers.find(seller => seller.code === 'second-city-flowers') as Seller;
            const store = flowers.stores.find(candidate => candidate.name.endsWith('Kenwood'));
            const variant = flowers.variants.find(candidate =>
                candidate.stockLevels.some(
                    level => level.stockLocationId === store?.id && level.stockOnHand > 0,
                ),
            );
            if (!store || !variant) throw new Error('The demo has no stocked variant at the Kenwood store');
            const before = await search({ take: ALL, deliveryLocation: kenwood });
            expect(before.items.map(item => item.productVariantId)).toContain(variant.id);
            const level = variant.stockLevels.find(stock => stock.stockLocationId === store.id);

            adminClient.setChannelToken(flowers.code);
            try {
                await adminClient.query(UPDATE_VARIANT_STOCK, {
                    input: [{ id: variant.id, stockLevels: [{ stockLocationId: store.id, stockOnHand: 0 }] }],
                });
                const soldOut = await eventually(
                    () => search({ take: ALL, deliveryLocation: kenwood }),
                    result => !result.items.some(item => item.productVariantId === variant.id),
                );
                expect(soldOut.items.map(item => item.productVariantId)).not.toContain(variant.id);
                expect(soldOut.totalItems).toBe(before.totalItems - 1);

                await adminClient.query(UPDATE_VARIANT_STOCK, {
                    input: [{ id: variant.id, trackInventory: 'FALSE' }],
                });
                const untracked = await eventually(
                    () => search({ take: ALL, deliveryLocation: kenwood }),
                    result => result.items.some(item => item.productVariantId === variant.id),
                );
                expect(untracked.items.map(item => item.productVariantId)).toContain(variant.id);
                expect(untracked.totalItems).toBe(before.totalItems);
            } finally {
                await adminClient.query(UPDATE_VARIANT_STOCK, {
                    input: [
                        {
                            id: variant.id,
                            trackInventory: variant.trackInventory,
                            stockLevels: [
                                { stockLocationId: store.id, stockOnHand: level?.stockOnHand ?? 0 },
                            ],
                        },
                    ],
                });
                adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
            }
        });

        it("never lets another seller's store serve: an untracked variant is deliverable near its own seller's stores only", async () => {
            // Untracked, the variant counts as stocked at every store of its seller, so only the seller
            // rule keeps it away from the Kenwood store (Second City Flowers' and nobody else's within 5 km).
            const grocers = sellers.find(seller => seller.code === 'lakefront-grocers') as Seller;
            const variant = grocers.variants[0];
            const uptown = grocers.stores.find(store =>
                store.name.endsWith('Uptown'),
            ) as Seller['stores'][number];
            adminClient.setChannelToken(grocers.code);
            try {
                await adminClient.query(UPDATE_VARIANT_STOCK, {
                    input: [{ id: variant.id, trackInventory: 'FALSE' }],
                });
                sellers = await loadSellers();
                expect(expectedDeliverable(kenwood).has(variant.id)).toBe(false);
                const wanted = [...expectedDeliverable(kenwood).keys()].sort();
                const atKenwood = await eventually(
                    () => search({ take: ALL, deliveryLocation: kenwood }),
                    result =>
                        JSON.stringify(result.items.map(item => item.productVariantId).sort()) ===
                        JSON.stringify(wanted),
                );
                expect(atKenwood.items.map(item => item.productVariantId).sort()).toEqual(
                    [...expectedDeliverable(kenwood).keys()].sort(),
                );

                const atUptown = await eventually(
                    () => search({ take: ALL, deliveryLocation: uptown.point }),
                    result => result.items.some(candidate => candidate.productVariantId === variant.id),
                );
                const item = atUptown.items.find(candidate => candidate.productVariantId === variant.id);
                expect(item?.fastDelivery).toBe(true);
                expect(item?.nearestStoreDistanceKm).toBeCloseTo(0, 3);
            } finally {
                adminClient.setChannelToken(grocers.code);
                await adminClient.query(UPDATE_VARIANT_STOCK, {
                    input: [{ id: variant.id, trackInventory: variant.trackInventory }],
                });
                adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
            }
        });
    });

    const CREATE_SINGLE_SHOP_STORE = gql`
        mutation CreateSingleShopStore($input: CreateStockLocationInput!) {
            createStockLocation(input: $input) {
                id
            }
        }
    `;
    const CREATE_SINGLE_SHOP_PRODUCT = gql`
        mutation CreateSingleShopProduct($input: CreateProductInput!) {
            createProduct(input: $input) {
                id
            }
        }
    `;
    const CREATE_SINGLE_SHOP_VARIANTS = gql`
        mutation CreateSingleShopVariants($input: [CreateProductVariantInput!]!) {
            createProductVariants(input: $input) {
                id
            }
        }
    `;
    const DELETE_SINGLE_SHOP_PRODUCT = gql`
        mutation DeleteSingleShopProduct($id: ID!) {
            deleteProduct(id: $id) {
                result
            }
        }
    `;
    const DELETE_SINGLE_SHOP_STORE = gql`
        mutation DeleteSingleShopStore($input: [DeleteStockLocationInput!]!) {
            deleteStockLocations(input: $input) {
                result
            }
        }
    `;

    describe("a single-shop store (the default channel's own, no seller)", () => {
        // Hegewisch (60633): more than 5 km from every seller's store.
        const hegewisch = postalCodes.get('60633') as Point;
        let storeId: string;
        let productId: string;
        let shopVariantId: string;
        let sellerVariant: Seller['variants'][number];

        beforeAll(async () => {
            adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
            const { createStockLocation } = await adminClient.query<{ createStockLocation: { id: string } }>(
                CREATE_SINGLE_SHOP_STORE,
                { input: { name: 'Hegewisch House Store', customFields: hegewisch } },
            );
            storeId = createStockLocation.id;
            const { createProduct } = await adminClient.query<{ createProduct: { id: string } }>(
                CREATE_SINGLE_SHOP_PRODUCT,
                {
                    input: {
                        translations: [
                            {
                                languageCode: 'en',
                                name: 'House Candle',
                                slug: 'house-candle',
                                description: 'Sold by the platform itself',
                            },
                        ],
                    },
                },
            );
            productId = createProduct.id;
            const { createProductVariants } = await adminClient.query<{
                createProductVariants: Array<{ id: string }>;
            }>(CREATE_SINGLE_SHOP_VARIANTS, {
                input: [
                    {
                        productId,
                        sku: 'HOUSE-CANDLE',
                        price: 1200,
                        trackInventory: 'TRUE',
                        translations: [{ languageCode: 'en', name: 'House Candle' }],
                        stockLevels: [{ stockLocationId: storeId, stockOnHand: 3 }],
                    },
                ],
            });
            shopVariantId = createProductVariants[0].id;
            // Untracked, a seller's variant counts as stocked at every store of its seller: the house
            // store must still not serve it.
            const grocers = sellers.find(seller => seller.code === 'lakefront-grocers') as Seller;
            sellerVariant = grocers.variants[1];
            adminClient.setChannelToken(grocers.code);
            await adminClient.query(UPDATE_VARIANT_STOCK, {
                input: [{ id: sellerVariant.id, trackInventory: 'FALSE' }],
            });
            adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        });

        afterAll(async () => {
            adminClient.setChannelToken('lakefront-grocers');
            await adminClient.query(UPDATE_VARIANT_STOCK, {
                input: [{ id: sellerVariant.id, trackInventory: sellerVariant.trackInventory }],
            });
            adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
            await adminClient.query(DELETE_SINGLE_SHOP_PRODUCT, { id: productId });
            await adminClient.query(DELETE_SINGLE_SHOP_STORE, { input: [{ id: storeId }] });
        });

        it("serves the platform's own variants only, never a seller's", async () => {
            const response = await eventually(
                () => search({ take: ALL, deliveryLocation: hegewisch }),
                result => result.totalItems > 0,
            );
            expect(response.items.map(item => item.productVariantId)).toEqual([shopVariantId]);
            expect(response.totalItems).toBe(1);
            expect(response.items[0].fastDelivery).toBe(true);
            expect(response.items[0].nearestStoreDistanceKm).toBeCloseTo(0, 3);
        });

        it("is not a seller's store: near a seller's store the platform's variant is not served", async () => {
            const response = await search({ take: ALL, deliveryLocation: kenwood });
            expect(response.items.map(item => item.productVariantId)).not.toContain(shopVariantId);
        });
    });
});
