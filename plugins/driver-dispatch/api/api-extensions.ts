import gql from 'graphql-tag';

/** In the admin and the shop API alike. */
export const deliveryStatusEnum = gql`
    enum DeliveryStatus {
        PENDING
        ASSIGNED
        PICKED_UP
        DELIVERED
        FAILED
        CANCELLED
    }
`;

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
        "A disabled driver cannot act as a driver (their sessions were revoked) and is never dispatched."
        enabled: Boolean!
        latitude: Float
        longitude: Float
        "When the driver's app last reported a position (the heartbeat)."
        lastSeenAt: DateTime
        "The delivery the driver is on (ASSIGNED or PICKED_UP), if any."
        activeAssignment: DeliveryAssignment
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
        """
        false: revokes the driver's sessions at once, sets them OFFLINE and out of the index (refused
        while they hold a delivery); true: enabled again, still OFFLINE until they go on duty.
        """
        enabled: Boolean
    }

    ${deliveryStatusEnum}

    "One move of a delivery: who (actor), when, from, to and why."
    type DeliveryEvent {
        createdAt: DateTime!
        "Null for the creation of the delivery."
        fromStatus: DeliveryStatus
        toStatus: DeliveryStatus!
        reasonCode: String
        note: String
        "driver:<id>, staff:<user id> or system."
        actor: String
    }

    type DeliveryAssignment implements Node {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        "Needs ReadOrder: a driver does not read the customer's whole order."
        order: Order
        driver: Driver
        status: DeliveryStatus!
        "The store the order's lines were allocated from."
        pickupStockLocation: StockLocation
        dropoffLatitude: Float
        dropoffLongitude: Float
        "How far the driver was from the pickup store when assigned."
        pickupDistanceKm: Float
        "Dispatch attempts that found no available driver."
        attempts: Int!
        lastError: String
        assignedAt: DateTime
        pickedUpAt: DateTime
        deliveredAt: DateTime
        "What the driver and the store's staff call this delivery (the driver never gets the order code)."
        deliveryReference: String!
        "Ties the events and log lines of this delivery together."
        correlationId: String!
        events: [DeliveryEvent!]!
        """
        True while the delivery is delayed in its current stage: PENDING longer than
        pendingAlertAfterSeconds since it was marked ready, or ASSIGNED/PICKED_UP longer than
        deliveryAlertAfterMinutes since it was assigned (or that stage's DeliveryDelayedEvent went
        out). Always false once it is DELIVERED, FAILED or CANCELLED.
        """
        delayed: Boolean!
        "When the current stage counts as delayed; null once the delivery is finished."
        delayedAfter: DateTime
    }

    type DeliveryAssignmentList implements PaginatedList {
        items: [DeliveryAssignment!]!
        totalItems: Int!
    }

    # Vendure adds skip, take, sort and filter.
    input DeliveryAssignmentListOptions

    type DispatchStats {
        availableDrivers: Int!
        busyDrivers: Int!
        offlineDrivers: Int!
        pendingAssignments: Int!
        activeAssignments: Int!
        "Open deliveries that are delayed (DeliveryAssignment.delayed) in the active channel."
        delayedAssignments: Int!
    }

    "A delivery asked to move where its state table does not lead."
    type DeliveryTransitionError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        fromStatus: DeliveryStatus!
        toStatus: DeliveryStatus!
    }

    "A wrong delivery code (checked from the driver app on)."
    type DeliveryCodeError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        attemptsLeft: Int
    }

    "The order cannot be handed to a driver yet; the message says why."
    type OrderNotReadyForDispatchError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
    }

    union DeliveryActionResult = DeliveryAssignment | DeliveryTransitionError | DeliveryCodeError
    union MarkOrderReadyResult = DeliveryAssignment | OrderNotReadyForDispatchError

    extend type Query {
        drivers(options: DriverListOptions): DriverList!
        driver(id: ID!): Driver
        "The driver record of the logged-in driver; null for anyone else."
        activeDriver: Driver
        deliveryAssignments(options: DeliveryAssignmentListOptions): DeliveryAssignmentList!
        deliveryAssignment(id: ID!): DeliveryAssignment
        deliveryAssignmentForOrder(orderId: ID!): DeliveryAssignment
        dispatchStats: DispatchStats!
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
        "Creates the delivery (PENDING) of a paid seller order, or single-shop order; once per order."
        markOrderReadyForDispatch(orderId: ID!): MarkOrderReadyResult!
        "Without driverId: back to PENDING and dispatched again without the current driver."
        reassignDelivery(assignmentId: ID!, driverId: ID): DeliveryActionResult!
        cancelDelivery(assignmentId: ID!, reason: String): DeliveryActionResult!
        """
        A FAILED delivery gets another attempt: PENDING again, dispatched without the drivers who
        failed it. The order's fulfillment stays as the failed attempt left it.
        """
        retryDelivery(assignmentId: ID!): DeliveryActionResult!
        "The assigned driver, or staff with ManageDispatch: the order goes to Shipped."
        confirmPickup(assignmentId: ID!): DeliveryActionResult!
        "The assigned driver, or staff with ManageDispatch: the order goes to Delivered."
        confirmDelivery(assignmentId: ID!, code: String): DeliveryActionResult!
    }
`;
