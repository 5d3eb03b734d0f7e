import { DeepPartial, EntityId, ID, VendureEntity } from '@vendure/core';
import { Column, Entity, ManyToOne, Relation } from 'typeorm';

import { DeliveryStatus } from '../types';
import { DeliveryAssignment } from './delivery-assignment.entity';

/** One move of a delivery: append-only, the history of who did what and when. */
@Entity()
export class DeliveryEvent extends VendureEntity {
    constructor(input?: DeepPartial<DeliveryEvent>) {
        super(input);
    }

    @ManyToOne(() => DeliveryAssignment, assignment => assignment.events, { onDelete: 'CASCADE' })
    // Relation<>: the two entities import each other, and decorator metadata must not read the class.
    assignment: Relation<DeliveryAssignment>;

    @EntityId()
    assignmentId: ID;

    /** Null for the creation of the assignment. */
    @Column({ type: 'varchar', length: 16, nullable: true })
    fromStatus: DeliveryStatus | null;

    @Column({ type: 'varchar', length: 16 })
    toStatus: DeliveryStatus;

    /** `DRIVER_DECLINED`, `CANCELLED_BY_ADMIN`, ... */
    @Column({ type: 'varchar', length: 32, nullable: true })
    reasonCode: string | null;

    @Column({ type: 'text', nullable: true })
    note: string | null;

    /** `driver:<id>`, `staff:<administratorId>` or `system`. */
    @Column({ type: 'varchar', length: 64 })
    actor: string;
}
