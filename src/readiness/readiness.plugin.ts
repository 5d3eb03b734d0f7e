import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { ReadinessController } from './readiness.controller';
import { READINESS_PLUGIN_OPTIONS, ReadinessPluginOptions } from './readiness.options';
import { ReadinessService } from './readiness.service';

/** The readiness endpoint for load balancers and orchestrators: `GET /health/ready`. */
@VendurePlugin({
    imports: [PluginCommonModule],
    controllers: [ReadinessController],
    providers: [
        ReadinessService,
        { provide: READINESS_PLUGIN_OPTIONS, useFactory: () => ReadinessPlugin.options },
    ],
    exports: [ReadinessService],
    compatibility: '^3.7.0',
})
export class ReadinessPlugin {
    static options: ReadinessPluginOptions = {};

    static init(options: ReadinessPluginOptions): Type<ReadinessPlugin> {
        this.options = options;
        return ReadinessPlugin;
    }
}
