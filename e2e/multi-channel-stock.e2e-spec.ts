/**
 * Stock stays per channel with seller-store-info installed, as with Vendure's default
 * MultiChannelStockLocationStrategy: a channel counts only the stock locations assigned to it.
 * The default channel holds the stock; a second channel sells the same product but has no stock
 * location of its own, so there it is out of stock: in the search index (the DefaultSearchPlugin
 * with our DeliverySearchStrategy, as the seller-store-info README registers it), in the variant's
 * stock level and when an order in that channel asks for it.
 */
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { demoInitialData } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { eventually } from './utils/eventually';
import { jobsSettled } from './utils/jobs-settled';

const SECOND_CHANNEL_TOKEN = 'second-channel-token';
const SKU = 'OAT-MILK-1L';
const SLUG = 'oat-milk';

const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));

const SEARCH = gql`
    query Search($inStock: Boolean) {
        search(input: { term: "oat milk", groupByProduct: false, inStock: $inStock, take: 10 }) {
            totalItems
            items {
                sku
                inStock
            }
        }
    }
`;
interface SearchResult {
    search: { totalItems: number; items: Array<{ sku: string; inStock: boolean }> };
}

const PRODUCT_STOCK = gql`
    query ProductStock($slug: String!) {
        product(slug: $slug) {
            variants {
                sku
                stockLevel
            }
        }
    }
`;
interface ProductStockResult {
    product: { variants: Array<{ sku: string; stockLevel: string }> } | null;
}

const STOCK_LOCATIONS = gql`
    query {
        stockLocations {
            items {
                id
                name
            }
        }
    }
`;

const CREATE_DRAFT_ORDER = gql`
    mutation {
        createDraftOrder {
            id
        }
    }
`;

const ADD_ITEM_TO_DRAFT_ORDER = gql`
    mutation AddItemToDraftOrder($orderId: ID!, $input: AddItemToDraftOrderInput!) {
        addItemToDraftOrder(orderId: $orderId, input: $input) {
            ... on Order {
                lines {
                    quantity
                }
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on InsufficientStockError {
                quantityAvailable
            }
        }
    }
`;
interface AddItemToDraftOrderResult {
    addItemToDraftOrder: {
        lines?: Array<{ quantity: number }>;
        errorCode?: string;
        message?: string;
        quantityAvailable?: number;
    };
}

let variantId: string;

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await adminClient.asSuperAdmin();
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);

    // A product whose stock is at the default stock location (the default channel's).
    const { createProduct } = await adminClient.query(gql`
        mutation {
            createProduct(
                input: {
                    translations: [{ languageCode: en, name: "Oat milk", slug: "${SLUG}", description: "" }]
                }
            ) {
                id
            }
        }
    `);
    const { createProductVariants } = await adminClient.query(
        gql`
            mutation ($productId: ID!, $sku: String!) {
                createProductVariants(
                    input: [
                        {
                            productId: $productId
                            sku: $sku
                            price: 299
                            stockOnHand: 10
                            translations: [{ languageCode: en, name: "Oat milk 1 l" }]
                        }
                    ]
                ) {
                    id
                }
            }
        `,
        { productId: createProduct.id, sku: SKU },
    );
    variantId = createProductVariants[0].id;

    // A second channel that sells the product and has no stock location.
    const { activeChannel } = await adminClient.query(gql`
        query {
            activeChannel {
                defaultShippingZone {
                    id
                }
                defaultTaxZone {
                    id
                }
            }
        }
    `);
    const { createChannel } = await adminClient.query(
        gql`
            mutation ($input: CreateChannelInput!) {
                createChannel(input: $input) {
                    ... on Channel {
                        id
                    }
                    ... on ErrorResult {
                        message
                    }
                }
            }
        `,
        {
            input: {
                code: 'second-channel',
                token: SECOND_CHANNEL_TOKEN,
                defaultLanguageCode: 'en',
                defaultCurrencyCode: 'USD',
                pricesIncludeTax: false,
                defaultShippingZoneId: activeChannel.defaultShippingZone.id,
                defaultTaxZoneId: activeChannel.defaultTaxZone.id,
            },
        },
    );
    expect(createChannel.id).toBeDefined();
    await adminClient.query(
        gql`
            mutation ($input: AssignProductsToChannelInput!) {
                assignProductsToChannel(input: $input) {
                    id
                }
            }
        `,
        { input: { productIds: [createProduct.id], channelId: createChannel.id, priceFactor: 1 } },
    );
    // The assignment re-indexes the product in both channels: the searches below read a
    // settled index (the count and the items are two statements).
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    await jobsSettled(adminClient);
}, 120_000);

afterAll(async () => {
    await server.destroy();
});

function searchIn(channelToken: string, inStock?: boolean) {
    shopClient.setChannelToken(channelToken);
    return shopClient.query<SearchResult>(SEARCH, { inStock });
}

describe('a channel with the stock', () => {
    it('indexes the variant as in stock: found with inStock true, not with inStock false', async () => {
        const indexed = await eventually(
            () => searchIn(E2E_DEFAULT_CHANNEL_TOKEN),
            result => result.search.totalItems > 0,
        );
        expect(indexed.search.items).toEqual([{ sku: SKU, inStock: true }]);
        expect((await searchIn(E2E_DEFAULT_CHANNEL_TOKEN, true)).search.totalItems).toBe(1);
        expect((await searchIn(E2E_DEFAULT_CHANNEL_TOKEN, false)).search.totalItems).toBe(0);
    });

    it('shows the variant in stock and lets an order take it', async () => {
        shopClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const { product } = await shopClient.query<ProductStockResult>(PRODUCT_STOCK, { slug: SLUG });
        expect(product?.variants).toEqual([{ sku: SKU, stockLevel: 'IN_STOCK' }]);

        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const { createDraftOrder } = await adminClient.query(CREATE_DRAFT_ORDER);
        const { addItemToDraftOrder } = await adminClient.query<AddItemToDraftOrderResult>(
            ADD_ITEM_TO_DRAFT_ORDER,
            { orderId: createDraftOrder.id, input: { productVariantId: variantId, quantity: 2 } },
        );
        expect(addItemToDraftOrder.lines).toEqual([{ quantity: 2 }]);
    });
});

describe('a channel without a stock location', () => {
    beforeAll(async () => {
        adminClient.setChannelToken(SECOND_CHANNEL_TOKEN);
        const { stockLocations } = await adminClient.query(STOCK_LOCATIONS);
        // The premise: nothing is stocked for this channel.
        expect(stockLocations.items).toEqual([]);
    });

    it('indexes the variant as out of stock: found with inStock false, not with inStock true', async () => {
        const indexed = await eventually(
            () => searchIn(SECOND_CHANNEL_TOKEN),
            result => result.search.totalItems > 0,
            20_000,
        );
        expect(indexed.search.items).toEqual([{ sku: SKU, inStock: false }]);
        expect((await searchIn(SECOND_CHANNEL_TOKEN, false)).search.items).toEqual([
            { sku: SKU, inStock: false },
        ]);
        expect((await searchIn(SECOND_CHANNEL_TOKEN, true)).search.totalItems).toBe(0);
    });

    it('shows the variant out of stock', async () => {
        shopClient.setChannelToken(SECOND_CHANNEL_TOKEN);
        const { product } = await shopClient.query<ProductStockResult>(PRODUCT_STOCK, { slug: SLUG });
        expect(product?.variants).toEqual([{ sku: SKU, stockLevel: 'OUT_OF_STOCK' }]);
    });

    it('refuses to put it in an order there: no stock is saleable in this channel', async () => {
        adminClient.setChannelToken(SECOND_CHANNEL_TOKEN);
        const { createDraftOrder } = await adminClient.query(CREATE_DRAFT_ORDER);
        const { addItemToDraftOrder } = await adminClient.query<AddItemToDraftOrderResult>(
            ADD_ITEM_TO_DRAFT_ORDER,
            { orderId: createDraftOrder.id, input: { productVariantId: variantId, quantity: 1 } },
        );
        expect(addItemToDraftOrder).toMatchObject({
            errorCode: 'INSUFFICIENT_STOCK_ERROR',
            quantityAvailable: 0,
        });
    });
});
