/**
 * Marketplace seller verification through the real server: an unverified seller's staff work as
 * usual, but nothing of it shows in the shop (search with and without a location, nearbyStores,
 * deliveryAvailability, add to cart, checkout) until staff with VerifySeller verify it; un-verifying
 * hides it again at once, while its placed orders go on to dispatch.
 */
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';

import { loadDemoPendingSeller } from '../src/demo/demo-data';
import { DEMO_SELLER_PASSWORD, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { placePaidOrder, prepareCheckout } from './fixtures/checkout';
import { dispatchAsStaff } from './fixtures/dispatch';
import {
    AddItemResult,
    AvailabilityResult,
    CHANNEL_IDS,
    ChannelIdsResult,
    CREATE_ADMINISTRATOR,
    CREATE_PRODUCT,
    CREATE_ROLE,
    CREATE_STOCK_LOCATION,
    NearbyResult,
    SearchSkusResult,
    SELLER_VARIANTS,
    SELLERS_VERIFICATION,
    SellersVerificationResult,
    SellerVariantsResult,
    SHOP_ADD_ITEM,
    SHOP_AVAILABILITY,
    SHOP_NEARBY_STORES,
    SHOP_SEARCH_SKUS,
    SHOP_TRANSITION,
    TransitionResult,
    UNVERIFY_SELLER,
    UnverifySellerResult,
    UPDATE_STOCK_LOCATION,
    VERIFY_SELLER,
    VerifySellerResult,
} from './graphql/seller-verification-documents';
import { SET_DELIVERY_LOCATION } from './graphql/shop-documents';

const pending = loadDemoPendingSeller();
/** In the West Loop, about 200 m from the unverified seller's only store. */
const NEAR_PENDING_STORE = { latitude: 41.8805, longitude: -87.6505 };
const SUPERADMIN = 'superadmin';

const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));
let pendingSellerId = '';
let defaultSellerId = '';
let pendingVariantIds: string[] = [];

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
    const { sellers, activeChannel } = await sellersNow();
    pendingSellerId = sellers.find(seller => seller.name === pending.name)?.id ?? '';
    defaultSellerId = activeChannel.seller?.id ?? '';
    adminClient.setChannelToken(pending.code);
    const { productVariants } = await adminClient.query<SellerVariantsResult>(SELLER_VARIANTS);
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    pendingVariantIds = productVariants.items.map(variant => variant.id);
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

async function sellersNow() {
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const result = await adminClient.query<SellersVerificationResult>(SELLERS_VERIFICATION);
    return { sellers: result.sellers.items, activeChannel: result.activeChannel };
}

async function shopSkus(input: Record<string, unknown>): Promise<string[]> {
    const { search } = await shopClient.query<SearchSkusResult>(SHOP_SEARCH_SKUS, {
        input: { take: 100, ...input },
    });
    return search.items.map(item => item.sku);
}

const pendingSkus = pending.products.flatMap(product => product.variants.map(variant => variant.sku));
const ofPendingSeller = (skus: string[]) => skus.filter(sku => pendingSkus.includes(sku));

async function verify(sellerId: string) {
    return (await adminClient.query<VerifySellerResult>(VERIFY_SELLER, { sellerId })).verifySeller;
}

async function unverify(sellerId: string, reason: string) {
    return (await adminClient.query<UnverifySellerResult>(UNVERIFY_SELLER, { sellerId, reason }))
        .unverifySeller;
}

async function addToCart(productVariantId: string) {
    const { addItemToOrder } = await shopClient.query<AddItemResult>(SHOP_ADD_ITEM, {
        productVariantId,
        quantity: 1,
    });
    return addItemToOrder;
}

async function newShopperNearPendingStore() {
    await shopClient.asAnonymousUser();
    await shopClient.query(SET_DELIVERY_LOCATION, { input: NEAR_PENDING_STORE });
}

/** Logs the admin client in as a new administrator with a role of these permissions on one channel. */
async function asNewAdministrator(
    name: string,
    channelCode: string,
    channelId: string,
    permissions: string[],
) {
    await adminClient.asSuperAdmin();
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const { createRole } = await adminClient.query<{ createRole: { id: string } }>(CREATE_ROLE, {
        input: { code: name, description: name, channelIds: [channelId], permissions },
    });
    await adminClient.query(CREATE_ADMINISTRATOR, {
        input: {
            firstName: name,
            lastName: 'Test',
            emailAddress: `${name}@verification.test`,
            password: 'test-password',
            roleIds: [createRole.id],
        },
    });
    await adminClient.asUserWithCredentials(`${name}@verification.test`, 'test-password');
    adminClient.setChannelToken(channelCode);
}

async function channelIdOf(code: string): Promise<string> {
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const { channels } = await adminClient.query<ChannelIdsResult>(CHANNEL_IDS);
    return channels.items.find(channel => channel.code === code)?.id ?? '';
}

describe('an unverified seller', () => {
    it('is unverified while the demo’s three sellers and the default seller are verified', async () => {
        const { sellers, activeChannel } = await sellersNow();
        expect(pendingSellerId).not.toBe('');
        expect(pendingVariantIds).toHaveLength(pendingSkus.length);
        expect(sellers.find(seller => seller.id === pendingSellerId)).toMatchObject({
            verified: false,
            verificationChangedAt: null,
        });
        const others = sellers.filter(seller => seller.id !== pendingSellerId);
        expect(others).toHaveLength(4);
        expect(others.every(seller => seller.verified)).toBe(true);
        expect(activeChannel.seller).toEqual({ id: defaultSellerId, verified: true });
    });

    it('shows nothing in the shop search, without and with a location; staff still find it', async () => {
        await shopClient.asAnonymousUser();
        const all = await shopSkus({});
        expect(all.length).toBeGreaterThan(50);
        expect(ofPendingSeller(all)).toEqual([]);
        expect(ofPendingSeller(await shopSkus({ term: 'Maxwell sausage' }))).toEqual([]);
        const near = await shopSkus({ deliveryLocation: NEAR_PENDING_STORE });
        expect(near.length).toBeGreaterThan(0);
        expect(ofPendingSeller(near)).toEqual([]);
        const staff = await adminClient.query<SearchSkusResult>(SHOP_SEARCH_SKUS, { input: { take: 100 } });
        expect(ofPendingSeller(staff.search.items.map(item => item.sku)).sort()).toEqual(
            [...pendingSkus].sort(),
        );
    });

    it('is left out of nearbyStores and deliveryAvailability', async () => {
        const { nearbyStores } = await shopClient.query<NearbyResult>(SHOP_NEARBY_STORES, {
            location: NEAR_PENDING_STORE,
        });
        expect(nearbyStores.length).toBeGreaterThan(0);
        expect(nearbyStores.map(store => store.name)).not.toContain(pending.stores[0].name);
        const { deliveryAvailability } = await shopClient.query<AvailabilityResult>(SHOP_AVAILABILITY, {
            ids: pendingVariantIds,
            location: NEAR_PENDING_STORE,
        });
        expect(deliveryAvailability.map(answer => answer.fastDelivery)).toEqual(
            pendingVariantIds.map(() => false),
        );
    });

    it('cannot be added to the cart, with a clear reason', async () => {
        await newShopperNearPendingStore();
        const result = await addToCart(pendingVariantIds[0]);
        expect(result.__typename).toBe('OrderInterceptorError');
        expect(result.interceptorError).toMatch(/cannot be ordered: its seller is not verified/);
    });

    it('has staff who may still create stores and products', async () => {
        const channelId = await channelIdOf(pending.code);
        await asNewAdministrator('maxwell-manager', pending.code, channelId, [
            'ReadCatalog',
            'CreateCatalog',
            'ReadStockLocation',
            'CreateStockLocation',
            'UpdateStockLocation',
        ]);
        const { createStockLocation } = await adminClient.query<{ createStockLocation: { id: string } }>(
            CREATE_STOCK_LOCATION,
            { input: { name: 'Maxwell Street Deli Pilsen' } },
        );
        expect(createStockLocation.id).toBeTruthy();
        const { createProduct } = await adminClient.query<{ createProduct: { id: string } }>(CREATE_PRODUCT, {
            input: {
                translations: [
                    { languageCode: 'en', name: 'Rye Bread', slug: 'maxwell-rye-bread', description: '' },
                ],
            },
        });
        expect(createProduct.id).toBeTruthy();
        // A store without coordinates and postal code: verification must wait for them.
        await adminClient.asSuperAdmin();
        const refused = await verify(pendingSellerId);
        expect(refused).toMatchObject({
            __typename: 'SellerNotVerifiableError',
            errorCode: 'SELLER_NOT_VERIFIABLE_ERROR',
            stockLocationId: createStockLocation.id,
            stockLocationName: 'Maxwell Street Deli Pilsen',
            missingFields: ['coordinates', 'postal code'],
        });
        expect(refused.message).toContain('"Maxwell Street Deli Pilsen"');
        adminClient.setChannelToken(pending.code);
        await adminClient.query(UPDATE_STOCK_LOCATION, {
            input: { id: createStockLocation.id, customFields: { latitude: 41.8579, longitude: -87.6599 } },
        });
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        expect(await verify(pendingSellerId)).toMatchObject({
            __typename: 'SellerNotVerifiableError',
            missingFields: ['postal code'],
        });
        expect((await sellersNow()).sellers.find(seller => seller.id === pendingSellerId)?.verified).toBe(
            false,
        );
        adminClient.setChannelToken(pending.code);
        await adminClient.query(UPDATE_STOCK_LOCATION, {
            input: { id: createStockLocation.id, customFields: { postalCode: '60608' } },
        });
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    });
});

describe('who may verify', () => {
    it('refuses administrators without VerifySeller, and the seller’s own staff', async () => {
        const defaultChannelId = await channelIdOf('__default_channel__');
        await asNewAdministrator('seller-manager', E2E_DEFAULT_CHANNEL_TOKEN, defaultChannelId, [
            'ReadSeller',
            'UpdateSeller',
            'CreateSeller',
            'ReadCatalog',
        ]);
        await expect(verify(pendingSellerId)).rejects.toThrow(/not currently authorized/);
        await expect(unverify(defaultSellerId, 'no')).rejects.toThrow(/not currently authorized/);
        await adminClient.asUserWithCredentials(`${pending.code}@demo.example`, DEMO_SELLER_PASSWORD);
        adminClient.setChannelToken(pending.code);
        await expect(verify(pendingSellerId)).rejects.toThrow(/not currently authorized/);
        await adminClient.asSuperAdmin();
        expect((await sellersNow()).sellers.find(seller => seller.id === pendingSellerId)?.verified).toBe(
            false,
        );
    });

    it('lets a role with VerifySeller verify: the seller shows in the shop at once', async () => {
        const defaultChannelId = await channelIdOf('__default_channel__');
        await asNewAdministrator('verifier', E2E_DEFAULT_CHANNEL_TOKEN, defaultChannelId, [
            'VerifySeller',
            'ReadSeller',
        ]);
        const verified = await verify(pendingSellerId);
        expect(verified).toMatchObject({
            __typename: 'Seller',
            id: pendingSellerId,
            verified: true,
            verificationChangedBy: 'verifier@verification.test',
            unverifiedReason: null,
        });
        expect(Date.parse(verified.verificationChangedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
        // Again: nothing changes.
        expect((await verify(pendingSellerId)).verificationChangedAt).toBe(verified.verificationChangedAt);
        await adminClient.asSuperAdmin();

        await shopClient.asAnonymousUser();
        expect(ofPendingSeller(await shopSkus({})).sort()).toEqual([...pendingSkus].sort());
        const near = await shopClient.query<SearchSkusResult>(SHOP_SEARCH_SKUS, {
            input: { take: 100, deliveryLocation: NEAR_PENDING_STORE },
        });
        const pendingHits = near.search.items.filter(item => pendingSkus.includes(item.sku));
        expect(pendingHits).toHaveLength(pendingSkus.length);
        expect(pendingHits.every(item => item.fastDelivery)).toBe(true);
        await newShopperNearPendingStore();
        expect((await addToCart(pendingVariantIds[0])).__typename).toBe('Order');
    });
});

describe('un-verifying', () => {
    it('hides the seller at once and refuses checkout of a cart that holds its products', async () => {
        // A cart filled, and ready to pay, while the seller was verified.
        await newShopperNearPendingStore();
        expect((await addToCart(pendingVariantIds[1])).__typename).toBe('Order');
        const eligibleShippingMethods = await prepareCheckout(
            shopClient,
            { fullName: 'Cart Holder', streetLine1: '1 W Madison St' },
            { firstName: 'Cart', lastName: 'Holder', emailAddress: 'cart-holder@verification.test' },
        );
        expect(eligibleShippingMethods.length).toBeGreaterThan(0);

        const unverified = await unverify(pendingSellerId, '  Food licence expired  ');
        expect(unverified).toMatchObject({
            __typename: 'Seller',
            verified: false,
            unverifiedReason: 'Food licence expired',
            verificationChangedBy: SUPERADMIN,
        });
        expect(ofPendingSeller(await shopSkus({}))).toEqual([]);
        expect(ofPendingSeller(await shopSkus({ deliveryLocation: NEAR_PENDING_STORE }))).toEqual([]);
        const { transitionOrderToState } = await shopClient.query<TransitionResult>(SHOP_TRANSITION, {
            state: 'ArrangingPayment',
        });
        expect(transitionOrderToState.__typename).toBe('OrderStateTransitionError');
        expect(transitionOrderToState.transitionError).toMatch(/its seller is not verified/);
        expect((await addToCart(pendingVariantIds[0])).__typename).toBe('OrderInterceptorError');
    });

    it('lets orders placed while verified go on: they are dispatched', async () => {
        await verify(pendingSellerId);
        const order = await placePaidOrder({ adminClient, shopClient }, [pending.code]);
        expect(order.sellerOrders).toHaveLength(1);
        await unverify(pendingSellerId, 'Paused by the marketplace');
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        const assignment = await dispatchAsStaff(adminClient).markReady(order.sellerOrders[0].id);
        expect(assignment.__typename).toBe('DeliveryAssignment');
        expect(['PENDING', 'ASSIGNED']).toContain(assignment.status);
    });

    it('refuses to un-verify the default channel’s seller, which stays verified', async () => {
        const refused = await unverify(defaultSellerId, 'testing');
        expect(refused).toMatchObject({
            __typename: 'DefaultSellerAlwaysVerifiedError',
            errorCode: 'DEFAULT_SELLER_ALWAYS_VERIFIED_ERROR',
        });
        expect(refused.message).toMatch(/always verified/);
        expect(await verify(defaultSellerId)).toMatchObject({ __typename: 'Seller', verified: true });
        expect((await sellersNow()).activeChannel.seller?.verified).toBe(true);
    });

    it('refuses bad input with a clear error and changes nothing', async () => {
        await expect(unverify(pendingSellerId, '   ')).rejects.toThrow(/reason is empty/);
        await expect(unverify(pendingSellerId, 'x'.repeat(501))).rejects.toThrow(
            /reason is too long: at most 500/,
        );
        await expect(verify('abc')).rejects.toThrow(/not a valid seller id/);
        await expect(verify('999999')).rejects.toThrow(/No Seller with the id "999999" could be found/);
        const seller = (await sellersNow()).sellers.find(candidate => candidate.id === pendingSellerId);
        expect(seller).toMatchObject({ verified: false, unverifiedReason: 'Paused by the marketplace' });
    });
});
