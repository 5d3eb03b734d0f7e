import gql from 'graphql-tag';

// Driver.activeAssignment and the DeliveryAssignment types come with dispatch.
export const adminApiExtensions = gql`
    enum DriverStatus {
        AVAILABLE
        BUSY
        OFFLINE
    }

    type Driver implements Node {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        name: String!
        phoneNumber: String
        emailAddress: String!
        status: DriverStatus!
        latitude: Float
        longitude: Float
        "When the driver's app last reported a position (the heartbeat)."
        lastSeenAt: DateTime
    }

    type DriverList implements PaginatedList {
        items: [Driver!]!
        totalItems: Int!
    }

    # Vendure adds skip, take, sort and filter (DriverSortParameter, DriverFilterParameter).
    input DriverListOptions

    "Going OFFLINE is refused while the driver holds an open delivery."
    type DriverHasOpenAssignmentError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
    }

    # Vendure adds DRIVER_HAS_OPEN_ASSIGNMENT_ERROR to ErrorCode itself.

    union SetDriverStatusResult = Driver | DriverHasOpenAssignmentError

    input CreateDriverInput {
        name: String!
        phoneNumber: String
        "The driver logs in to the admin API with this email address and password."
        emailAddress: String!
        password: String!
    }

    input UpdateDriverInput {
        id: ID!
        name: String
        phoneNumber: String
        "AVAILABLE or OFFLINE: BUSY belongs to dispatch."
        status: DriverStatus
    }

    extend type Query {
        drivers(options: DriverListOptions): DriverList!
        driver(id: ID!): Driver
        "The driver record of the logged-in driver; null for anyone else."
        activeDriver: Driver
    }

    extend type Mutation {
        "Creates the driver and their login: an Administrator with the driver Role (DriverSelf only)."
        createDriver(input: CreateDriverInput!): Driver!
        updateDriver(input: UpdateDriverInput!): Driver!
        "Deletes the driver and their login."
        deleteDriver(id: ID!): DeletionResponse!
        "A ping of the logged-in driver: position and heartbeat only, never the status."
        updateDriverLocation(latitude: Float!, longitude: Float!): Driver!
        "AVAILABLE or OFFLINE for the logged-in driver: BUSY belongs to dispatch."
        setDriverStatus(status: DriverStatus!): SetDriverStatusResult!
    }
`;
