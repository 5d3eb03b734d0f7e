import { createHash } from 'node:crypto';

import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import ipaddr from 'ipaddr.js';

import { embeddedIpv4 } from '../../shared/ip-address';
import { RedisOutageLog } from '../../shared/redis';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { defaultDriverDispatchOptions, DriverDispatchPluginOptions } from '../options';
import { FixedWindowCounters } from '../services/fixed-window-counters';
import { resolveTrackingPageOptions } from './tracking-options';

const WINDOW_MS = 60_000;

/** The answer for one request: let through, or refused until `retryAfterSeconds`. */
export type TrackingAllowance = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The limits of the tracking page: `tracking.requestsPerMinutePerAddress` per client address (an
 * IPv6 client counts by its /64, see {@link clientAddressGroup}), then `tracking.requestsPerMinute`
 * per token (fixed minutes). With `redisUrl` the counters are Redis keys
 * `<redisKeyPrefix>:track-limit:address:<address or /64>` and
 * `<redisKeyPrefix>:track-limit:<hash>` (the SHA-256 of the token, so Redis never holds a working link), shared by every server process;
 * while Redis is unreachable requests pass (logged once per outage): the limit guards against
 * floods, it must not take the page away. Without Redis, this process's memory.
 */
@Injectable()
export class TrackingRateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
    readonly requestsPerMinute: number;
    readonly requestsPerMinutePerAddress: number;
    private readonly counters: FixedWindowCounters;

    constructor(
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        options: Pick<DriverDispatchPluginOptions, 'redisUrl' | 'redisKeyPrefix' | 'tracking'>,
    ) {
        const resolved = resolveTrackingPageOptions(options.tracking);
        this.requestsPerMinute = resolved.requestsPerMinute;
        this.requestsPerMinutePerAddress = resolved.requestsPerMinutePerAddress;
        this.counters = new FixedWindowCounters({
            redisUrl: options.redisUrl,
            keyPrefix: `${options.redisKeyPrefix ?? defaultDriverDispatchOptions.redisKeyPrefix}:track-limit`,
            connectionName: 'driver-dispatch:track-limit',
            points: this.requestsPerMinute,
            windowMs: WINDOW_MS,
            outageLog: new RedisOutageLog(
                'Tracking page limit',
                loggerCtx,
                'letting tracking requests through unlimited until it answers again',
            ),
        });
    }

    /** Where the counters live: `redis` (shared by all processes) or `memory` (this process). */
    get store(): 'redis' | 'memory' {
        return this.counters.store;
    }

    async onApplicationBootstrap(): Promise<void> {
        await this.counters.connect();
    }

    async onApplicationShutdown(): Promise<void> {
        await this.counters.close();
    }

    /**
     * Counts one request of the token (well-formed, looked up or not) against the limits: first
     * the client address's (when known), then the token's.
     */
    async take(token: string, address?: string): Promise<TrackingAllowance> {
        if (address) {
            const addressKey = `address:${clientAddressGroup(address)}`;
            const byAddress = (
                await this.counters.take(new Map([[addressKey, 1]]), this.requestsPerMinutePerAddress)
            ).get(addressKey);
            if (byAddress && byAddress.admitted < 1) return refused(byAddress.msBeforeNext);
        }
        const key = createHash('sha256').update(token).digest('base64url').slice(0, 32);
        const allowance = (await this.counters.take(new Map([[key, 1]]))).get(key);
        return allowance && allowance.admitted < 1 ? refused(allowance.msBeforeNext) : { allowed: true };
    }
}

/**
 * What one client's requests count against: an IPv4 address (also when it arrives IPv4-mapped,
 * `::ffff:a.b.c.d`, or through a NAT64 gateway, `64:ff9b::a.b.c.d`), or the /64 network of an
 * IPv6 address, since one subscriber or one cloud host gets a whole /64 and could otherwise take a
 * fresh address for every request. Anything else counts as itself, cut to 64 characters.
 */
export function clientAddressGroup(address: string): string {
    if (!ipaddr.isValid(address)) return address.slice(0, 64);
    const parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv4') return parsed.toString();
    const ipv4 = embeddedIpv4(address);
    if (ipv4) return ipv4;
    const network = (parsed as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0]);
    return `${new ipaddr.IPv6(network).toString()}/64`;
}

function refused(msLeft: number): TrackingAllowance {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
}
