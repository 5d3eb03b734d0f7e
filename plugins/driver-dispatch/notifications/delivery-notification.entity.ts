import { DeepPartial, EntityId, ID, VendureEntity } from '@vendure/core';
import { Column, Entity, Index, ManyToOne, Relation } from 'typeorm';

import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryNotificationKind } from './delivery-notification-event';

/**
 * One customer notification, the outbox of the delivery emails: written in the delivery step's own
 * transaction, published after it commits. Its unique key (delivery, kind, `onceKey`: the attempt
 * and the driver) is what makes it once across processes, however often the delivery event behind
 * it is handled; `publishedAt` is set by whoever publishes it, once, so a row a dead process left
 * unpublished is found by the sweep.
 */
@Entity()
@Index('IDX_delivery_notification_once', ['assignmentId', 'kind', 'onceKey'], { unique: true })
@Index('IDX_delivery_notification_published', ['publishedAt'])
export class DeliveryNotification extends VendureEntity {
    constructor(input?: DeepPartial<DeliveryNotification>) {
        super(input);
    }

    @ManyToOne(() => DeliveryAssignment, { onDelete: 'CASCADE' })
    assignment: Relation<DeliveryAssignment>;

    @EntityId()
    assignmentId: ID;

    @Column({ type: 'varchar', length: 32 })
    kind: DeliveryNotificationKind;

    /**
     * The driver of the step: a delivery reassigned to another driver tells the customer the new
     * driver's name. Null for a delivery staff failed while it waited for a driver. No foreign
     * key: a deleted driver's notifications stay as they were.
     */
    @EntityId({ nullable: true })
    driverId: ID | null;

    /**
     * The delivery's attempt at the step (`DeliveryAssignment.attempt`: how often staff had retried
     * it), so a retried delivery tells the customer again, also when the same driver takes it.
     */
    @Column({ type: 'int', default: 0 })
    attempt: number;

    /**
     * `<attempt>:<driverId>` (`<attempt>:-` without a driver): the step's part of the unique key.
     * Empty only from a process of an earlier version, during a rolling deploy: it leaves the
     * column out, and its steps must still commit.
     */
    @Column({ type: 'varchar', length: 64, default: '' })
    onceKey: string;

    /** The failure's reason (FAILED only): what the email says happens next. */
    @Column({ type: 'varchar', length: 32, nullable: true })
    reasonCode: string | null;

    /**
     * When its {@link DeliveryNotificationEvent} was published, or it was found to have nobody to
     * tell or to be out of date; null while it waits.
     */
    @Column({ type: 'timestamp', nullable: true })
    publishedAt: Date | null;
}
