import { InjectableStrategy, RequestContext } from '@vendure/core';

import { LatLng } from '../../../shared/geo';

/** What a postal code is looked up by. */
export interface GeocodingQuery {
    /** As the customer typed it; see {@link normalizeGeocodingQuery}. */
    postalCode: string;
    /** ISO 3166-1 alpha-2. */
    countryCode: string;
}

/** Where a postal code is: its centroid, with the code as the source knows it. */
export interface GeocodedLocation extends LatLng {
    postalCode: string;
    countryCode: string;
    /** The town or district the code belongs to, when the source knows it. */
    placeName?: string;
}

/**
 * @description
 * Turns a postal code into coordinates, for delivery locations given as a postal code.
 *
 * The default, {@link PostalCodeGeocodingStrategy}, looks codes up in the imported GeoNames
 * postal-code table. Implement this interface to use an external geocoder instead; answers are
 * cached by the plugin's GeocodingService (found ones for a day, unknown ones for a few minutes),
 * so a strategy need not cache itself. A strategy that holds a connection opens it in `init` and
 * closes it in `destroy`.
 *
 * Set it with `SellerStoreInfoPlugin.init({ geocodingStrategy })`.
 */
export interface GeocodingStrategy extends InjectableStrategy {
    /**
     * @description
     * The location of a postal code, or `undefined` when the code is unknown. The query arrives
     * normalised ({@link normalizeGeocodingQuery}). Throw only when the source itself fails (not
     * for an unknown code): failures are not cached, unknown codes are.
     */
    geocode(ctx: RequestContext, query: GeocodingQuery): Promise<GeocodedLocation | undefined>;
}

/**
 * Postal codes and country codes as stored: trimmed and upper case ("sw1a 1aa " is "SW1A 1AA"),
 * so the same code typed two ways is one lookup and one cache entry.
 */
export function normalizeGeocodingQuery(query: GeocodingQuery): GeocodingQuery {
    return {
        postalCode: query.postalCode.trim().toUpperCase(),
        countryCode: query.countryCode.trim().toUpperCase(),
    };
}
