// The admin API operations of the webhooks page (plain strings through the dashboard's `api`
// client, like dispatch-api.ts). The secret is sent, never read: the API has no field for it.
import { api } from '@vendure/dashboard';

export type WebhookEventType = 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED' | 'FAILED' | 'CANCELLED' | 'DELAYED';

export const WEBHOOK_EVENT_TYPES: Array<{ type: WebhookEventType; label: string }> = [
    { type: 'ASSIGNED', label: 'Assigned' },
    { type: 'PICKED_UP', label: 'Picked up' },
    { type: 'DELIVERED', label: 'Delivered' },
    { type: 'FAILED', label: 'Failed' },
    { type: 'CANCELLED', label: 'Cancelled' },
    { type: 'DELAYED', label: 'Delayed' },
];

export interface DeliveryWebhook {
    id: string;
    createdAt: string;
    url: string;
    events: WebhookEventType[];
    enabled: boolean;
    consecutiveFailures: number;
    failing: boolean;
    lastError: string | null;
    lastFailureAt: string | null;
    lastSuccessAt: string | null;
    pendingEvents: number;
    failedEvents: number;
}

export interface WebhookInput {
    url: string;
    secret: string;
    events: WebhookEventType[];
}

const FIELDS = `id createdAt url events enabled consecutiveFailures failing lastError lastFailureAt
    lastSuccessAt pendingEvents failedEvents`;

export async function fetchWebhooks(): Promise<DeliveryWebhook[]> {
    const result = await api.query<{ deliveryWebhooks: { items: DeliveryWebhook[] } }>(
        `query DashboardDeliveryWebhooks {
            deliveryWebhooks(options: { take: 100, sort: { createdAt: ASC } }) { items { ${FIELDS} } }
        }`,
    );
    return result.deliveryWebhooks.items;
}

export async function createWebhook(input: WebhookInput): Promise<DeliveryWebhook> {
    const result = await api.query<{ createDeliveryWebhook: DeliveryWebhook }, { input: WebhookInput }>(
        `mutation DashboardCreateDeliveryWebhook($input: CreateDeliveryWebhookInput!) {
            createDeliveryWebhook(input: $input) { ${FIELDS} }
        }`,
        { input },
    );
    return result.createDeliveryWebhook;
}

/** What an update changes: only the fields given (a secret left out keeps the current one). */
export type WebhookUpdate = { id: string } & Partial<WebhookInput> & { enabled?: boolean };

export async function updateWebhook(input: WebhookUpdate): Promise<DeliveryWebhook> {
    const result = await api.query<{ updateDeliveryWebhook: DeliveryWebhook }, { input: WebhookUpdate }>(
        `mutation DashboardUpdateDeliveryWebhook($input: UpdateDeliveryWebhookInput!) {
            updateDeliveryWebhook(input: $input) { ${FIELDS} }
        }`,
        { input },
    );
    return result.updateDeliveryWebhook;
}

export function setWebhookEnabled(id: string, enabled: boolean): Promise<DeliveryWebhook> {
    return updateWebhook({ id, enabled });
}

export async function deleteWebhook(id: string): Promise<void> {
    await api.query<{ deleteDeliveryWebhook: { result: string } }, { id: string }>(
        `mutation DashboardDeleteDeliveryWebhook($id: ID!) { deleteDeliveryWebhook(id: $id) { result } }`,
        { id },
    );
}
