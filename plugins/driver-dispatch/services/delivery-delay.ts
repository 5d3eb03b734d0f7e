import { DeliveryDelayStage, DeliveryStatus, OPEN_WITH_DRIVER } from '../types';

/** The alert thresholds of {@link DriverDispatchPluginOptions}. */
export interface DelayThresholds {
    pendingAlertAfterSeconds: number;
    deliveryAlertAfterMinutes: number;
}

/** What the delay of a delivery is computed from (a DeliveryAssignment has all of it). */
export interface DelayFacts {
    status: DeliveryStatus;
    createdAt: Date;
    assignedAt: Date | null;
    waitingForDriverDelayedAt: Date | null;
    outForDeliveryDelayedAt: Date | null;
}

/** The stage an open delivery is in; null once it is DELIVERED, FAILED or CANCELLED. */
export function delayStageOf(status: DeliveryStatus): DeliveryDelayStage | null {
    if (status === DeliveryStatus.PENDING) return DeliveryDelayStage.WAITING_FOR_DRIVER;
    if (OPEN_WITH_DRIVER.includes(status)) return DeliveryDelayStage.OUT_FOR_DELIVERY;
    return null;
}

/**
 * When the delivery's current stage counts as delayed: its clock start (marked ready while
 * waiting for a driver, assigned while out for delivery) plus the stage's threshold. Null for a
 * finished delivery.
 */
export function delayedAfter(facts: DelayFacts, thresholds: DelayThresholds): Date | null {
    const stage = delayStageOf(facts.status);
    if (stage === DeliveryDelayStage.WAITING_FOR_DRIVER) {
        return new Date(facts.createdAt.getTime() + thresholds.pendingAlertAfterSeconds * 1000);
    }
    if (stage === DeliveryDelayStage.OUT_FOR_DELIVERY && facts.assignedAt) {
        return new Date(facts.assignedAt.getTime() + thresholds.deliveryAlertAfterMinutes * 60_000);
    }
    return null;
}

/**
 * Whether an open delivery is delayed in its current stage: its alert went out (once per stage,
 * so a delivery declined back to PENDING after its alert stays delayed), or its threshold has
 * passed and the next sweep will send it. A finished delivery is never delayed.
 */
export function isDelayed(facts: DelayFacts, thresholds: DelayThresholds, now = new Date()): boolean {
    const stage = delayStageOf(facts.status);
    if (stage === null) return false;
    const alerted =
        stage === DeliveryDelayStage.WAITING_FOR_DRIVER
            ? facts.waitingForDriverDelayedAt
            : facts.outForDeliveryDelayedAt;
    if (alerted) return true;
    const after = delayedAfter(facts, thresholds);
    return after !== null && now.getTime() >= after.getTime();
}

/** The earliest clock starts that are delayed now, per stage (for SQL comparisons). */
export function delayCutoffs(
    thresholds: DelayThresholds,
    now = new Date(),
): { readyBefore: Date; assignedBefore: Date } {
    return {
        readyBefore: new Date(now.getTime() - thresholds.pendingAlertAfterSeconds * 1000),
        assignedBefore: new Date(now.getTime() - thresholds.deliveryAlertAfterMinutes * 60_000),
    };
}
