/** The admin API documents of the driver web app's browser test (e2e/driver-web-app.e2e-spec.ts). */
import gql from 'graphql-tag';

export const CREATE_DRIVER = gql`
    mutation ($input: CreateDriverInput!) {
        createDriver(input: $input) {
            id
        }
    }
`;
export const DRIVER = gql`
    query ($id: ID!) {
        driver(id: $id) {
            status
            latitude
            longitude
        }
    }
`;
export const DISABLE_DRIVER = gql`
    mutation ($id: ID!) {
        updateDriver(input: { id: $id, enabled: false }) {
            id
        }
    }
`;
export const CANCEL = gql`
    mutation ($id: ID!) {
        cancelDelivery(assignmentId: $id, reason: "Browser test") {
            __typename
        }
    }
`;
export const MARK_READY = gql`
    mutation ($orderId: ID!) {
        markOrderReadyForDispatch(orderId: $orderId) {
            ... on DeliveryAssignment {
                id
            }
        }
    }
`;
export const SET_INSTRUCTIONS = gql`
    mutation ($id: ID!, $instructions: String) {
        setOrderCustomFields(input: { id: $id, customFields: { deliveryInstructions: $instructions } }) {
            id
        }
    }
`;
export const DELIVERY = gql`
    query ($id: ID!) {
        deliveryAssignment(id: $id) {
            status
            driver {
                id
            }
            events {
                toStatus
                actor
                reasonCode
                note
            }
        }
    }
`;
export const PICKUP = gql`
    query ($id: ID!) {
        deliveryAssignment(id: $id) {
            pickupStockLocation {
                name
                customFields {
                    latitude
                    longitude
                }
            }
        }
    }
`;
export interface Delivery {
    status: string;
    driver: { id: string } | null;
    events: Array<{ toStatus: string; actor: string | null; reasonCode: string | null; note: string | null }>;
}
