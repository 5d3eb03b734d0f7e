import gql from 'graphql-tag';

/** The admin API of the delivery webhooks (see the plugin README, "Webhooks"). */
export const webhookAdminApiExtensions = gql`
    enum DeliveryWebhookEventType {
        ASSIGNED
        PICKED_UP
        DELIVERED
        FAILED
        CANCELLED
        DELAYED
    }

    """
    An endpoint of the shop's systems that receives the delivery events of the active channel,
    signed with its secret (HMAC-SHA256, header X-Delivery-Signature). The secret is write-only.
    """
    type DeliveryWebhook implements Node {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        url: String!
        events: [DeliveryWebhookEventType!]!
        enabled: Boolean!
        "Attempts that failed since the last success."
        consecutiveFailures: Int!
        "consecutiveFailures reached the plugin's failingAfterConsecutiveFailures."
        failing: Boolean!
        "Why the last failed attempt failed, e.g. HTTP 500 (never the response body)."
        lastError: String
        lastFailureAt: DateTime
        lastSuccessAt: DateTime
        "Events still to be delivered (with attempts left)."
        pendingEvents: Int!
        "Events that failed every attempt."
        failedEvents: Int!
    }

    type DeliveryWebhookList implements PaginatedList {
        items: [DeliveryWebhook!]!
        totalItems: Int!
    }

    # Vendure adds skip, take, sort and filter.
    input DeliveryWebhookListOptions

    input CreateDeliveryWebhookInput {
        "An absolute https (or http) URL, at most 2000 characters."
        url: String!
        "16 to 128 characters; never returned by the API."
        secret: String!
        events: [DeliveryWebhookEventType!]!
        enabled: Boolean
    }

    input UpdateDeliveryWebhookInput {
        id: ID!
        url: String
        "A new secret (16 to 128 characters); the old one stops signing at once."
        secret: String
        events: [DeliveryWebhookEventType!]
        enabled: Boolean
    }

    extend type Query {
        deliveryWebhooks(options: DeliveryWebhookListOptions): DeliveryWebhookList!
        deliveryWebhook(id: ID!): DeliveryWebhook
    }

    extend type Mutation {
        createDeliveryWebhook(input: CreateDeliveryWebhookInput!): DeliveryWebhook!
        updateDeliveryWebhook(input: UpdateDeliveryWebhookInput!): DeliveryWebhook!
        "Deletes the endpoint; its events not yet delivered are dropped."
        deleteDeliveryWebhook(id: ID!): DeletionResponse!
    }
`;
