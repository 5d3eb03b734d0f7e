import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { ID, Logger } from '@vendure/core';

import { describeError } from '../../shared/errors';
import { LatLng } from '../../shared/geo';
import { LocationPingRateLimitError } from '../api/thrown-errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { ResolvedDriverDispatchOptions } from '../options';
import { DriverLocationService } from './driver-location.service';
import { countPerDriver, latestPerDriver, QueuedPing, splitByAllowance } from './ping-batch';
import { PingRateLimiter } from './ping-rate-limiter.service';

/** What became of a ping: recorded, refused by the limit, or not recorded (try again). */
export type PingOutcome =
    | { recorded: true }
    | { recorded: false; refusal: LocationPingRateLimitError }
    | { recorded: false; failure: unknown };

interface WaitingPing extends QueuedPing {
    settle: (outcome: PingOutcome) => void;
}

/**
 * Collects the location pings of this process (the driver channel's and `updateDriverLocation`'s)
 * for `pingFlushIntervalMs` and handles them together, so the per-ping cost is only what must be
 * per ping (validation, the caller's authentication). Per flush:
 *
 * 1. the rate limit: one call to the {@link PingRateLimiter} for every driver in the flush (one
 *    Redis script with `redisUrl`, shared by all processes, exact: no ping past the limit is
 *    admitted, whichever process it reached); a refused ping's caller gets the limit's error;
 * 2. the index: the newest admitted ping of each driver, in one call ({@link
 *    DriverLocationService.recordPositions}: one Redis round trip for all drivers);
 * 3. the live map: one `DriverLocationEvent` per driver per flush, with that newest position;
 * 4. the database gets them write-behind, as before.
 *
 * One flush runs at a time; pings that arrive meanwhile wait for the next one, so under load a
 * flush takes what came while the previous one ran. A graceful stop flushes what is pending.
 */
@Injectable()
export class PingBatcher implements BeforeApplicationShutdown {
    private readonly intervalMs: number;
    private queue: WaitingPing[] = [];
    private timer: NodeJS.Timeout | undefined;
    private flushing: Promise<void> | undefined;

    constructor(
        private readonly limiter: PingRateLimiter,
        private readonly locations: DriverLocationService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        options: Pick<ResolvedDriverDispatchOptions, 'pingFlushIntervalMs'>,
    ) {
        this.intervalMs = options.pingFlushIntervalMs;
        if (!Number.isFinite(this.intervalMs) || this.intervalMs < 1 || this.intervalMs > 1000) {
            throw new Error(
                `DriverDispatchPlugin option pingFlushIntervalMs must be a number of ms from 1 to 1000, got ${String(this.intervalMs)}`,
            );
        }
    }

    /** Pings waiting for their flush (tests, benchmarks). */
    get waiting(): number {
        return this.queue.length;
    }

    /**
     * Queues a validated ping of a driver whose login was checked; resolves when its flush is done,
     * with what became of it.
     */
    submit(driverId: ID, position: LatLng, at: Date): Promise<PingOutcome> {
        return new Promise(settle => {
            this.queue.push({
                driverId: String(driverId),
                latitude: position.latitude,
                longitude: position.longitude,
                at,
                settle,
            });
            this.timer ??= setTimeout(() => {
                this.timer = undefined;
                void this.flush();
            }, this.intervalMs);
        });
    }

    /** The pings queued at a graceful stop are recorded, and reach the database before it closes. */
    async beforeApplicationShutdown(): Promise<void> {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        await this.flush();
        await this.locations.flush();
    }

    /** Handles every queued ping now (the timer calls it; tests may too). */
    async flush(): Promise<void> {
        while (this.flushing) await this.flushing;
        if (this.queue.length === 0) return;
        const batch = this.queue;
        this.queue = [];
        this.flushing = this.handle(batch).finally(() => {
            this.flushing = undefined;
        });
        await this.flushing;
    }

    private async handle(batch: WaitingPing[]): Promise<void> {
        // No answer for a driver lets their pings through (the limiter fails open by itself).
        const allowances = await this.limiter.take(countPerDriver(batch)).catch(() => new Map());
        const { admitted, refused } = splitByAllowance(batch, allowances);
        for (const { ping, msBeforeNext } of refused) {
            ping.settle({ recorded: false, refusal: this.limiter.refusal(msBeforeNext) });
        }
        try {
            await this.locations.recordPositions(
                latestPerDriver(admitted).map(ping => ({
                    driverId: ping.driverId,
                    latitude: ping.latitude,
                    longitude: ping.longitude,
                    at: ping.at,
                })),
            );
        } catch (failure) {
            Logger.warn(
                `Could not record ${admitted.length} location pings: ${describeError(failure)}`,
                loggerCtx,
            );
            for (const ping of admitted) ping.settle({ recorded: false, failure });
            return;
        }
        for (const ping of admitted) ping.settle({ recorded: true });
    }
}
