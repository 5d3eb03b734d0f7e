import { ErrorResult } from '../../shared/error-result';

/** Expected refusals of this plugin's API, returned in result unions (see {@link ErrorResult}). */

/** A postal code the geocoder does not know. */
export class UnknownPostalCodeError extends ErrorResult {
    constructor(
        readonly postalCode: string,
        readonly countryCode: string,
    ) {
        super(
            'UnknownPostalCodeError',
            'UNKNOWN_POSTAL_CODE_ERROR',
            `Postal code "${postalCode}" is not known in ${countryCode}: ` +
                'check it, or give latitude and longitude instead',
        );
    }
}

/** Coordinates out of range, incomplete, or both zero. */
export class InvalidCoordinatesError extends ErrorResult {
    constructor(message: string) {
        super('InvalidCoordinatesError', 'INVALID_COORDINATES_ERROR', message);
    }
}

export type DeliveryLocationError = UnknownPostalCodeError | InvalidCoordinatesError;
