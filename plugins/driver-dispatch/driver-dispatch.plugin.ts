import { MiddlewareConsumer, NestModule } from '@nestjs/common';
import { LanguageCode, PluginCommonModule, Type, VendurePlugin } from '@vendure/core';
import gql from 'graphql-tag';

import { SellerStoreInfoPlugin } from '../seller-store-info';
import { adminApiExtensions } from './api/api-extensions';
import { DeliveryInsightsAdminResolver } from './api/delivery-insights-admin.resolver';
import { deliveryInsightsApiExtensions } from './api/delivery-insights-api-extensions';
import { DeliveryTrackingShopResolver } from './api/delivery-tracking-shop.resolver';
import {
    DeliveryActionResultResolver,
    DeliveryAssignmentEntityResolver,
    DispatchAdminResolver,
    DriverEntityResolver,
    MarkOrderReadyResultResolver,
} from './api/dispatch-admin.resolver';
import { DispatchEventsController } from './api/dispatch-events.controller';
import { DriverAdminResolver, SetDriverStatusResultResolver } from './api/driver-admin.resolver';
import { DriverAppAdminResolver } from './api/driver-app-admin.resolver';
import { driverAppAdminApiExtensions, trackingShopApiExtensions } from './api/driver-app-api-extensions';
import { DRIVER_APP_ROUTE, driverAppServer } from './api/driver-app-server';
import { deliveryInstructionsField } from './config/delivery-instructions-field';
import { createDispatchSweepTask } from './config/dispatch-sweep-task';
import { localCourierFulfillmentHandler } from './config/local-courier-fulfillment-handler';
import {
    deliveryWebhookPermission,
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    driverPermission,
    driverSelfPermission,
    manageDispatchPermission,
    WEBHOOK_QUEUE_NAME,
} from './constants';
import { DeliveryAssignment } from './entities/delivery-assignment.entity';
import { DeliveryEvent } from './entities/delivery-event.entity';
import { Driver } from './entities/driver.entity';
import { DeliveryNotification } from './notifications/delivery-notification.entity';
import { DeliveryNotificationService } from './notifications/delivery-notification.service';
import {
    defaultDriverAppDir,
    defaultDriverDispatchOptions,
    dispatchModeProblem,
    DriverDispatchPluginOptions,
} from './options';
import { BatchDispatchService } from './services/batch-dispatch.service';
import { deliveryCodePolicyProblem } from './services/delivery-code';
import { DeliveryDelayService } from './services/delivery-delay.service';
import { DeliveryDriversService } from './services/delivery-drivers.service';
import { DeliveryInsightsService } from './services/delivery-insights.service';
import { DeliveryLifecycleService } from './services/delivery-lifecycle.service';
import { DeliveryMatcherService } from './services/delivery-matcher.service';
import { DeliveryQueryService } from './services/delivery-query.service';
import { DeliveryTrackingService } from './services/delivery-tracking.service';
import { DemoFleetService } from './services/demo-fleet.service';
import { DispatchService } from './services/dispatch.service';
import { DispatchEventStreamService } from './services/dispatch-event-stream.service';
import { DispatchSweepService } from './services/dispatch-sweep.service';
import { DriverService } from './services/driver.service';
import { DriverChannelService } from './services/driver-channel.service';
import { DriverLocationService } from './services/driver-location.service';
import { PingBatcher } from './services/ping-batcher.service';
import { PingRateLimiter } from './services/ping-rate-limiter.service';
import { publicBaseUrlProblem, TRACKING_ROUTE } from './services/tracking-token';
import { resolveTrackingPageOptions, trackingPageOptionsProblem } from './tracking/tracking-options';
import { TrackingPageMiddleware } from './tracking/tracking-page.middleware';
import { TrackingPageService } from './tracking/tracking-page.service';
import { TrackingRateLimiter } from './tracking/tracking-rate-limiter.service';
import { DeliveryWebhook } from './webhooks/delivery-webhook.entity';
import { DeliveryWebhookService } from './webhooks/delivery-webhook.service';
import {
    DeliveryWebhookAdminResolver,
    DeliveryWebhookEntityResolver,
} from './webhooks/delivery-webhook-admin.resolver';
import { DeliveryWebhookMessage } from './webhooks/delivery-webhook-message.entity';
import { webhookAdminApiExtensions } from './webhooks/webhook-api-extensions';
import { resolveWebhookOptions, webhookOptionsProblem, webhookRetryDelay } from './webhooks/webhook-options';
import { WebhookOutboxService } from './webhooks/webhook-outbox.service';

/** The plugin's services: all provided, all exported (other plugins and the app use them). */
const SERVICES = [
    DriverLocationService,
    PingRateLimiter,
    PingBatcher,
    DriverService,
    DeliveryDriversService,
    DeliveryLifecycleService,
    BatchDispatchService,
    DeliveryMatcherService,
    DeliveryQueryService,
    DeliveryDelayService,
    DeliveryInsightsService,
    DispatchService,
    DispatchSweepService,
    DemoFleetService,
    DeliveryTrackingService,
    DispatchEventStreamService,
    DriverChannelService,
    DeliveryNotificationService,
    TrackingRateLimiter,
    TrackingPageService,
    DeliveryWebhookService,
    WebhookOutboxService,
];

/**
 * @description
 * Answers "who can deliver it right now?": drivers, their locations, and the atomic assignment of
 * the nearest available driver to an order that is ready.
 *
 * Drivers (staff CRUD, the driver's own login, location pings and status), the driver location
 * index, and deliveries: an order marked ready is dispatched to the nearest available driver, and
 * pickup and delivery move its `local-courier` Fulfillment (see the plugin README). A scheduled
 * `dispatch-sweep` task expires heartbeats and re-dispatches waiting deliveries; the optional demo
 * fleet moves the demo drivers through whole deliveries.
 */
@VendurePlugin({
    imports: [PluginCommonModule, SellerStoreInfoPlugin],
    entities: [
        Driver,
        DeliveryAssignment,
        DeliveryEvent,
        DeliveryNotification,
        DeliveryWebhook,
        DeliveryWebhookMessage,
    ],
    providers: [
        { provide: DRIVER_DISPATCH_PLUGIN_OPTIONS, useFactory: () => DriverDispatchPlugin.options },
        ...SERVICES,
    ],
    controllers: [DispatchEventsController],
    exports: SERVICES,
    adminApiExtensions: {
        schema: gql`
            ${adminApiExtensions}
            ${driverAppAdminApiExtensions}
            ${deliveryInsightsApiExtensions}
            ${webhookAdminApiExtensions}
        `,
        resolvers: [
            DriverAdminResolver,
            SetDriverStatusResultResolver,
            DispatchAdminResolver,
            DeliveryAssignmentEntityResolver,
            DriverEntityResolver,
            DeliveryActionResultResolver,
            MarkOrderReadyResultResolver,
            DriverAppAdminResolver,
            DeliveryInsightsAdminResolver,
            DeliveryWebhookAdminResolver,
            DeliveryWebhookEntityResolver,
        ],
    },
    shopApiExtensions: {
        schema: trackingShopApiExtensions,
        resolvers: [DeliveryTrackingShopResolver],
    },
    configuration: config => {
        config.authOptions.customPermissions.push(
            driverPermission,
            manageDispatchPermission,
            driverSelfPermission,
            deliveryWebhookPermission,
        );
        config.shippingOptions.fulfillmentHandlers.push(localCourierFulfillmentHandler);
        config.customFields.Order.push({
            name: 'placedInSessionId',
            // A string, not an int: a session id of any EntityIdStrategy (UUIDs too) fits.
            type: 'string',
            nullable: true,
            internal: true,
            readonly: true,
            label: [{ languageCode: LanguageCode.en, value: 'Placed in session' }],
        });
        config.customFields.Order.push(deliveryInstructionsField);
        config.schedulerOptions.tasks = [
            ...(config.schedulerOptions.tasks ?? []),
            createDispatchSweepTask(DriverDispatchPlugin.options.sweepSchedule),
        ];
        return config;
    },
    dashboard: './dashboard/index.tsx',
    compatibility: '^3.7.0',
})
export class DriverDispatchPlugin implements NestModule {
    static options = defaultDriverDispatchOptions;

    /**
     * Serves the driver web app at /driver/ and the customer's tracking page at /track/ (a worker
     * has no HTTP server: nothing to do there).
     */
    configure(consumer: MiddlewareConsumer): void {
        const appDir = DriverDispatchPlugin.options.appDir ?? defaultDriverAppDir();
        consumer.apply(driverAppServer(appDir)).forRoutes(DRIVER_APP_ROUTE);
        consumer.apply(TrackingPageMiddleware).forRoutes(TRACKING_ROUTE);
    }

    /**
     * The delay before the next attempt of a `delivery-webhook` job (exponential, see
     * `webhooks.retryBaseDelayMs`), or undefined for any other queue. For the job queue's backoff
     * option, e.g. `DefaultJobQueuePlugin.init({ backoffStrategy: (queue, attempts) =>
     * DriverDispatchPlugin.webhookRetryDelayMs(queue, attempts) ?? 1000 })`.
     */
    static webhookRetryDelayMs(queueName: string, attemptsMade: number): number | undefined {
        if (queueName !== WEBHOOK_QUEUE_NAME) return undefined;
        return webhookRetryDelay(attemptsMade, resolveWebhookOptions(this.options.webhooks));
    }

    static init(options: DriverDispatchPluginOptions = {}): Type<DriverDispatchPlugin> {
        const deliveryCode = { ...defaultDriverDispatchOptions.deliveryCode, ...options.deliveryCode };
        const problem = deliveryCodePolicyProblem(deliveryCode);
        if (problem) throw new Error(`DriverDispatchPlugin: ${problem}`);
        const customerNotifications = {
            ...defaultDriverDispatchOptions.customerNotifications,
            ...options.customerNotifications,
        };
        const webhooks = resolveWebhookOptions(options.webhooks);
        const webhookProblem = webhookOptionsProblem(webhooks);
        if (webhookProblem) throw new Error(`DriverDispatchPlugin: ${webhookProblem}`);
        const resolved = {
            ...defaultDriverDispatchOptions,
            ...options,
            deliveryCode,
            customerNotifications,
            webhooks,
        };
        const modeProblem = dispatchModeProblem(resolved);
        if (modeProblem) throw new Error(`DriverDispatchPlugin: ${modeProblem}`);
        const urlProblem = publicBaseUrlProblem(resolved.publicBaseUrl);
        if (urlProblem) throw new Error(`DriverDispatchPlugin: ${urlProblem}`);
        const trackingProblem = trackingPageOptionsProblem(resolveTrackingPageOptions(resolved.tracking));
        if (trackingProblem) throw new Error(`DriverDispatchPlugin: ${trackingProblem}`);
        this.options = resolved;
        return DriverDispatchPlugin;
    }
}
