/**
 * Store opening hours through the real server, on the demo marketplace (Chicago): a closed store
 * does not serve in search, deliveryAvailability or add to cart; nearbyStores lists it, marked,
 * with when it opens; lastOrderMinutesBeforeClose; an invalid schedule is refused and changes
 * nothing. "Now" is not faked: each schedule is written around the current time in a fixed-offset
 * zone where it is now between 12:00 and 13:00, so hours from 09:00 to 15:00 are open and hours from
 * 16:00 to 18:00 are not, whenever the test runs (and in a zone other than the server's).
 */
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { SellerStoreInfoPlugin } from '../plugins/seller-store-info';
import { loadDemoPendingSeller } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { prepareCheckout } from './fixtures/checkout';
import { MARKETPLACE_OVERVIEW, MarketplaceOverviewResult } from './graphql/admin-documents';
import {
    ADD_ITEM_TO_ORDER,
    ADD_PAYMENT,
    SET_DELIVERY_LOCATION,
    TRANSITION_ORDER,
} from './graphql/shop-documents';
import { eventually } from './utils/eventually';
import { haversineKm } from './utils/haversine';

const LAST_ORDER_MINUTES = 30;
const config = e2eConfig(__filename);
// The plugin's options of this file (e2eConfig initialised the plugin with the suite's).
Object.assign(SellerStoreInfoPlugin.options, { lastOrderMinutesBeforeClose: LAST_ORDER_MINUTES });
const { server, adminClient, shopClient } = createTestEnvironment(config);

const HOUR = 3_600_000;
/** The fixed-offset zone where it is now 12:xx, and its offset from UTC in hours. */
function noonZone(now = new Date()): { zone: string; offsetHours: number } {
    let offsetHours = (12 - now.getUTCHours() + 24) % 24;
    if (offsetHours > 14) offsetHours -= 24;
    // POSIX-style names: Etc/GMT-5 is five hours ahead of UTC.
    const zone = offsetHours === 0 ? 'UTC' : `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;
    return { zone, offsetHours };
}
/** The instant of `hh:mm` on today's date in that zone, computed by hand (no time-zone library). */
function localToday(hour: number, minute: number, offsetHours: number, now = new Date()): Date {
    const localMidnight = Math.floor((now.getTime() + offsetHours * HOUR) / (24 * HOUR)) * 24 * HOUR;
    return new Date(localMidnight + hour * HOUR + minute * 60_000 - offsetHours * HOUR);
}
const everyDay = (ranges: string[]) =>
    JSON.stringify(
        Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map(d => [d, ranges])),
    );

const UPDATE_HOURS = gql`
    mutation UpdateHours($input: UpdateStockLocationInput!) {
        updateStockLocation(input: $input) {
            id
            customFields {
                openingHours
                timeZone
            }
        }
    }
`;
const STORE_HOURS = gql`
    query StoreHours($id: ID!) {
        stockLocation(id: $id) {
            id
            customFields {
                openingHours
                timeZone
            }
        }
    }
`;
const NEARBY = gql`
    query Nearby($location: DeliveryLocationInput) {
        nearbyStores(location: $location) {
            stockLocationId
            distanceKm
            openNow
            opensAt
        }
    }
`;
interface NearbyResult {
    nearbyStores: Array<{
        stockLocationId: string;
        distanceKm: number;
        openNow: boolean;
        opensAt: string | null;
    }>;
}
const AVAILABILITY = gql`
    query Availability($ids: [ID!]!, $location: DeliveryLocationInput) {
        deliveryAvailability(productVariantIds: $ids, location: $location) {
            productVariantId
            fastDelivery
            stockLocationId
            openNow
            opensAt
        }
    }
`;
interface AvailabilityResult {
    deliveryAvailability: Array<{
        productVariantId: string;
        fastDelivery: boolean;
        stockLocationId: string | null;
        openNow: boolean;
        opensAt: string | null;
    }>;
}
const SEARCH = gql`
    query Search($location: DeliveryLocationInput) {
        search(input: { take: 100, deliveryLocation: $location }) {
            totalItems
            items {
                productVariantId
                fastDelivery
                nearestStoreDistanceKm
            }
        }
    }
`;
interface SearchResult {
    search: {
        totalItems: number;
        items: Array<{
            productVariantId: string;
            fastDelivery: boolean;
            nearestStoreDistanceKm: number | null;
        }>;
    };
}

const ORDER_SERVING_STORES = gql`
    query OrderServingStores($id: ID!) {
        order(id: $id) {
            state
            sellerOrders {
                lines {
                    customFields {
                        servingStockLocationId
                    }
                }
            }
        }
    }
`;
interface OrderServingStoresResult {
    order: {
        state: string;
        sellerOrders: Array<{ lines: Array<{ customFields: { servingStockLocationId: string | null } }> }>;
    };
}

type Store = MarketplaceOverviewResult['stockLocations']['items'][number];
let here: { latitude: number; longitude: number };
let home: Store;
/** The stores within 5 km of `here` (the point of `home`). */
let inRange: Store[];
let variantAtHome: string;

const pointOf = (store: Store) => ({
    latitude: store.customFields.latitude as number,
    longitude: store.customFields.longitude as number,
});

async function setHours(id: string, openingHours: string | null, timeZone: string | null) {
    await adminClient.query(UPDATE_HOURS, { input: { id, customFields: { openingHours, timeZone } } });
}
/** nearbyStores once the store index has the schedules saved (it rebuilds after each change). */
function nearbyWhen(done: (stores: NearbyResult['nearbyStores']) => boolean) {
    return eventually(
        async () => (await shopClient.query<NearbyResult>(NEARBY, { location: here })).nearbyStores,
        done,
    );
}

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const overview = await adminClient.query<MarketplaceOverviewResult>(MARKETPLACE_OVERVIEW);
    // The demo's unverified seller serves nothing (seller verification): its store is not one here.
    const unverified = new Set(loadDemoPendingSeller().stores.map(store => store.name));
    const stores = overview.stockLocations.items.filter(
        store => store.customFields.latitude != null && !unverified.has(store.name),
    );
    home = stores[0];
    here = pointOf(home);
    inRange = stores.filter(store => haversineKm(here, pointOf(store)) <= 5);
    await shopClient.asAnonymousUser();
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

describe('store opening hours', () => {
    it('counts the demo’s around-the-clock stores as open, and a store without a schedule too', async () => {
        expect(inRange.length).toBeGreaterThan(1);
        const nearby = await nearbyWhen(() => true);
        expect(nearby.map(store => store.stockLocationId).sort()).toEqual(inRange.map(s => s.id).sort());
        expect(nearby.every(store => store.openNow && store.opensAt === null)).toBe(true);
        // storesWithoutScheduleAlwaysOpen (default true): closed first, then no schedule at all.
        await setHours(home.id, everyDay(['16:00-18:00']), noonZone().zone);
        await nearbyWhen(stores => stores.some(store => !store.openNow));
        await setHours(home.id, null, null);
        const reopened = await nearbyWhen(stores => stores.every(store => store.openNow));
        expect(reopened.find(store => store.stockLocationId === home.id)).toMatchObject({
            openNow: true,
            opensAt: null,
        });
        const { search } = await shopClient.query<SearchResult>(SEARCH, { location: here });
        const fromHome = search.items.find(item => item.nearestStoreDistanceKm === 0);
        expect(fromHome).toBeDefined();
        variantAtHome = fromHome?.productVariantId ?? '';
    });

    it('serves nothing while every store in range is closed, and says when they open', async () => {
        const { zone, offsetHours } = noonZone();
        for (const store of inRange) await setHours(store.id, everyDay(['16:00-18:00']), zone);
        const nearby = await nearbyWhen(stores => stores.every(store => !store.openNow));
        const opensAt = localToday(16, 0, offsetHours).toISOString();
        // Closed stores are still listed, marked.
        expect(nearby).toHaveLength(inRange.length);
        expect(nearby.map(store => [store.openNow, store.opensAt])).toEqual(
            inRange.map(() => [false, opensAt]),
        );

        const { search } = await shopClient.query<SearchResult>(SEARCH, { location: here });
        expect(search.totalItems).toBe(0);
        const { deliveryAvailability } = await shopClient.query<AvailabilityResult>(AVAILABILITY, {
            ids: [variantAtHome],
            location: here,
        });
        expect(deliveryAvailability).toEqual([
            {
                productVariantId: variantAtHome,
                fastDelivery: false,
                stockLocationId: null,
                openNow: false,
                opensAt,
            },
        ]);
        await shopClient.query(SET_DELIVERY_LOCATION, { input: here });
        const { addItemToOrder } = await shopClient.query(ADD_ITEM_TO_ORDER, {
            productVariantId: variantAtHome,
            quantity: 1,
        });
        expect(addItemToOrder.errorCode).toBe('ORDER_INTERCEPTOR_ERROR');
        expect(addItemToOrder.interceptorError).toContain(`closed and takes orders again at ${opensAt}`);
    });

    it('serves from the one store that is open: search distances are to it alone', async () => {
        const { zone } = noonZone();
        await setHours(home.id, everyDay(['09:00-15:00']), zone);
        const nearby = await nearbyWhen(stores => stores.some(store => store.openNow));
        expect(nearby.find(store => store.stockLocationId === home.id)).toMatchObject({
            openNow: true,
            opensAt: null,
        });
        expect(nearby.filter(store => store.openNow)).toHaveLength(1);

        const { search } = await shopClient.query<SearchResult>(SEARCH, { location: here });
        expect(search.totalItems).toBeGreaterThan(0);
        // Only the open store (distance 0) serves, even where a closed one has the stock.
        expect(search.items.every(item => item.fastDelivery && item.nearestStoreDistanceKm === 0)).toBe(true);
        const { deliveryAvailability } = await shopClient.query<AvailabilityResult>(AVAILABILITY, {
            ids: [variantAtHome],
            location: here,
        });
        expect(deliveryAvailability[0]).toMatchObject({
            fastDelivery: true,
            stockLocationId: home.id,
            openNow: true,
            opensAt: null,
        });
        const { addItemToOrder } = await shopClient.query(ADD_ITEM_TO_ORDER, {
            productVariantId: variantAtHome,
            quantity: 1,
        });
        expect(addItemToOrder.lines).toHaveLength(1);
    });

    it('refuses checkout while the store is closed, and allocates an order paid while it is open to it', async () => {
        const { zone } = noonZone();
        await prepareCheckout(
            shopClient,
            { fullName: 'Hours Customer', streetLine1: '1 Test St' },
            { firstName: 'Hours', lastName: 'Customer', emailAddress: 'hours-customer@example.com' },
        );

        await setHours(home.id, everyDay(['16:00-18:00']), zone);
        await nearbyWhen(stores => stores.every(store => !store.openNow));
        const refused = await shopClient.query(TRANSITION_ORDER, { state: 'ArrangingPayment' });
        expect(refused.transitionOrderToState.transitionError).toContain('closed and takes orders again at');
        const { activeOrder } = await shopClient.query(gql`
            query {
                activeOrder {
                    state
                }
            }
        `);
        expect(activeOrder.state).toBe('AddingItems');

        await setHours(home.id, everyDay(['09:00-15:00']), zone);
        await nearbyWhen(stores => stores.some(store => store.openNow));
        const arranged = await shopClient.query(TRANSITION_ORDER, { state: 'ArrangingPayment' });
        expect(arranged.transitionOrderToState.state).toBe('ArrangingPayment');
        const { addPaymentToOrder } = await shopClient.query(ADD_PAYMENT, {
            input: { method: 'instant-payment', metadata: {} },
        });
        expect(addPaymentToOrder.state).toBe('PaymentSettled');
        // Closing the store afterwards does not move the paid order.
        await setHours(home.id, everyDay(['16:00-18:00']), zone);
        await nearbyWhen(stores => stores.every(store => !store.openNow));
        const { order } = await adminClient.query<OrderServingStoresResult>(ORDER_SERVING_STORES, {
            id: addPaymentToOrder.id,
        });
        const serving = order.sellerOrders.flatMap(seller =>
            seller.lines.map(l => l.customFields.servingStockLocationId),
        );
        expect(serving).toEqual([home.id]);
    });

    it(`stops taking orders ${LAST_ORDER_MINUTES} minutes before closing (lastOrderMinutesBeforeClose)`, async () => {
        const now = new Date();
        const { zone, offsetHours } = noonZone(now);
        // Closing 20 minutes from now, in the store's zone.
        const closing = new Date(now.getTime() + 20 * 60_000 + offsetHours * HOUR);
        const hhmm = `${String(closing.getUTCHours()).padStart(2, '0')}:${String(closing.getUTCMinutes()).padStart(2, '0')}`;
        await setHours(home.id, everyDay([`09:00-${hhmm}`]), zone);
        const tomorrowNine = new Date(localToday(9, 0, offsetHours, now).getTime() + 24 * HOUR).toISOString();
        // (The store was closed until 16:00 before: wait for the new schedule.)
        const nearby = await nearbyWhen(stores => stores.some(store => store.opensAt === tomorrowNine));
        expect(nearby.find(store => store.stockLocationId === home.id)).toMatchObject({
            openNow: false,
            opensAt: tomorrowNine,
        });
        const { search } = await shopClient.query<SearchResult>(SEARCH, { location: here });
        expect(search.totalItems).toBe(0);
    });

    it.each([
        [
            'a range that is not HH:MM',
            { openingHours: '{"mon": ["8-20"]}' },
            /Opening hours "mon": "8-20" is not a range/,
        ],
        ['an unknown weekday', { openingHours: '{"monday": ["08:00-20:00"]}' }, /unknown key "monday"/],
        ['a time zone that does not exist', { timeZone: 'Mars/Olympus' }, /not an IANA time zone/],
    ])('refuses %s and changes nothing', async (_label, customFields, message) => {
        const before = await adminClient.query(STORE_HOURS, { id: home.id });
        await expect(
            adminClient.query(UPDATE_HOURS, { input: { id: home.id, customFields } }),
        ).rejects.toThrow(message);
        expect(await adminClient.query(STORE_HOURS, { id: home.id })).toEqual(before);
    });
});
