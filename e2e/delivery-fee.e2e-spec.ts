/**
 * The delivery fee by distance (issue 15, part 1) on the demo marketplace (Chicago): the
 * `distance-delivery-fee` calculator prices `eligibleShippingMethods` and the order's shipping line
 * from the distance between the store that serves the cart and the delivery location, follows the
 * location and the cart, takes the farthest store when a seller's lines come from two stores, is
 * free from a threshold, taxes as Vendure's calculators do, prices each seller's method from its
 * own store, offers nothing without a location or a store, and bad arguments are refused on save.
 * Expected fees come from the test's own bands and an independent distance computation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { demoDataDir, loadDemoCity } from '../src/demo/demo-data';
import { DEMO_DELIVERY_FEE_BANDS, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import {
    CHANNEL_VARIANTS,
    ChannelVariantsResult,
    MARKETPLACE_OVERVIEW,
    MarketplaceOverviewResult,
} from './graphql/admin-documents';
import { ADD_ITEM_TO_ORDER, SET_DELIVERY_LOCATION, SET_SHIPPING_METHOD } from './graphql/shop-documents';
import { haversineKm } from './utils/haversine';

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));

type Point = { latitude: number; longitude: number };
type Band = { upToKm: number; price: number };
type Store = { id: string; name: string; point: Point };

const loop: Point = (() => {
    const row = readFileSync(path.join(demoDataDir, 'postal-codes.tsv'), 'utf8')
        .split('\n')
        .map(line => line.split('\t'))
        .find(cols => cols[1] === '60601');
    if (!row) throw new Error('60601 is not in the demo postal codes');
    return { latitude: Number(row[9]), longitude: Number(row[10]) };
})();

/** The point `km` from `from` on the straight line away from `awayFrom` (short distances). */
function beyond(from: Point, awayFrom: Point, km: number): Point {
    const kmPerDegLat = 111.195;
    const kmPerDegLng = kmPerDegLat * Math.cos((from.latitude * Math.PI) / 180);
    const north = (from.latitude - awayFrom.latitude) * kmPerDegLat;
    const east = (from.longitude - awayFrom.longitude) * kmPerDegLng;
    const length = Math.hypot(north, east);
    return {
        latitude: from.latitude + ((north / length) * km) / kmPerDegLat,
        longitude: from.longitude + ((east / length) * km) / kmPerDegLng,
    };
}

/** The test's own reading of bands: the first that reaches the distance. */
function expectedFee(bands: Band[], km: number): number {
    const band = bands.find(candidate => km <= candidate.upToKm);
    if (!band) throw new Error(`${km} km is beyond the bands`);
    return band.price;
}

const QUOTES = gql`
    query {
        eligibleShippingMethods {
            id
            code
            price
            priceWithTax
            metadata
        }
    }
`;
type Quote = {
    id: string;
    code: string;
    price: number;
    priceWithTax: number;
    metadata: { distanceKm: number };
};

const ACTIVE_ORDER = gql`
    query {
        activeOrder {
            id
            subTotal
            subTotalWithTax
            shipping
            lines {
                id
                productVariant {
                    id
                }
            }
        }
    }
`;
type ActiveOrder = {
    id: string;
    subTotal: number;
    subTotalWithTax: number;
    shipping: number;
    lines: Array<{ id: string; productVariant: { id: string } }>;
};

const ADJUST_LINE = gql`
    mutation ($id: ID!, $quantity: Int!) {
        adjustOrderLine(orderLineId: $id, quantity: $quantity) {
            __typename
        }
    }
`;
const REMOVE_LINE = gql`
    mutation ($id: ID!) {
        removeOrderLine(orderLineId: $id) {
            __typename
        }
    }
`;

const SHIPPING_METHODS = gql`
    query {
        shippingMethods(options: { take: 100 }) {
            totalItems
            items {
                id
                code
                calculator {
                    code
                    args {
                        name
                        value
                    }
                }
            }
        }
    }
`;
type ShippingMethods = {
    shippingMethods: {
        totalItems: number;
        items: Array<{
            id: string;
            code: string;
            calculator: { code: string; args: Array<{ name: string; value: string }> };
        }>;
    };
};

const UPDATE_SHIPPING_METHOD = gql`
    mutation ($input: UpdateShippingMethodInput!) {
        updateShippingMethod(input: $input) {
            id
        }
    }
`;
const CREATE_SHIPPING_METHOD = gql`
    mutation ($input: CreateShippingMethodInput!) {
        createShippingMethod(input: $input) {
            id
        }
    }
`;
const UPDATE_VARIANTS = gql`
    mutation ($input: [UpdateProductVariantInput!]!) {
        updateProductVariants(input: $input) {
            id
        }
    }
`;

const feeArguments = (args: Record<string, string>) =>
    Object.entries(args).map(([name, value]) => ({ name, value }));

/** The seller with two stores less than 4.5 km apart, those stores, its method and variants. */
let seller: { code: string; method: string; near: Store; next: Store; others: Store[] };
let variants: string[];
/** The bands the tests set on the seller's method: a boundary between the two stores' distances. */
let bands: Band[];

async function setFee(methodId: string, args: Record<string, string>) {
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    await adminClient.query(UPDATE_SHIPPING_METHOD, {
        input: {
            id: methodId,
            translations: [],
            calculator: { code: 'distance-delivery-fee', arguments: feeArguments(args) },
        },
    });
}

/** Sets the stock of a variant of `sellerCode` at each of the given stores (others: none). */
async function stockOnlyAt(
    sellerCode: string,
    variantId: string,
    stores: Store[],
    levels: Map<string, number>,
) {
    adminClient.setChannelToken(sellerCode);
    await adminClient.query(UPDATE_VARIANTS, {
        input: [
            {
                id: variantId,
                stockLevels: stores.map(store => ({
                    stockLocationId: store.id,
                    stockOnHand: levels.get(store.id) ?? 0,
                })),
            },
        ],
    });
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
}

async function sellerSetup(code: string) {
    adminClient.setChannelToken(code);
    const own = await adminClient.query<MarketplaceOverviewResult>(MARKETPLACE_OVERVIEW);
    const { shippingMethods } = await adminClient.query<ShippingMethods>(SHIPPING_METHODS);
    const { productVariants } = await adminClient.query<ChannelVariantsResult>(CHANNEL_VARIANTS);
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const stores: Store[] = own.stockLocations.items
        .filter(store => store.customFields.latitude != null)
        .map(store => ({
            id: store.id,
            name: store.name,
            point: {
                latitude: store.customFields.latitude as number,
                longitude: store.customFields.longitude as number,
            },
        }));
    const method = shippingMethods.items.find(item => item.code === 'fast-delivery');
    if (!method) throw new Error(`${code} has no fast-delivery method`);
    return { stores, method: method.id, variants: productVariants.items.map(variant => variant.id) };
}

async function quotes(): Promise<Quote[]> {
    return (await shopClient.query<{ eligibleShippingMethods: Quote[] }>(QUOTES)).eligibleShippingMethods;
}

async function quoteOf(methodId: string): Promise<Quote | undefined> {
    return (await quotes()).find(quote => quote.id === methodId);
}

async function activeOrder(): Promise<ActiveOrder> {
    return (await shopClient.query<{ activeOrder: ActiveOrder }>(ACTIVE_ORDER)).activeOrder;
}

async function locateAt(point: Point) {
    const { setDeliveryLocation } = await shopClient.query(SET_DELIVERY_LOCATION, { input: point });
    expect(setDeliveryLocation.__typename).toBe('DeliveryLocation');
}

async function add(variantId: string, quantity = 1) {
    const { addItemToOrder } = await shopClient.query(ADD_ITEM_TO_ORDER, {
        productVariantId: variantId,
        quantity,
    });
    expect(addItemToOrder.id).toBeDefined();
}

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
    for (const candidate of city.sellers) {
        const setup = await sellerSetup(candidate.code);
        const pair = setup.stores
            .flatMap(a => setup.stores.filter(b => b.id !== a.id).map(b => [a, b] as const))
            .find(([a, b]) => haversineKm(a.point, b.point) < 4.5 && haversineKm(a.point, b.point) > 1);
        if (!pair) continue;
        seller = {
            code: candidate.code,
            method: setup.method,
            near: pair[0],
            next: pair[1],
            others: setup.stores.filter(store => store !== pair[0] && store !== pair[1]),
        };
        variants = setup.variants;
        break;
    }
    if (!seller) throw new Error('No demo seller has two stores between 1 and 4.5 km apart');
    const apart = haversineKm(seller.near.point, seller.next.point);
    // 0.3 km from the near store, the next store is about `apart` + 0.3 km away: the boundary lies between.
    const boundary = Math.round((0.3 + apart / 2) * 100) / 100;
    bands = [
        { upToKm: boundary, price: 250 },
        { upToKm: 5, price: 650 },
        // Beyond the 5 km radius: accepted, never reached.
        { upToKm: 8, price: 990 },
    ];
    const all = [seller.near, seller.next, ...seller.others];
    // variants[0]: 3 at the near store, plenty at the next; variants[1]: only at the next store.
    await stockOnlyAt(
        seller.code,
        variants[0],
        all,
        new Map([
            [seller.near.id, 3],
            [seller.next.id, 100],
        ]),
    );
    await stockOnlyAt(seller.code, variants[1], all, new Map([[seller.next.id, 100]]));
    await setFee(seller.method, {
        bands: JSON.stringify(bands),
        freeDeliveryThreshold: '0',
        includesTax: 'exclude',
        taxRate: '0',
    });
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

describe('the demo', () => {
    it('prices every fast-delivery method with distance-delivery-fee bands that reach the radius', async () => {
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const { shippingMethods } = await adminClient.query<ShippingMethods>(SHIPPING_METHODS);
        const fast = shippingMethods.items.filter(item => item.code === 'fast-delivery');
        // The city's verified sellers and the demo's unverified one (pending-seller.json) each have one.
        expect(fast).toHaveLength(city.sellers.length + 1);
        for (const method of fast) {
            expect(method.calculator.code).toBe('distance-delivery-fee');
            // The setup of this file gave one seller's method the test's bands.
            const expected = method.id === seller.method ? bands : JSON.parse(DEMO_DELIVERY_FEE_BANDS);
            const saved = method.calculator.args.find(arg => arg.name === 'bands')?.value ?? 'null';
            expect(JSON.parse(saved)).toEqual(expected);
        }
        const demoBands = JSON.parse(DEMO_DELIVERY_FEE_BANDS) as Band[];
        expect(demoBands[demoBands.length - 1].upToKm).toBeGreaterThanOrEqual(5);
    });
});

/** 0.3 km from the seller's near store, away from its next store. */
const near = (s: typeof seller) => beyond(s.near.point, s.next.point, 0.3);

describe('one seller, its two stores', () => {
    const far = () => beyond(seller.near.point, seller.next.point, bands[0].upToKm + 0.3);

    beforeAll(async () => {
        await shopClient.asAnonymousUser();
    });

    it('prices the cart by the distance from its serving store, and follows the location', async () => {
        await locateAt(near(seller));
        await add(variants[0]);
        const atNear = await quoteOf(seller.method);
        const nearKm = haversineKm(near(seller), seller.near.point);
        expect(atNear?.price).toBe(expectedFee(bands, nearKm));
        expect(atNear?.price).toBe(250);
        expect(atNear?.metadata.distanceKm).toBeCloseTo(nearKm, 2);

        await locateAt(far());
        const farKm = haversineKm(far(), seller.near.point);
        const atFar = await quoteOf(seller.method);
        expect(atFar?.price).toBe(expectedFee(bands, farKm));
        expect(atFar?.price).toBe(650);
        expect(atFar?.metadata.distanceKm).toBeCloseTo(farKm, 2);
        await locateAt(near(seller));
    });

    it('follows the cart: more than the near store has is served, and priced, from the next store', async () => {
        const order = await activeOrder();
        await shopClient.query(SET_SHIPPING_METHOD, { ids: [seller.method] });
        expect((await activeOrder()).shipping).toBe(250);

        await shopClient.query(ADJUST_LINE, { id: order.lines[0].id, quantity: 5 });
        const nextKm = haversineKm(near(seller), seller.next.point);
        expect((await quoteOf(seller.method))?.price).toBe(expectedFee(bands, nextKm));
        expect((await quoteOf(seller.method))?.price).toBe(650);
        // The order's shipping line follows too.
        expect((await activeOrder()).shipping).toBe(650);

        await shopClient.query(ADJUST_LINE, { id: order.lines[0].id, quantity: 1 });
        expect((await quoteOf(seller.method))?.price).toBe(250);
        expect((await activeOrder()).shipping).toBe(250);
    });

    it('takes the farthest store when the lines come from two stores (not the first line’s)', async () => {
        await add(variants[1]);
        const quote = await quoteOf(seller.method);
        const farthest = Math.max(
            haversineKm(near(seller), seller.near.point),
            haversineKm(near(seller), seller.next.point),
        );
        expect(quote?.price).toBe(expectedFee(bands, farthest));
        expect(quote?.price).toBe(650);
        expect(quote?.metadata.distanceKm).toBeCloseTo(haversineKm(near(seller), seller.next.point), 2);

        const order = await activeOrder();
        const second = order.lines.find(line => line.productVariant.id === variants[1]);
        await shopClient.query(REMOVE_LINE, { id: second?.id });
        expect((await quoteOf(seller.method))?.price).toBe(250);
    });

    it('is free from the threshold on, with or without tax as the argument says', async () => {
        const { subTotal, subTotalWithTax } = await activeOrder();
        expect(subTotalWithTax).toBeGreaterThan(subTotal); // the demo's groceries are taxed
        const base = { bands: JSON.stringify(bands), includesTax: 'exclude', taxRate: '0' };

        await setFee(seller.method, { ...base, freeDeliveryThreshold: String(subTotal) });
        expect((await quoteOf(seller.method))?.price).toBe(0);
        await setFee(seller.method, { ...base, freeDeliveryThreshold: String(subTotal + 1) });
        expect((await quoteOf(seller.method))?.price).toBe(250);

        // Compared with tax: the subtotal with tax reaches it; without tax it does not.
        const withTax = { ...base, freeDeliveryThreshold: String(subTotalWithTax) };
        await setFee(seller.method, { ...withTax, freeDeliveryThresholdTaxInclusive: 'true' });
        expect((await quoteOf(seller.method))?.price).toBe(0);
        await setFee(seller.method, { ...withTax, freeDeliveryThresholdTaxInclusive: 'false' });
        expect((await quoteOf(seller.method))?.price).toBe(250);
    });

    it('taxes as Vendure’s default calculator: taxRate on top, or included', async () => {
        const base = { bands: JSON.stringify(bands), freeDeliveryThreshold: '0' };
        await setFee(seller.method, { ...base, includesTax: 'exclude', taxRate: '10' });
        expect(await quoteOf(seller.method)).toMatchObject({ price: 250, priceWithTax: 275 });
        await setFee(seller.method, { ...base, includesTax: 'include', taxRate: '25' });
        expect(await quoteOf(seller.method)).toMatchObject({ price: 200, priceWithTax: 250 });
        await setFee(seller.method, { ...base, includesTax: 'exclude', taxRate: '0' });
        expect(await quoteOf(seller.method)).toMatchObject({ price: 250, priceWithTax: 250 });
    });
});

/** Distance from The Loop to the one store that stocks variants[2] (set in the two-seller case). */
let variant2StoreKm: number;

describe('a cart of two sellers', () => {
    it('prices each seller’s method from that seller’s own serving store', async () => {
        const other = city.sellers.find(candidate => candidate.code !== seller.code);
        if (!other) throw new Error('The demo has one seller only');
        const otherSetup = await sellerSetup(other.code);
        // One variant of each seller, stocked at one store of that seller within 5 km of The Loop:
        // the farthest such store, so the fee is not just the first band's.
        const farthestNear = (stores: Store[]) =>
            stores
                .filter(store => haversineKm(loop, store.point) < 4.9)
                .sort((a, b) => haversineKm(loop, b.point) - haversineKm(loop, a.point))[0];
        const ownStores = [seller.near, seller.next, ...seller.others];
        const ownStore = farthestNear(ownStores);
        const otherStore = farthestNear(otherSetup.stores);
        if (!ownStore || !otherStore) throw new Error('A seller has no store within 4.9 km of The Loop');
        await stockOnlyAt(seller.code, variants[2], ownStores, new Map([[ownStore.id, 50]]));
        variant2StoreKm = haversineKm(loop, ownStore.point);
        await stockOnlyAt(
            other.code,
            otherSetup.variants[0],
            otherSetup.stores,
            new Map([[otherStore.id, 50]]),
        );

        await shopClient.asAnonymousUser();
        await locateAt(loop);
        await add(variants[2]);
        await add(otherSetup.variants[0]);
        const all = await quotes();
        expect(all.map(quote => quote.code)).toEqual(['fast-delivery', 'fast-delivery']);
        const ownQuote = all.find(quote => quote.id === seller.method);
        const otherQuote = all.find(quote => quote.id === otherSetup.method);
        expect(ownQuote?.price).toBe(expectedFee(bands, haversineKm(loop, ownStore.point)));
        expect(ownQuote?.metadata.distanceKm).toBeCloseTo(haversineKm(loop, ownStore.point), 2);
        expect(otherQuote?.price).toBe(
            expectedFee(JSON.parse(DEMO_DELIVERY_FEE_BANDS) as Band[], haversineKm(loop, otherStore.point)),
        );
        expect(otherQuote?.metadata.distanceKm).toBeCloseTo(haversineKm(loop, otherStore.point), 2);

        // Each seller order keeps its own shipping line and price.
        await shopClient.query(SET_SHIPPING_METHOD, { ids: [seller.method, otherSetup.method] });
        expect((await activeOrder()).shipping).toBe((ownQuote?.price ?? NaN) + (otherQuote?.price ?? NaN));
    });
});

describe('without a location or a store', () => {
    /** A shop-wide method that any order passes, priced by distance: only the calculator decides. */
    let anyOrderMethod: string;

    beforeAll(async () => {
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const { createShippingMethod } = await adminClient.query(CREATE_SHIPPING_METHOD, {
            input: {
                code: 'fee-for-any-order',
                fulfillmentHandler: 'manual-fulfillment',
                checker: {
                    code: 'default-shipping-eligibility-checker',
                    arguments: [{ name: 'orderMinimum', value: '0' }],
                },
                calculator: {
                    code: 'distance-delivery-fee',
                    arguments: feeArguments({ bands: JSON.stringify(bands) }),
                },
                translations: [{ languageCode: 'en', name: 'Any order, by distance' }],
            },
        });
        anyOrderMethod = createShippingMethod.id;
    });

    afterAll(async () => {
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        await adminClient.query(
            gql`
                mutation ($id: ID!) {
                    deleteShippingMethod(id: $id) {
                        result
                    }
                }
            `,
            { id: anyOrderMethod },
        );
    });

    it('offers the method when a store serves the cart, and nothing once no store does', async () => {
        await shopClient.asAnonymousUser();
        await locateAt(near(seller));
        await add(variants[0]);
        // Shop-wide: the cart's only line, from the near store.
        expect((await quoteOf(anyOrderMethod))?.price).toBe(
            expectedFee(bands, haversineKm(near(seller), seller.near.point)),
        );

        const { setDeliveryLocation } = await shopClient.query(SET_DELIVERY_LOCATION, {
            input: { postalCode: city.farAwayPostalCodes[0], countryCode: 'US' },
        });
        expect(setDeliveryLocation.__typename).toBe('DeliveryLocation');
        const far = await quotes();
        expect(far.map(quote => quote.id)).not.toContain(anyOrderMethod);
        expect(far.map(quote => quote.code)).not.toContain('fast-delivery');
    });

    it('offers nothing, and does not fail, for a staff draft order without a location', async () => {
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const { createDraftOrder } = await adminClient.query(gql`
            mutation {
                createDraftOrder {
                    id
                }
            }
        `);
        const { addItemToDraftOrder } = await adminClient.query(
            gql`
                mutation ($orderId: ID!, $variantId: ID!) {
                    addItemToDraftOrder(
                        orderId: $orderId
                        input: { productVariantId: $variantId, quantity: 1 }
                    ) {
                        ... on Order {
                            lines {
                                id
                            }
                        }
                    }
                }
            `,
            { orderId: createDraftOrder.id, variantId: variants[0] },
        );
        expect(addItemToDraftOrder.lines).toHaveLength(1);
        const { eligibleShippingMethodsForDraftOrder } = await adminClient.query(
            gql`
                query ($orderId: ID!) {
                    eligibleShippingMethodsForDraftOrder(orderId: $orderId) {
                        id
                        code
                    }
                }
            `,
            { orderId: createDraftOrder.id },
        );
        const ids = (eligibleShippingMethodsForDraftOrder as Quote[]).map(quote => quote.id);
        expect(ids).not.toContain(anyOrderMethod);
        expect(ids).not.toContain(seller.method);
    });
});

describe('trying a method out before saving it (the dashboard’s test panel)', () => {
    it('quotes a cart for a shipping address by the distance from its serving store', async () => {
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const { testShippingMethod } = await adminClient.query(
            gql`
                query ($input: TestShippingMethodInput!) {
                    testShippingMethod(input: $input) {
                        eligible
                        quote {
                            price
                            metadata
                        }
                    }
                }
            `,
            {
                input: {
                    checker: { code: 'fast-delivery-eligibility', arguments: [] },
                    calculator: {
                        code: 'distance-delivery-fee',
                        arguments: feeArguments({ bands: JSON.stringify(bands) }),
                    },
                    shippingAddress: {
                        streetLine1: '100 W Randolph St',
                        postalCode: '60601',
                        countryCode: 'US',
                    },
                    lines: [{ productVariantId: variants[2], quantity: 1 }],
                },
            },
        );
        // variants[2] is stocked at one store only (the two-seller case above).
        expect(testShippingMethod.eligible).toBe(true);
        expect(testShippingMethod.quote.price).toBe(
            expectedFee(bands, testShippingMethod.quote.metadata.distanceKm),
        );
        expect(testShippingMethod.quote.metadata.distanceKm).toBeCloseTo(variant2StoreKm, 2);
    });
});

describe('bad arguments when staff save a method', () => {
    const BAD: Array<[string, string, RegExp]> = [
        ['bands that are not JSON', '[{upToKm:2,price:299}]', /^bands: not valid JSON/],
        [
            'bands not in ascending order',
            '[{"upToKm":4,"price":399},{"upToKm":2,"price":299},{"upToKm":5,"price":499}]',
            /^bands: band 2 \(upToKm 2\) must reach farther than band 1/,
        ],
        ['a negative price', '[{"upToKm":5,"price":-499}]', /^bands: band 1 has a negative price/],
        [
            'bands short of the 5 km radius',
            '[{"upToKm":2,"price":299}]',
            /short of the delivery radius \(5 km\)/,
        ],
        [
            'bands of 20 000 characters',
            `[${' '.repeat(20_000)}]`,
            /^bands: too long, at most 2000 characters/,
        ],
    ];

    async function methodsNow(): Promise<ShippingMethods['shippingMethods']> {
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        return (await adminClient.query<ShippingMethods>(SHIPPING_METHODS)).shippingMethods;
    }

    it.each(BAD)('createShippingMethod refuses %s, and creates nothing', async (_label, value, message) => {
        const before = await methodsNow();
        await expect(
            adminClient.query(CREATE_SHIPPING_METHOD, {
                input: {
                    code: 'fee-bad-bands',
                    fulfillmentHandler: 'manual-fulfillment',
                    checker: { code: 'fast-delivery-eligibility', arguments: [] },
                    calculator: { code: 'distance-delivery-fee', arguments: feeArguments({ bands: value }) },
                    translations: [{ languageCode: 'en', name: 'Bad bands' }],
                },
            }),
        ).rejects.toThrow(message);
        expect(await methodsNow()).toEqual(before);
    });

    it.each(BAD)('updateShippingMethod refuses %s, and changes nothing', async (_label, value, message) => {
        const before = await methodsNow();
        await expect(setFee(seller.method, { bands: value })).rejects.toThrow(message);
        expect(await methodsNow()).toEqual(before);
    });

    it('refuses a negative free-delivery threshold and a tax rate above 100 %', async () => {
        const before = await methodsNow();
        await expect(
            setFee(seller.method, { bands: JSON.stringify(bands), freeDeliveryThreshold: '-100' }),
        ).rejects.toThrow(/^freeDeliveryThreshold: a whole number/);
        await expect(setFee(seller.method, { bands: JSON.stringify(bands), taxRate: '150' })).rejects.toThrow(
            /^taxRate: a percentage from 0 to 100/,
        );
        expect(await methodsNow()).toEqual(before);
    });
});
