import { Injector, RequestContext, TransactionalConnection } from '@vendure/core';

import { PostalCodeLocation } from '../../entities/postal-code-location.entity';
import {
    GeocodedLocation,
    GeocodingQuery,
    GeocodingStrategy,
    normalizeGeocodingQuery,
} from './geocoding-strategy';

/**
 * @description
 * The default {@link GeocodingStrategy}: looks the postal code up in the `PostalCodeLocation`
 * table, filled from a GeoNames postal-code file by `npm run postal-codes:import -- FILE`. Codes
 * are matched trimmed and upper case, as the importer stores them. No network, no API key; it
 * knows exactly the codes that were imported.
 */
export class PostalCodeGeocodingStrategy implements GeocodingStrategy {
    private connection: TransactionalConnection | undefined;

    init(injector: Injector): void {
        this.connection = injector.get(TransactionalConnection);
    }

    async geocode(ctx: RequestContext, query: GeocodingQuery): Promise<GeocodedLocation | undefined> {
        if (!this.connection) {
            throw new Error(
                'PostalCodeGeocodingStrategy was used before init(): register it through the plugin',
            );
        }
        const { postalCode, countryCode } = normalizeGeocodingQuery(query);
        if (!postalCode || !countryCode) return undefined;
        const row = await this.connection
            .getRepository(ctx, PostalCodeLocation)
            .findOne({ where: { countryCode, postalCode } });
        if (!row) return undefined;
        return {
            postalCode: row.postalCode,
            countryCode: row.countryCode,
            // `double precision` arrives as a number from pg, but a driver may hand back a string.
            latitude: Number(row.latitude),
            longitude: Number(row.longitude),
            ...(row.placeName ? { placeName: row.placeName } : {}),
        };
    }
}
