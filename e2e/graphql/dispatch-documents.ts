import gql from 'graphql-tag';

/** What the dispatch suites read of a delivery. */
export interface Assignment {
    id: string;
    status: string;
    attempts: number;
    lastError: string | null;
    pickupDistanceKm: number | null;
    dropoffLatitude: number;
    dropoffLongitude: number;
    correlationId: string;
    driver: { id: string; status: string } | null;
    pickupStockLocation: { id: string; name: string; customFields: { latitude: number; longitude: number } };
    events: Array<{ fromStatus: string | null; toStatus: string; actor: string; reasonCode: string | null }>;
}

const ASSIGNMENT_FIELDS = gql`
    fragment AssignmentFields on DeliveryAssignment {
        id
        status
        attempts
        lastError
        pickupDistanceKm
        dropoffLatitude
        dropoffLongitude
        correlationId
        driver {
            id
            status
        }
        pickupStockLocation {
            id
            name
            customFields {
                latitude
                longitude
            }
        }
        events {
            fromStatus
            toStatus
            actor
            reasonCode
        }
    }
`;

export const MARK_READY = gql`
    mutation MarkReady($orderId: ID!) {
        markOrderReadyForDispatch(orderId: $orderId) {
            __typename
            ... on DeliveryAssignment {
                ...AssignmentFields
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
    ${ASSIGNMENT_FIELDS}
`;
export interface MarkReadyResult {
    markOrderReadyForDispatch: Partial<Assignment> & { __typename: string; message?: string };
}

export const ASSIGNMENT = gql`
    query Assignment($id: ID!) {
        deliveryAssignment(id: $id) {
            ...AssignmentFields
        }
    }
    ${ASSIGNMENT_FIELDS}
`;

export const ASSIGNMENT_IDS = gql`
    query AssignmentIds {
        deliveryAssignments(options: { take: 100 }) {
            totalItems
            items {
                id
            }
        }
    }
`;

const ACTION_RESULT = `
    __typename
    ... on DeliveryAssignment {
        id
        status
    }
    ... on DeliveryTransitionError {
        errorCode
        message
        fromStatus
        toStatus
    }
`;
export interface ActionResult {
    __typename: string;
    id?: string;
    status?: string;
    message?: string;
    fromStatus?: string;
    toStatus?: string;
}

export const CONFIRM_PICKUP = gql`
    mutation ConfirmPickup($id: ID!) {
        confirmPickup(assignmentId: $id) {
            ${ACTION_RESULT}
        }
    }
`;

export const CONFIRM_DELIVERY = gql`
    mutation ConfirmDelivery($id: ID!, $code: String) {
        confirmDelivery(assignmentId: $id, code: $code) {
            ${ACTION_RESULT}
        }
    }
`;

export const REASSIGN = gql`
    mutation Reassign($id: ID!, $driverId: ID) {
        reassignDelivery(assignmentId: $id, driverId: $driverId) {
            ${ACTION_RESULT}
        }
    }
`;

export const CANCEL_DELIVERY = gql`
    mutation CancelDelivery($id: ID!, $reason: String) {
        cancelDelivery(assignmentId: $id, reason: $reason) {
            ${ACTION_RESULT}
        }
    }
`;

export const REPORT_FAILED = gql`
    mutation ReportFailed($id: ID!, $reasonCode: String!, $note: String) {
        reportDeliveryFailed(assignmentId: $id, reasonCode: $reasonCode, note: $note) {
            ${ACTION_RESULT}
        }
    }
`;

export const RETRY_DELIVERY = gql`
    mutation RetryDelivery($id: ID!) {
        retryDelivery(assignmentId: $id) {
            ${ACTION_RESULT}
        }
    }
`;

/** What the dispatch suites read of a driver. */
export interface DriverRow {
    id: string;
    name: string;
    emailAddress: string;
    status: string;
    latitude: number;
    longitude: number;
    activeAssignment: { id: string } | null;
}

export const DRIVERS = gql`
    query Drivers {
        drivers(options: { take: 100 }) {
            items {
                id
                name
                emailAddress
                status
                latitude
                longitude
                activeAssignment {
                    id
                }
            }
        }
    }
`;
export interface DriversResult {
    drivers: { items: DriverRow[] };
}

export const UPDATE_DRIVER = gql`
    mutation UpdateDriver($input: UpdateDriverInput!) {
        updateDriver(input: $input) {
            id
            status
        }
    }
`;

export const SET_DRIVER_STATUS = gql`
    mutation SetDriverStatus($status: DriverStatus!) {
        setDriverStatus(status: $status) {
            __typename
        }
    }
`;

export const DELETE_DRIVER = gql`
    mutation DeleteDriver($id: ID!) {
        deleteDriver(id: $id) {
            result
            message
        }
    }
`;

export const CANCEL_ORDER = gql`
    mutation CancelOrder($orderId: ID!) {
        cancelOrder(input: { orderId: $orderId, reason: "customer called" }) {
            __typename
            ... on Order {
                state
            }
            ... on ErrorResult {
                message
            }
        }
    }
`;

/** Shop API: the customer follows their order. */
export const DELIVERY_TRACKING = gql`
    query DeliveryTracking($orderCode: String!) {
        deliveryTracking(orderCode: $orderCode) {
            orderCode
            sellerName
            status
            driverName
            driverLatitude
            driverLongitude
            etaMinutes
            deliveryCode
            assignedAt
            pickedUpAt
            deliveredAt
            trackingUrl
        }
    }
`;
export interface DeliveryTrackingEntry {
    orderCode: string;
    sellerName: string | null;
    status: string;
    driverName: string | null;
    driverLatitude: number | null;
    driverLongitude: number | null;
    etaMinutes: number | null;
    deliveryCode: string | null;
    assignedAt: string | null;
    pickedUpAt: string | null;
    deliveredAt: string | null;
    trackingUrl: string | null;
}
export interface DeliveryTrackingResult {
    deliveryTracking: DeliveryTrackingEntry[];
}
