import { UserInputError } from '@vendure/core';

import { bucketStart, checkInsightsInput, fillBuckets } from './delivery-insights';

const at = (iso: string) => new Date(iso);

describe('delivery insights input', () => {
    it('defaults to hourly buckets', () => {
        const checked = checkInsightsInput({
            from: at('2026-12-01T00:00:00Z'),
            to: at('2026-12-02T00:00:00Z'),
        });
        expect(checked.bucket).toBe('HOUR');
    });

    it('takes exactly 31 days and refuses a minute more, saying what to do', () => {
        const from = at('2026-11-01T00:00:00Z');
        expect(() => checkInsightsInput({ from, to: at('2026-12-02T00:00:00Z') })).not.toThrow();
        expect(() => checkInsightsInput({ from, to: at('2026-12-02T00:01:00Z') })).toThrow(UserInputError);
        expect(() => checkInsightsInput({ from, to: at('2026-12-02T00:01:00Z') })).toThrow(/at most 31 days/);
    });

    it('refuses an empty or reversed period', () => {
        const moment = at('2026-12-01T00:00:00Z');
        expect(() => checkInsightsInput({ from: moment, to: moment })).toThrow(/must be before/);
        expect(() => checkInsightsInput({ from: at('2026-12-02T00:00:00Z'), to: moment })).toThrow(
            /must be before/,
        );
    });
});

describe('insight buckets', () => {
    it('starts buckets on the UTC hour and day', () => {
        expect(bucketStart(at('2026-12-01T10:59:59Z'), 'HOUR')).toEqual(at('2026-12-01T10:00:00Z'));
        expect(bucketStart(at('2026-12-01T23:59:59Z'), 'DAY')).toEqual(at('2026-12-01T00:00:00Z'));
    });

    it('fills the buckets without deliveries, in order, from the bucket that holds from', () => {
        const rows = [{ start: at('2026-12-01T11:00:00Z'), ready: 4 }];
        const filled = fillBuckets(
            rows,
            at('2026-12-01T09:30:00Z'),
            at('2026-12-01T12:00:00Z'),
            'HOUR',
            start => ({
                start,
                ready: 0,
            }),
        );
        expect(filled.map(row => [row.start.toISOString(), row.ready])).toEqual([
            ['2026-12-01T09:00:00.000Z', 0],
            ['2026-12-01T10:00:00.000Z', 0],
            ['2026-12-01T11:00:00.000Z', 4],
        ]);
    });
});
