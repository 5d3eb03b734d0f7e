import gql from 'graphql-tag';

import { deliveryStatusEnum } from './api-extensions';

/** The driver app's part of the admin API (the logged-in driver, `DriverSelf`). */
export const driverAppAdminApiExtensions = gql`
    "What the driver app shows of the delivery the driver is on: no customer contact details, no payments."
    type DriverAssignmentView {
        assignmentId: ID!
        status: DeliveryStatus!
        "What the store's staff call this delivery when the driver picks it up (not the order code)."
        deliveryReference: String!
        pickupStoreName: String!
        "Street, postal code and city of the pickup store."
        pickupAddress: String
        pickupLatitude: Float
        pickupLongitude: Float
        dropoffLatitude: Float!
        dropoffLongitude: Float!
        "Street, postal code and city of the order's shipping address."
        dropoffAddress: String
        "What the customer asked of the driver (the order's deliveryInstructions custom field)."
        deliveryInstructions: String
        customerFirstName: String
        "Units to hand over, over all lines."
        itemCount: Int!
        assignedAt: DateTime
        pickedUpAt: DateTime
    }

    extend type Query {
        "The logged-in driver's open delivery (ASSIGNED or PICKED_UP), or null. The polling fallback of the event stream."
        activeDriverAssignment: DriverAssignmentView
    }

    extend type Mutation {
        "The assigned driver turns the delivery down before pickup: it is dispatched again without them (DRIVER_DECLINED)."
        declineDelivery(assignmentId: ID!, reason: String): DeliveryActionResult!
        "The delivery could not be completed: FAILED with a reason code (PICKUP_FAILED, DELIVERY_FAILED, TIMEOUT); the driver is free again."
        reportDeliveryFailed(assignmentId: ID!, reasonCode: String!, note: String): DeliveryActionResult!
    }
`;

/** Customer tracking in the shop API. */
export const trackingShopApiExtensions = gql`
    ${deliveryStatusEnum}

    "One delivery of the customer's order (one per seller order in a marketplace)."
    type DeliveryTracking {
        "The code of the (seller) order this delivery carries."
        orderCode: String!
        sellerName: String
        status: DeliveryStatus!
        driverName: String
        "The driver's position, only while they are on this delivery (ASSIGNED or PICKED_UP)."
        driverLatitude: Float
        driverLongitude: Float
        "Straight-line estimate at the configured courier speed; null without a driver."
        etaMinutes: Int
        "Give this code to the driver at the door (proof of delivery); null once the delivery has ended."
        deliveryCode: String
        assignedAt: DateTime
        pickedUpAt: DateTime
        deliveredAt: DateTime
        "The customer's tracking page for this delivery (null when the shop has not set the plugin's publicBaseUrl)."
        trackingUrl: String
    }

    extend type Query {
        "The deliveries of your order (or of one of its seller orders). Empty for an order that is not yours."
        deliveryTracking(orderCode: String!): [DeliveryTracking!]!
    }
`;
