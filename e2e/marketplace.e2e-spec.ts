import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { loadDemoCity } from '../src/demo/demo-data';
import { DEMO_SELLER_PASSWORD, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { deliverableVariantOf } from './fixtures/checkout';
import {
    ADD_FULFILLMENT,
    CHANNEL_VARIANTS,
    ChannelVariantsResult,
    MARKETPLACE_OVERVIEW,
    MarketplaceOverviewResult,
    ORDER_WITH_SELLER_ORDERS,
    OrderWithSellerOrdersResult,
    SellerOrder,
    TRANSITION_FULFILLMENT,
} from './graphql/admin-documents';
import {
    ActiveOrderResult,
    ADD_ITEM_TO_ORDER,
    ADD_PAYMENT,
    ELIGIBLE_SHIPPING_METHODS,
    EligibleShippingMethodsResult,
    PRODUCT_COUNT,
    ProductCountResult,
    SET_CUSTOMER,
    SET_DELIVERY_LOCATION,
    SET_SHIPPING_ADDRESS,
    SET_SHIPPING_METHOD,
    SetDeliveryLocationResult,
    TRANSITION_ORDER,
} from './graphql/shop-documents';

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

async function overview() {
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    return adminClient.query<MarketplaceOverviewResult>(MARKETPLACE_OVERVIEW);
}

describe('demo marketplace', () => {
    it('has three sellers (and an unverified fourth) besides the default seller, each with its own channel', async () => {
        const { sellers, channels } = await overview();
        const names = sellers.items.map(seller => seller.name);
        expect(names).toEqual(expect.arrayContaining(city.sellers.map(seller => seller.name)));
        // The demo's fourth seller is not verified (seller-verification.e2e-spec.ts).
        expect(sellers.totalItems).toBe(city.sellers.length + 2);
        for (const seller of city.sellers) {
            expect(channels.items.find(channel => channel.code === seller.code)?.seller?.name).toBe(
                seller.name,
            );
        }
    });

    it('lists at least 50 products in the shop API', async () => {
        const { products } = await shopClient.query<ProductCountResult>(PRODUCT_COUNT);
        expect(products.totalItems).toBeGreaterThanOrEqual(50);
    });

    it('has at least 8 stores with real coordinates and an address', async () => {
        const { stockLocations } = await overview();
        const geoTagged = stockLocations.items.filter(
            location => location.customFields.latitude != null && location.customFields.longitude != null,
        );
        expect(geoTagged.length).toBeGreaterThanOrEqual(8);
        for (const store of geoTagged) {
            // Chicago: every store lies within the city's bounding box.
            expect(store.customFields.latitude).toBeGreaterThan(41.6);
            expect(store.customFields.latitude).toBeLessThan(42.1);
            expect(store.customFields.longitude).toBeGreaterThan(-87.95);
            expect(store.customFields.longitude).toBeLessThan(-87.5);
            expect(store.customFields.address).toBeTruthy();
            expect(store.customFields.postalCode).toMatch(/^606\d\d$/);
        }
    });

    it('has a fast-delivery shipping method per seller and a payment method that settles at once', async () => {
        const { shippingMethods, paymentMethods } = await overview();
        // The unverified fourth seller has its own too.
        expect(shippingMethods.items.filter(method => method.code === 'fast-delivery')).toHaveLength(4);
        expect(paymentMethods.items).toContainEqual({ code: 'instant-payment', enabled: true });
    });

    it('is populated once: populating again changes nothing', async () => {
        const before = await overview();
        await populateDemoMarketplace(server.app, { withInitialData: false });
        const after = await overview();
        expect(after.products.totalItems).toBe(before.products.totalItems);
        expect(after.stockLocations.totalItems).toBe(before.stockLocations.totalItems);
        expect(after.sellers.totalItems).toBe(before.sellers.totalItems);
    });

    it('gives each seller a staff login that sees only its own channel', async () => {
        const seller = city.sellers[0];
        await adminClient.asUserWithCredentials(`${seller.code}@demo.example`, DEMO_SELLER_PASSWORD);
        adminClient.setChannelToken(seller.code);
        const { productVariants } = await adminClient.query<ChannelVariantsResult>(CHANNEL_VARIANTS);
        expect(productVariants.items.length).toBeGreaterThan(0);
        expect(productVariants.items.every(variant => variant.sku.startsWith('LG-'))).toBe(true);
        await adminClient.asSuperAdmin();
    });
});

describe('a checkout across two sellers', () => {
    let orderId: string;
    let sellerOrders: SellerOrder[];
    const purchased = new Map<string, number>();
    let stockBefore: Map<string, StockLevels>;

    type StockLevels = Array<{ stockLocationId: string; stockOnHand: number; stockAllocated: number }>;

    async function stockOf(ids: string[]): Promise<Map<string, StockLevels>> {
        const result = new Map<string, StockLevels>();
        for (const id of ids) {
            const { productVariant } = await adminClient.query(
                gql`
                    query ($id: ID!) {
                        productVariant(id: $id) {
                            stockLevels {
                                stockLocationId
                                stockOnHand
                                stockAllocated
                            }
                        }
                    }
                `,
                { id },
            );
            result.set(id, productVariant.stockLevels);
        }
        return result;
    }

    async function fetchOrder() {
        const { order } = await adminClient.query<OrderWithSellerOrdersResult>(ORDER_WITH_SELLER_ORDERS, {
            id: orderId,
        });
        return order;
    }

    it('runs through the shop API to PaymentSettled', async () => {
        await shopClient.asAnonymousUser();
        // The Loop (60601) lies within 5 km of stores of all three sellers.
        const { setDeliveryLocation } = await shopClient.query<SetDeliveryLocationResult>(
            SET_DELIVERY_LOCATION,
            {
                input: { postalCode: '60601', countryCode: 'US' },
            },
        );
        expect(setDeliveryLocation.__typename).toBe('DeliveryLocation');
        const grocery = await deliverableVariantOf({ adminClient, shopClient }, city.sellers[0].code);
        const pharmacy = await deliverableVariantOf({ adminClient, shopClient }, city.sellers[1].code);
        purchased.set(grocery, 1).set(pharmacy, 2);
        stockBefore = await stockOf([grocery, pharmacy]);
        await shopClient.query(ADD_ITEM_TO_ORDER, { productVariantId: grocery, quantity: 1 });
        const { addItemToOrder } = await shopClient.query<{ addItemToOrder: ActiveOrderResult }>(
            ADD_ITEM_TO_ORDER,
            {
                productVariantId: pharmacy,
                quantity: 2,
            },
        );
        expect(addItemToOrder.lines).toHaveLength(2);
        orderId = addItemToOrder.id;

        await shopClient.query(SET_CUSTOMER, {
            input: { firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' },
        });
        await shopClient.query(SET_SHIPPING_ADDRESS, {
            input: {
                fullName: 'Ada Lovelace',
                streetLine1: '100 W Randolph St',
                city: 'Chicago',
                postalCode: '60601',
                countryCode: 'US',
            },
        });

        const { eligibleShippingMethods } =
            await shopClient.query<EligibleShippingMethodsResult>(ELIGIBLE_SHIPPING_METHODS);
        // One method per seller in the cart; the third seller's method is not offered.
        expect(eligibleShippingMethods.map(method => method.code)).toEqual([
            'fast-delivery',
            'fast-delivery',
        ]);
        await shopClient.query(SET_SHIPPING_METHOD, {
            ids: eligibleShippingMethods.map(method => method.id),
        });

        const { transitionOrderToState } = await shopClient.query<{
            transitionOrderToState: ActiveOrderResult;
        }>(TRANSITION_ORDER, { state: 'ArrangingPayment' });
        expect(transitionOrderToState.state).toBe('ArrangingPayment');

        const { addPaymentToOrder } = await shopClient.query<{ addPaymentToOrder: ActiveOrderResult }>(
            ADD_PAYMENT,
            {
                input: { method: 'instant-payment', metadata: {} },
            },
        );
        expect(addPaymentToOrder.state).toBe('PaymentSettled');
    });

    it('splits the order into one seller order per seller, settled together with it', async () => {
        const order = await fetchOrder();
        expect(order.type).toBe('Aggregate');
        expect(order.state).toBe('PaymentSettled');
        sellerOrders = order.sellerOrders;
        expect(sellerOrders).toHaveLength(2);
        expect(sellerOrders.map(sellerOrder => sellerOrder.channels.map(c => c.code)).flat()).toEqual(
            expect.arrayContaining([city.sellers[0].code, city.sellers[1].code]),
        );
        for (const sellerOrder of sellerOrders) {
            expect(sellerOrder.type).toBe('Seller');
            expect(sellerOrder.state).toBe('PaymentSettled');
            expect(sellerOrder.payments).toEqual([{ state: 'Settled', method: 'instant-payment' }]);
            expect(sellerOrder.shippingLines.map(line => line.shippingMethod.code)).toEqual([
                'fast-delivery',
            ]);
        }
    });

    async function fulfill(sellerOrder: SellerOrder): Promise<string> {
        const sellerCode = sellerOrder.channels.find(channel => channel.code !== '__default_channel__')?.code;
        adminClient.setChannelToken(sellerCode as string);
        const { addFulfillmentToOrder } = await adminClient.query<{ addFulfillmentToOrder: { id: string } }>(
            ADD_FULFILLMENT,
            {
                input: {
                    lines: sellerOrder.lines.map(line => ({ orderLineId: line.id, quantity: line.quantity })),
                    handler: {
                        code: 'manual-fulfillment',
                        arguments: [
                            { name: 'method', value: 'courier' },
                            { name: 'trackingCode', value: sellerOrder.code },
                        ],
                    },
                },
            },
        );
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        return addFulfillmentToOrder.id;
    }

    async function moveFulfillment(sellerOrder: SellerOrder, fulfillmentId: string, state: string) {
        const sellerCode = sellerOrder.channels.find(channel => channel.code !== '__default_channel__')?.code;
        adminClient.setChannelToken(sellerCode as string);
        const { transitionFulfillmentToState } = await adminClient.query<{
            transitionFulfillmentToState: { state: string; message?: string };
        }>(TRANSITION_FULFILLMENT, { id: fulfillmentId, state });
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        expect(transitionFulfillmentToState.state).toBe(state);
    }

    it('follows its seller orders: partly shipped, shipped, then delivered', async () => {
        const [first, second] = sellerOrders;
        const firstFulfillment = await fulfill(first);
        const secondFulfillment = await fulfill(second);

        await moveFulfillment(first, firstFulfillment, 'Shipped');
        expect((await fetchOrder()).state).toBe('PartiallyShipped');

        await moveFulfillment(second, secondFulfillment, 'Shipped');
        let order = await fetchOrder();
        expect(order.sellerOrders.map(sellerOrder => sellerOrder.state)).toEqual(['Shipped', 'Shipped']);
        expect(order.state).toBe('Shipped');

        await moveFulfillment(first, firstFulfillment, 'Delivered');
        expect((await fetchOrder()).state).toBe('PartiallyDelivered');

        await moveFulfillment(second, secondFulfillment, 'Delivered');
        order = await fetchOrder();
        expect(order.sellerOrders.map(sellerOrder => sellerOrder.state)).toEqual(['Delivered', 'Delivered']);
        expect(order.state).toBe('Delivered');

        // Sold at one store each, and nothing left allocated anywhere.
        const stockAfter = await stockOf([...purchased.keys()]);
        for (const [variantId, quantity] of purchased) {
            const before = stockBefore.get(variantId) ?? [];
            const after = stockAfter.get(variantId) ?? [];
            const sold = after.map(level => {
                const previous = before.find(l => l.stockLocationId === level.stockLocationId);
                expect(level.stockAllocated).toBe(previous?.stockAllocated);
                return (previous?.stockOnHand ?? 0) - level.stockOnHand;
            });
            expect(sold.filter(units => units !== 0)).toEqual([quantity]);
        }
    });
});
