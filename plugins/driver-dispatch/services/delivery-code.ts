import { randomInt, timingSafeEqual } from 'node:crypto';

/** Digits of a delivery code: short enough to read out at the door. */
export const DELIVERY_CODE_LENGTH = 4;
/** Wrong codes in a row that lock the delivery against further tries. */
export const DELIVERY_CODE_MAX_FAILURES = 5;
/** How long a delivery stays locked after the last allowed wrong code. */
export const DELIVERY_CODE_LOCK_MS = 15 * 60_000;

/** A fresh one-time code, uniformly random (not Math.random). */
export function generateDeliveryCode(): string {
    return String(randomInt(0, 10 ** DELIVERY_CODE_LENGTH)).padStart(DELIVERY_CODE_LENGTH, '0');
}

/** The code's state as stored on the assignment. */
export interface DeliveryCodeState {
    code: string | null;
    failures: number;
    lockedUntil: Date | null;
}

export type DeliveryCodeCheck =
    | { accepted: true; next: DeliveryCodeState }
    | { accepted: false; next: DeliveryCodeState; attemptsLeft: number; message: string };

/**
 * Checks a code a driver entered. A right code is accepted (unless the delivery is locked); a wrong
 * one counts, and the fifth wrong one in a row locks the delivery for 15 minutes, after which the
 * count starts again. Pure: the caller stores `next`.
 */
export function checkDeliveryCode(
    state: DeliveryCodeState,
    given: string | null | undefined,
    now: Date,
): DeliveryCodeCheck {
    const lockExpired = state.lockedUntil != null && state.lockedUntil.getTime() <= now.getTime();
    const current: DeliveryCodeState = lockExpired ? { ...state, failures: 0, lockedUntil: null } : state;
    if (current.lockedUntil != null) {
        return {
            accepted: false,
            next: current,
            attemptsLeft: 0,
            message: `Too many wrong delivery codes: this delivery is locked until ${current.lockedUntil.toISOString()}. Ask dispatch to confirm it, or try again then.`,
        };
    }
    if (given != null && current.code != null && codesMatch(current.code, given.trim())) {
        return { accepted: true, next: { ...current, failures: 0, lockedUntil: null } };
    }
    const failures = current.failures + 1;
    const attemptsLeft = Math.max(0, DELIVERY_CODE_MAX_FAILURES - failures);
    const lockedUntil = attemptsLeft === 0 ? new Date(now.getTime() + DELIVERY_CODE_LOCK_MS) : null;
    const what =
        given == null || given.trim() === '' ? 'The delivery code is missing' : 'The delivery code is wrong';
    return {
        accepted: false,
        next: { ...current, failures, lockedUntil },
        attemptsLeft,
        message: lockedUntil
            ? `${what}. That was the last try: the delivery is locked until ${lockedUntil.toISOString()}; dispatch can confirm it without the code.`
            : `${what}: ask the customer for the ${DELIVERY_CODE_LENGTH}-digit code shown with their order (${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left).`,
    };
}

function codesMatch(expected: string, given: string): boolean {
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
}
