import type { CustomerNotificationOptions } from './notifications/customer-notification-options';
import type { DeliveryCodePolicy } from './services/delivery-code';
import type { DispatchEventLog } from './strategies/dispatch-event-log/dispatch-event-log';
import type { DriverLocationIndex } from './strategies/driver-location-index/driver-location-index';
import type { TrackingPageOptions } from './tracking/tracking-options';
import type { DeliveryWebhookOptions } from './webhooks/webhook-options';

/**
 * @description
 * Options of the {@link DriverDispatchPlugin}.
 */
export interface DriverDispatchPluginOptions {
    /**
     * @description
     * Redis connection URL. With it, the default strategies are the Redis ones (the Redis GEO
     * driver index, the live event log in a Redis Stream) and location pings are counted in Redis;
     * without it, the SQL driver index, an in-process event log and in-process counters.
     */
    redisUrl?: string;
    /**
     * @description
     * Prefix of every Redis key the plugin writes by default: `<prefix>:drivers:…` (the driver
     * index), `<prefix>:dispatch:events` (the live event stream), `<prefix>:ping-limit:<driverId>`
     * (the ping counters). Keep a hash tag (`{…}`) in it: the keys then share one Redis Cluster
     * shard, which the driver claim script needs. A strategy given in `driverLocationIndex` or
     * `dispatchEventLog` chooses its own keys.
     *
     * @default '{driver-dispatch}'
     */
    redisKeyPrefix?: string;
    /**
     * @description
     * Where the AVAILABLE drivers are, and the atomic claim of the nearest one: a
     * {@link DriverLocationIndex}, or a function of the plugin's options that makes one (called
     * once per Vendure app, so prefer a function when several apps run in one process). The plugin
     * runs its `init` at start and its `destroy` at shutdown. The database stays the source of
     * truth: any index other than the {@link SqlDriverLocationIndex} is rebuilt from it at start
     * and has the SQL index as its fallback while it fails.
     *
     * ```ts
     * driverLocationIndex: ({ redisUrl }) =>
     *     new RedisDriverLocationIndex({ redisUrl: redisUrl!, namespace: '{city-1}:drivers', heartbeatTtlSeconds: 60 }),
     * ```
     *
     * @default with `redisUrl` a {@link RedisDriverLocationIndex} (namespace `<redisKeyPrefix>:drivers`,
     * 45 s heartbeat), else a {@link SqlDriverLocationIndex}
     */
    driverLocationIndex?: StrategyOption<DriverLocationIndex>;
    /**
     * @description
     * The recent events of the live stream (`GET /dispatch/events`), shared by every process that
     * serves streams: a {@link DispatchEventLog}, or a function of the plugin's options that makes
     * one (called once per Vendure app). The plugin runs its `init` and `destroy`.
     *
     * @default with `redisUrl` a {@link RedisDispatchEventLog} (key `<redisKeyPrefix>:dispatch:events`,
     * `liveEventRetention` entries), else an {@link InMemoryDispatchEventLog} of `liveEventRetention` events
     */
    dispatchEventLog?: StrategyOption<DispatchEventLog>;
    /**
     * @description
     * Upper bound of the driver search radius around a pickup store. The search starts small and
     * doubles up to this cap. A driver turning AVAILABLE is offered the oldest waiting delivery
     * whose pickup store lies within this distance of them.
     *
     * @default 100
     */
    maxSearchRadiusKm?: number;
    /**
     * @description
     * How waiting deliveries get drivers. `nearest`: as each delivery becomes ready (or a driver
     * comes free, or a job retries), it claims the nearest AVAILABLE driver at once. `batch`: every
     * `batchWindowMs`, per region (see `batchRegionCellKm`), the waiting deliveries and the AVAILABLE
     * drivers within `maxSearchRadiusKm` of them are matched for the minimum total pickup distance
     * (the `munkres` solver), then each chosen driver is claimed by id; a claim lost to a race
     * leaves that delivery for the next window. The other triggers then do nothing: the next window
     * picks their delivery or driver up.
     * Windows run where the `dispatch` job queue runs (the worker), one per region at a time across
     * processes (a PostgreSQL advisory lock), and by the `dispatch-sweep` task.
     *
     * @default 'nearest'
     */
    dispatchMode?: DispatchMode;
    /**
     * @description
     * In `batch` mode, how often a window runs: the longest a ready delivery waits for its first
     * chance at a driver (plus the window's own time).
     *
     * @default 2000
     */
    batchWindowMs?: number;
    /**
     * @description
     * In `batch` mode, a delivery waiting longer than this (since it was opened) is served before
     * any delivery that waited less, wherever a driver can take it: the solver does not starve it
     * for nearer pairs.
     *
     * @default 60
     */
    batchStarvationSeconds?: number;
    /**
     * @description
     * In `batch` mode, each delivery is offered only its k nearest AVAILABLE drivers (at least as
     * many as deliveries wait at its store), which keeps the problem small in a dense city.
     *
     * @default 8
     */
    batchNearestDrivers?: number;
    /**
     * @description
     * In `batch` mode, the solve-time budget of one window: when the solver's estimated time for
     * the window's problem exceeds it, that window assigns nearest-first instead.
     *
     * @default 100
     */
    batchSolveBudgetMs?: number;
    /**
     * @description
     * In `batch` mode, the regions that windows are run for, as square cells of the map of about
     * this size (by the pickup store); each region has its own window and lock, so several worker
     * processes share a large city. 0: one region for everything.
     *
     * @default 0
     */
    batchRegionCellKm?: number;
    /**
     * @description
     * When the `dispatch-sweep` scheduled task runs (cron with seconds): heartbeat expiry, lost
     * dispatch jobs re-queued, direct dispatch while the job queue is unreachable, delay alerts. Keep it well
     * inside the 45 s heartbeat window. `runDispatchSweep(injector, ctx)` runs one sweep now.
     *
     * @default '*\/20 * * * * *' (every 20 s)
     */
    sweepSchedule?: string;
    /**
     * @description
     * A delivery waiting for a driver (PENDING) longer than this, counted from when its order was
     * marked ready (a delivery declined or retried back to PENDING keeps that clock: its customer
     * has waited since), is delayed: `DeliveryAssignment.delayed`, counted in
     * `dispatchStats.delayedAssignments`, highlighted on the dispatch board, and one
     * `DeliveryDelayedEvent` (stage `WAITING_FOR_DRIVER`) is published by the next sweep.
     *
     * @default 120
     */
    pendingAlertAfterSeconds?: number;
    /**
     * @description
     * A delivery out for delivery (ASSIGNED or PICKED_UP) longer than this, counted from when its
     * current driver was assigned (so a driver who never reaches the store counts too), is
     * delayed, as above, with one `DeliveryDelayedEvent` of stage `OUT_FOR_DELIVERY`. Each stage
     * is alerted once per delivery, whatever happens to it later.
     *
     * @default 45
     */
    deliveryAlertAfterMinutes?: number;
    /**
     * @description
     * The delivery time `deliveryInsights` measures against: its `deliveredWithinTarget` is the
     * share of delivered deliveries that took at most this long from ready to DELIVERED.
     *
     * @default 30
     */
    deliveryTargetMinutes?: number;
    /**
     * @description
     * Runs the built-in demo fleet in the process that runs the worker: it keeps the demo drivers
     * (`isDemo`) that are not OFFLINE alive with pings, drives assigned demo drivers to the pickup
     * and the drop-off and confirms both, so a person sees whole deliveries happen. It never
     * touches a driver that is not a demo driver. Meant for the embedded demo only.
     *
     * @default false
     */
    demoFleet?: boolean;
    /**
     * @description
     * Proof of delivery: the driver must enter the customer's one-time delivery code (shown in
     * `deliveryTracking`) in `confirmDelivery`. Wrong codes lock the delivery, and the driver, for a
     * while (see `deliveryCode`). Staff with `ManageDispatch` confirm without a code.
     *
     * @default true
     */
    requireDeliveryCode?: boolean;
    /**
     * @description
     * The delivery code: its digits, and how many wrong codes in a row lock one delivery and one
     * driver (over all their deliveries), for how long. With the defaults a driver has at most 10
     * guesses per 15 minutes at a one-in-a-million code. Give only what you change.
     *
     * @default { length: 6, maxAttempts: 5, maxAttemptsPerDriver: 10, lockMinutes: 15 }
     */
    deliveryCode?: Partial<DeliveryCodePolicy>;
    /**
     * @description
     * How many live streams (`GET /dispatch/events`) one session may hold open at once; one more
     * is refused with 429. A dashboard tab or a driver app holds one each.
     *
     * @default 5
     */
    liveStreamsPerSession?: number;
    /**
     * @description
     * Average courier speed for the customer's `etaMinutes`, over the straight-line distance.
     *
     * @default 20
     */
    etaSpeedKmh?: number;
    /**
     * @description
     * Minutes added to the estimate while the goods are not picked up yet (parking, the store
     * handing them over).
     *
     * @default 5
     */
    etaPickupBufferMinutes?: number;
    /**
     * @description
     * How many recent events the live stream (`GET /dispatch/events`) keeps, so that a client
     * reconnecting with `Last-Event-ID` gets what it missed: in Redis (about this many, the stream
     * is trimmed approximately) with `redisUrl`, else in the process's memory. Location pings are
     * events too: size it to pings per second times the longest gap a resume should bridge.
     *
     * @default 10000
     */
    liveEventRetention?: number;
    /**
     * @description
     * How often an idle live stream gets a comment line, so proxies do not close it.
     *
     * @default 15000
     */
    liveEventKeepAliveMs?: number;
    /**
     * @description
     * How often each live stream checks that its session is still valid and still allows the
     * stream (a deleted or disabled driver's sessions are revoked): the stream ends within this
     * time after the revocation.
     *
     * @default 5000
     */
    liveEventSessionCheckMs?: number;
    /**
     * @description
     * How long a driver-channel connection (`GET /dispatch/driver`, WebSocket) without the admin
     * session cookie may take to send its `auth` frame; then it is closed with 4401.
     *
     * @default 5000
     */
    driverChannelAuthTimeoutMs?: number;
    /**
     * @description
     * How long the ping batcher collects location pings (driver channel and `updateDriverLocation`)
     * before it handles them together: one rate-limit call, one index write (one Redis round trip)
     * and one `DriverLocationEvent` per driver for the whole flush. A ping reaches the index within
     * about this time (plus the flush itself); `updateDriverLocation` answers after its flush.
     * From 1 to 1000.
     *
     * @default 10
     */
    pingFlushIntervalMs?: number;
    /**
     * @description
     * How many location pings (`updateDriverLocation`) one driver may send per window. The driver
     * app pings at least every 20 s, and a phone that was offline may send a few queued pings at
     * once; a driver past the limit gets a `TOO_MANY_REQUESTS` error saying when to retry, and the
     * refused ping changes nothing. Counted per driver in Redis when `redisUrl` is set (shared by
     * all processes; while Redis is unreachable pings are let through), else in this process.
     *
     * @default { points: 10, durationSeconds: 10 }
     */
    locationPingLimit?: LocationPingLimit;
    /**
     * @description
     * The folder of the built driver web app, served at `/driver/` (`index.html` for every page of
     * the app, never cached; its files with their content types). This project's `npm run build`
     * writes it to `dist/driver-app`. The default is found from the plugin's own folder, so a
     * copied plugin still finds it: `<plugin>/../../driver-app` when the plugin runs compiled
     * (`dist/plugins/driver-dispatch`), else `<plugin>/../../dist/driver-app` (from source). Without
     * a built app, `/driver/` answers 503 saying how to build it.
     *
     * @default the built `dist/driver-app`, as above
     */
    appDir?: string;
    /**
     * @description
     * Where customers reach this server (or the proxy in front of it), e.g.
     * `https://shop.example.com`: the base of the tracking links (`<publicBaseUrl>/track/<token>`)
     * in `DeliveryTracking.trackingUrl` and in the delivery emails. Without it `trackingUrl` is null:
     * the plugin cannot know the public host behind a proxy, and a link to the wrong one would be
     * worse than none.
     *
     * @default undefined
     */
    publicBaseUrl?: string;
    /**
     * @description
     * What the customer is told of their delivery (the delivery emails listen to it): see
     * {@link CustomerNotificationOptions}. Give only what you change.
     *
     * @default { enabled: true }
     */
    customerNotifications?: CustomerNotificationOptions;
    /**
     * @description
     * The customer's tracking page at `/track/<token>`: link expiry, poll interval, the per-token
     * request limit, map tiles (see {@link TrackingPageOptions}). Give only what you change.
     *
     * @default { expiresAfterHours: 24, pollIntervalSeconds: 5, requestsPerMinute: 60, requestsPerMinutePerAddress: 600 }
     */
    tracking?: TrackingPageOptions;
    /**
     * @description
     * The delivery webhooks: private targets, attempts, backoff, timeout, when an endpoint counts
     * as failing. See {@link DeliveryWebhookOptions} and the README, "Webhooks".
     */
    webhooks?: Partial<DeliveryWebhookOptions>;
}

/** See {@link DriverDispatchPluginOptions.dispatchMode}. */
export type DispatchMode = 'nearest' | 'batch';

/** A fixed window: at most `points` pings per `durationSeconds`, per driver. */
export interface LocationPingLimit {
    /** Pings allowed in one window (a positive whole number). */
    points: number;
    /** Length of the window in seconds (a positive whole number: Redis counts in seconds). */
    durationSeconds: number;
}

/**
 * A strategy option: the strategy itself, or a function of the plugin's options (with defaults)
 * that makes it, as Vendure's `AssetServerPlugin` takes a `storageStrategyFactory`.
 */
export type StrategyOption<T> = T | ((options: ResolvedDriverDispatchOptions) => T);

export type ResolvedDriverDispatchOptions = Required<
    Omit<
        DriverDispatchPluginOptions,
        'redisUrl' | 'deliveryCode' | 'appDir' | 'publicBaseUrl' | 'customerNotifications' | 'webhooks'
    >
> &
    // appDir unset: found when the server starts (defaultDriverAppDir), so a build made after
    // this module was loaded is still found.
    Pick<DriverDispatchPluginOptions, 'redisUrl' | 'appDir' | 'publicBaseUrl'> & {
        deliveryCode: DeliveryCodePolicy;
        customerNotifications: Required<CustomerNotificationOptions>;
        webhooks: DeliveryWebhookOptions;
    };

// The defaults and the checks of these options, kept beside them for existing imports.
export * from './options-defaults';
