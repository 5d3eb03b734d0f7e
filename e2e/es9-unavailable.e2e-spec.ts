/**
 * Elasticsearch is advisory: a real server configured for es9 (ELASTICSEARCH_URL set) with
 * nothing listening at that URL must start, serve everything but search, take an order through
 * checkout, answer search with a clear error, and say in readiness that Elasticsearch is down.
 */
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';

import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { prepareCheckout } from './fixtures/checkout';
import { CHANNEL_VARIANTS, ChannelVariantsResult } from './graphql/admin-documents';
import {
    ActiveOrderResult,
    ADD_ITEM_TO_ORDER,
    ADD_PAYMENT,
    DELIVERY_AVAILABILITY,
    DeliveryAvailabilityResult,
    PRODUCT_COUNT,
    ProductCountResult,
    SET_DELIVERY_LOCATION,
    SetDeliveryLocationResult,
    TRANSITION_ORDER,
} from './graphql/shop-documents';

/** The discard port: nothing listens on it here, so every connection is refused at once. */
const CLOSED_ELASTICSEARCH_URL = 'http://127.0.0.1:9';

const config = e2eConfig(__filename, { env: { ELASTICSEARCH_URL: CLOSED_ELASTICSEARCH_URL } });
const { server, adminClient, shopClient } = createTestEnvironment(config);
let startMs = 0;

const SEARCH = gql`
    query Search($input: SearchInput!) {
        search(input: $input) {
            totalItems
            items {
                productVariantId
                fastDelivery
                nearestStoreDistanceKm
            }
        }
    }
`;

beforeAll(async () => {
    const started = Date.now();
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    startMs = Date.now() - started;
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
}, 100_000);

afterAll(async () => {
    await server.destroy();
});

describe('es9 with Elasticsearch down from the start', () => {
    it('starts without waiting for Elasticsearch', () => {
        console.log(
            `es9 with Elasticsearch unreachable: test server (with initial data) up in ${startMs} ms`,
        );
        // The community plugin alone would retry 10 times 5 s apart before giving up.
        expect(startMs).toBeLessThan(45_000);
    });

    it('runs the es9 search plugins instead of the default search', async () => {
        const { __type } = await shopClient.query<{ __type: { inputFields: Array<{ name: string }> } }>(gql`
            query {
                __type(name: "SearchInput") {
                    inputFields {
                        name
                    }
                }
            }
        `);
        const fields = __type.inputFields.map(field => field.name);
        // groupBySKU and priceRange come from the community plugin; deliveryLocation from seller-store-info.
        expect(fields).toEqual(expect.arrayContaining(['deliveryLocation', 'groupBySKU', 'priceRange']));
    });

    it('serves the catalogue outside search', async () => {
        const { products } = await shopClient.query<ProductCountResult>(PRODUCT_COUNT);
        expect(products.totalItems).toBeGreaterThan(0);
    });

    it('answers search with a clear error, not a transport error', async () => {
        const error = await shopClient.query(SEARCH, { input: { take: 5 } }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String(error)).toMatch(/Search is temporarily unavailable/);
        expect(String(error)).not.toMatch(/ECONNREFUSED|ConnectionError/);
    });

    it('still refuses a bad delivery location before asking Elasticsearch', async () => {
        await expect(
            shopClient.query(SEARCH, { input: { deliveryLocation: { latitude: 91, longitude: 0 } } }),
        ).rejects.toThrow(/latitude/i);
    });

    it('takes an order through checkout', async () => {
        await shopClient.asAnonymousUser();
        const { setDeliveryLocation } = await shopClient.query<SetDeliveryLocationResult>(
            SET_DELIVERY_LOCATION,
            { input: { postalCode: '60601', countryCode: 'US' } },
        );
        expect(setDeliveryLocation.__typename).toBe('DeliveryLocation');
        const { productVariants } = await adminClient.query<ChannelVariantsResult>(CHANNEL_VARIANTS);
        const { deliveryAvailability } = await shopClient.query<DeliveryAvailabilityResult>(
            DELIVERY_AVAILABILITY,
            { ids: productVariants.items.map(variant => variant.id) },
        );
        const deliverable = deliveryAvailability.find(answer => answer.fastDelivery);
        if (!deliverable) throw new Error('No variant is deliverable to 60601 in the demo data');

        const { addItemToOrder } = await shopClient.query<{ addItemToOrder: ActiveOrderResult }>(
            ADD_ITEM_TO_ORDER,
            { productVariantId: deliverable.productVariantId, quantity: 1 },
        );
        expect(addItemToOrder.lines).toHaveLength(1);
        const eligibleShippingMethods = await prepareCheckout(
            shopClient,
            { fullName: 'Grace Hopper', streetLine1: '100 W Randolph St', postalCode: '60601' },
            { firstName: 'Grace', lastName: 'Hopper', emailAddress: 'grace@example.com' },
        );
        expect(eligibleShippingMethods.length).toBeGreaterThan(0);
        const { transitionOrderToState } = await shopClient.query<{
            transitionOrderToState: ActiveOrderResult;
        }>(TRANSITION_ORDER, { state: 'ArrangingPayment' });
        expect(transitionOrderToState.state).toBe('ArrangingPayment');
        const { addPaymentToOrder } = await shopClient.query<{ addPaymentToOrder: ActiveOrderResult }>(
            ADD_PAYMENT,
            { input: { method: 'instant-payment', metadata: {} } },
        );
        expect(addPaymentToOrder.state).toBe('PaymentSettled');
    });

    it('reports Elasticsearch down in readiness, and only Elasticsearch', async () => {
        const response = await fetch(`http://127.0.0.1:${config.apiOptions.port}/health/ready`);
        const body = (await response.json()) as {
            failing?: string[];
            parts: Record<string, { state: string }>;
        };
        expect(response.status).toBe(503);
        expect(body.failing).toEqual(['elasticsearch']);
        expect(body.parts.database.state).toBe('up');
    });
});
