/**
 * Expected refusals of this plugin's API, returned in result unions (Vendure's ErrorResult
 * pattern): `__typename` picks the GraphQL type, `errorCode` and `message` are what clients show.
 */

/** A postal code the geocoder does not know. */
export class UnknownPostalCodeError {
    readonly __typename = 'UnknownPostalCodeError';
    readonly errorCode = 'UNKNOWN_POSTAL_CODE_ERROR';
    readonly message: string;

    constructor(
        readonly postalCode: string,
        readonly countryCode: string,
    ) {
        this.message =
            `Postal code "${postalCode}" is not known in ${countryCode}: ` +
            'check it, or give latitude and longitude instead';
    }
}

/** Coordinates out of range, incomplete, or both zero. */
export class InvalidCoordinatesError {
    readonly __typename = 'InvalidCoordinatesError';
    readonly errorCode = 'INVALID_COORDINATES_ERROR';

    constructor(readonly message: string) {}
}

export type DeliveryLocationError = UnknownPostalCodeError | InvalidCoordinatesError;
