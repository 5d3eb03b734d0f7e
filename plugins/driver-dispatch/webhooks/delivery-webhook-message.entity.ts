import { DeepPartial, EntityId, ID, VendureEntity } from '@vendure/core';
import { Column, Entity, Index, ManyToOne } from 'typeorm';

import { DeliveryWebhook } from './delivery-webhook.entity';

/** Where one event stands with one endpoint. */
export enum DeliveryWebhookMessageStatus {
    PENDING = 'PENDING',
    DELIVERED = 'DELIVERED',
    /** Every attempt failed, or the endpoint was disabled before it got through. */
    FAILED = 'FAILED',
}

/**
 * The outbox: one row per event and endpoint, written in the transaction of the delivery's move,
 * with the event's id and the exact body every attempt sends. The job that POSTs it carries only
 * the row's id, so a retry, or a job re-run after a restart, sends the same event id and body.
 */
@Entity()
// One row per source event and endpoint: an event handled twice records nothing the second time.
@Index('IDX_delivery_webhook_message_source', ['webhookId', 'sourceKey'], { unique: true })
@Index('IDX_delivery_webhook_message_pending', ['status', 'nextAttemptAt'])
export class DeliveryWebhookMessage extends VendureEntity {
    constructor(input?: DeepPartial<DeliveryWebhookMessage>) {
        super(input);
    }

    @ManyToOne(() => DeliveryWebhook, { onDelete: 'CASCADE' })
    webhook: DeliveryWebhook;

    @EntityId()
    webhookId: ID;

    /** The `id` of the payload and the `X-Delivery-Event-Id` header: the receiver's key for duplicates. */
    @Index('IDX_delivery_webhook_message_event_id', { unique: true })
    @Column({ type: 'varchar', length: 64 })
    eventId: string;

    /** `delivery.assigned`, `delivery.picked_up`, ... */
    @Column({ type: 'varchar', length: 32 })
    eventType: string;

    /** What it was made from: `status:<DeliveryEvent id>` or `delayed:<assignment id>:<stage>`. */
    @Column({ type: 'varchar', length: 100 })
    sourceKey: string;

    /** The JSON body, fixed when the event happened. */
    @Column({ type: 'text' })
    body: string;

    @Column({ type: 'varchar', length: 16, default: DeliveryWebhookMessageStatus.PENDING })
    status: DeliveryWebhookMessageStatus;

    /** Attempts started (a conditional UPDATE takes each). */
    @Column({ type: 'int', default: 0 })
    attempts: number;

    /** While an attempt runs: another job for the row meanwhile does nothing. */
    @Column({ type: 'timestamp', nullable: true })
    leaseUntil: Date | null;

    /** When the next attempt is due; the sweep re-queues a PENDING row whose job was lost. */
    @Column({ type: 'timestamp' })
    nextAttemptAt: Date;

    @Column({ type: 'int', nullable: true })
    lastStatusCode: number | null;

    @Column({ type: 'varchar', length: 200, nullable: true })
    lastError: string | null;

    @Column({ type: 'timestamp', nullable: true })
    deliveredAt: Date | null;
}
