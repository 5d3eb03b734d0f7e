import { DeliveryDelayStage, DeliveryStatus } from '../types';
import { delayedAfter, DelayFacts, delayStageOf, isDelayed } from './delivery-delay';

const thresholds = { pendingAlertAfterSeconds: 120, deliveryAlertAfterMinutes: 45 };
const ready = new Date('2026-12-03T10:00:00Z');
const at = (iso: string) => new Date(`2026-12-03T${iso}Z`);

function facts(overrides: Partial<DelayFacts>): DelayFacts {
    return {
        status: DeliveryStatus.PENDING,
        createdAt: ready,
        assignedAt: null,
        waitingForDriverDelayedAt: null,
        outForDeliveryDelayedAt: null,
        ...overrides,
    };
}

describe('delivery delays', () => {
    it('names the stage of open deliveries only', () => {
        expect(delayStageOf(DeliveryStatus.PENDING)).toBe(DeliveryDelayStage.WAITING_FOR_DRIVER);
        expect(delayStageOf(DeliveryStatus.ASSIGNED)).toBe(DeliveryDelayStage.OUT_FOR_DELIVERY);
        expect(delayStageOf(DeliveryStatus.PICKED_UP)).toBe(DeliveryDelayStage.OUT_FOR_DELIVERY);
        for (const status of [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED]) {
            expect(delayStageOf(status)).toBeNull();
        }
    });

    it('counts waiting for a driver from readiness, to the second', () => {
        expect(delayedAfter(facts({}), thresholds)).toEqual(at('10:02:00'));
        expect(isDelayed(facts({}), thresholds, at('10:01:59'))).toBe(false);
        expect(isDelayed(facts({}), thresholds, at('10:02:00'))).toBe(true);
    });

    it('counts out for delivery from the assignment, through pickup', () => {
        const assigned = facts({ status: DeliveryStatus.ASSIGNED, assignedAt: at('10:10:00') });
        expect(delayedAfter(assigned, thresholds)).toEqual(at('10:55:00'));
        expect(isDelayed(assigned, thresholds, at('10:54:59'))).toBe(false);
        const pickedUp = { ...assigned, status: DeliveryStatus.PICKED_UP };
        expect(isDelayed(pickedUp, thresholds, at('10:55:00'))).toBe(true);
    });

    it('stays delayed in a stage whose alert went out, and only in that stage', () => {
        const declinedBack = facts({ waitingForDriverDelayedAt: at('10:02:05') });
        // The clock would not say so (e.g. a raised threshold), the alert does.
        expect(isDelayed(declinedBack, { ...thresholds, pendingAlertAfterSeconds: 9999 }, at('10:03'))).toBe(
            true,
        );
        const assigned = { ...declinedBack, status: DeliveryStatus.ASSIGNED, assignedAt: at('10:03:00') };
        expect(isDelayed(assigned, thresholds, at('10:04:00'))).toBe(false);
    });

    it('never flags a finished delivery', () => {
        const delivered = facts({
            status: DeliveryStatus.DELIVERED,
            assignedAt: at('10:01:00'),
            outForDeliveryDelayedAt: at('11:00:00'),
        });
        expect(isDelayed(delivered, thresholds, at('12:00:00'))).toBe(false);
        expect(delayedAfter(delivered, thresholds)).toBeNull();
    });
});
