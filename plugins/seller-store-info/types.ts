/** The custom fields this plugin adds to Vendure's StockLocation. */
export interface StockLocationGeoFields {
    latitude: number | null;
    longitude: number | null;
    address: string | null;
    postalCode: string | null;
    city: string | null;
    /** The JSON schedule (see `services/opening-hours.ts`); null or empty: no schedule. */
    openingHours: string | null;
    /** IANA time zone of `openingHours`; null or empty: UTC. */
    timeZone: string | null;
}

/** A marketplace seller's verification (internal custom fields of Seller). */
export interface SellerVerificationFields {
    verified: boolean;
    verificationChangedAt: Date | null;
    /** The identifier (e.g. email address) of the administrator who last verified or un-verified it. */
    verificationChangedBy: string | null;
    unverifiedReason: string | null;
}

/** The customer's delivery location, on the order and on the session. */
export interface DeliveryLocationFields {
    deliveryLatitude: number | null;
    deliveryLongitude: number | null;
    deliveryPostalCode: string | null;
    deliveryCountryCode: string | null;
}

declare module '@vendure/core/dist/entity/custom-entity-fields' {
    /* eslint-disable @typescript-eslint/no-empty-object-type */
    interface CustomStockLocationFields extends StockLocationGeoFields {}
    interface CustomOrderFields extends DeliveryLocationFields {
        deliveryFromShippingPostalCode: string | null;
    }
    interface CustomSessionFields extends DeliveryLocationFields {}
    interface CustomSellerFields extends SellerVerificationFields {}
    interface CustomOrderLineFields {
        /** The id as a string, whatever the EntityIdStrategy; compare it with `idsAreEqual`. */
        servingStockLocationId: string | null;
    }
    /* eslint-enable @typescript-eslint/no-empty-object-type */
}
