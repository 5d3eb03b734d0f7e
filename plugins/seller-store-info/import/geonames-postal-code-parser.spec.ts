import { parseGeoNamesPostalCodeLine } from './geonames-postal-code-parser';

/** A GeoNames line from its 12 columns. */
function line(overrides: Partial<Record<'country' | 'code' | 'place' | 'lat' | 'lon', string>> = {}): string {
    const columns = {
        country: 'US',
        code: '60601',
        place: 'Chicago',
        lat: '41.8858',
        lon: '-87.6181',
        ...overrides,
    };
    return [
        columns.country,
        columns.code,
        columns.place,
        'Illinois',
        'IL',
        'Cook',
        '031',
        '',
        '',
        columns.lat,
        columns.lon,
        '4',
    ].join('\t');
}

function reasonOf(text: string): string | undefined {
    const result = parseGeoNamesPostalCodeLine(text);
    return result && !result.ok ? result.reason : undefined;
}

describe('parseGeoNamesPostalCodeLine', () => {
    it('reads country, postal code, place name and coordinates from a GeoNames line', () => {
        expect(parseGeoNamesPostalCodeLine(line())).toEqual({
            ok: true,
            record: {
                countryCode: 'US',
                postalCode: '60601',
                placeName: 'Chicago',
                latitude: 41.8858,
                longitude: -87.6181,
            },
        });
    });

    it('upper-cases and trims country and postal codes, keeping inner spaces', () => {
        const result = parseGeoNamesPostalCodeLine(
            line({
                country: ' gb ',
                code: ' sw1a 1aa ',
                place: ' Westminster ',
                lat: ' 51.5 ',
                lon: '-0.14',
            }),
        );
        expect(result).toEqual({
            ok: true,
            record: {
                countryCode: 'GB',
                postalCode: 'SW1A 1AA',
                placeName: 'Westminster',
                latitude: 51.5,
                longitude: -0.14,
            },
        });
    });

    it('accepts a Windows line ending and an empty place name', () => {
        const result = parseGeoNamesPostalCodeLine(`${line({ place: '' })}\r`);
        expect(result).toMatchObject({ ok: true, record: { placeName: null, longitude: -87.6181 } });
    });

    it('accepts a coordinate of 0 when the other one is not 0', () => {
        expect(parseGeoNamesPostalCodeLine(line({ country: 'GB', lat: '51.4779', lon: '0' }))).toMatchObject({
            ok: true,
            record: { latitude: 51.4779, longitude: 0 },
        });
    });

    it('accepts the range limits', () => {
        expect(parseGeoNamesPostalCodeLine(line({ lat: '-90', lon: '180' }))).toMatchObject({
            ok: true,
            record: { latitude: -90, longitude: 180 },
        });
    });

    it('shortens an over-long place name to the column width instead of losing the code', () => {
        const result = parseGeoNamesPostalCodeLine(line({ place: 'é'.repeat(200) }));
        expect(result).toMatchObject({ ok: true, record: { placeName: 'é'.repeat(180) } });
    });

    it('skips blank lines without a reason', () => {
        expect(parseGeoNamesPostalCodeLine('')).toBeNull();
        expect(parseGeoNamesPostalCodeLine('   \t  ')).toBeNull();
        expect(parseGeoNamesPostalCodeLine('\r')).toBeNull();
    });

    it.each([
        ['US\t60601\tChicago', 'expected 12 tab-separated columns, found 3'],
        [`${line()}\textra`, 'expected 12 tab-separated columns, found 13'],
        [
            'US 60601 Chicago Illinois IL Cook 031 41.8858 -87.6181 4',
            'expected 12 tab-separated columns, found 1',
        ],
        [line({ country: '' }), 'country code is empty'],
        [line({ country: 'USA' }), "country code 'USA' is not 2 letters"],
        [line({ country: 'U1' }), "country code 'U1' is not 2 letters"],
        [line({ code: '  ' }), 'postal code is empty'],
        [line({ code: '1'.repeat(21) }), `postal code '${'1'.repeat(21)}' is longer than 20 characters`],
        [line({ lat: '' }), 'latitude is empty'],
        [line({ lat: 'north' }), "latitude 'north' is not a number"],
        [line({ lat: '1e1' }), "latitude '1e1' is not a number"],
        [line({ lon: 'Infinity' }), "longitude 'Infinity' is not a number"],
        [line({ lat: '123' }), 'latitude 123 is outside -90..90'],
        [line({ lat: '-90.5' }), 'latitude -90.5 is outside -90..90'],
        [line({ lon: '180.01' }), 'longitude 180.01 is outside -180..180'],
        [line({ lon: '' }), 'longitude is empty'],
        [line({ lat: '0', lon: '0' }), 'latitude and longitude are both 0 (no coordinates)'],
        [line({ lat: '0.0', lon: '-0' }), 'latitude and longitude are both 0 (no coordinates)'],
    ])('reports %j as malformed: %s', (text, reason) => {
        expect(parseGeoNamesPostalCodeLine(text)).toEqual({ ok: false, reason });
    });

    it('checks the country code before the coordinates, so the first problem of a line is named', () => {
        expect(reasonOf(line({ country: 'USA', lat: '999' }))).toBe("country code 'USA' is not 2 letters");
    });
});
