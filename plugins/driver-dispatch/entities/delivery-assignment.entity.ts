import {
    Channel,
    ChannelAware,
    DeepPartial,
    EntityId,
    ID,
    Order,
    StockLocation,
    VendureEntity,
} from '@vendure/core';
import { Column, Entity, Index, JoinTable, ManyToMany, ManyToOne, OneToMany } from 'typeorm';

import { DeliveryStatus } from '../types';
import { DeliveryEvent } from './delivery-event.entity';
import { Driver } from './driver.entity';

/**
 * The delivery of one order (a seller order in a marketplace, the order itself in a single shop) by
 * one driver. It lives in the default channel and in the seller's channel, so a seller's staff see
 * only their own deliveries.
 */
@Entity()
// Invariant 2, held by the database and not only by code: a driver holds at most one open delivery.
@Index('IDX_delivery_assignment_open_driver', ['driverId'], {
    unique: true,
    where: `"status" IN ('ASSIGNED', 'PICKED_UP')`,
})
@Index(['status', 'createdAt'])
// deliveryInsights reads the deliveries made ready in a period of time.
@Index('IDX_delivery_assignment_created_at', ['createdAt'])
export class DeliveryAssignment extends VendureEntity implements ChannelAware {
    constructor(input?: DeepPartial<DeliveryAssignment>) {
        super(input);
    }

    @ManyToMany(() => Channel)
    @JoinTable()
    channels: Channel[];

    @ManyToOne(() => Order, { onDelete: 'CASCADE' })
    order: Order;

    /** One assignment per order: marking an order ready twice finds this row. */
    @Index({ unique: true })
    @EntityId()
    orderId: ID;

    @ManyToOne(() => Driver, { nullable: true, onDelete: 'SET NULL' })
    driver: Driver | null;

    @EntityId({ nullable: true })
    driverId: ID | null;

    @Column({ type: 'varchar', length: 16, default: DeliveryStatus.PENDING })
    status: DeliveryStatus;

    /** The store the order's lines were allocated from. */
    @ManyToOne(() => StockLocation, { nullable: true, onDelete: 'SET NULL' })
    pickupStockLocation: StockLocation | null;

    @EntityId({ nullable: true })
    pickupStockLocationId: ID | null;

    @Column({ type: 'double precision' })
    dropoffLatitude: number;

    @Column({ type: 'double precision' })
    dropoffLongitude: number;

    /** How far the assigned driver was from the pickup store when claimed. */
    @Column({ type: 'double precision', nullable: true })
    pickupDistanceKm: number | null;

    /** Dispatch attempts that found no driver. */
    @Column({ type: 'int', default: 0 })
    attempts: number;

    @Column({ type: 'text', nullable: true })
    lastError: string | null;

    @Column({ type: 'timestamp', nullable: true })
    assignedAt: Date | null;

    @Column({ type: 'timestamp', nullable: true })
    pickedUpAt: Date | null;

    @Column({ type: 'timestamp', nullable: true })
    deliveredAt: Date | null;

    /**
     * What the driver and the store's staff call this delivery (e.g. `K7QM-2XRT`): random, so it
     * opens nothing. Drivers never get the order code, which Vendure lets anyone use to read the
     * order for a while after checkout.
     */
    @Column({ type: 'varchar', length: 16 })
    deliveryReference: string;

    /** Ties the events and log lines of one delivery together. */
    @Column({ type: 'varchar', length: 36 })
    correlationId: string;

    /** The `local-courier` Fulfillment this delivery moves along. */
    @EntityId({ nullable: true })
    fulfillmentId: ID | null;

    /**
     * Drivers who declined it or were taken off it: dispatch does not offer it to them again. Ids
     * as strings (a JSON array in a text column), so they fit any EntityIdStrategy; compare them
     * with `idsAreEqual`.
     */
    @Column({ type: 'simple-json', default: '[]' })
    excludedDriverIds: string[];

    /**
     * The one-time code the customer sees in `deliveryTracking` and the driver enters at the door
     * (proof of delivery). Never exposed on the admin type.
     */
    @Column({ type: 'varchar', length: 8, nullable: true })
    deliveryCode: string | null;

    /**
     * The secret of the customer's tracking link (`/track/<token>`, `DeliveryTracking.trackingUrl`):
     * random, never derived from the order, kept for the life of the delivery.
     */
    @Index('IDX_delivery_assignment_tracking_token', { unique: true })
    @Column({ type: 'varchar', length: 64 })
    trackingToken: string;

    /** The delivery's attempt: 0 at first, one more each time staff retry it after it FAILED. */
    @Column({ type: 'int', default: 0 })
    attempt: number;

    /** Wrong delivery codes in a row. */
    @Column({ type: 'int', default: 0 })
    codeFailures: number;

    /** Set after too many wrong codes: no code is accepted until then. */
    @Column({ type: 'timestamp', nullable: true })
    codeLockedUntil: Date | null;

    /**
     * When the `WAITING_FOR_DRIVER` alert (DeliveryDelayedEvent) went out; set once, by one
     * conditional UPDATE, so one process publishes it once.
     */
    @Column({ type: 'timestamp', nullable: true })
    waitingForDriverDelayedAt: Date | null;

    /** When the `OUT_FOR_DELIVERY` alert went out; set once, as above. */
    @Column({ type: 'timestamp', nullable: true })
    outForDeliveryDelayedAt: Date | null;

    @OneToMany(() => DeliveryEvent, event => event.assignment)
    events: DeliveryEvent[];
}
