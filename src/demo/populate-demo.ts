import { createReadStream } from 'node:fs';
import path from 'node:path';

import { INestApplicationContext } from '@nestjs/common';
import {
    AdministratorService,
    Channel,
    ChannelService,
    ConfigService,
    CurrencyCode,
    ID,
    Importer,
    InitialData,
    isGraphQlErrorResult,
    LanguageCode,
    Logger,
    PaymentMethod,
    PaymentMethodService,
    Permission,
    Populator,
    ProductVariant,
    ProductVariantService,
    RequestContext,
    RequestContextService,
    RoleService,
    SearchService,
    SellerService,
    ShippingMethodService,
    StockLocation,
    StockLocationService,
    TransactionalConnection,
    User,
} from '@vendure/core';
import { SubscribableJob } from '@vendure/core/dist/job-queue/subscribable-job';
import { lastValueFrom } from 'rxjs';

import { DriverService, DriverStatus, LOCAL_COURIER_HANDLER_CODE } from '../../plugins/driver-dispatch';
import {
    distanceDeliveryFeeCalculator,
    fastDeliveryEligibilityChecker,
    importPostalCodes,
    SellerVerificationService,
} from '../../plugins/seller-store-info';
import { describeError } from '../../plugins/shared/errors';
import { INSTANT_PAYMENT_METHOD_CODE, instantPaymentHandler } from '../marketplace';
import {
    DemoCity,
    demoDataDir,
    DemoProduct,
    loadDemoCatalog,
    loadDemoCity,
    loadDemoPendingSeller,
    productsCsv,
    stockPerStore,
} from './demo-data';

const loggerCtx = 'DemoData';

/** Code of the fast-delivery shipping method: one per seller channel in the marketplace. */
export const FAST_DELIVERY_SHIPPING_CODE = 'fast-delivery';
/** The demo's delivery fee bands (minor units): 2.99 up to 2 km, 3.99 up to 4 km, 4.99 up to 5 km. */
export const DEMO_DELIVERY_FEE_BANDS =
    '[{"upToKm":2,"price":299},{"upToKm":4,"price":399},{"upToKm":5,"price":499}]';
/** Password of the demo seller staff accounts (`<seller-code>@demo.example`). */
export const DEMO_SELLER_PASSWORD = 'demo-seller';
/** Password of the demo drivers' logins (`driver-01@demo.example` ...). */
export const DEMO_DRIVER_PASSWORD = 'demo-driver';

/** Country, zone and Chicago's tax rates; shipping and payment methods are created per seller. */
export const demoInitialData: InitialData = {
    defaultLanguage: LanguageCode.en,
    defaultZone: 'United States',
    countries: [{ name: 'United States', code: 'US', zone: 'United States' }],
    // Chicago: 10.25% general sales tax; groceries and medicines at the reduced 2.25%.
    taxRates: [
        { name: 'Standard Tax', percentage: 10.25 },
        { name: 'Reduced Tax', percentage: 2.25 },
    ],
    shippingMethods: [],
    paymentMethods: [],
    collections: [],
};

/**
 * Populates the demo marketplace in a real city (Chicago) once: three verified sellers as seller
 * channels with their stores (stock locations with coordinates), about 60 products with stock
 * spread unevenly over the stores, a fourth seller that is not verified (its store and products
 * exist, the shop shows none of them), a fast-delivery shipping method per seller and a payment method that
 * settles at once. A second start finds the sellers and changes nothing.
 */
export async function populateDemoMarketplace(
    app: INestApplicationContext,
    options: { withInitialData?: boolean } = {},
): Promise<void> {
    const city = loadDemoCity();
    const connection = app.get(TransactionalConnection);
    const sellerCodes = city.sellers.map(seller => seller.code);
    const existing = await connection.rawConnection
        .getRepository(Channel)
        .count({ where: sellerCodes.map(code => ({ code })) });
    if (existing === sellerCodes.length) {
        Logger.info('Demo marketplace already populated', loggerCtx);
        return;
    }
    if (existing > 0) {
        throw new Error(
            'The demo marketplace is only partly populated (an earlier first start was interrupted). ' +
                'Stop the server, delete DATA_DIR (./data by default) and start again.',
        );
    }

    const started = Date.now();
    Logger.info(`Populating the demo marketplace in ${city.city}`, loggerCtx);
    // @vendure/testing populates the initial data itself: it passes withInitialData: false.
    if (options.withInitialData !== false) await app.get(Populator).populateInitialData(demoInitialData);
    const catalog = loadDemoCatalog();
    const defaultCtx = await adminContext(app);
    const sellerChannelIds: ID[] = [];
    const pending = loadDemoPendingSeller();
    const sellers = [
        ...city.sellers.map(seller => ({ ...seller, products: catalog[seller.code] ?? [], verified: true })),
        { ...pending, verified: false },
    ];
    for (const seller of sellers) {
        const channel = await createSellerChannel(app, defaultCtx, city, seller.name, seller.code);
        sellerChannelIds.push(channel.id);
        const ctx = await adminContext(app, channel);
        const stores = await createStores(app, ctx, seller.stores, city.timeZone);
        await importProducts(app, ctx, seller.products);
        await stockStores(app, ctx, channel, stores);
        await createFastDeliveryMethod(app, ctx, seller.name);
        await createSellerStaff(app, channel, seller.name, seller.code);
        if (seller.verified) await verifySeller(app, defaultCtx, channel);
    }
    await createInstantPayment(app, await adminContext(app), sellerChannelIds);
    await importDemoPostalCodes(app);
    await createDemoDrivers(app, defaultCtx, city);
    await reindexAndWait(app, defaultCtx);
    Logger.info(`Demo marketplace populated in ${((Date.now() - started) / 1000).toFixed(1)} s`, loggerCtx);
}

/** Acts as the superadmin: creating roles checks the permissions of the user on the channels. */
async function adminContext(app: INestApplicationContext, channel?: Channel): Promise<RequestContext> {
    const { identifier } = app.get(ConfigService).authOptions.superadminCredentials;
    const superadmin = await app
        .get(TransactionalConnection)
        .rawConnection.getRepository(User)
        .findOneOrFail({ where: { identifier }, relations: ['roles', 'roles.channels'] });
    return app.get(RequestContextService).create({
        apiType: 'admin',
        languageCode: LanguageCode.en,
        user: superadmin,
        ...(channel ? { channelOrToken: channel } : {}),
    });
}

async function createSellerChannel(
    app: INestApplicationContext,
    ctx: RequestContext,
    city: DemoCity,
    name: string,
    code: string,
): Promise<Channel> {
    const defaultChannel = await app.get(ChannelService).getDefaultChannel(ctx);
    const seller = await app.get(SellerService).create(ctx, { name });
    const currency = city.currencyCode as CurrencyCode;
    const result = await app.get(ChannelService).create(ctx, {
        code,
        token: code,
        sellerId: seller.id,
        defaultLanguageCode: LanguageCode.en,
        availableLanguageCodes: [LanguageCode.en],
        defaultCurrencyCode: currency,
        availableCurrencyCodes: [currency],
        pricesIncludeTax: false,
        defaultShippingZoneId: defaultChannel.defaultShippingZone.id,
        defaultTaxZoneId: defaultChannel.defaultTaxZone.id,
    });
    if (isGraphQlErrorResult(result)) throw new Error(`Could not create channel ${code}: ${result.message}`);
    return result;
}

const AROUND_THE_CLOCK = JSON.stringify(
    Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map(day => [day, ['00:00-24:00']])),
);

async function createStores(
    app: INestApplicationContext,
    ctx: RequestContext,
    stores: DemoCity['sellers'][number]['stores'],
    timeZone: string,
): Promise<StockLocation[]> {
    const created: StockLocation[] = [];
    for (const store of stores) {
        created.push(
            await app.get(StockLocationService).create(ctx, {
                name: store.name,
                description: `${store.address}, ${store.city} ${store.postalCode}`,
                customFields: {
                    latitude: store.latitude,
                    longitude: store.longitude,
                    address: store.address,
                    postalCode: store.postalCode,
                    city: store.city,
                    // Open around the clock, so the demo and the simulator always have stores to order
                    // from; the hours show the schedule format on the stock location page.
                    openingHours: AROUND_THE_CLOCK,
                    timeZone,
                },
            }),
        );
    }
    return created;
}

/** As staff with VerifySeller would: each store has coordinates and a postal code. */
async function verifySeller(app: INestApplicationContext, ctx: RequestContext, channel: Channel) {
    if (channel.sellerId == null) throw new Error(`Channel ${channel.code} has no seller`);
    const result = await app.get(SellerVerificationService).verify(ctx, channel.sellerId);
    if (isGraphQlErrorResult(result)) throw new Error(`Could not verify ${channel.code}: ${result.message}`);
}

async function importProducts(app: INestApplicationContext, ctx: RequestContext, products: DemoProduct[]) {
    const result = await lastValueFrom(app.get(Importer).parseAndImport(productsCsv(products), ctx, false));
    if (result.errors?.length) throw new Error(`Demo product import failed:\n${result.errors.join('\n')}`);
}

/** Sets each variant's stock per store of its seller; the default stock location keeps none. */
async function stockStores(
    app: INestApplicationContext,
    ctx: RequestContext,
    channel: Channel,
    stores: StockLocation[],
) {
    const variants = await app
        .get(TransactionalConnection)
        .getRepository(ctx, ProductVariant)
        .createQueryBuilder('variant')
        .innerJoin('variant.channels', 'channel', 'channel.id = :channelId', { channelId: channel.id })
        .getMany();
    // One update for all variants: one search-index job instead of one per variant.
    await app.get(ProductVariantService).update(
        ctx,
        variants.map(variant => {
            const levels = stockPerStore(variant.sku, stores.length);
            return {
                id: variant.id,
                stockLevels: stores.map((store, index) => ({
                    stockLocationId: store.id,
                    stockOnHand: levels[index],
                })),
            };
        }),
    );
}

async function createFastDeliveryMethod(
    app: INestApplicationContext,
    ctx: RequestContext,
    sellerName: string,
) {
    await app.get(ShippingMethodService).create(ctx, {
        code: FAST_DELIVERY_SHIPPING_CODE,
        // Dispatch creates and moves this Fulfillment as the driver picks up and delivers.
        fulfillmentHandler: LOCAL_COURIER_HANDLER_CODE,
        // Eligible for the seller's lines when each is deliverable from a store within 5 km.
        checker: { code: fastDeliveryEligibilityChecker.code, arguments: [] },
        // Priced by the distance from the seller's serving store: up to 2 km 2.99, up to 4 km 3.99,
        // up to the 5 km radius 4.99; free from a 50.00 subtotal of the seller's items.
        calculator: {
            code: distanceDeliveryFeeCalculator.code,
            arguments: [
                { name: 'bands', value: DEMO_DELIVERY_FEE_BANDS },
                { name: 'freeDeliveryThreshold', value: '5000' },
                { name: 'freeDeliveryThresholdTaxInclusive', value: 'false' },
                { name: 'includesTax', value: 'exclude' },
                { name: 'taxRate', value: '0' },
            ],
        },
        translations: [
            {
                languageCode: LanguageCode.en,
                name: `Fast delivery by ${sellerName}`,
                description: 'Delivered from the nearest store within the hour',
            },
        ],
    });
}

/** A staff account per seller that sees only its own channel (`<code>@demo.example`). */
async function createSellerStaff(
    app: INestApplicationContext,
    channel: Channel,
    sellerName: string,
    code: string,
) {
    // A context made now: the superadmin's channels include the seller channel only from its creation.
    const ctx = await adminContext(app);
    const role = await app.get(RoleService).create(ctx, {
        code: `${code}-staff`,
        description: `Staff of ${sellerName}`,
        channelIds: [channel.id],
        permissions: [
            Permission.ReadCatalog,
            Permission.UpdateCatalog,
            Permission.ReadOrder,
            Permission.UpdateOrder,
            Permission.ReadCustomer,
            Permission.ReadStockLocation,
            Permission.UpdateStockLocation,
            Permission.ReadShippingMethod,
        ],
    });
    await app.get(AdministratorService).create(ctx, {
        firstName: sellerName,
        lastName: 'Staff',
        emailAddress: `${code}@demo.example`,
        password: DEMO_SELLER_PASSWORD,
        roleIds: [role.id],
    });
}

async function createInstantPayment(
    app: INestApplicationContext,
    ctx: RequestContext,
    sellerChannelIds: ID[],
) {
    const method = await app.get(PaymentMethodService).create(ctx, {
        code: INSTANT_PAYMENT_METHOD_CODE,
        enabled: true,
        handler: { code: instantPaymentHandler.code, arguments: [] },
        translations: [{ languageCode: LanguageCode.en, name: 'Instant payment (demo)' }],
    });
    // Seller orders are paid their share through the same method in their own channel.
    await app.get(ChannelService).assignToChannels(ctx, PaymentMethod, method.id, sellerChannelIds);
}

/** The city's fleet: each driver with a login, at their position, AVAILABLE and just seen. */
async function createDemoDrivers(app: INestApplicationContext, ctx: RequestContext, city: DemoCity) {
    const drivers = app.get(DriverService);
    for (const [index, driver] of city.drivers.entries()) {
        // One transaction per driver: a login never exists without its driver record.
        await app.get(TransactionalConnection).withTransaction(ctx, txCtx =>
            drivers.create(
                txCtx,
                {
                    name: driver.name,
                    phoneNumber: driver.phone,
                    emailAddress: `driver-${String(index + 1).padStart(2, '0')}@demo.example`,
                    password: DEMO_DRIVER_PASSWORD,
                },
                {
                    isDemo: true,
                    position: { latitude: driver.latitude, longitude: driver.longitude },
                    status: DriverStatus.AVAILABLE,
                },
            ),
        );
    }
}

/**
 * Ready means searchable: wait (bounded) for the reindex job that covers the new catalogue. A
 * failed reindex (Elasticsearch down: search is advisory) leaves the demo populated; es9 reindexes
 * when Elasticsearch answers.
 */
async function reindexAndWait(app: INestApplicationContext, ctx: RequestContext) {
    const job = await app.get(SearchService).reindex(ctx);
    if (job instanceof SubscribableJob) {
        try {
            await lastValueFrom(job.updates({ pollInterval: 200, timeoutMs: 60_000 }), {
                defaultValue: undefined,
            });
        } catch (error) {
            const message = describeError(error);
            Logger.warn(`The search index is not complete yet (reindex failed: ${message})`, loggerCtx);
        }
    }
}

/** The city's postal codes (GeoNames), so customers can give a postal code as their location. */
async function importDemoPostalCodes(app: INestApplicationContext) {
    const runner = app.get(TransactionalConnection).rawConnection.createQueryRunner();
    try {
        const summary = await importPostalCodes(
            createReadStream(path.join(demoDataDir, 'postal-codes.tsv')),
            {
                query: async (sql, params) => {
                    const result = await runner.query(sql, params, true);
                    return { rowCount: result.affected ?? null, rows: result.records };
                },
            },
        );
        Logger.info(`Imported ${summary.valid} demo postal codes`, loggerCtx);
    } finally {
        await runner.release();
    }
}
