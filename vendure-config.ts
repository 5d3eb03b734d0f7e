import path from 'node:path';

import { AssetServerPlugin } from '@vendure/asset-server-plugin';
import {
    DefaultJobQueuePlugin,
    DefaultSchedulerPlugin,
    DefaultSearchPlugin,
    LanguageCode,
    VendureConfig,
} from '@vendure/core';
import { DashboardPlugin } from '@vendure/dashboard/plugin';
import { BullMQJobQueuePlugin } from '@vendure/job-queue-plugin/package/bullmq';

import { migrations } from './migrations';
import { DriverDispatchPlugin, WEBHOOK_QUEUE_NAME } from './plugins/driver-dispatch';
import { DeliverySearchStrategy, SellerStoreInfoPlugin } from './plugins/seller-store-info';
import { redisOptionsFromUrl } from './plugins/shared/redis';
import { graphqlErrorShield } from './src/api/graphql-error-shield';
import { requestBodyLimit } from './src/api/request-body-limit';
import { emailPlugin } from './src/email/email-plugin';
import { MarketplacePlugin } from './src/marketplace';
import { ReadinessPlugin } from './src/readiness/readiness.plugin';
import { BullMQConnectionsPlugin } from './src/runtime/bullmq-connections';
import { ClosingRedisCacheStrategy } from './src/runtime/redis-cache';
import { ScheduledTaskGuardPlugin } from './src/runtime/scheduled-task-guard';
import { RuntimeSettings } from './src/runtime/settings';

/** Where the database is: a URL (DATABASE_URL) or the parts of the embedded cluster. */
export type DatabaseConnection =
    { url: string } | { host: string; port: number; username: string; password: string; database: string };

/** Redis keys and BullMQ queues carry a hash tag so they stay on one shard of a Redis Cluster. */
const REDIS_NAMESPACE = '{vqd}';

/**
 * The one Vendure configuration of this project. Its parts are switched by the environment
 * (see `readSettings`): the embedded default with nothing set, and each of PostgreSQL
 * (`DATABASE_URL`), Redis (`REDIS_URL`) and Elasticsearch (`ELASTICSEARCH_URL`) switching on its
 * own production part.
 */
export function createVendureConfig(settings: RuntimeSettings, database: DatabaseConnection): VendureConfig {
    const redis = settings.redisUrl ? redisOptionsFromUrl(settings.redisUrl) : undefined;
    const plugins: NonNullable<VendureConfig['plugins']> = [
        AssetServerPlugin.init({ route: 'assets', assetUploadDir: settings.assetDir }),
        DefaultSchedulerPlugin.init(),
        // After the scheduler plugin: a task run that fails before the task (database down) is logged.
        ScheduledTaskGuardPlugin,
        MarketplacePlugin,
        SellerStoreInfoPlugin.init({
            maxDistanceKm: 5,
            defaultCountryCode: settings.defaultCountryCode,
            redisUrl: settings.redisUrl,
        }),
        DriverDispatchPlugin.init({
            redisUrl: settings.redisUrl,
            // Driver index, live event stream and ping counters under the app's hash tag.
            redisKeyPrefix: REDIS_NAMESPACE,
            demoFleet: settings.demoFleet,
            publicBaseUrl: settings.publicBaseUrl,
            // Off in the demo and in production: webhooks go to public addresses only.
            webhooks: {
                allowPrivateTargets: settings.webhooksAllowPrivateTargets,
                ...(settings.webhookRetryBaseMs ? { retryBaseDelayMs: settings.webhookRetryBaseMs } : {}),
            },
            ...(settings.dispatchSweepSchedule ? { sweepSchedule: settings.dispatchSweepSchedule } : {}),
            ...(settings.dispatchMode ? { dispatchMode: settings.dispatchMode } : {}),
            ...(settings.dispatchBatchWindowMs ? { batchWindowMs: settings.dispatchBatchWindowMs } : {}),
            ...(settings.locationPingLimit ? { locationPingLimit: settings.locationPingLimit } : {}),
            ...(settings.dispatchPendingAlertSeconds
                ? { pendingAlertAfterSeconds: settings.dispatchPendingAlertSeconds }
                : {}),
        }),
        ReadinessPlugin.init({ redisUrl: settings.redisUrl, elasticsearchUrl: settings.elasticsearchUrl }),
        // The dashboard app built by `npm run build` (vite.config.mts), with the plugins' extensions.
        DashboardPlugin.init({ route: 'dashboard', appDir: path.join(PROJECT_ROOT, 'dist', 'dashboard') }),
    ];
    // Vendure's emails and the delivery emails: the dev mailbox at /mailbox in the embedded default.
    const email = emailPlugin(settings);
    if (email) plugins.push(email);
    if (redis) {
        plugins.push(
            BullMQJobQueuePlugin.init({
                // BullMQ's blocking commands need maxRetriesPerRequest: null.
                connection: { ...redis, maxRetriesPerRequest: null },
                queueOptions: { prefix: REDIS_NAMESPACE },
                workerOptions: { prefix: REDIS_NAMESPACE },
                // Delivery webhooks back off exponentially from their base delay (BullMQ: no cap).
                setBackoff: queueName =>
                    queueName === WEBHOOK_QUEUE_NAME
                        ? {
                              type: 'exponential',
                              delay: DriverDispatchPlugin.options.webhooks.retryBaseDelayMs,
                          }
                        : undefined,
            }),
            BullMQConnectionsPlugin,
        );
    } else {
        // Up to 10 jobs per poll and queue: one at a time the SQL queue settles 5 jobs a second.
        plugins.push(
            DefaultJobQueuePlugin.init({
                useDatabaseForBuffer: true,
                concurrency: 10,
                // Delivery webhooks back off exponentially (webhooks options); other jobs after 1 s.
                backoffStrategy: (queueName, attemptsMade) =>
                    DriverDispatchPlugin.webhookRetryDelayMs(queueName, attemptsMade) ?? 1000,
            }),
        );
    }
    if (settings.elasticsearchUrl) {
        // Search on Elasticsearch 9: the community plugin configured by es9, instead of the default
        // search. Required here, not imported above, so that without ELASTICSEARCH_URL nothing of
        // es9, the community plugin or the Elasticsearch client is even loaded.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { es9SearchPlugins } = require('./plugins/es9') as typeof import('./plugins/es9');
        plugins.push(...es9SearchPlugins({ url: settings.elasticsearchUrl }));
    } else {
        // Vendure's default search with seller-store-info's strategy (the 5 km rule inside the SQL).
        plugins.push(
            DefaultSearchPlugin.init({
                bufferUpdates: false,
                indexStockStatus: true,
                searchStrategy: new DeliverySearchStrategy(),
            }),
        );
    }

    return {
        apiOptions: {
            port: settings.port,
            adminApiPath: 'admin-api',
            shopApiPath: 'shop-api',
            // Configured storefronts may send cookies; the embedded default's "any origin" may not,
            // or any website a developer visits could act with their session.
            cors:
                settings.corsOrigins === true
                    ? { origin: '*', credentials: false }
                    : { origin: settings.corsOrigins, credentials: true },
            // Before Nest's own body parser: a body over the limit is a 413, not a 500.
            middleware: [{ route: '/', handler: requestBodyLimit, beforeListen: true }],
            // Whatever NODE_ENV is: no stack traces or database messages reach a client.
            apolloServerPlugins: [graphqlErrorShield],
            // JSON POSTs pass; a cross-site HTML form cannot log a visitor in (login CSRF).
            csrfPrevention: true,
        },
        authOptions: {
            tokenMethod: ['bearer', 'cookie'],
            superadminCredentials: {
                identifier: settings.superadmin.username,
                password: settings.superadmin.password,
            },
            cookieOptions: { secret: settings.cookieSecret },
        },
        dbConnectionOptions: {
            type: 'postgres',
            ...database,
            synchronize: false,
            migrations,
            logging: false,
        },
        paymentOptions: { paymentMethodHandlers: [] },
        // In the embedded default the worker runs in the server process, and so do scheduled tasks.
        schedulerOptions: { runTasksInWorkerOnly: !settings.workerInProcess },
        // With Redis, Vendure's Redis cache (what RedisCachePlugin sets), with a shutdown that cannot fail.
        ...(redis
            ? {
                  systemOptions: {
                      cacheStrategy: new ClosingRedisCacheStrategy({
                          namespace: `${REDIS_NAMESPACE}:cache`,
                          // Fail fast: a cache read must not wait for a Redis that is down.
                          redisOptions: {
                              ...redis,
                              enableOfflineQueue: false,
                              maxRetriesPerRequest: 1,
                              commandTimeout: 1000,
                          },
                      }),
                  },
              }
            : {}),
        defaultLanguageCode: LanguageCode.en,
        plugins,
    };
}

/** Root of the project, for files shipped beside the code (demo data). */
export const PROJECT_ROOT = path.basename(__dirname) === 'dist' ? path.dirname(__dirname) : __dirname;
