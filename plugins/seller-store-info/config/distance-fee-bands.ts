/**
 * The arguments of the `distance-delivery-fee` calculator as staff write them, checked, and the fee
 * they give for a distance. Pure: the interceptor refuses bad arguments when a shipping method is
 * saved, the calculator reads the same way (and prices nothing when a stored value is bad).
 */

/** One distance band: deliveries up to `upToKm` (and beyond the previous band) cost `price`. */
export interface DistanceFeeBand {
    upToKm: number;
    /** Minor units of the channel's currency (299 = 2.99). */
    price: number;
}

/** What staff may save: bounded, so a shipping method row and every price lookup stay small. */
export const DISTANCE_FEE_LIMITS = {
    /** Characters of the `bands` argument. */
    bandsText: 2000,
    bands: 20,
    upToKm: 1000,
    /** Vendure's Money columns are PostgreSQL integers. */
    price: 2_147_483_647,
} as const;

export const DISTANCE_FEE_BANDS_EXAMPLE =
    '[{"upToKm":2,"price":299},{"upToKm":4,"price":399},{"upToKm":5,"price":499}]';

/** The argument values as Vendure's ConfigArgInput carries them (all strings). */
export interface ConfigArgumentInput {
    name: string;
    value: string;
}

export type BandsReading = { bands: DistanceFeeBand[]; problem?: undefined } | { problem: string };

/**
 * Reads the `bands` argument: a JSON list of `{ upToKm, price }`, by ascending `upToKm`, prices
 * whole minor units of 0 or more, the last band reaching at least `radiusKm` (the delivery radius:
 * every deliverable distance has a price). Bands beyond the radius are accepted (never reached while
 * the radius stands). The problem, when there is one, is a sentence staff can act on.
 */
export function readDistanceFeeBands(text: string, radiusKm: number): BandsReading {
    const problem = (what: string) => ({ problem: `bands: ${what}` });
    if (text.length > DISTANCE_FEE_LIMITS.bandsText) {
        return problem(`too long, at most ${DISTANCE_FEE_LIMITS.bandsText} characters (got ${text.length})`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return problem(`not valid JSON; write a list such as ${DISTANCE_FEE_BANDS_EXAMPLE}`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) {
        return problem(`give a non-empty JSON list such as ${DISTANCE_FEE_BANDS_EXAMPLE}`);
    }
    if (parsed.length > DISTANCE_FEE_LIMITS.bands) {
        return problem(`at most ${DISTANCE_FEE_LIMITS.bands} bands (got ${parsed.length})`);
    }
    const bands: DistanceFeeBand[] = [];
    for (const [index, entry] of parsed.entries()) {
        const which = `band ${index + 1}`;
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
            return problem(`${which} is not an object like {"upToKm":2,"price":299}`);
        }
        const keys = Object.keys(entry as object);
        const unknown = keys.find(key => key !== 'upToKm' && key !== 'price');
        if (unknown !== undefined) {
            return problem(`${which} has "${unknown.slice(0, 20)}": a band has only upToKm and price`);
        }
        const { upToKm, price } = entry as { upToKm?: unknown; price?: unknown };
        if (typeof upToKm !== 'number' || !(upToKm > 0) || upToKm > DISTANCE_FEE_LIMITS.upToKm) {
            return problem(
                `${which} needs upToKm, a number of km above 0 and at most ${DISTANCE_FEE_LIMITS.upToKm}`,
            );
        }
        if (typeof price !== 'number' || !Number.isInteger(price)) {
            return problem(`${which} needs price, a whole number of minor units (299 = 2.99)`);
        }
        if (price < 0) return problem(`${which} has a negative price (${price}): 0 or more`);
        if (price > DISTANCE_FEE_LIMITS.price) {
            return problem(`${which} has a price above ${DISTANCE_FEE_LIMITS.price}`);
        }
        const previous = bands[bands.length - 1];
        if (previous && upToKm <= previous.upToKm) {
            return problem(
                `${which} (upToKm ${upToKm}) must reach farther than band ${index} (upToKm ${previous.upToKm}): list the bands by ascending upToKm`,
            );
        }
        bands.push({ upToKm, price });
    }
    const last = bands[bands.length - 1];
    if (last.upToKm < radiusKm) {
        return problem(
            `the last band reaches ${last.upToKm} km, short of the delivery radius (${radiusKm} km): add a band up to ${radiusKm} km`,
        );
    }
    return { bands };
}

/**
 * The fee for a distance: the first band that reaches it. A distance beyond the last band (only
 * when the delivery radius was raised after the bands were saved) pays the last band.
 */
export function bandPrice(bands: DistanceFeeBand[], distanceKm: number): number {
    const band = bands.find(candidate => distanceKm <= candidate.upToKm) ?? bands[bands.length - 1];
    return band.price;
}

/** Free delivery applies when a threshold is set (above 0) and the subtotal reaches it. */
export function isFreeDelivery(threshold: number, subtotal: number): boolean {
    return threshold > 0 && subtotal >= threshold;
}

/**
 * What is wrong with the calculator's arguments as a mutation sends them, or undefined. Arguments
 * not sent take their defaults (Vendure's behaviour), so only those given are checked.
 */
export function distanceFeeArgumentsProblem(
    args: ConfigArgumentInput[],
    radiusKm: number,
): string | undefined {
    const value = (name: string) => args.find(arg => arg.name === name)?.value;
    const bands = value('bands');
    if (bands !== undefined) {
        const reading = readDistanceFeeBands(bands, radiusKm);
        if (reading.problem !== undefined) return reading.problem;
    }
    const threshold = value('freeDeliveryThreshold');
    if (threshold !== undefined && !isWholeNumber(threshold, DISTANCE_FEE_LIMITS.price)) {
        return 'freeDeliveryThreshold: a whole number of minor units, 0 (no free delivery) or more';
    }
    const taxRate = value('taxRate');
    if (taxRate !== undefined && !isPercentage(taxRate)) {
        return 'taxRate: a percentage from 0 to 100';
    }
    const includesTax = value('includesTax');
    if (includesTax !== undefined && !['include', 'exclude', 'auto'].includes(includesTax)) {
        return 'includesTax: one of include, exclude, auto';
    }
    const taxInclusive = value('freeDeliveryThresholdTaxInclusive');
    if (taxInclusive !== undefined && !['true', 'false'].includes(taxInclusive)) {
        return 'freeDeliveryThresholdTaxInclusive: true or false';
    }
    return undefined;
}

function isWholeNumber(text: string, max: number): boolean {
    return /^\d{1,10}$/.test(text.trim()) && Number(text) <= max;
}

function isPercentage(text: string): boolean {
    if (!/^\d{1,3}(\.\d{1,4})?$/.test(text.trim())) return false;
    const rate = Number(text);
    return rate >= 0 && rate <= 100;
}
