/** The figures the dispatch-quality bench reports per mode, and their medians over seeds. */
import { mean, percentile } from '../../src/simulation/statistics';
import { ReplayResult } from './replay';

export interface ModeMetrics {
    deliveries: number;
    pickupKmMean: number;
    pickupKmP95: number;
    /** Ready → a driver assigned, in seconds. */
    waitSecondsMean: number;
    waitSecondsP95: number;
    /** Share of orders delivered within 30 minutes of checkout. */
    within30MinutesShare: number;
    driverKmPerDelivery: number;
}

/** Pickup distances (km) and waits for a driver (s), one per delivery, for the charts. */
export interface Distributions {
    pickupKm: number[];
    waitSeconds: number[];
}

export const ON_TIME_MS = 30 * 60_000;

export function distributions(result: ReplayResult): Distributions {
    return {
        pickupKm: result.deliveries.map(delivery => delivery.pickupKm),
        waitSeconds: result.deliveries.map(delivery => (delivery.assignedAtMs - delivery.readyAtMs) / 1000),
    };
}

export function modeMetrics(result: ReplayResult): ModeMetrics {
    const { pickupKm, waitSeconds } = distributions(result);
    const count = result.deliveries.length;
    const onTime = result.deliveries.filter(
        delivery => delivery.deliveredAtMs - delivery.placedAtMs <= ON_TIME_MS,
    ).length;
    return {
        deliveries: count,
        pickupKmMean: mean(pickupKm),
        pickupKmP95: percentile(pickupKm, 95),
        waitSecondsMean: mean(waitSeconds),
        waitSecondsP95: percentile(waitSeconds, 95),
        within30MinutesShare: count ? onTime / count : 0,
        driverKmPerDelivery: count ? result.driverKm / count : 0,
    };
}

/** Each figure's median over the runs (seeds). */
export function medianMetrics(runs: readonly ModeMetrics[]): ModeMetrics {
    const median = (pick: (metrics: ModeMetrics) => number) => percentile(runs.map(pick), 50);
    return {
        deliveries: median(run => run.deliveries),
        pickupKmMean: median(run => run.pickupKmMean),
        pickupKmP95: median(run => run.pickupKmP95),
        waitSecondsMean: median(run => run.waitSecondsMean),
        waitSecondsP95: median(run => run.waitSecondsP95),
        within30MinutesShare: median(run => run.within30MinutesShare),
        driverKmPerDelivery: median(run => run.driverKmPerDelivery),
    };
}

export interface TargetVerdict {
    met: boolean;
    /** 1 − batch / nearest mean pickup km (0.1 = batch 10 % lower). */
    pickupReduction: number;
    /** Batch p95 wait − (nearest p95 wait + the window), in seconds; ≤ 0 passes. */
    waitExcessSeconds: number;
    pickupMet: boolean;
    waitMet: boolean;
}

/** The target at peak: ≥ 10 % lower mean pickup, p95 wait ≤ nearest's + the window. */
export function targetVerdict(nearest: ModeMetrics, batch: ModeMetrics, windowMs: number): TargetVerdict {
    const pickupReduction = nearest.pickupKmMean ? 1 - batch.pickupKmMean / nearest.pickupKmMean : 0;
    const waitExcessSeconds = batch.waitSecondsP95 - (nearest.waitSecondsP95 + windowMs / 1000);
    const pickupMet = pickupReduction >= 0.1;
    const waitMet = waitExcessSeconds <= 0;
    return { met: pickupMet && waitMet, pickupReduction, waitExcessSeconds, pickupMet, waitMet };
}
