import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { SellerStoreInfoPlugin } from '../seller-store-info';
import { ES9_PLUGIN_OPTIONS } from './constants';
import { Es9PluginOptions } from './options';

/**
 * @description
 * Shop search on Elasticsearch 9 with the 5 km geo rule, on the community Elasticsearch plugin.
 * Loaded only when `ELASTICSEARCH_URL` is set.
 *
 * Registered but not functional yet: until the Elasticsearch search lands, the server keeps
 * Vendure's default search and only checks Elasticsearch for readiness.
 */
@VendurePlugin({
    imports: [PluginCommonModule, SellerStoreInfoPlugin],
    providers: [{ provide: ES9_PLUGIN_OPTIONS, useFactory: () => Es9Plugin.options }],
    compatibility: '^3.7.0',
})
export class Es9Plugin {
    static options: Required<Es9PluginOptions>;

    static init(options: Es9PluginOptions): Type<Es9Plugin> {
        this.options = { indexPrefix: 'vendure-', ...options };
        return Es9Plugin;
    }
}
