import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { SellerStoreInfoPlugin } from '../seller-store-info';
import { adminApiExtensions } from './api/api-extensions';
import { DriverAdminResolver, SetDriverStatusResultResolver } from './api/driver-admin.resolver';
import {
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    driverPermission,
    driverSelfPermission,
    manageDispatchPermission,
} from './constants';
import { Driver } from './entities/driver.entity';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions } from './options';
import { DriverService } from './services/driver.service';
import { DriverLocationService } from './services/driver-location.service';

/**
 * @description
 * Answers "who can deliver it right now?": drivers, their locations, and the atomic assignment of
 * the nearest available driver to an order that is ready.
 *
 * Drivers (staff CRUD, the driver's own login, location pings and status) and the driver location
 * index are in place; dispatch and deliveries come next (see the plugin README).
 */
@VendurePlugin({
    imports: [PluginCommonModule, SellerStoreInfoPlugin],
    entities: [Driver],
    providers: [
        { provide: DRIVER_DISPATCH_PLUGIN_OPTIONS, useFactory: () => DriverDispatchPlugin.options },
        DriverLocationService,
        DriverService,
    ],
    exports: [DriverService, DriverLocationService],
    adminApiExtensions: {
        schema: adminApiExtensions,
        resolvers: [DriverAdminResolver, SetDriverStatusResultResolver],
    },
    configuration: config => {
        config.authOptions.customPermissions.push(
            driverPermission,
            manageDispatchPermission,
            driverSelfPermission,
        );
        return config;
    },
    compatibility: '^3.7.0',
})
export class DriverDispatchPlugin {
    static options = defaultDriverDispatchOptions;

    static init(options: DriverDispatchPluginOptions = {}): Type<DriverDispatchPlugin> {
        this.options = { ...defaultDriverDispatchOptions, ...options };
        return DriverDispatchPlugin;
    }
}
