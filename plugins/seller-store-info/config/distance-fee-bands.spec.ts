import {
    bandPrice,
    DISTANCE_FEE_BANDS_EXAMPLE,
    distanceFeeArgumentsProblem,
    isFreeDelivery,
    readDistanceFeeBands,
} from './distance-fee-bands';

const bandsOf = (text: string, radiusKm = 5) => {
    const reading = readDistanceFeeBands(text, radiusKm);
    if (reading.problem !== undefined) throw new Error(reading.problem);
    return reading.bands;
};
const problemOf = (text: string, radiusKm = 5) => readDistanceFeeBands(text, radiusKm).problem;

describe('readDistanceFeeBands', () => {
    it('reads the example of the README', () => {
        expect(bandsOf(DISTANCE_FEE_BANDS_EXAMPLE)).toEqual([
            { upToKm: 2, price: 299 },
            { upToKm: 4, price: 399 },
            { upToKm: 5, price: 499 },
        ]);
    });

    it('accepts fractional km, a free band and bands beyond the radius', () => {
        expect(bandsOf('[{"upToKm":0.5,"price":0},{"upToKm":12,"price":999}]')).toEqual([
            { upToKm: 0.5, price: 0 },
            { upToKm: 12, price: 999 },
        ]);
    });

    it.each([
        ['not JSON', '[{upToKm:2}]', /not valid JSON/],
        ['an object, not a list', '{"upToKm":5,"price":1}', /non-empty JSON list/],
        ['an empty list', '[]', /non-empty JSON list/],
        ['a number in the list', '[5]', /band 1 is not an object/],
        ['an unknown key (typo)', '[{"uptoKm":5,"price":1}]', /band 1 has "uptoKm"/],
        ['no upToKm', '[{"price":1}]', /band 1 needs upToKm/],
        ['upToKm as text', '[{"upToKm":"5","price":1}]', /band 1 needs upToKm/],
        ['upToKm 0', '[{"upToKm":0,"price":1},{"upToKm":5,"price":1}]', /band 1 needs upToKm/],
        ['upToKm beyond 1000', '[{"upToKm":1001,"price":1}]', /at most 1000/],
        ['a fractional price', '[{"upToKm":5,"price":2.99}]', /whole number of minor units/],
        ['a negative price', '[{"upToKm":5,"price":-1}]', /negative price \(-1\)/],
        ['a price beyond int4', '[{"upToKm":5,"price":2147483648}]', /price above 2147483647/],
        [
            'descending bands',
            '[{"upToKm":4,"price":399},{"upToKm":2,"price":299},{"upToKm":5,"price":499}]',
            /band 2 \(upToKm 2\) must reach farther than band 1 \(upToKm 4\)/,
        ],
        ['the same distance twice', '[{"upToKm":5,"price":1},{"upToKm":5,"price":2}]', /ascending upToKm/],
        [
            'bands short of the radius',
            '[{"upToKm":3,"price":299}]',
            /reaches 3 km, short of the delivery radius \(5 km\)/,
        ],
        [
            '21 bands',
            JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ upToKm: i + 1, price: 1 }))),
            /at most 20 bands/,
        ],
        ['2001 characters', ' '.repeat(2001), /too long, at most 2000 characters \(got 2001\)/],
    ])('refuses %s', (_label, text, message) => {
        expect(problemOf(text)).toMatch(message);
    });

    it('follows the radius it is given', () => {
        expect(problemOf('[{"upToKm":5,"price":1}]', 8)).toMatch(/short of the delivery radius \(8 km\)/);
        expect(problemOf('[{"upToKm":3,"price":1}]', 3)).toBeUndefined();
    });
});

describe('bandPrice', () => {
    const bands = bandsOf(DISTANCE_FEE_BANDS_EXAMPLE);

    it('takes the first band that reaches the distance, its edge included', () => {
        expect(bandPrice(bands, 0)).toBe(299);
        expect(bandPrice(bands, 2)).toBe(299);
        expect(bandPrice(bands, 2.0001)).toBe(399);
        expect(bandPrice(bands, 4)).toBe(399);
        expect(bandPrice(bands, 4.5)).toBe(499);
        expect(bandPrice(bands, 5)).toBe(499);
    });

    it('charges the last band beyond it (a radius raised after the bands were saved)', () => {
        expect(bandPrice(bands, 7)).toBe(499);
    });
});

describe('isFreeDelivery', () => {
    it('is free from the threshold on, never with threshold 0', () => {
        expect(isFreeDelivery(5000, 4999)).toBe(false);
        expect(isFreeDelivery(5000, 5000)).toBe(true);
        expect(isFreeDelivery(0, 100_000)).toBe(false);
    });
});

describe('distanceFeeArgumentsProblem', () => {
    const good = [
        { name: 'bands', value: DISTANCE_FEE_BANDS_EXAMPLE },
        { name: 'freeDeliveryThreshold', value: '5000' },
        { name: 'freeDeliveryThresholdTaxInclusive', value: 'false' },
        { name: 'includesTax', value: 'exclude' },
        { name: 'taxRate', value: '10.25' },
    ];
    const with_ = (name: string, value: string) =>
        good.map(arg => (arg.name === name ? { name, value } : arg));

    it('accepts good arguments, and arguments left out', () => {
        expect(distanceFeeArgumentsProblem(good, 5)).toBeUndefined();
        expect(
            distanceFeeArgumentsProblem([{ name: 'bands', value: DISTANCE_FEE_BANDS_EXAMPLE }], 5),
        ).toBeUndefined();
    });

    it.each([
        ['bands', '[{"upToKm":5,"price":-5}]', /^bands: band 1 has a negative price/],
        ['freeDeliveryThreshold', '-1', /^freeDeliveryThreshold: a whole number/],
        ['freeDeliveryThreshold', '49.99', /^freeDeliveryThreshold: a whole number/],
        ['freeDeliveryThreshold', '99999999999', /^freeDeliveryThreshold: a whole number/],
        ['taxRate', '101', /^taxRate: a percentage from 0 to 100/],
        ['taxRate', 'ten', /^taxRate: a percentage from 0 to 100/],
        ['includesTax', 'sometimes', /^includesTax: one of include, exclude, auto/],
        ['freeDeliveryThresholdTaxInclusive', 'yes', /true or false/],
    ])('refuses %s %p', (name, value, message) => {
        expect(distanceFeeArgumentsProblem(with_(name, value), 5)).toMatch(message);
    });
});
