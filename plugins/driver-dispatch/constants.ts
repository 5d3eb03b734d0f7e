import { CrudPermissionDefinition, PermissionDefinition } from '@vendure/core';

export const DRIVER_DISPATCH_PLUGIN_OPTIONS = Symbol('DRIVER_DISPATCH_PLUGIN_OPTIONS');
export const loggerCtx = 'DriverDispatchPlugin';

/** `ReadDriver`, `CreateDriver`, `UpdateDriver`, `DeleteDriver`: staff managing the fleet. */
export const driverPermission = new CrudPermissionDefinition('Driver');

/** Staff who run deliveries: assign, reassign, cancel, and confirm pickup and delivery as staff. */
export const manageDispatchPermission = new PermissionDefinition({
    name: 'ManageDispatch',
    description: 'Allows assigning, reassigning and cancelling deliveries, and confirming them as staff',
});

/**
 * `ReadDeliveryWebhook`, `CreateDeliveryWebhook`, `UpdateDeliveryWebhook`, `DeleteDeliveryWebhook`:
 * configuring where the delivery events are POSTed. Its own permission, not `ManageDispatch`: an
 * endpoint receives every delivery of the channel, so choosing one is a decision about where the
 * shop's data goes, not part of running deliveries.
 */
export const deliveryWebhookPermission = new CrudPermissionDefinition('DeliveryWebhook');

/**
 * The only permission of a driver's login: act on their own driver record (position, status) and
 * their own deliveries, never on anyone else's.
 */
export const driverSelfPermission = new PermissionDefinition({
    name: 'DriverSelf',
    description: 'Allows a driver to report their own position and status and work on their own deliveries',
});

/** Code of the Role given to every driver's Administrator; it holds only `DriverSelf`. */
export const DRIVER_ROLE_CODE = 'driver';

/**
 * How often buffered location pings are written to the database, as one statement per batch. In
 * the SQL index mode this is also how stale a position can be when matching reads it.
 */
export const POSITION_FLUSH_INTERVAL_MS = 2000;

/** The job queue that assigns drivers to PENDING deliveries. */
export const DISPATCH_QUEUE_NAME = 'dispatch';

/** The job queue that POSTs the delivery webhooks (one job per event and endpoint). */
export const WEBHOOK_QUEUE_NAME = 'delivery-webhook';

/** A driver unseen this long is OFFLINE (DESIGN: the app pings at least every 20 s). */
export const HEARTBEAT_TTL_SECONDS = 45;

/** How often the `dispatch-sweep` task runs by default: well inside the heartbeat window. */
export const DEFAULT_SWEEP_SCHEDULE = '*/20 * * * * *';

/**
 * The first radius of a nearest-driver search around the pickup store; it doubles up to
 * `maxSearchRadiusKm`. Any start finds the same driver (each step takes the nearest within it);
 * the start only sets the cost. A GEOSEARCH costs in proportion to the drivers in the geohash cells
 * its radius covers: at 100,000 drivers over 900 km² one at 0.25 km took about 30 µs of Redis time
 * against about 10 µs at 0.1 km, which already finds a driver 97 % of the time there; in a sparse
 * city the few extra empty steps cost a few µs each (bench/claim.bench.ts).
 */
export const DISPATCH_START_RADIUS_KM = 0.1;

/** The default `redisKeyPrefix`: the plugin's name, as a Redis Cluster hash tag. */
export const DEFAULT_REDIS_KEY_PREFIX = '{driver-dispatch}';
