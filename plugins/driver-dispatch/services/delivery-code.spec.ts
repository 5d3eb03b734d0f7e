import {
    checkDeliveryCode,
    DELIVERY_CODE_LOCK_MS,
    DELIVERY_CODE_MAX_FAILURES,
    DeliveryCodeState,
    generateDeliveryCode,
} from './delivery-code';

const now = new Date('2026-11-27T10:00:00Z');
const fresh: DeliveryCodeState = { code: '0427', failures: 0, lockedUntil: null };

describe('delivery codes', () => {
    it('are four digits, leading zeros kept, and vary', () => {
        const codes = Array.from({ length: 200 }, generateDeliveryCode);
        for (const code of codes) expect(code).toMatch(/^\d{4}$/);
        expect(new Set(codes).size).toBeGreaterThan(150);
    });

    it('accept the right code, also with surrounding spaces, and reset the count', () => {
        const result = checkDeliveryCode({ ...fresh, failures: 3 }, ' 0427 ', now);
        expect(result).toMatchObject({ accepted: true, next: { failures: 0, lockedUntil: null } });
    });

    it('count wrong or missing codes and say how many tries are left', () => {
        const wrong = checkDeliveryCode(fresh, '427', now);
        expect(wrong).toMatchObject({ accepted: false, attemptsLeft: 4, next: { failures: 1 } });
        if (!wrong.accepted) expect(wrong.message).toMatch(/wrong.*4 tries left/);
        const missing = checkDeliveryCode(wrong.next, undefined, now);
        expect(missing).toMatchObject({ accepted: false, attemptsLeft: 3, next: { failures: 2 } });
        if (!missing.accepted) expect(missing.message).toMatch(/missing/);
    });

    it('lock after the fifth wrong code, refuse even the right one while locked, and unlock after 15 minutes', () => {
        let state = fresh;
        for (let i = 0; i < DELIVERY_CODE_MAX_FAILURES; i++) {
            const result = checkDeliveryCode(state, '9999', now);
            expect(result.accepted).toBe(false);
            state = result.next;
        }
        expect(state.lockedUntil?.getTime()).toBe(now.getTime() + DELIVERY_CODE_LOCK_MS);
        const whileLocked = checkDeliveryCode(
            state,
            '0427',
            new Date(now.getTime() + DELIVERY_CODE_LOCK_MS - 1),
        );
        expect(whileLocked).toMatchObject({ accepted: false, attemptsLeft: 0 });
        if (!whileLocked.accepted) expect(whileLocked.message).toMatch(/locked until/);
        const afterwards = checkDeliveryCode(state, '0427', new Date(now.getTime() + DELIVERY_CODE_LOCK_MS));
        expect(afterwards).toMatchObject({ accepted: true, next: { failures: 0, lockedUntil: null } });
        const wrongAfterwards = checkDeliveryCode(
            state,
            '1111',
            new Date(now.getTime() + DELIVERY_CODE_LOCK_MS),
        );
        expect(wrongAfterwards).toMatchObject({ accepted: false, attemptsLeft: 4 });
    });

    it('never accept when the delivery has no code', () => {
        expect(checkDeliveryCode({ ...fresh, code: null }, '', now).accepted).toBe(false);
    });
});
