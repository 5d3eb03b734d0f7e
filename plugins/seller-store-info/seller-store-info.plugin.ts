import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import {
    orderDeliveryLocationFields,
    orderLineServingStoreFields,
    sessionDeliveryLocationFields,
} from './config/delivery-location-custom-fields';
import { stockLocationCustomFields } from './config/stock-location-custom-fields';
import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from './constants';
import { PostalCodeLocation } from './entities/postal-code-location.entity';
import { defaultSellerStoreInfoOptions, SellerStoreInfoPluginOptions } from './options';

/**
 * @description
 * Answers "where can this order be fulfilled from?": store coordinates on Vendure's stock
 * locations, postal-code geocoding and the 5 km delivery rule, from search to allocation.
 *
 * This release adds the store coordinates and address; geocoding, the store locator and the
 * 5 km rule come next (see the plugin README).
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    entities: [PostalCodeLocation],
    providers: [
        { provide: SELLER_STORE_INFO_PLUGIN_OPTIONS, useFactory: () => SellerStoreInfoPlugin.options },
    ],
    configuration: config => {
        config.customFields.StockLocation.push(...stockLocationCustomFields);
        config.customFields.Order.push(...orderDeliveryLocationFields);
        config.customFields.Session.push(...sessionDeliveryLocationFields);
        config.customFields.OrderLine.push(...orderLineServingStoreFields);
        return config;
    },
    compatibility: '^3.7.0',
})
export class SellerStoreInfoPlugin {
    static options: Required<SellerStoreInfoPluginOptions> = defaultSellerStoreInfoOptions;

    static init(options: SellerStoreInfoPluginOptions = {}): Type<SellerStoreInfoPlugin> {
        this.options = { ...defaultSellerStoreInfoOptions, ...options };
        return SellerStoreInfoPlugin;
    }
}
