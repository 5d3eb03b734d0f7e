import {
    checkDeliveryCode,
    CodeAttempts,
    DEFAULT_DELIVERY_CODE_POLICY,
    DeliveryCodePolicy,
    deliveryCodePolicyProblem,
    generateDeliveryCode,
    generateDeliveryReference,
} from './delivery-code';

const now = new Date('2026-11-27T10:00:00Z');
const none: CodeAttempts = { failures: 0, lockedUntil: null };
const fresh = { delivery: none, driver: none };
const lockMs = DEFAULT_DELIVERY_CODE_POLICY.lockMinutes * 60_000;

describe('delivery codes', () => {
    it('are six digits by default, leading zeros kept, and vary', () => {
        const codes = Array.from({ length: 200 }, () => generateDeliveryCode());
        for (const code of codes) expect(code).toMatch(/^\d{6}$/);
        expect(new Set(codes).size).toBeGreaterThan(190);
        expect(generateDeliveryCode(4)).toMatch(/^\d{4}$/);
    });

    it('accept the right code, also with surrounding spaces, and reset both counts', () => {
        const result = checkDeliveryCode(
            '042713',
            { delivery: { failures: 3, lockedUntil: null }, driver: { failures: 7, lockedUntil: null } },
            ' 042713 ',
            now,
        );
        expect(result).toMatchObject({ accepted: true, delivery: none, driver: none });
    });

    it('count wrong or missing codes on the delivery and the driver, and say how many tries are left', () => {
        const wrong = checkDeliveryCode('042713', fresh, '42713', now);
        expect(wrong).toMatchObject({
            accepted: false,
            attemptsLeft: 4,
            delivery: { failures: 1 },
            driver: { failures: 1 },
        });
        if (!wrong.accepted) expect(wrong.message).toMatch(/wrong.*6-digit.*4 tries left/);
        const missing = checkDeliveryCode('042713', wrong, undefined, now);
        expect(missing).toMatchObject({ accepted: false, attemptsLeft: 3, delivery: { failures: 2 } });
        if (!missing.accepted) expect(missing.message).toMatch(/missing/);
    });

    it('lock the delivery after the last allowed wrong code, refuse even the right one while locked, and unlock later', () => {
        let state = fresh;
        for (let i = 0; i < DEFAULT_DELIVERY_CODE_POLICY.maxAttempts; i++) {
            const result = checkDeliveryCode('042713', state, '999999', now);
            expect(result.accepted).toBe(false);
            state = result;
        }
        expect(state.delivery.lockedUntil?.getTime()).toBe(now.getTime() + lockMs);
        const whileLocked = checkDeliveryCode(
            '042713',
            state,
            '042713',
            new Date(now.getTime() + lockMs - 1),
        );
        expect(whileLocked).toMatchObject({ accepted: false, attemptsLeft: 0 });
        if (!whileLocked.accepted) expect(whileLocked.message).toMatch(/this delivery is locked until/);
        const afterwards = checkDeliveryCode('042713', state, '042713', new Date(now.getTime() + lockMs));
        expect(afterwards).toMatchObject({ accepted: true, delivery: none });
    });

    it('lock the driver after too many wrong codes over several deliveries, whatever delivery they try next', () => {
        const policy: DeliveryCodePolicy = { ...DEFAULT_DELIVERY_CODE_POLICY, maxAttemptsPerDriver: 6 };
        let driver = none;
        // Three wrong codes on each of two deliveries: no delivery is locked, the driver is.
        for (let i = 0; i < 6; i++) {
            const delivery = { failures: i % 3, lockedUntil: null };
            const result = checkDeliveryCode('042713', { delivery, driver }, '111111', now, policy);
            driver = result.driver;
            expect(result.delivery.lockedUntil).toBeNull();
        }
        expect(driver.lockedUntil?.getTime()).toBe(now.getTime() + lockMs);
        const onAThird = checkDeliveryCode('777777', { delivery: none, driver }, '777777', now, policy);
        expect(onAThird).toMatchObject({ accepted: false, attemptsLeft: 0, delivery: none });
        if (!onAThird.accepted) expect(onAThird.message).toMatch(/from you/);
    });

    it('never accept when the delivery has no code', () => {
        expect(checkDeliveryCode(null, fresh, '', now).accepted).toBe(false);
    });

    it('refuse a policy outside its bounds', () => {
        expect(deliveryCodePolicyProblem(DEFAULT_DELIVERY_CODE_POLICY)).toBeUndefined();
        expect(deliveryCodePolicyProblem({ ...DEFAULT_DELIVERY_CODE_POLICY, length: 3 })).toMatch(/4 to 8/);
        expect(deliveryCodePolicyProblem({ ...DEFAULT_DELIVERY_CODE_POLICY, maxAttempts: 0 })).toMatch(
            /maxAttempts/,
        );
    });
});

describe('delivery references', () => {
    it('are two groups of four readable characters, and vary', () => {
        const references = Array.from({ length: 200 }, generateDeliveryReference);
        for (const reference of references)
            expect(reference).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
        expect(new Set(references).size).toBe(200);
    });
});
