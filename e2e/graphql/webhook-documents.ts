import gql from 'graphql-tag';

/** What the webhook suites read of an endpoint (never a secret: the API has none to give). */
export interface WebhookRow {
    id: string;
    url: string;
    events: string[];
    enabled: boolean;
    consecutiveFailures: number;
    failing: boolean;
    lastError: string | null;
    lastFailureAt: string | null;
    lastSuccessAt: string | null;
    pendingEvents: number;
    failedEvents: number;
}

const WEBHOOK_FIELDS = `
    id
    url
    events
    enabled
    consecutiveFailures
    failing
    lastError
    lastFailureAt
    lastSuccessAt
    pendingEvents
    failedEvents
`;

export const CREATE_WEBHOOK = gql`
    mutation CreateWebhook($input: CreateDeliveryWebhookInput!) {
        createDeliveryWebhook(input: $input) {
            ${WEBHOOK_FIELDS}
        }
    }
`;

export const UPDATE_WEBHOOK = gql`
    mutation UpdateWebhook($input: UpdateDeliveryWebhookInput!) {
        updateDeliveryWebhook(input: $input) {
            ${WEBHOOK_FIELDS}
        }
    }
`;

export const DELETE_WEBHOOK = gql`
    mutation DeleteWebhook($id: ID!) {
        deleteDeliveryWebhook(id: $id) {
            result
            message
        }
    }
`;

export const WEBHOOK = gql`
    query Webhook($id: ID!) {
        deliveryWebhook(id: $id) {
            ${WEBHOOK_FIELDS}
        }
    }
`;

export const WEBHOOKS = gql`
    query Webhooks {
        deliveryWebhooks(options: { take: 100 }) {
            totalItems
            items {
                ${WEBHOOK_FIELDS}
            }
        }
    }
`;
