import { DeepPartial, EntityId, ID, VendureEntity } from '@vendure/core';
import { Column, Entity, Index, ManyToOne, Relation } from 'typeorm';

import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryNotificationKind } from './delivery-notification-event';

/**
 * One customer notification that was published: its unique key (delivery, kind, driver) is what
 * makes it once across processes, however often the delivery event behind it is handled.
 */
@Entity()
@Index('IDX_delivery_notification_once', ['assignmentId', 'kind', 'driverId'], { unique: true })
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
     * driver's name. No foreign key: a deleted driver's notifications stay as they were.
     */
    @EntityId()
    driverId: ID;
}
