import { APP_INTERCEPTOR } from '@nestjs/core';
import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';
import gql from 'graphql-tag';

import { adminApiExtensions, shopApiExtensions } from './api/api-extensions';
import {
    DeliveryShopResolver,
    SearchResultDeliveryResolver,
    SetDeliveryLocationResultResolver,
} from './api/delivery-shop.resolver';
import { DistanceFeeArgumentsInterceptor } from './api/distance-fee-arguments.interceptor';
import {
    SellerVerificationAdminResolver,
    SellerVerificationFieldsResolver,
    UnverifySellerResultResolver,
    VerifySellerResultResolver,
} from './api/seller-verification-admin.resolver';
import { sellerVerificationAdminApiExtensions } from './api/seller-verification-api-extensions';
import { StoreLocatorAdminResolver } from './api/store-locator-admin.resolver';
import { deliveryCheckoutProcess } from './config/delivery-checkout-process';
import {
    orderDeliveryLocationFields,
    orderLineServingStoreFields,
    sessionDeliveryLocationFields,
} from './config/delivery-location-custom-fields';
import { DeliveryOrderInterceptor } from './config/delivery-order-interceptor';
import { distanceDeliveryFeeCalculator } from './config/distance-delivery-fee-calculator';
import { fastDeliveryEligibilityChecker } from './config/fast-delivery-eligibility-checker';
import { NearestStoreStockLocationStrategy } from './config/nearest-store-stock-location-strategy';
import { sellerVerificationCustomFields } from './config/seller-verification-custom-fields';
import { stockLocationCustomFields } from './config/stock-location-custom-fields';
import { SELLER_STORE_INFO_PLUGIN_OPTIONS, verifySellerPermission } from './constants';
import { PostalCodeLocation } from './entities/postal-code-location.entity';
import { SellerStoreInfoOptions, SellerStoreInfoPluginOptions, withDefaults } from './options';
import { DeliveryCheckService } from './services/delivery-check.service';
import { DeliveryFeeService } from './services/delivery-fee.service';
import { DeliveryLocationService } from './services/delivery-location.service';
import { DeliveryRuleService } from './services/delivery-rule.service';
import { GeocodingService } from './services/geocoding.service';
import { NearbyStoresService } from './services/nearby-stores.service';
import { SellerOrderLocationService } from './services/seller-order-location.service';
import { SellerVerificationService } from './services/seller-verification.service';
import { StoreCoordinatesSubscriber } from './services/store-coordinates.subscriber';
import { StoreHoursService } from './services/store-hours.service';
import { StoreLocator } from './services/store-locator.service';

/**
 * @description
 * Answers "where can this order be fulfilled from?": store coordinates on Vendure's stock
 * locations, postal-code geocoding and the 5 km delivery rule, from search to checkout.
 * es9 and driver-dispatch use its exported services.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    entities: [PostalCodeLocation],
    providers: [
        { provide: SELLER_STORE_INFO_PLUGIN_OPTIONS, useFactory: () => SellerStoreInfoPlugin.options },
        GeocodingService,
        StoreLocator,
        StoreHoursService,
        DeliveryLocationService,
        DeliveryRuleService,
        DeliveryCheckService,
        DeliveryFeeService,
        { provide: APP_INTERCEPTOR, useClass: DistanceFeeArgumentsInterceptor },
        NearbyStoresService,
        StoreCoordinatesSubscriber,
        SellerOrderLocationService,
        SellerVerificationService,
    ],
    exports: [
        GeocodingService,
        StoreLocator,
        StoreHoursService,
        DeliveryLocationService,
        DeliveryRuleService,
        SellerVerificationService,
    ],
    shopApiExtensions: {
        schema: shopApiExtensions,
        resolvers: [DeliveryShopResolver, SetDeliveryLocationResultResolver, SearchResultDeliveryResolver],
    },
    adminApiExtensions: {
        schema: gql`
            ${adminApiExtensions}
            ${sellerVerificationAdminApiExtensions}
        `,
        resolvers: [
            StoreLocatorAdminResolver,
            SearchResultDeliveryResolver,
            // Seller verification
            SellerVerificationAdminResolver,
            SellerVerificationFieldsResolver,
            VerifySellerResultResolver,
            UnverifySellerResultResolver,
        ],
    },
    configuration: config => {
        config.customFields.StockLocation.push(...stockLocationCustomFields);
        config.customFields.Order.push(...orderDeliveryLocationFields);
        config.customFields.Session.push(...sessionDeliveryLocationFields);
        config.customFields.OrderLine.push(...orderLineServingStoreFields);
        config.customFields.Seller.push(...sellerVerificationCustomFields);
        config.authOptions.customPermissions.push(verifySellerPermission);
        config.orderOptions.orderInterceptors.push(new DeliveryOrderInterceptor());
        config.orderOptions.process.push(deliveryCheckoutProcess);
        config.shippingOptions.shippingEligibilityCheckers.push(fastDeliveryEligibilityChecker);
        config.shippingOptions.shippingCalculators.push(distanceDeliveryFeeCalculator);
        config.catalogOptions.stockLocationStrategy = new NearestStoreStockLocationStrategy();
        return config;
    },
    dashboard: './dashboard/index.tsx',
    compatibility: '^3.7.0',
})
export class SellerStoreInfoPlugin {
    static options: SellerStoreInfoOptions = withDefaults({});

    static init(options: SellerStoreInfoPluginOptions = {}): Type<SellerStoreInfoPlugin> {
        this.options = withDefaults(options);
        return SellerStoreInfoPlugin;
    }
}
