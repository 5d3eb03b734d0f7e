import { Channel, ChannelAware, DeepPartial, VendureEntity } from '@vendure/core';
import { Column, Entity, JoinTable, ManyToMany } from 'typeorm';

import { DeliveryWebhookEventType } from './webhook-events';

/**
 * An endpoint of the shop's systems that receives the delivery events of its channel, signed with
 * its secret. A seller's staff configure their own in the seller's channel (they receive only
 * that seller's deliveries); the default channel's receive every delivery.
 */
@Entity()
export class DeliveryWebhook extends VendureEntity implements ChannelAware {
    constructor(input?: DeepPartial<DeliveryWebhook>) {
        super(input);
    }

    @ManyToMany(() => Channel)
    @JoinTable()
    channels: Channel[];

    @Column({ type: 'varchar', length: 2000 })
    url: string;

    /** Signs every POST (HMAC-SHA256). Write-only: no API returns it. */
    @Column({ type: 'varchar', length: 128 })
    secret: string;

    /** The event types this endpoint receives. */
    @Column({ type: 'simple-json' })
    events: DeliveryWebhookEventType[];

    @Column({ type: 'boolean', default: true })
    enabled: boolean;

    /** Attempts that failed since the last success (one conditional UPDATE each, across processes). */
    @Column({ type: 'int', default: 0 })
    consecutiveFailures: number;

    @Column({ type: 'varchar', length: 200, nullable: true })
    lastError: string | null;

    @Column({ type: 'timestamp', nullable: true })
    lastFailureAt: Date | null;

    @Column({ type: 'timestamp', nullable: true })
    lastSuccessAt: Date | null;
}
