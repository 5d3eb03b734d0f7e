import gql from 'graphql-tag';

export const MARKETPLACE_OVERVIEW = gql`
    query MarketplaceOverview {
        sellers {
            totalItems
            items {
                id
                name
            }
        }
        channels {
            totalItems
            items {
                id
                code
                token
                seller {
                    name
                }
            }
        }
        stockLocations(options: { take: 100 }) {
            totalItems
            items {
                id
                name
                customFields {
                    latitude
                    longitude
                    address
                    postalCode
                    city
                }
            }
        }
        shippingMethods(options: { take: 100 }) {
            items {
                id
                code
            }
        }
        paymentMethods {
            items {
                code
                enabled
            }
        }
        products(options: { take: 1 }) {
            totalItems
        }
    }
`;
export interface MarketplaceOverviewResult {
    sellers: { totalItems: number; items: Array<{ id: string; name: string }> };
    channels: {
        totalItems: number;
        items: Array<{ id: string; code: string; token: string; seller: { name: string } | null }>;
    };
    stockLocations: {
        totalItems: number;
        items: Array<{
            id: string;
            name: string;
            customFields: {
                latitude: number | null;
                longitude: number | null;
                address: string | null;
                postalCode: string | null;
                city: string | null;
            };
        }>;
    };
    shippingMethods: { items: Array<{ id: string; code: string }> };
    paymentMethods: { items: Array<{ code: string; enabled: boolean }> };
    products: { totalItems: number };
}

export const CHANNEL_VARIANTS = gql`
    query ChannelVariants {
        productVariants(options: { take: 100 }) {
            items {
                id
                sku
                stockLevels {
                    stockLocationId
                    stockOnHand
                }
            }
        }
    }
`;
export interface ChannelVariantsResult {
    productVariants: {
        items: Array<{
            id: string;
            sku: string;
            stockLevels: Array<{ stockLocationId: string; stockOnHand: number }>;
        }>;
    };
}

export const ORDER_WITH_SELLER_ORDERS = gql`
    query OrderWithSellerOrders($id: ID!) {
        order(id: $id) {
            id
            code
            state
            type
            payments {
                state
                method
            }
            sellerOrders {
                id
                code
                state
                type
                channels {
                    code
                }
                lines {
                    id
                    quantity
                }
                payments {
                    state
                    method
                }
                shippingLines {
                    shippingMethod {
                        code
                    }
                }
            }
        }
    }
`;
export interface SellerOrder {
    id: string;
    code: string;
    state: string;
    type: string;
    channels: Array<{ code: string }>;
    lines: Array<{ id: string; quantity: number }>;
    payments: Array<{ state: string; method: string }>;
    shippingLines: Array<{ shippingMethod: { code: string } }>;
}
export interface OrderWithSellerOrdersResult {
    order: {
        id: string;
        code: string;
        state: string;
        type: string;
        payments: Array<{ state: string; method: string }>;
        sellerOrders: SellerOrder[];
    };
}

export const ADD_FULFILLMENT = gql`
    mutation AddFulfillment($input: FulfillOrderInput!) {
        addFulfillmentToOrder(input: $input) {
            ... on Fulfillment {
                id
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const TRANSITION_FULFILLMENT = gql`
    mutation TransitionFulfillment($id: ID!, $state: String!) {
        transitionFulfillmentToState(id: $id, state: $state) {
            ... on Fulfillment {
                id
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
