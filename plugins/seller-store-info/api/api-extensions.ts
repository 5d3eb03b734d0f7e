import gql from 'graphql-tag';

const deliveryLocationTypes = gql`
    input DeliveryLocationInput {
        postalCode: String
        countryCode: String
        latitude: Float
        longitude: Float
    }

    type DeliveryLocation {
        latitude: Float!
        longitude: Float!
        postalCode: String
        countryCode: String
    }

    extend input SearchInput {
        "Only deliverable results, with their distance. Without it, the location stored on the session is used."
        deliveryLocation: DeliveryLocationInput
    }

    extend type SearchResult {
        "A store of the seller within the delivery radius has saleable stock. False without a location."
        fastDelivery: Boolean!
        "Distance in km to the nearest such store; null without a location or when there is none."
        nearestStoreDistanceKm: Float
    }
`;

export const shopApiExtensions = gql`
    ${deliveryLocationTypes}

    type UnknownPostalCodeError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        postalCode: String!
        countryCode: String!
    }

    type InvalidCoordinatesError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
    }

    union SetDeliveryLocationResult = DeliveryLocation | UnknownPostalCodeError | InvalidCoordinatesError

    type NearbyStore {
        stockLocationId: ID!
        name: String!
        sellerName: String
        latitude: Float!
        longitude: Float!
        distanceKm: Float!
        "The store takes new orders now (its opening hours, minus lastOrderMinutesBeforeClose). Closed stores are listed too."
        openNow: Boolean!
        "When a closed store takes orders again; null while it is open, or when it has no next opening."
        opensAt: DateTime
    }

    type VariantDeliveryAvailability {
        productVariantId: ID!
        fastDelivery: Boolean!
        nearestStoreDistanceKm: Float
        stockLocationId: ID
        "The serving store is open (fastDelivery needs an open store)."
        openNow: Boolean!
        "Not deliverable now: when the earliest store in range with the stock opens; null while open or when none would."
        opensAt: DateTime
    }

    # Vendure adds UNKNOWN_POSTAL_CODE_ERROR and INVALID_COORDINATES_ERROR to ErrorCode itself.

    extend type Mutation {
        "Stores the customer's delivery location on the session and the active order."
        setDeliveryLocation(input: DeliveryLocationInput!): SetDeliveryLocationResult!
    }

    extend type Query {
        activeDeliveryLocation: DeliveryLocation
        "Stores within the delivery radius of the location (given, or stored), nearest first."
        nearbyStores(location: DeliveryLocationInput): [NearbyStore!]!
        deliveryAvailability(
            productVariantIds: [ID!]!
            location: DeliveryLocationInput
        ): [VariantDeliveryAvailability!]!
    }
`;

export const adminApiExtensions = gql`
    ${deliveryLocationTypes}

    type StoreLocatorStats {
        indexedStores: Int!
        geocodeCacheHits: Int!
        geocodeCacheMisses: Int!
        lookups: Int!
    }

    "Map tiles for the dashboard's maps (the mapTiles plugin option)."
    type MapTileSettings {
        url: String!
        attribution: String!
    }

    extend type Query {
        storeLocatorStats: StoreLocatorStats!
        mapTileSettings: MapTileSettings!
    }
`;
