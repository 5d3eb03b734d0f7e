import { existsSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_REDIS_KEY_PREFIX, DEFAULT_SWEEP_SCHEDULE, HEARTBEAT_TTL_SECONDS } from './constants';
import { defaultCustomerNotificationOptions } from './notifications/customer-notification-options';
import type { ResolvedDriverDispatchOptions, StrategyOption } from './options';
import { DEFAULT_DELIVERY_CODE_POLICY } from './services/delivery-code';
import { DispatchEventLog } from './strategies/dispatch-event-log/dispatch-event-log';
import { InMemoryDispatchEventLog } from './strategies/dispatch-event-log/in-memory-dispatch-event-log';
import { RedisDispatchEventLog } from './strategies/dispatch-event-log/redis-dispatch-event-log';
import { DriverLocationIndex } from './strategies/driver-location-index/driver-location-index';
import { RedisDriverLocationIndex } from './strategies/driver-location-index/redis-driver-location-index';
import { SqlDriverLocationIndex } from './strategies/driver-location-index/sql-driver-location-index';
import { defaultDeliveryWebhookOptions } from './webhooks/webhook-options';

/*
 * The defaults of the DriverDispatchPlugin's options (options.ts describes them), the default
 * strategies they make, and the checks `DriverDispatchPlugin.init` runs on them.
 */

/** The strategy an option names: the option itself, or what its function makes. */
export function resolveStrategy<T extends object>(
    option: StrategyOption<T>,
    options: ResolvedDriverDispatchOptions,
): T {
    return typeof option === 'function' ? option(options) : option;
}

/** Why the dispatch-mode and alert options cannot work, or undefined when they can. */
export function dispatchModeProblem(options: ResolvedDriverDispatchOptions): string | undefined {
    if (options.dispatchMode !== 'nearest' && options.dispatchMode !== 'batch') {
        return `dispatchMode must be 'nearest' or 'batch', not '${String(options.dispatchMode)}'`;
    }
    const positive: Array<[string, number]> = [
        ['batchWindowMs', options.batchWindowMs],
        ['batchNearestDrivers', options.batchNearestDrivers],
    ];
    const positiveTimes: Array<[string, number]> = [
        ['pendingAlertAfterSeconds', options.pendingAlertAfterSeconds],
        ['deliveryAlertAfterMinutes', options.deliveryAlertAfterMinutes],
        ['deliveryTargetMinutes', options.deliveryTargetMinutes],
    ];
    positive.push(...positiveTimes);
    const notNegative: Array<[string, number]> = [
        ['batchStarvationSeconds', options.batchStarvationSeconds],
        ['batchSolveBudgetMs', options.batchSolveBudgetMs],
        ['batchRegionCellKm', options.batchRegionCellKm],
    ];
    for (const [name, value] of positive) {
        if (!Number.isFinite(value) || value <= 0) return `${name} must be a positive number`;
    }
    for (const [name, value] of notNegative) {
        if (!Number.isFinite(value) || value < 0) return `${name} must be a number of 0 or more`;
    }
    return undefined;
}

/**
 * Where `npm run build` puts the driver web app, seen from this file: compiled, the plugin lives in
 * `dist/plugins/driver-dispatch` next to `dist/driver-app`; run from source, in
 * `plugins/driver-dispatch` below the project's `dist/`. The first that holds a built app wins.
 */
export function defaultDriverAppDir(pluginDir: string = __dirname): string {
    const candidates = [
        path.resolve(pluginDir, '../../driver-app'),
        path.resolve(pluginDir, '../../dist/driver-app'),
    ];
    return candidates.find(dir => existsSync(path.join(dir, 'index.html'))) ?? candidates[0];
}

/** The default `driverLocationIndex`: Redis GEO with `redisUrl`, else SQL over the Driver table. */
export function defaultDriverLocationIndex(options: ResolvedDriverDispatchOptions): DriverLocationIndex {
    return options.redisUrl
        ? new RedisDriverLocationIndex({
              redisUrl: options.redisUrl,
              namespace: `${options.redisKeyPrefix}:drivers`,
              heartbeatTtlSeconds: HEARTBEAT_TTL_SECONDS,
          })
        : new SqlDriverLocationIndex({ heartbeatTtlSeconds: HEARTBEAT_TTL_SECONDS });
}

/** The default `dispatchEventLog`: a Redis Stream with `redisUrl`, else this process's memory. */
export function defaultDispatchEventLog(options: ResolvedDriverDispatchOptions): DispatchEventLog {
    return options.redisUrl
        ? new RedisDispatchEventLog({
              redisUrl: options.redisUrl,
              retention: options.liveEventRetention,
              key: `${options.redisKeyPrefix}:dispatch:events`,
          })
        : new InMemoryDispatchEventLog(options.liveEventRetention);
}

export const defaultDriverDispatchOptions: ResolvedDriverDispatchOptions = {
    redisUrl: undefined,
    redisKeyPrefix: DEFAULT_REDIS_KEY_PREFIX,
    driverLocationIndex: defaultDriverLocationIndex,
    dispatchEventLog: defaultDispatchEventLog,
    maxSearchRadiusKm: 100,
    dispatchMode: 'nearest',
    batchWindowMs: 2000,
    batchStarvationSeconds: 60,
    batchNearestDrivers: 8,
    batchSolveBudgetMs: 100,
    batchRegionCellKm: 0,
    sweepSchedule: DEFAULT_SWEEP_SCHEDULE,
    pendingAlertAfterSeconds: 120,
    deliveryAlertAfterMinutes: 45,
    deliveryTargetMinutes: 30,
    demoFleet: false,
    requireDeliveryCode: true,
    deliveryCode: DEFAULT_DELIVERY_CODE_POLICY,
    liveStreamsPerSession: 5,
    etaSpeedKmh: 20,
    etaPickupBufferMinutes: 5,
    liveEventRetention: 10000,
    liveEventKeepAliveMs: 15000,
    liveEventSessionCheckMs: 5000,
    driverChannelAuthTimeoutMs: 5000,
    pingFlushIntervalMs: 10,
    locationPingLimit: { points: 10, durationSeconds: 10 },
    appDir: undefined,
    publicBaseUrl: undefined,
    customerNotifications: defaultCustomerNotificationOptions,
    tracking: {},
    webhooks: defaultDeliveryWebhookOptions,
};
