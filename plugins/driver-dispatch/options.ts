import { DEFAULT_SWEEP_SCHEDULE } from './constants';
import { DEFAULT_DELIVERY_CODE_POLICY, DeliveryCodePolicy } from './services/delivery-code';

/**
 * @description
 * Options of the {@link DriverDispatchPlugin}.
 */
export interface DriverDispatchPluginOptions {
    /**
     * @description
     * Redis connection URL for the Redis GEO driver index. Without it the SQL index is used.
     */
    redisUrl?: string;
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
     * When the `dispatch-sweep` scheduled task runs (cron with seconds): heartbeat expiry, lost
     * dispatch jobs re-queued, direct dispatch while the job queue is unreachable. Keep it well
     * inside the 45 s heartbeat window. `runDispatchSweep(injector, ctx)` runs one sweep now.
     *
     * @default '*\/20 * * * * *' (every 20 s)
     */
    sweepSchedule?: string;
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
     * How many location pings (`updateDriverLocation`) one driver may send per window. The driver
     * app pings at least every 20 s, and a phone that was offline may send a few queued pings at
     * once; a driver past the limit gets a `TOO_MANY_REQUESTS` error saying when to retry, and the
     * refused ping changes nothing. Counted per driver in Redis when `redisUrl` is set (shared by
     * all processes; while Redis is unreachable pings are let through), else in this process.
     *
     * @default { points: 10, durationSeconds: 10 }
     */
    locationPingLimit?: LocationPingLimit;
}

/** A fixed window: at most `points` pings per `durationSeconds`, per driver. */
export interface LocationPingLimit {
    /** Pings allowed in one window (a positive whole number). */
    points: number;
    /** Length of the window in seconds (a positive whole number: Redis counts in seconds). */
    durationSeconds: number;
}

export type ResolvedDriverDispatchOptions = Required<
    Omit<DriverDispatchPluginOptions, 'redisUrl' | 'deliveryCode'>
> &
    Pick<DriverDispatchPluginOptions, 'redisUrl'> & { deliveryCode: DeliveryCodePolicy };

export const defaultDriverDispatchOptions: ResolvedDriverDispatchOptions = {
    redisUrl: undefined,
    maxSearchRadiusKm: 100,
    sweepSchedule: DEFAULT_SWEEP_SCHEDULE,
    demoFleet: false,
    requireDeliveryCode: true,
    deliveryCode: DEFAULT_DELIVERY_CODE_POLICY,
    liveStreamsPerSession: 5,
    etaSpeedKmh: 20,
    etaPickupBufferMinutes: 5,
    liveEventRetention: 10000,
    liveEventKeepAliveMs: 15000,
    liveEventSessionCheckMs: 5000,
    locationPingLimit: { points: 10, durationSeconds: 10 },
};
