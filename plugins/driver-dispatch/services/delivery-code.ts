import { randomInt, timingSafeEqual } from 'node:crypto';

/** How delivery codes are made and how many wrong ones are tolerated (plugin option `deliveryCode`). */
export interface DeliveryCodePolicy {
    /** Digits of a code (4 to 8): short enough to read out at the door. */
    length: number;
    /** Wrong codes in a row on one delivery that lock it. */
    maxAttempts: number;
    /**
     * Wrong codes in a row by one driver, over all their deliveries, that lock the driver: a driver
     * cannot spread guesses over many deliveries.
     */
    maxAttemptsPerDriver: number;
    /** How long a lock lasts, in minutes. */
    lockMinutes: number;
}

export const DEFAULT_DELIVERY_CODE_POLICY: DeliveryCodePolicy = {
    length: 6,
    maxAttempts: 5,
    maxAttemptsPerDriver: 10,
    lockMinutes: 15,
};

/** What is wrong with a policy, or undefined: checked once, when the plugin starts. */
export function deliveryCodePolicyProblem(policy: DeliveryCodePolicy): string | undefined {
    const { length, maxAttempts, maxAttemptsPerDriver, lockMinutes } = policy;
    if (!Number.isInteger(length) || length < 4 || length > 8) return 'deliveryCode.length must be 4 to 8';
    for (const [name, value] of Object.entries({ maxAttempts, maxAttemptsPerDriver, lockMinutes })) {
        if (!Number.isInteger(value) || value < 1)
            return `deliveryCode.${name} must be a whole number from 1`;
    }
    return undefined;
}

/** Letters and digits a person reads out without confusing them (Crockford's base 32). */
const REFERENCE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A delivery's reference for drivers and store staff: 8 random characters in two groups (40 bits),
 * unrelated to the order code or any id.
 */
export function generateDeliveryReference(): string {
    const characters = Array.from(
        { length: 8 },
        () => REFERENCE_ALPHABET[randomInt(0, REFERENCE_ALPHABET.length)],
    );
    return `${characters.slice(0, 4).join('')}-${characters.slice(4).join('')}`;
}

/** A fresh one-time code, uniformly random (not Math.random). */
export function generateDeliveryCode(length: number = DEFAULT_DELIVERY_CODE_POLICY.length): string {
    return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** Wrong codes in a row and the lock they led to, as stored on the delivery and on the driver. */
export interface CodeAttempts {
    failures: number;
    lockedUntil: Date | null;
}

export type DeliveryCodeCheck =
    | { accepted: true; delivery: CodeAttempts; driver: CodeAttempts }
    | {
          accepted: false;
          delivery: CodeAttempts;
          driver: CodeAttempts;
          attemptsLeft: number;
          message: string;
      };

/**
 * Checks a code a driver entered against the delivery's `code`. A right code is accepted unless
 * the delivery or the driver is locked; a wrong one counts on both, and the last allowed wrong one
 * locks the delivery (`maxAttempts`) or the driver (`maxAttemptsPerDriver`) for `lockMinutes`,
 * after which the count starts again. Pure: the caller stores `delivery` and `driver`.
 */
export function checkDeliveryCode(
    code: string | null,
    attempts: { delivery: CodeAttempts; driver: CodeAttempts },
    given: string | null | undefined,
    now: Date,
    policy: DeliveryCodePolicy = DEFAULT_DELIVERY_CODE_POLICY,
): DeliveryCodeCheck {
    const delivery = unlockIfExpired(attempts.delivery, now);
    const driver = unlockIfExpired(attempts.driver, now);
    if (delivery.lockedUntil != null || driver.lockedUntil != null) {
        const message =
            delivery.lockedUntil != null
                ? `Too many wrong delivery codes: this delivery is locked until ${delivery.lockedUntil.toISOString()}. Ask dispatch to confirm it, or try again then.`
                : `Too many wrong delivery codes from you: you cannot confirm deliveries until ${driver.lockedUntil?.toISOString() ?? ''}. Ask dispatch to confirm this one.`;
        return { accepted: false, delivery, driver, attemptsLeft: 0, message };
    }
    if (given != null && code != null && codesMatch(code, given.trim())) {
        const reset = { failures: 0, lockedUntil: null };
        return { accepted: true, delivery: reset, driver: reset };
    }
    const lockUntil = new Date(now.getTime() + policy.lockMinutes * 60_000);
    const count = (state: CodeAttempts, max: number): CodeAttempts => {
        const failures = state.failures + 1;
        return { failures, lockedUntil: failures >= max ? lockUntil : null };
    };
    const nextDelivery = count(delivery, policy.maxAttempts);
    const nextDriver = count(driver, policy.maxAttemptsPerDriver);
    const attemptsLeft = Math.max(
        0,
        Math.min(
            policy.maxAttempts - nextDelivery.failures,
            policy.maxAttemptsPerDriver - nextDriver.failures,
        ),
    );
    const what =
        given == null || given.trim() === '' ? 'The delivery code is missing' : 'The delivery code is wrong';
    const message =
        nextDelivery.lockedUntil != null
            ? `${what}. That was the last try: the delivery is locked until ${lockUntil.toISOString()}; dispatch can confirm it without the code.`
            : nextDriver.lockedUntil != null
              ? `${what}. That was your last try: you cannot confirm deliveries until ${lockUntil.toISOString()}; dispatch can confirm this one without the code.`
              : `${what}: ask the customer for the ${policy.length}-digit code shown with their order (${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left).`;
    return { accepted: false, delivery: nextDelivery, driver: nextDriver, attemptsLeft, message };
}

function unlockIfExpired(state: CodeAttempts, now: Date): CodeAttempts {
    const expired = state.lockedUntil != null && state.lockedUntil.getTime() <= now.getTime();
    return expired ? { failures: 0, lockedUntil: null } : state;
}

function codesMatch(expected: string, given: string): boolean {
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
}
