import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { SellerStoreInfoPlugin } from '../seller-store-info';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS } from './constants';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions } from './options';

/**
 * @description
 * Answers "who can deliver it right now?": drivers, their locations, and the atomic assignment of
 * the nearest available driver to an order that is ready.
 *
 * Registered but not functional yet: drivers, the driver index and dispatch come next (see the
 * plugin README).
 */
@VendurePlugin({
    imports: [PluginCommonModule, SellerStoreInfoPlugin],
    providers: [{ provide: DRIVER_DISPATCH_PLUGIN_OPTIONS, useFactory: () => DriverDispatchPlugin.options }],
    compatibility: '^3.7.0',
})
export class DriverDispatchPlugin {
    static options = defaultDriverDispatchOptions;

    static init(options: DriverDispatchPluginOptions = {}): Type<DriverDispatchPlugin> {
        this.options = { ...defaultDriverDispatchOptions, ...options };
        return DriverDispatchPlugin;
    }
}
