import {
    configureDefaultOrderProcess,
    DefaultProductVariantPriceUpdateStrategy,
    PluginCommonModule,
    VendurePlugin,
} from '@vendure/core';

import { aggregateOrderProcess } from './config/aggregate-order-process';
import { instantPaymentHandler } from './config/instant-payment-handler';
import { SellerChannelOrderSellerStrategy } from './config/seller-order-seller-strategy';
import { sellerShippingEligibilityChecker } from './config/seller-shipping-eligibility-checker';
import { SellerShippingLineAssignmentStrategy } from './config/seller-shipping-line-assignment-strategy';

/**
 * @description
 * Vendure's multi-vendor model for this deployment: sellers are seller channels, an order is split
 * into one seller order per seller, each with its own shipping line and its share of the payment,
 * and the aggregate order's state follows its seller orders. A single shop (no seller channels)
 * keeps working unchanged: every line then belongs to the default channel.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    configuration: config => {
        config.orderOptions.process = [
            configureDefaultOrderProcess({ checkFulfillmentStates: false }),
            aggregateOrderProcess,
        ];
        config.orderOptions.orderSellerStrategy = new SellerChannelOrderSellerStrategy();
        config.shippingOptions.shippingEligibilityCheckers.push(sellerShippingEligibilityChecker);
        config.shippingOptions.shippingLineAssignmentStrategy = new SellerShippingLineAssignmentStrategy();
        config.paymentOptions.paymentMethodHandlers.push(instantPaymentHandler);
        config.catalogOptions.productVariantPriceUpdateStrategy =
            new DefaultProductVariantPriceUpdateStrategy({
                syncPricesAcrossChannels: true,
            });
        return config;
    },
    compatibility: '^3.7.0',
})
export class MarketplacePlugin {}
