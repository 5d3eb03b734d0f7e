import { Injectable } from '@nestjs/common';
import { EntityNotFoundError, EventBus, ID, RequestContext, TransactionalConnection } from '@vendure/core';
import { In } from 'typeorm';

import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DriverAvailableEvent } from '../events/driver-available-event';
import { DriverStatusEvent } from '../events/driver-status-event';
import { DriverStatus, OPEN_WITH_DRIVER } from '../types';
import { DriverLocationService } from './driver-location.service';

/** The driver a delivery is given to. */
export interface DriverChoice {
    driverId: ID;
    /** Distance from the pickup store when the index claimed them; null when staff chose. */
    distanceKm: number | null;
    /**
     * True when the driver index claimed them for this delivery (they are out of its free set and
     * possibly BUSY in the database already); false when staff picked an AVAILABLE driver.
     */
    claimedByIndex: boolean;
}

/** The chosen driver could not be taken: disabled, or no longer free. Nothing was written. */
export class DriverNotFree {
    constructor(
        readonly driverId: ID,
        readonly message: string,
    ) {}
}

/**
 * The driver's side of a delivery's moves, for the {@link DeliveryLifecycleService}: taking the
 * chosen driver (BUSY) when a delivery is assigned, releasing them (AVAILABLE, back in the index)
 * in the step that ends it, and giving back to the index the drivers it claimed for deliveries
 * that did not keep them. The database is the truth; the index follows it.
 */
@Injectable()
export class DeliveryDriversService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly eventBus: EventBus,
        private readonly locations: DriverLocationService,
    ) {}

    /**
     * One conditional UPDATE takes the driver. A driver the index claimed may already be BUSY (the
     * SQL index claims in the database) but must still be enabled and not gone OFFLINE; a driver
     * staff chose must be AVAILABLE.
     */
    async take(
        ctx: RequestContext,
        assignmentId: ID,
        choice: DriverChoice,
    ): Promise<DriverNotFree | undefined> {
        const statuses = choice.claimedByIndex
            ? [DriverStatus.AVAILABLE, DriverStatus.BUSY]
            : [DriverStatus.AVAILABLE];
        // BUSY is accepted after an index claim (the SQL index's claim wrote it), but never for a
        // driver on another open delivery: an index behind the database (rebuilt while an
        // assignment was uncommitted) can offer one. FOR SHARE waits for a step still ending that
        // delivery (it told the index AVAILABLE before its commit), so only a committed open
        // delivery refuses the driver.
        const onDelivery = await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder('other')
            .select('other.id')
            .setLock('pessimistic_read')
            .where('other.driverId = :driverId AND other.id <> :assignmentId', {
                driverId: choice.driverId,
                assignmentId,
            })
            .andWhere('other.status IN (:...open)', { open: OPEN_WITH_DRIVER })
            .getRawMany();
        const taken = onDelivery.length
            ? { affected: 0 }
            : await this.connection
                  .getRepository(ctx, Driver)
                  .update(
                      { id: choice.driverId, enabled: true, status: In(statuses) },
                      { status: DriverStatus.BUSY },
                  );
        if (taken.affected) {
            if (!choice.claimedByIndex)
                await this.locations.statusChanged(choice.driverId, DriverStatus.BUSY);
            return undefined;
        }
        const driver = await this.connection
            .getRepository(ctx, Driver)
            .findOne({ where: { id: choice.driverId }, select: ['id', 'name', 'status', 'enabled'] });
        if (!driver) throw new EntityNotFoundError('Driver', choice.driverId);
        return new DriverNotFree(
            driver.id,
            driver.enabled
                ? `${driver.name} is ${driver.status}: only an AVAILABLE driver can be assigned`
                : `${driver.name} is disabled: enable their account before assigning them`,
        );
    }

    /**
     * Drivers the index claimed for deliveries that did not keep them (rolled back, or refused by
     * `DeliveryLifecycleService.assign`) go back into the index, after the transaction. A driver
     * the database has on an open delivery is not released but set BUSY there: the index was
     * behind (a rebuild raced an uncommitted assignment), and releasing them would offer them to
     * the next claim again, or, on the SQL index, mark a driver on a delivery AVAILABLE.
     */
    async giveBackClaimed(driverIds: ID[]): Promise<void> {
        if (!driverIds.length) return;
        // FOR SHARE waits for a step still moving one of these deliveries (a delivery being
        // confirmed has told the index AVAILABLE before its commit), so what is read is committed.
        const onDelivery = await this.connection.rawConnection.transaction(manager =>
            manager
                .getRepository(DeliveryAssignment)
                .createQueryBuilder('assignment')
                .select('assignment.driverId', 'driverId')
                .setLock('pessimistic_read')
                .where('assignment.driverId IN (:...driverIds)', { driverIds })
                .andWhere('assignment.status IN (:...open)', { open: OPEN_WITH_DRIVER })
                .getRawMany<{ driverId: ID }>(),
        );
        const busy = new Set(onDelivery.map(row => String(row.driverId)));
        for (const driverId of driverIds) {
            if (busy.has(String(driverId))) {
                await this.locations.statusChanged(driverId, DriverStatus.BUSY);
            } else {
                await this.locations.withIndex('release', index => index.release(driverId));
            }
        }
    }

    /** AVAILABLE again, in the same transaction as the step that ended the delivery. */
    async release(ctx: RequestContext, driverId: ID, deliveredAt?: Date): Promise<void> {
        await this.connection.getRepository(ctx, Driver).update(
            { id: driverId, status: DriverStatus.BUSY },
            {
                status: DriverStatus.AVAILABLE,
                ...(deliveredAt ? { lastDeliveredAt: deliveredAt } : {}),
            },
        );
        await this.locations.statusChanged(driverId, DriverStatus.AVAILABLE);
        await this.eventBus.publish(new DriverStatusEvent(ctx, driverId, DriverStatus.AVAILABLE));
        await this.eventBus.publish(new DriverAvailableEvent(ctx, driverId));
    }
}
