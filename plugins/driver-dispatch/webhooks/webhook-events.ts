import { DeliveryDelayStage, DeliveryStatus } from '../types';

/** The events an endpoint can receive (GraphQL `DeliveryWebhookEventType`). */
export enum DeliveryWebhookEventType {
    ASSIGNED = 'ASSIGNED',
    PICKED_UP = 'PICKED_UP',
    DELIVERED = 'DELIVERED',
    FAILED = 'FAILED',
    CANCELLED = 'CANCELLED',
    DELAYED = 'DELAYED',
}

export const DELIVERY_WEBHOOK_EVENT_TYPES = Object.values(DeliveryWebhookEventType);

/** The `type` of a payload: `delivery.assigned`, `delivery.picked_up`, ... */
export function payloadType(type: DeliveryWebhookEventType): string {
    return `delivery.${type.toLowerCase()}`;
}

/** The event type of a move into `status`; none for PENDING (not sent). */
export function eventTypeOfStatus(status: DeliveryStatus): DeliveryWebhookEventType | undefined {
    switch (status) {
        case DeliveryStatus.ASSIGNED:
            return DeliveryWebhookEventType.ASSIGNED;
        case DeliveryStatus.PICKED_UP:
            return DeliveryWebhookEventType.PICKED_UP;
        case DeliveryStatus.DELIVERED:
            return DeliveryWebhookEventType.DELIVERED;
        case DeliveryStatus.FAILED:
            return DeliveryWebhookEventType.FAILED;
        case DeliveryStatus.CANCELLED:
            return DeliveryWebhookEventType.CANCELLED;
        default:
            return undefined;
    }
}

/**
 * The body of every POST. `data` is the delivery as the shop's own systems may see it: its
 * reference, status and times, and the (seller) order's code so they can find the order. Never
 * the delivery code (proof of delivery belongs to the customer), the tracking link (it shows
 * the code), the address or anything of the driver beyond whether one is on it.
 */
export interface DeliveryWebhookPayload {
    /** Unique per event and endpoint; the same on every attempt. */
    id: string;
    type: string;
    /** When the event happened (ISO 8601). The signature's `t` is when this attempt was sent. */
    createdAt: string;
    data: {
        deliveryReference: string;
        orderCode: string;
        status: DeliveryStatus;
        /** The status before the move; null for `delivery.delayed`. */
        previousStatus: DeliveryStatus | null;
        /** `CANCELLED_BY_ADMIN`, `DELIVERY_FAILED`, ...; null for the ordinary steps. */
        reasonCode: string | null;
        /** Set for `delivery.delayed`: which stage took too long, and since when. */
        delay: { stage: DeliveryDelayStage; since: string } | null;
        assignedAt: string | null;
        pickedUpAt: string | null;
        deliveredAt: string | null;
        /** Ties the events and log lines of one delivery together. */
        correlationId: string;
    };
}

/** The fields of a delivery a payload carries. */
export interface PayloadDelivery {
    deliveryReference: string;
    orderCode: string;
    status: DeliveryStatus;
    assignedAt: Date | null;
    pickedUpAt: Date | null;
    deliveredAt: Date | null;
    correlationId: string;
}

/** What happened, for {@link buildPayload}. */
export interface PayloadEvent {
    type: DeliveryWebhookEventType;
    previousStatus: DeliveryStatus | null;
    reasonCode: string | null;
    delay: { stage: DeliveryDelayStage; since: Date } | null;
}

export function buildPayload(
    id: string,
    createdAt: Date,
    event: PayloadEvent,
    delivery: PayloadDelivery,
): DeliveryWebhookPayload {
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return {
        id,
        type: payloadType(event.type),
        createdAt: createdAt.toISOString(),
        data: {
            deliveryReference: delivery.deliveryReference,
            orderCode: delivery.orderCode,
            status: delivery.status,
            previousStatus: event.previousStatus,
            reasonCode: event.reasonCode,
            delay: event.delay ? { stage: event.delay.stage, since: event.delay.since.toISOString() } : null,
            assignedAt: iso(delivery.assignedAt),
            pickedUpAt: iso(delivery.pickedUpAt),
            deliveredAt: iso(delivery.deliveredAt),
            correlationId: delivery.correlationId,
        },
    };
}
