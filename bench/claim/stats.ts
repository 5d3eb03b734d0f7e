/** Medians over rounds of what each round measured. */
import { percentile } from '../../src/simulation/statistics';

export function median(values: readonly number[]): number {
    return percentile(values, 50);
}

/** The median of `pick` over the rounds. */
export function medianOf<T>(rounds: readonly T[], pick: (round: T) => number): number {
    return median(rounds.map(pick));
}
