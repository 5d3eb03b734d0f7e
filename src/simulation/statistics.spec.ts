import { mean, percentile, round } from './statistics';

describe('percentile', () => {
    it('interpolates between closest ranks (numpy linear: p50 of 1..4 is 2.5, p95 of 1..100 is 95.05)', () => {
        expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
        const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
        expect(percentile(hundred, 95)).toBeCloseTo(95.05, 10);
        expect(percentile(hundred, 99)).toBeCloseTo(99.01, 10);
        expect(percentile(hundred, 0)).toBe(1);
        expect(percentile(hundred, 100)).toBe(100);
    });

    it('is the value itself for one value, and 0 for none', () => {
        expect(percentile([7], 99)).toBe(7);
        expect(percentile([], 50)).toBe(0);
    });

    it('does not reorder its input', () => {
        const values = [3, 1, 2];
        percentile(values, 50);
        expect(values).toEqual([3, 1, 2]);
    });

    it('refuses a percentile outside 0..100', () => {
        expect(() => percentile([1], 101)).toThrow(RangeError);
    });
});

describe('mean and round', () => {
    it('averages, 0 for none', () => {
        expect(mean([1, 2, 3, 4])).toBe(2.5);
        expect(mean([])).toBe(0);
    });

    it('rounds to the given decimals', () => {
        expect(round(1.23456, 3)).toBe(1.235);
        expect(round(1234.5)).toBe(1235);
    });
});
