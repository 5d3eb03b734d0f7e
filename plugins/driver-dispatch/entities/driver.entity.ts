import { Administrator, DeepPartial, EntityId, ID, VendureEntity } from '@vendure/core';
import { Column, Entity, Index, JoinColumn, OneToOne, Unique } from 'typeorm';

import { DriverStatus } from '../types';

/**
 * A driver of the platform's fleet (drivers belong to the default channel). Logs in as the linked
 * Administrator, whose role holds only DriverSelf. Only the last known position is stored: no
 * location history.
 */
@Entity()
@Index(['status', 'latitude', 'longitude'])
// The constraint `unique: true` gave the column before it became an @EntityId (same name).
@Unique(['administratorId'])
export class Driver extends VendureEntity {
    constructor(input?: DeepPartial<Driver>) {
        super(input);
    }

    @Column()
    name: string;

    @Column({ type: 'varchar', nullable: true })
    phoneNumber: string | null;

    @Column()
    emailAddress: string;

    @Column({ type: 'varchar', length: 16, default: DriverStatus.OFFLINE })
    status: DriverStatus;

    @Column({ type: 'double precision', nullable: true })
    latitude: number | null;

    @Column({ type: 'double precision', nullable: true })
    longitude: number | null;

    @Column({ type: 'timestamp', nullable: true })
    lastSeenAt: Date | null;

    /** When the driver last finished a delivery: the tie-break "longest idle" among equally near drivers. */
    @Column({ type: 'timestamp', nullable: true })
    lastDeliveredAt: Date | null;

    /**
     * Staff disable a driver (their sessions are revoked, they are OFFLINE): a disabled driver may
     * still log in, but every driver operation refuses them and dispatch never picks them.
     */
    @Column({ default: true })
    enabled: boolean;

    /** Wrong delivery codes in a row over all of this driver's deliveries. */
    @Column({ type: 'int', default: 0 })
    codeFailures: number;

    /** Set after too many wrong codes: this driver confirms no delivery with a code until then. */
    @Column({ type: 'timestamp', nullable: true })
    codeLockedUntil: Date | null;

    /** Demo drivers are the ones the built-in demo fleet may move. */
    @Column({ default: false })
    isDemo: boolean;

    @OneToOne(() => Administrator, { onDelete: 'SET NULL', nullable: true })
    @JoinColumn()
    administrator: Administrator | null;

    @EntityId({ nullable: true })
    administratorId: ID | null;
}
