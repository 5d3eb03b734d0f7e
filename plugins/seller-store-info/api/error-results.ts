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

/** A seller whose store lacks what delivery needs (coordinates, a postal code) cannot be verified yet. */
export class SellerNotVerifiableError extends ErrorResult {
    constructor(
        readonly stockLocationId: string,
        readonly stockLocationName: string,
        readonly missingFields: string[],
    ) {
        super(
            'SellerNotVerifiableError',
            'SELLER_NOT_VERIFIABLE_ERROR',
            `The seller cannot be verified yet: its store "${stockLocationName}" (stock location ` +
                `${stockLocationId}) has no ${missingFields.join(' and no ')}. ` +
                'Set them on the stock location, then verify again.',
        );
    }
}

/** The default channel's seller is the platform itself: always verified. */
export class DefaultSellerAlwaysVerifiedError extends ErrorResult {
    constructor() {
        super(
            'DefaultSellerAlwaysVerifiedError',
            'DEFAULT_SELLER_ALWAYS_VERIFIED_ERROR',
            "The default channel's seller is the platform itself and is always verified: it cannot be un-verified",
        );
    }
}
