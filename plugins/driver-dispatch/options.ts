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
     * doubles up to this cap.
     *
     * @default 100
     */
    maxSearchRadiusKm?: number;
}

export const defaultDriverDispatchOptions: Required<Omit<DriverDispatchPluginOptions, 'redisUrl'>> &
    Pick<DriverDispatchPluginOptions, 'redisUrl'> = {
    redisUrl: undefined,
    maxSearchRadiusKm: 100,
};
