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
     * `deliveryTracking`) in `confirmDelivery`. Five wrong codes lock the delivery for 15 minutes.
     * Staff with `ManageDispatch` confirm without a code.
     *
     * @default true
     */
    requireDeliveryCode?: boolean;
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
}

export const defaultDriverDispatchOptions: Required<Omit<DriverDispatchPluginOptions, 'redisUrl'>> &
    Pick<DriverDispatchPluginOptions, 'redisUrl'> = {
    redisUrl: undefined,
    maxSearchRadiusKm: 100,
    demoFleet: false,
    requireDeliveryCode: true,
    etaSpeedKmh: 20,
    etaPickupBufferMinutes: 5,
};
