/**
 * Parses one line of a GeoNames postal-code file (https://download.geonames.org/export/zip/):
 * 12 tab-separated columns: country code, postal code, place name, admin name1, admin code1,
 * admin name2, admin code2, admin name3, admin code3, latitude, longitude, accuracy.
 * Pure, so the importer and its tests share one definition of a good line.
 */

/** One postal code as stored in `postal_code_location`. */
export interface PostalCodeRecord {
    /** ISO 3166-1 alpha-2, upper case. */
    countryCode: string;
    /** Upper case, inner spaces kept (e.g. "SW1A 1AA"). */
    postalCode: string;
    placeName: string | null;
    latitude: number;
    longitude: number;
}

export type GeoNamesLineResult = { ok: true; record: PostalCodeRecord } | { ok: false; reason: string };

export const GEONAMES_COLUMN_COUNT = 12;
/** Column widths of `postal_code_location`. */
export const MAX_POSTAL_CODE_LENGTH = 20;
export const MAX_PLACE_NAME_LENGTH = 180;

const COLUMN = { countryCode: 0, postalCode: 1, placeName: 2, latitude: 9, longitude: 10 } as const;
// Plain decimal notation only: Number() would also accept '', '0x1A', '1e3' and 'Infinity'.
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Returns the record of a line, or the reason it is malformed in words a person can act on.
 * Returns `null` for a blank line, which is skipped without a report.
 */
export function parseGeoNamesPostalCodeLine(line: string): GeoNamesLineResult | null {
    if (line.trim() === '') return null;
    const columns = line.replace(/\r$/, '').split('\t');
    if (columns.length !== GEONAMES_COLUMN_COUNT) {
        return fail(`expected ${GEONAMES_COLUMN_COUNT} tab-separated columns, found ${columns.length}`);
    }
    const field = (index: number) => columns[index].trim();

    const countryCode = field(COLUMN.countryCode).toUpperCase();
    if (countryCode === '') return fail('country code is empty');
    if (!/^[A-Z]{2}$/.test(countryCode)) {
        return fail(`country code '${field(COLUMN.countryCode)}' is not 2 letters`);
    }

    const postalCode = field(COLUMN.postalCode).toUpperCase();
    if (postalCode === '') return fail('postal code is empty');
    if ([...postalCode].length > MAX_POSTAL_CODE_LENGTH) {
        return fail(`postal code '${postalCode}' is longer than ${MAX_POSTAL_CODE_LENGTH} characters`);
    }

    const latitude = parseCoordinate('latitude', field(COLUMN.latitude), 90);
    if (typeof latitude === 'string') return fail(latitude);
    const longitude = parseCoordinate('longitude', field(COLUMN.longitude), 180);
    if (typeof longitude === 'string') return fail(longitude);
    // GeoNames has no coordinates for some codes; 0,0 in the Gulf of Guinea would be a wrong answer.
    if (latitude === 0 && longitude === 0) return fail('latitude and longitude are both 0 (no coordinates)');

    return {
        ok: true,
        record: {
            countryCode,
            postalCode,
            // A display name only: a rare over-long one is shortened rather than the code lost.
            placeName: [...field(COLUMN.placeName)].slice(0, MAX_PLACE_NAME_LENGTH).join('') || null,
            latitude,
            longitude,
        },
    };
}

/** The coordinate, or the reason it is unusable. */
function parseCoordinate(name: string, text: string, limit: number): number | string {
    if (text === '') return `${name} is empty`;
    if (!DECIMAL.test(text)) return `${name} '${text}' is not a number`;
    const value = Number(text);
    if (value < -limit || value > limit) return `${name} ${text} is outside -${limit}..${limit}`;
    // -0 would compare as unchanged with 0 anyway; store one spelling.
    return value === 0 ? 0 : value;
}

function fail(reason: string): GeoNamesLineResult {
    return { ok: false, reason };
}
