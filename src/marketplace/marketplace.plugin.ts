import {
    configureDefaultOrderProcess,
    defaultOrderProcess,
    DefaultProductVariantPriceUpdateStrategy,
    PluginCommonModule,
    VendurePlugin,
} from '@vendure/core';

import { aggregateOrderProcess } from './config/aggregate-order-process';
import { instantPaymentHandler } from './config/instant-payment-handler';
import { SellerChannelOrderSellerStrategy } from './config/seller-order-seller-strategy';
import { SellerOrderStockAllocationStrategy } from './config/seller-order-stock-allocation-strategy';
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
        // Replace Vendure's default process, keeping processes other plugins added. The config is a
        // deep copy of the defaults (new objects, same functions): compare a function to find it.
        const processes = config.orderOptions.process.filter(
            process => process.onTransitionEnd !== defaultOrderProcess.onTransitionEnd,
        );
        config.orderOptions.process = [
            configureDefaultOrderProcess({ checkFulfillmentStates: false }),
            aggregateOrderProcess,
            ...processes,
        ];
        config.orderOptions.orderSellerStrategy = new SellerChannelOrderSellerStrategy();
        config.orderOptions.stockAllocationStrategy = new SellerOrderStockAllocationStrategy();
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
