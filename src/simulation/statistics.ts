/** Percentile by linear interpolation between closest ranks (as numpy's default); NaN-free: 0 for no data. */
export function percentile(values: readonly number[], p: number): number {
    if (p < 0 || p > 100) throw new RangeError(`A percentile is between 0 and 100, got ${p}`);
    if (!values.length) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p / 100) * (sorted.length - 1);
    const lower = Math.floor(rank);
    const upper = Math.ceil(rank);
    return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
}

export function mean(values: readonly number[]): number {
    return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
}

/** Rounded for a report: `digits` decimals. */
export function round(value: number, digits = 0): number {
    const factor = 10 ** digits;
    return Math.round(value * factor) / factor;
}
