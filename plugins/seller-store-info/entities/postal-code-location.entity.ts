import { DeepPartial, VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

/**
 * One postal code with its centroid, imported from a GeoNames postal-code file
 * (`npm run postal-codes:import -- FILE`). Looked up by the default GeocodingStrategy.
 */
@Entity()
@Index(['countryCode', 'postalCode'], { unique: true })
export class PostalCodeLocation extends VendureEntity {
    constructor(input?: DeepPartial<PostalCodeLocation>) {
        super(input);
    }

    /** ISO 3166-1 alpha-2, upper case. */
    @Column({ length: 2 })
    countryCode: string;

    /** As published, upper case, spaces kept (e.g. "SW1A 1AA"). */
    @Column({ length: 20 })
    postalCode: string;

    @Column({ type: 'varchar', length: 180, nullable: true })
    placeName: string | null;

    @Column({ type: 'double precision' })
    latitude: number;

    @Column({ type: 'double precision' })
    longitude: number;
}
