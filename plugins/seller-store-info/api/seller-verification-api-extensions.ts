import gql from 'graphql-tag';

/** Admin API: marketplace seller verification. */
export const sellerVerificationAdminApiExtensions = gql`
    extend type Seller {
        "Verified sellers' products show in the shop. The default channel's seller always is."
        verified: Boolean!
        "When it was last verified or un-verified."
        verificationChangedAt: DateTime
        "Who last verified or un-verified it (the administrator's identifier)."
        verificationChangedBy: String
        "Why it was un-verified; null while verified."
        unverifiedReason: String
    }

    "A store of the seller lacks coordinates or a postal code, which delivery needs."
    type SellerNotVerifiableError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        stockLocationId: ID!
        stockLocationName: String!
        "What the store lacks: coordinates, postal code."
        missingFields: [String!]!
    }

    type DefaultSellerAlwaysVerifiedError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
    }

    union VerifySellerResult = Seller | SellerNotVerifiableError
    union UnverifySellerResult = Seller | DefaultSellerAlwaysVerifiedError

    extend type Mutation {
        "Lets the seller's products show in the shop (needs VerifySeller). Verifying a verified seller changes nothing."
        verifySeller(sellerId: ID!): VerifySellerResult!
        "Hides the seller's products from the shop at once; placed orders go on (needs VerifySeller). reason: 1-500 characters."
        unverifySeller(sellerId: ID!, reason: String!): UnverifySellerResult!
    }
`;
