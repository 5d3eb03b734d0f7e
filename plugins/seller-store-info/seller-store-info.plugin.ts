import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { stockLocationCustomFields } from './config/stock-location-custom-fields';
import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from './constants';
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
    providers: [
        { provide: SELLER_STORE_INFO_PLUGIN_OPTIONS, useFactory: () => SellerStoreInfoPlugin.options },
    ],
    configuration: config => {
        config.customFields.StockLocation.push(...stockLocationCustomFields);
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
