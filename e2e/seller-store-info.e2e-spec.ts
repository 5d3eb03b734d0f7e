/**
 * The 5 km rule as a shop client meets it, on the demo marketplace (Chicago): delivery locations
 * and their errors, nearby stores against an independent distance computation, availability,
 * add to cart, checkout after moving, and allocation from the seller's own nearest store.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { demoDataDir, loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { prepareCheckout } from './fixtures/checkout';
import { MARKETPLACE_OVERVIEW, MarketplaceOverviewResult } from './graphql/admin-documents';
import {
    ActiveOrderResult,
    ADD_ITEM_TO_ORDER,
    DELIVERY_AVAILABILITY,
    DeliveryAvailabilityResult,
    ELIGIBLE_SHIPPING_METHODS,
    EligibleShippingMethodsResult,
    SET_CUSTOMER,
    SET_DELIVERY_LOCATION,
    SET_SHIPPING_ADDRESS,
    SET_SHIPPING_METHOD,
    SetDeliveryLocationResult,
    TRANSITION_ORDER,
} from './graphql/shop-documents';
import { haversineKm } from './utils/haversine';

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));

/** The point `km` north of a point (along its meridian). */
function north(point: { latitude: number; longitude: number }, km: number) {
    return { latitude: point.latitude + (km / (6371.0088 * Math.PI)) * 180, longitude: point.longitude };
}

const postalCodes = new Map(
    readFileSync(path.join(demoDataDir, 'postal-codes.tsv'), 'utf8')
        .trim()
        .split('\n')
        .map(line => line.split('\t'))
        .map(cols => [cols[1], { latitude: Number(cols[9]), longitude: Number(cols[10]) }] as const),
);

const NEARBY_STORES = gql`
    query NearbyStores($location: DeliveryLocationInput) {
        nearbyStores(location: $location) {
            stockLocationId
            name
            sellerName
            latitude
            longitude
            distanceKm
        }
    }
`;
interface NearbyStoresResult {
    nearbyStores: Array<{
        stockLocationId: string;
        name: string;
        sellerName: string | null;
        latitude: number;
        longitude: number;
        distanceKm: number;
    }>;
}

const ACTIVE_DELIVERY_LOCATION = gql`
    query {
        activeDeliveryLocation {
            latitude
            longitude
            postalCode
        }
    }
`;

const ACTIVE_ORDER_LINES = gql`
    query {
        activeOrder {
            id
            state
            lines {
                id
                quantity
            }
        }
    }
`;

const STOCK_OF_VARIANT = gql`
    query StockOfVariant($id: ID!) {
        productVariant(id: $id) {
            id
            channels {
                code
            }
            stockLevels {
                stockLocationId
                stockOnHand
                stockAllocated
            }
        }
    }
`;
interface StockOfVariantResult {
    productVariant: {
        id: string;
        channels: Array<{ code: string }>;
        stockLevels: Array<{ stockLocationId: string; stockOnHand: number; stockAllocated: number }>;
    };
}

const STORE_LOCATOR_STATS = gql`
    query {
        storeLocatorStats {
            indexedStores
            geocodeCacheHits
            geocodeCacheMisses
            lookups
        }
    }
`;

let stores: MarketplaceOverviewResult['stockLocations']['items'];
let storeChannels: Map<string, string[]>;
/** Every geo-tagged store, the unverified fourth seller's too (the shop does not show it). */
let indexedStoreCount: number;

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const overview = await adminClient.query<MarketplaceOverviewResult>(MARKETPLACE_OVERVIEW);
    const geoTagged = overview.stockLocations.items.filter(store => store.customFields.latitude != null);
    indexedStoreCount = geoTagged.length;
    // Which seller channel each store belongs to, from each seller channel's own view.
    storeChannels = new Map();
    for (const seller of city.sellers) {
        adminClient.setChannelToken(seller.code);
        const own = await adminClient.query<MarketplaceOverviewResult>(MARKETPLACE_OVERVIEW);
        for (const store of own.stockLocations.items) {
            storeChannels.set(store.id, [...(storeChannels.get(store.id) ?? []), seller.code]);
        }
    }
    // The stores the shop shows: those of the three verified sellers.
    stores = geoTagged.filter(store => storeChannels.has(store.id));
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

async function setLocation(input: Record<string, unknown>) {
    const { setDeliveryLocation } = await shopClient.query<SetDeliveryLocationResult>(SET_DELIVERY_LOCATION, {
        input,
    });
    return setDeliveryLocation;
}

describe('setDeliveryLocation', () => {
    beforeAll(async () => {
        await shopClient.asAnonymousUser();
    });

    it('geocodes a postal code of the imported table', async () => {
        const result = await setLocation({ postalCode: '60601' });
        expect(result).toMatchObject({
            __typename: 'DeliveryLocation',
            postalCode: '60601',
            countryCode: 'US',
        });
        const expected = postalCodes.get('60601');
        expect(result.latitude).toBeCloseTo(expected?.latitude ?? NaN, 6);
        expect(result.longitude).toBeCloseTo(expected?.longitude ?? NaN, 6);
        const { activeDeliveryLocation } = await shopClient.query(ACTIVE_DELIVERY_LOCATION);
        expect(activeDeliveryLocation).toEqual({
            latitude: result.latitude,
            longitude: result.longitude,
            postalCode: '60601',
        });
    });

    it.each([
        [{ postalCode: '99999' }, 'UnknownPostalCodeError', /99999.*not known/],
        [{ latitude: 91, longitude: -87.6 }, 'InvalidCoordinatesError', /latitude/i],
        [{ latitude: 41.9, longitude: -187 }, 'InvalidCoordinatesError', /longitude/i],
        [{ latitude: 0, longitude: 0 }, 'InvalidCoordinatesError', /0/],
        [{ latitude: 41.9 }, 'InvalidCoordinatesError', /both latitude and longitude/],
    ])('refuses %j with %s and changes nothing', async (input, typename, message) => {
        const before = await shopClient.query(ACTIVE_DELIVERY_LOCATION);
        const result = await setLocation(input);
        expect(result.__typename).toBe(typename);
        expect(result.message).toMatch(message);
        expect(await shopClient.query(ACTIVE_DELIVERY_LOCATION)).toEqual(before);
    });

    it('asks for a location when given neither a postal code nor coordinates', async () => {
        await expect(setLocation({})).rejects.toThrow(/postalCode, or both latitude and longitude/);
    });
});

describe('nearbyStores', () => {
    it('lists every store within 5 km of a point at each store, nearest first, as an independent computation does', async () => {
        expect(stores.length).toBeGreaterThanOrEqual(8);
        for (const origin of stores) {
            const point = {
                latitude: origin.customFields.latitude as number,
                longitude: origin.customFields.longitude as number,
            };
            const expected = stores
                .map(store => ({
                    id: store.id,
                    distance: haversineKm(point, {
                        latitude: store.customFields.latitude as number,
                        longitude: store.customFields.longitude as number,
                    }),
                }))
                .filter(store => store.distance <= 5)
                .sort((a, b) => a.distance - b.distance);
            const { nearbyStores } = await shopClient.query<NearbyStoresResult>(NEARBY_STORES, {
                location: point,
            });
            expect(nearbyStores.map(store => store.stockLocationId)).toEqual(expected.map(store => store.id));
            nearbyStores.forEach((store, index) =>
                expect(store.distanceKm).toBeCloseTo(expected[index].distance, 6),
            );
            expect(nearbyStores[0].sellerName).toBeTruthy();
        }
    });

    it('includes a store at 4.99 km and leaves it out at 5.01 km', async () => {
        const store = stores[0];
        const at = {
            latitude: store.customFields.latitude as number,
            longitude: store.customFields.longitude as number,
        };
        const inside = await shopClient.query<NearbyStoresResult>(NEARBY_STORES, {
            location: north(at, 4.99),
        });
        const outside = await shopClient.query<NearbyStoresResult>(NEARBY_STORES, {
            location: north(at, 5.01),
        });
        expect(inside.nearbyStores.map(s => s.stockLocationId)).toContain(store.id);
        expect(outside.nearbyStores.map(s => s.stockLocationId)).not.toContain(store.id);
    });

    it('finds no store far from every store', async () => {
        const { nearbyStores } = await shopClient.query<NearbyStoresResult>(NEARBY_STORES, {
            location: { postalCode: city.farAwayPostalCodes[0] },
        });
        expect(nearbyStores).toEqual([]);
    });

    it('asks for a location when none is given or stored', async () => {
        await shopClient.asAnonymousUser();
        await expect(shopClient.query(NEARBY_STORES)).rejects.toThrow(/Give a location/);
    });

    it('counts lookups and geocoding for operators', async () => {
        const { storeLocatorStats } = await adminClient.query(STORE_LOCATOR_STATS);
        expect(storeLocatorStats.indexedStores).toBe(indexedStoreCount);
        expect(storeLocatorStats.lookups).toBeGreaterThan(0);
        expect(storeLocatorStats.geocodeCacheHits + storeLocatorStats.geocodeCacheMisses).toBeGreaterThan(0);
    });
});

describe('the cart and checkout', () => {
    let variantIds: string[];
    let nearVariant: string;

    beforeAll(async () => {
        const { productVariants } = await adminClient.query<{
            productVariants: { items: Array<{ id: string }> };
        }>(gql`
            query {
                productVariants(options: { take: 100 }) {
                    items {
                        id
                    }
                }
            }
        `);
        variantIds = productVariants.items.map(v => v.id);
    });

    it('serves each variant only from a store of its own seller, within 5 km', async () => {
        const { deliveryAvailability } = await shopClient.query<DeliveryAvailabilityResult>(
            DELIVERY_AVAILABILITY,
            {
                ids: variantIds,
                location: { postalCode: '60601' },
            },
        );
        const deliverable = deliveryAvailability.filter(answer => answer.fastDelivery);
        expect(deliverable.length).toBeGreaterThan(0);
        for (const answer of deliverable) {
            const { productVariant } = await adminClient.query<StockOfVariantResult>(STOCK_OF_VARIANT, {
                id: answer.productVariantId,
            });
            const seller = productVariant.channels
                .map(c => c.code)
                .find(code => code !== '__default_channel__');
            expect(storeChannels.get(answer.stockLocationId as string)).toContain(seller);
            expect(answer.nearestStoreDistanceKm).toBeLessThanOrEqual(5);
            const level = productVariant.stockLevels.find(l => l.stockLocationId === answer.stockLocationId);
            expect((level?.stockOnHand ?? 0) - (level?.stockAllocated ?? 0)).toBeGreaterThan(0);
        }
        nearVariant = deliverable[0].productVariantId;

        const far = await shopClient.query<DeliveryAvailabilityResult>(DELIVERY_AVAILABILITY, {
            ids: variantIds,
            location: { postalCode: city.farAwayPostalCodes[0] },
        });
        expect(far.deliveryAvailability.every(answer => !answer.fastDelivery)).toBe(true);
    });

    it('refuses to add to the cart without a location, saying to set one', async () => {
        await shopClient.asAnonymousUser();
        const { addItemToOrder } = await shopClient.query(ADD_ITEM_TO_ORDER, {
            productVariantId: nearVariant,
            quantity: 1,
        });
        expect(addItemToOrder.errorCode).toBe('ORDER_INTERCEPTOR_ERROR');
        expect(addItemToOrder.interceptorError).toMatch(/Set a delivery location/);
    });

    it('refuses far from every store and accepts near one', async () => {
        await shopClient.asAnonymousUser();
        await setLocation({ postalCode: city.farAwayPostalCodes[0] });
        const refused = await shopClient.query(ADD_ITEM_TO_ORDER, {
            productVariantId: nearVariant,
            quantity: 1,
        });
        expect(refused.addItemToOrder.errorCode).toBe('ORDER_INTERCEPTOR_ERROR');
        expect(refused.addItemToOrder.interceptorError).toMatch(/cannot be delivered to postal code/);

        await setLocation({ postalCode: '60601' });
        const accepted = await shopClient.query<{ addItemToOrder: ActiveOrderResult }>(ADD_ITEM_TO_ORDER, {
            productVariantId: nearVariant,
            quantity: 1,
        });
        expect(accepted.addItemToOrder.lines.map(line => line.productVariant.id)).toEqual([nearVariant]);
    });

    it('refuses checkout after the customer moves away, and keeps the cart', async () => {
        const eligibleShippingMethods = await prepareCheckout(
            shopClient,
            { streetLine1: '100 W Randolph St', postalCode: '60601' },
            { firstName: 'Grace', lastName: 'Hopper', emailAddress: 'grace@example.com' },
        );
        expect(eligibleShippingMethods.map(m => m.code)).toEqual(['fast-delivery']);

        await setLocation({ postalCode: city.farAwayPostalCodes[1] });
        const { transitionOrderToState } = await shopClient.query(TRANSITION_ORDER, {
            state: 'ArrangingPayment',
        });
        expect(transitionOrderToState.errorCode).toBe('ORDER_STATE_TRANSITION_ERROR');
        expect(transitionOrderToState.transitionError).toMatch(/cannot be delivered to postal code/);
        const { activeOrder } = await shopClient.query(ACTIVE_ORDER_LINES);
        expect(activeOrder.state).toBe('AddingItems');
        expect(activeOrder.lines).toHaveLength(1);

        await setLocation({ postalCode: '60601' });
        const retried = await shopClient.query(TRANSITION_ORDER, { state: 'ArrangingPayment' });
        expect(retried.transitionOrderToState.state).toBe('ArrangingPayment');
    });

    it('allocates the stock at the store that serves it, on the seller order only', async () => {
        const [{ stockLocationId }] = (
            await shopClient.query<DeliveryAvailabilityResult>(DELIVERY_AVAILABILITY, {
                ids: [nearVariant],
                location: { postalCode: '60601' },
            })
        ).deliveryAvailability;
        const before = (await adminClient.query<StockOfVariantResult>(STOCK_OF_VARIANT, { id: nearVariant }))
            .productVariant.stockLevels;
        const { addPaymentToOrder } = await shopClient.query(gql`
            mutation {
                addPaymentToOrder(input: { method: "instant-payment", metadata: {} }) {
                    ... on Order {
                        id
                        state
                    }
                }
            }
        `);
        expect(addPaymentToOrder.state).toBe('PaymentSettled');
        const after = (await adminClient.query<StockOfVariantResult>(STOCK_OF_VARIANT, { id: nearVariant }))
            .productVariant.stockLevels;
        for (const level of after) {
            const previous = before.find(l => l.stockLocationId === level.stockLocationId);
            // One unit allocated, once (not on the aggregate order too), at the serving store.
            const expectedDelta = level.stockLocationId === stockLocationId ? 1 : 0;
            expect(level.stockAllocated - (previous?.stockAllocated ?? 0)).toBe(expectedDelta);
            expect(level.stockOnHand).toBe(previous?.stockOnHand);
        }

        // The seller order carries the delivery location and the serving store; cancelling it
        // releases the allocation at that store: nothing stays allocated.
        const sellerOrdersOf = () =>
            adminClient.query(
                gql`
                    query ($id: ID!) {
                        order(id: $id) {
                            sellerOrders {
                                id
                                customFields {
                                    deliveryPostalCode
                                }
                                lines {
                                    id
                                    quantity
                                }
                            }
                        }
                    }
                `,
                { id: addPaymentToOrder.id },
            );
        // Copied after the placing transaction commits (an event subscriber): poll briefly.
        let { order } = await sellerOrdersOf();
        for (let i = 0; i < 20 && !order.sellerOrders[0].customFields.deliveryPostalCode; i++) {
            await new Promise(resolve => setTimeout(resolve, 100));
            ({ order } = await sellerOrdersOf());
        }

        const [sellerOrder] = order.sellerOrders;
        expect(sellerOrder.customFields.deliveryPostalCode).toBe('60601');
        const { cancelOrder } = await adminClient.query(
            gql`
                mutation ($input: CancelOrderInput!) {
                    cancelOrder(input: $input) {
                        ... on Order {
                            state
                        }
                        ... on ErrorResult {
                            message
                        }
                    }
                }
            `,
            { input: { orderId: sellerOrder.id, reason: 'e2e: customer cancelled' } },
        );
        expect(cancelOrder.state).toBe('Cancelled');
        const released = (
            await adminClient.query<StockOfVariantResult>(STOCK_OF_VARIANT, { id: nearVariant })
        ).productVariant.stockLevels;
        for (const level of released) {
            const previous = before.find(l => l.stockLocationId === level.stockLocationId);
            expect(level.stockAllocated).toBe(previous?.stockAllocated);
            expect(level.stockOnHand).toBe(previous?.stockOnHand);
        }
    });
});

describe('store coordinates', () => {
    const UPDATE_STORE = gql`
        mutation UpdateStore($input: UpdateStockLocationInput!) {
            updateStockLocation(input: $input) {
                id
                customFields {
                    latitude
                    longitude
                }
            }
        }
    `;

    it.each([
        [{ latitude: 0, longitude: 0 }, /Latitude 0 and longitude 0/],
        [{ latitude: 95, longitude: -87.6 }, /latitude/i],
        [{ latitude: 41.9, longitude: -190 }, /longitude/i],
    ])('refuses %j on save and keeps the store where it was', async (coordinates, message) => {
        const store = stores[0];
        await expect(
            adminClient.query(UPDATE_STORE, { input: { id: store.id, customFields: coordinates } }),
        ).rejects.toThrow(message);
        const { nearbyStores } = await shopClient.query<NearbyStoresResult>(NEARBY_STORES, {
            location: { latitude: store.customFields.latitude, longitude: store.customFields.longitude },
        });
        expect(nearbyStores[0]).toMatchObject({ stockLocationId: store.id, distanceKm: 0 });
    });
});

describe('the shipping address', () => {
    it('sets the delivery location from its postal code, unless the customer gave coordinates', async () => {
        await shopClient.asAnonymousUser();
        await setLocation({ postalCode: '60601' });
        const { deliveryAvailability } = await shopClient.query<DeliveryAvailabilityResult>(
            DELIVERY_AVAILABILITY,
            {
                ids: [],
            },
        );
        expect(deliveryAvailability).toEqual([]);
        const { productVariants } = await adminClient.query<{
            productVariants: { items: Array<{ id: string }> };
        }>(gql`
            query {
                productVariants(options: { take: 100 }) {
                    items {
                        id
                    }
                }
            }
        `);
        const answers = await shopClient.query<DeliveryAvailabilityResult>(DELIVERY_AVAILABILITY, {
            ids: productVariants.items.map(v => v.id),
        });
        const variant = answers.deliveryAvailability.find(a => a.fastDelivery)?.productVariantId;
        await shopClient.query(ADD_ITEM_TO_ORDER, { productVariantId: variant, quantity: 1 });
        await shopClient.query(SET_SHIPPING_ADDRESS, {
            input: {
                streetLine1: '1 E Jackson Blvd',
                city: 'Chicago',
                postalCode: '60604',
                countryCode: 'US',
            },
        });
        const { activeDeliveryLocation } = await shopClient.query(ACTIVE_DELIVERY_LOCATION);
        expect(activeDeliveryLocation.postalCode).toBe('60604');
        expect(activeDeliveryLocation.latitude).toBeCloseTo(postalCodes.get('60604')?.latitude ?? NaN, 6);

        const pinned = { latitude: 41.8789, longitude: -87.6359 };
        await setLocation(pinned);
        await shopClient.query(SET_SHIPPING_ADDRESS, {
            input: {
                streetLine1: '1 E Jackson Blvd',
                city: 'Chicago',
                postalCode: '60605',
                countryCode: 'US',
            },
        });
        expect((await shopClient.query(ACTIVE_DELIVERY_LOCATION)).activeDeliveryLocation).toEqual({
            ...pinned,
            postalCode: null,
        });
    });
});

describe('reads do not write', () => {
    const ORDER_ROW = gql`
        query OrderRow($id: ID!) {
            order(id: $id) {
                updatedAt
                customFields {
                    deliveryLatitude
                    deliveryLongitude
                    deliveryPostalCode
                }
            }
        }
    `;
    const SEARCH_NEAR = gql`
        query {
            search(input: { groupByProduct: false, take: 100 }) {
                totalItems
                items {
                    productVariantId
                    fastDelivery
                    nearestStoreDistanceKm
                }
            }
        }
    `;
    const orderRow = async (id: string) => (await adminClient.query(ORDER_ROW, { id })).order;

    it('derives the location from a new shipping address for search and nearbyStores without writing the order, and checkout stores it', async () => {
        const { productVariants } = await adminClient.query<{
            productVariants: { items: Array<{ id: string }> };
        }>(gql`
            query {
                productVariants(options: { take: 100 }) {
                    items {
                        id
                    }
                }
            }
        `);
        const ids = productVariants.items.map(v => v.id);
        const deliverableTo = async (postalCode: string) =>
            (
                await shopClient.query<DeliveryAvailabilityResult>(DELIVERY_AVAILABILITY, {
                    ids,
                    location: { postalCode },
                })
            ).deliveryAvailability
                .filter(answer => answer.fastDelivery)
                .map(answer => answer.productVariantId);
        const at60604 = await deliverableTo('60604');
        const variant = (await deliverableTo('60601')).find(id => at60604.includes(id));
        expect(variant).toBeDefined();

        await shopClient.asAnonymousUser();
        await setLocation({ postalCode: '60601' });
        const { addItemToOrder } = await shopClient.query<{ addItemToOrder: ActiveOrderResult }>(
            ADD_ITEM_TO_ORDER,
            { productVariantId: variant, quantity: 1 },
        );
        await shopClient.query(SET_CUSTOMER, {
            input: { firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' },
        });
        await shopClient.query(SET_SHIPPING_ADDRESS, {
            input: {
                streetLine1: '1 E Jackson Blvd',
                city: 'Chicago',
                postalCode: '60604',
                countryCode: 'US',
            },
        });
        const before = await orderRow(addItemToOrder.id);
        expect(before.customFields.deliveryPostalCode).toBe('60601');

        // Every read sees the shipping address's location...
        const at = postalCodes.get('60604');
        const { activeDeliveryLocation } = await shopClient.query(ACTIVE_DELIVERY_LOCATION);
        expect(activeDeliveryLocation.postalCode).toBe('60604');
        const { nearbyStores } = await shopClient.query<NearbyStoresResult>(NEARBY_STORES);
        expect(nearbyStores.length).toBeGreaterThan(0);
        for (const store of nearbyStores) {
            expect(store.distanceKm).toBeCloseTo(
                haversineKm(at ?? { latitude: NaN, longitude: NaN }, store),
                2,
            );
        }
        const { search } = await shopClient.query(SEARCH_NEAR);
        expect(search.items.map((item: { productVariantId: string }) => item.productVariantId)).toContain(
            variant,
        );
        const { eligibleShippingMethods } =
            await shopClient.query<EligibleShippingMethodsResult>(ELIGIBLE_SHIPPING_METHODS);
        expect(eligibleShippingMethods.map(m => m.code)).toEqual(['fast-delivery']);

        // ...and none of them wrote the order.
        expect(await orderRow(addItemToOrder.id)).toEqual(before);

        // Checkout checks and stores the location the order goes to: the shipping address's.
        await shopClient.query(SET_SHIPPING_METHOD, { ids: eligibleShippingMethods.map(m => m.id) });
        const { transitionOrderToState } = await shopClient.query(TRANSITION_ORDER, {
            state: 'ArrangingPayment',
        });
        expect(transitionOrderToState.state).toBe('ArrangingPayment');
        const after = await orderRow(addItemToOrder.id);
        expect(after.customFields.deliveryPostalCode).toBe('60604');
        expect(after.customFields.deliveryLatitude).toBeCloseTo(at?.latitude ?? NaN, 6);
    });
});

describe('the serving store', () => {
    it('skips a nearer store of the seller that has no stock, for the next one within 5 km', async () => {
        // Two stores of one seller within 5 km of each other, and a variant stocked at both.
        const seller = city.sellers.find(s => s.stores.length > 1) ?? city.sellers[0];
        const sellerStores = stores.filter(store => storeChannels.get(store.id)?.includes(seller.code));
        const coordinates = (store: (typeof stores)[number]) => ({
            latitude: store.customFields.latitude as number,
            longitude: store.customFields.longitude as number,
        });
        const pair = sellerStores
            .flatMap(a => sellerStores.filter(b => b.id !== a.id).map(b => [a, b] as const))
            .find(([a, b]) => haversineKm(coordinates(a), coordinates(b)) < 4.5);
        if (!pair) throw new Error(`${seller.code} has no two stores within 4.5 km of each other`);
        const [nearest, next] = pair;

        adminClient.setChannelToken(seller.code);
        const { productVariants } = await adminClient.query(gql`
            query {
                productVariants(options: { take: 100 }) {
                    items {
                        id
                        stockLevels {
                            stockLocationId
                            stockOnHand
                            stockAllocated
                        }
                    }
                }
            }
        `);
        const saleableAt = (
            levels: StockOfVariantResult['productVariant']['stockLevels'],
            storeId: string,
        ) => {
            const level = levels.find(l => l.stockLocationId === storeId);
            return (level?.stockOnHand ?? 0) - (level?.stockAllocated ?? 0);
        };
        const variant = (
            productVariants.items as Array<{
                id: string;
                stockLevels: StockOfVariantResult['productVariant']['stockLevels'];
            }>
        ).find(v => saleableAt(v.stockLevels, nearest.id) > 0 && saleableAt(v.stockLevels, next.id) > 0);
        if (!variant) throw new Error('No variant is stocked at both stores');

        const at = coordinates(nearest);
        const ask = async () =>
            (
                await shopClient.query<DeliveryAvailabilityResult>(DELIVERY_AVAILABILITY, {
                    ids: [variant.id],
                    location: at,
                })
            ).deliveryAvailability[0];
        expect(await ask()).toMatchObject({
            fastDelivery: true,
            stockLocationId: nearest.id,
            nearestStoreDistanceKm: 0,
        });

        await adminClient.query(
            gql`
                mutation ($input: [UpdateProductVariantInput!]!) {
                    updateProductVariants(input: $input) {
                        id
                    }
                }
            `,
            { input: [{ id: variant.id, stockLevels: [{ stockLocationId: nearest.id, stockOnHand: 0 }] }] },
        );
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const answer = await ask();
        expect(answer.stockLocationId).toBe(next.id);
        expect(answer.nearestStoreDistanceKm).toBeCloseTo(haversineKm(at, coordinates(next)), 6);
    });
});
