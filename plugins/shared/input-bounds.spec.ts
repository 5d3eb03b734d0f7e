import { boundedText, checkListOptions, entityId, entityIds, forLog } from './input-bounds';

describe('input bounds', () => {
    it('pass plain text within its bound and refuse longer text or control characters', () => {
        expect(boundedText('60601', 'postalCode', 16)).toBe('60601');
        expect(() => boundedText('9'.repeat(17), 'postalCode', 16)).toThrow(
            /postalCode is too long: at most 16 characters \(got 17\)/,
        );
        expect(() => boundedText('a\u0000b', 'note', 500)).toThrow(/control characters/);
        // Unicode and SQL-looking text are just text.
        expect(boundedText("Zoë's 🚲 '; DROP TABLE driver; --", 'name', 100)).toMatch(/Zoë/);
    });

    it('take ids from 1 to the largest PostgreSQL integer, and nothing else', () => {
        expect(entityId('42', 'Driver')).toBe(42);
        expect(entityId(2_147_483_647, 'Driver')).toBe(2_147_483_647);
        // Vendure's UuidIdStrategy: the id passes as it is.
        expect(entityId('0b7e6a1c-3f2d-4c5e-9a8b-1d2e3f4a5b6c', 'Driver')).toBe(
            '0b7e6a1c-3f2d-4c5e-9a8b-1d2e3f4a5b6c',
        );
        for (const bad of [
            '0',
            '-1',
            '1.5',
            'abc',
            '99999999999',
            '2147483648',
            '',
            'Infinity',
            '1e3',
            '0b7e6a1c-3f2d-4c5e-9a8b-1d2e3f4a5b6',
        ]) {
            expect(() => entityId(bad, 'Driver')).toThrow(/is not a valid Driver id/);
        }
        expect(() =>
            entityIds(
                Array.from({ length: 101 }, (_, i) => String(i + 1)),
                'productVariant',
            ),
        ).toThrow(/at most 100 per request \(got 101\)/);
    });

    it('check list options: skip and take, filter strings, regular expressions and id filters', () => {
        expect(() =>
            checkListOptions({ skip: 0, take: 10, filter: { name: { contains: 'Ann' } } }),
        ).not.toThrow();
        expect(() => checkListOptions({ skip: -1 })).toThrow(/skip must be a whole number, 0 or more/);
        expect(() => checkListOptions({ take: -1 })).toThrow(/take must be/);
        expect(() => checkListOptions({ filter: { name: { regex: '(' } } })).toThrow(
            /filter.name.regex is not a valid regular expression/,
        );
        expect(() => checkListOptions({ filter: { id: { eq: '99999999999' } } })).toThrow(/not a valid/);
        expect(() => checkListOptions({ filter: { id: { in: ['1', '1.5'] } } })).toThrow(
            /"1.5" is not a valid/,
        );
        expect(() => checkListOptions({ filter: { _and: [{ name: { contains: 'a\u0000' } }] } })).toThrow(
            /control characters/,
        );
    });

    it('cut what a log line repeats of a user string', () => {
        expect(forLog('x'.repeat(99_000))).toBe(`${'x'.repeat(40)}… (99000 characters)`);
        expect(forLog('a\u0000b')).toBe('a\uFFFDb');
    });
});
