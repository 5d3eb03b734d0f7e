import gql from 'graphql-tag';

const SELLER_FIELDS = `
    id
    name
    verified
    verificationChangedAt
    verificationChangedBy
    unverifiedReason
`;

export interface VerifiedSeller {
    id: string;
    name: string;
    verified: boolean;
    verificationChangedAt: string | null;
    verificationChangedBy: string | null;
    unverifiedReason: string | null;
}

export const SELLERS_VERIFICATION = gql`
    query SellersVerification {
        sellers(options: { take: 100 }) {
            items {
                ${SELLER_FIELDS}
            }
        }
        activeChannel {
            seller {
                id
                verified
            }
        }
    }
`;
export interface SellersVerificationResult {
    sellers: { items: VerifiedSeller[] };
    activeChannel: { seller: { id: string; verified: boolean } | null };
}

export const VERIFY_SELLER = gql`
    mutation VerifySeller($sellerId: ID!) {
        verifySeller(sellerId: $sellerId) {
            __typename
            ... on Seller {
                ${SELLER_FIELDS}
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on SellerNotVerifiableError {
                stockLocationId
                stockLocationName
                missingFields
            }
        }
    }
`;
export type VerifySellerResult = {
    verifySeller: Partial<VerifiedSeller> & {
        __typename: string;
        errorCode?: string;
        message?: string;
        stockLocationId?: string;
        stockLocationName?: string;
        missingFields?: string[];
    };
};

export const UNVERIFY_SELLER = gql`
    mutation UnverifySeller($sellerId: ID!, $reason: String!) {
        unverifySeller(sellerId: $sellerId, reason: $reason) {
            __typename
            ... on Seller {
                ${SELLER_FIELDS}
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
export type UnverifySellerResult = {
    unverifySeller: Partial<VerifiedSeller> & { __typename: string; errorCode?: string; message?: string };
};

export const SHOP_SEARCH_SKUS = gql`
    query SearchSkus($input: SearchInput!) {
        search(input: $input) {
            totalItems
            items {
                sku
                productVariantId
                fastDelivery
            }
        }
    }
`;
export interface SearchSkusResult {
    search: {
        totalItems: number;
        items: Array<{ sku: string; productVariantId: string; fastDelivery: boolean }>;
    };
}

export const SHOP_ADD_ITEM = gql`
    mutation AddItem($productVariantId: ID!, $quantity: Int!) {
        addItemToOrder(productVariantId: $productVariantId, quantity: $quantity) {
            __typename
            ... on Order {
                id
                lines {
                    productVariant {
                        id
                    }
                }
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on OrderInterceptorError {
                interceptorError
            }
        }
    }
`;
export interface AddItemResult {
    addItemToOrder: {
        __typename: string;
        id?: string;
        errorCode?: string;
        message?: string;
        interceptorError?: string;
    };
}

export const SHOP_TRANSITION = gql`
    mutation Transition($state: String!) {
        transitionOrderToState(state: $state) {
            __typename
            ... on Order {
                state
            }
            ... on OrderStateTransitionError {
                errorCode
                message
                transitionError
            }
        }
    }
`;
export interface TransitionResult {
    transitionOrderToState: { __typename: string; state?: string; transitionError?: string };
}

export const SHOP_NEARBY_STORES = gql`
    query Nearby($location: DeliveryLocationInput) {
        nearbyStores(location: $location) {
            stockLocationId
            name
            sellerName
        }
    }
`;
export interface NearbyResult {
    nearbyStores: Array<{ stockLocationId: string; name: string; sellerName: string | null }>;
}

export const SHOP_AVAILABILITY = gql`
    query Availability($ids: [ID!]!, $location: DeliveryLocationInput) {
        deliveryAvailability(productVariantIds: $ids, location: $location) {
            productVariantId
            fastDelivery
            stockLocationId
        }
    }
`;
export interface AvailabilityResult {
    deliveryAvailability: Array<{
        productVariantId: string;
        fastDelivery: boolean;
        stockLocationId: string | null;
    }>;
}

export const SELLER_VARIANTS = gql`
    query SellerVariants {
        productVariants(options: { take: 100 }) {
            items {
                id
                sku
            }
        }
    }
`;
export interface SellerVariantsResult {
    productVariants: { items: Array<{ id: string; sku: string }> };
}

export const CREATE_ROLE = gql`
    mutation CreateRole($input: CreateRoleInput!) {
        createRole(input: $input) {
            id
        }
    }
`;

export const CREATE_ADMINISTRATOR = gql`
    mutation CreateAdministrator($input: CreateAdministratorInput!) {
        createAdministrator(input: $input) {
            id
        }
    }
`;

export const CREATE_STOCK_LOCATION = gql`
    mutation CreateStockLocation($input: CreateStockLocationInput!) {
        createStockLocation(input: $input) {
            id
            name
        }
    }
`;

export const UPDATE_STOCK_LOCATION = gql`
    mutation UpdateStockLocation($input: UpdateStockLocationInput!) {
        updateStockLocation(input: $input) {
            id
        }
    }
`;

export const CREATE_PRODUCT = gql`
    mutation CreateProduct($input: CreateProductInput!) {
        createProduct(input: $input) {
            id
        }
    }
`;

export const CHANNEL_IDS = gql`
    query ChannelIds {
        channels {
            items {
                id
                code
            }
        }
    }
`;
export interface ChannelIdsResult {
    channels: { items: Array<{ id: string; code: string }> };
}
