import gql from 'graphql-tag';

export interface ActiveOrderResult {
    id: string;
    code: string;
    state: string;
    totalWithTax: number;
    lines: Array<{ id: string; quantity: number; productVariant: { id: string } }>;
}

const ORDER_FIELDS = gql`
    fragment OrderFields on Order {
        id
        code
        state
        totalWithTax
        lines {
            id
            quantity
            productVariant {
                id
            }
        }
    }
`;

export const PRODUCT_COUNT = gql`
    query ProductCount {
        products(options: { take: 1 }) {
            totalItems
        }
    }
`;
export interface ProductCountResult {
    products: { totalItems: number };
}

export const ADD_ITEM_TO_ORDER = gql`
    mutation AddItemToOrder($productVariantId: ID!, $quantity: Int!) {
        addItemToOrder(productVariantId: $productVariantId, quantity: $quantity) {
            ...OrderFields
            ... on ErrorResult {
                errorCode
                message
            }
            ... on OrderInterceptorError {
                interceptorError
            }
        }
    }
    ${ORDER_FIELDS}
`;

export const SET_CUSTOMER = gql`
    mutation SetCustomer($input: CreateCustomerInput!) {
        setCustomerForOrder(input: $input) {
            ... on Order {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const SET_SHIPPING_ADDRESS = gql`
    mutation SetShippingAddress($input: CreateAddressInput!) {
        setOrderShippingAddress(input: $input) {
            ... on Order {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const ELIGIBLE_SHIPPING_METHODS = gql`
    query EligibleShippingMethods {
        eligibleShippingMethods {
            id
            code
            name
        }
    }
`;
export interface EligibleShippingMethodsResult {
    eligibleShippingMethods: Array<{ id: string; code: string; name: string }>;
}

export const SET_SHIPPING_METHOD = gql`
    mutation SetShippingMethod($ids: [ID!]!) {
        setOrderShippingMethod(shippingMethodId: $ids) {
            ...OrderFields
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
    ${ORDER_FIELDS}
`;

export const TRANSITION_ORDER = gql`
    mutation TransitionOrder($state: String!) {
        transitionOrderToState(state: $state) {
            ...OrderFields
            ... on ErrorResult {
                errorCode
                message
            }
            ... on OrderStateTransitionError {
                transitionError
            }
        }
    }
    ${ORDER_FIELDS}
`;

export const ADD_PAYMENT = gql`
    mutation AddPayment($input: PaymentInput!) {
        addPaymentToOrder(input: $input) {
            ...OrderFields
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
    ${ORDER_FIELDS}
`;

export const SET_DELIVERY_LOCATION = gql`
    mutation SetDeliveryLocation($input: DeliveryLocationInput!) {
        setDeliveryLocation(input: $input) {
            __typename
            ... on DeliveryLocation {
                latitude
                longitude
                postalCode
                countryCode
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
export interface SetDeliveryLocationResult {
    setDeliveryLocation: {
        __typename: string;
        latitude?: number;
        longitude?: number;
        postalCode?: string | null;
        countryCode?: string | null;
        errorCode?: string;
        message?: string;
    };
}

export const DELIVERY_AVAILABILITY = gql`
    query DeliveryAvailability($ids: [ID!]!, $location: DeliveryLocationInput) {
        deliveryAvailability(productVariantIds: $ids, location: $location) {
            productVariantId
            fastDelivery
            nearestStoreDistanceKm
            stockLocationId
        }
    }
`;
export interface DeliveryAvailabilityResult {
    deliveryAvailability: Array<{
        productVariantId: string;
        fastDelivery: boolean;
        nearestStoreDistanceKm: number | null;
        stockLocationId: string | null;
    }>;
}
