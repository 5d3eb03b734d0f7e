import { Inject, Injectable } from '@nestjs/common';
import {
    EntityNotFoundError,
    ID,
    ListQueryBuilder,
    ListQueryOptions,
    PaginatedList,
    RequestContext,
    TransactionalConnection,
} from '@vendure/core';
import { In } from 'typeorm';

import { DRIVER_DISPATCH_PLUGIN_OPTIONS } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryEvent } from '../entities/delivery-event.entity';
import { Driver } from '../entities/driver.entity';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryStatus, DriverStatus, OPEN_WITH_DRIVER } from '../types';
import { delayCutoffs } from './delivery-delay';

/**
 * The deliveries as staff and drivers read them: always within the active channel (a seller's
 * staff see only their own seller's deliveries), never writing.
 */
@Injectable()
export class DeliveryQueryService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly listQueryBuilder: ListQueryBuilder,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) private readonly options: ResolvedDriverDispatchOptions,
    ) {}

    async findAll(
        ctx: RequestContext,
        options?: ListQueryOptions<DeliveryAssignment>,
    ): Promise<PaginatedList<DeliveryAssignment>> {
        // Channel-aware: a seller's staff see only their own seller's deliveries.
        const [items, totalItems] = await this.listQueryBuilder
            .build(DeliveryAssignment, options, { ctx, channelId: ctx.channelId })
            .getManyAndCount();
        return { items, totalItems };
    }

    async findOne(ctx: RequestContext, id: ID): Promise<DeliveryAssignment | undefined> {
        return (await this.visible(ctx).andWhere('assignment.id = :id', { id }).getOne()) ?? undefined;
    }

    async findForOrder(ctx: RequestContext, orderId: ID): Promise<DeliveryAssignment | undefined> {
        return (
            (await this.visible(ctx).andWhere('assignment.orderId = :orderId', { orderId }).getOne()) ??
            undefined
        );
    }

    /** The ASSIGNED or PICKED_UP delivery of a driver (at most one, held by a unique index). */
    async findOpenForDriver(ctx: RequestContext, driverId: ID): Promise<DeliveryAssignment | undefined> {
        const assignment = await this.connection.getRepository(ctx, DeliveryAssignment).findOne({
            where: { driverId, status: In(OPEN_WITH_DRIVER) },
        });
        return assignment ?? undefined;
    }

    async eventsOf(ctx: RequestContext, assignmentId: ID): Promise<DeliveryEvent[]> {
        return this.connection.getRepository(ctx, DeliveryEvent).find({
            where: { assignmentId },
            order: { createdAt: 'ASC', id: 'ASC' },
        });
    }

    async stats(ctx: RequestContext) {
        const driverCounts = await this.connection
            .getRepository(ctx, Driver)
            .createQueryBuilder('driver')
            .select('driver.status', 'status')
            .addSelect('COUNT(*)', 'count')
            .groupBy('driver.status')
            .getRawMany<{ status: DriverStatus; count: string }>();
        const countOf = (status: DriverStatus) =>
            Number(driverCounts.find(row => row.status === status)?.count ?? 0);
        const pendingAssignments = await this.visible(ctx)
            .andWhere('assignment.status = :status', { status: DeliveryStatus.PENDING })
            .getCount();
        const activeAssignments = await this.visible(ctx)
            .andWhere('assignment.status IN (:...statuses)', { statuses: OPEN_WITH_DRIVER })
            .getCount();
        // The SQL form of isDelayed (services/delivery-delay.ts), with the same cutoffs.
        const { readyBefore, assignedBefore } = delayCutoffs(this.options);
        const delayedAssignments = await this.visible(ctx)
            .andWhere(
                `((assignment.status = :pending AND (assignment.waitingForDriverDelayedAt IS NOT NULL OR assignment.createdAt < :readyBefore))
                  OR (assignment.status IN (:...withDriver) AND (assignment.outForDeliveryDelayedAt IS NOT NULL OR assignment.assignedAt < :assignedBefore)))`,
                {
                    pending: DeliveryStatus.PENDING,
                    withDriver: OPEN_WITH_DRIVER,
                    readyBefore,
                    assignedBefore,
                },
            )
            .getCount();
        return {
            availableDrivers: countOf(DriverStatus.AVAILABLE),
            busyDrivers: countOf(DriverStatus.BUSY),
            offlineDrivers: countOf(DriverStatus.OFFLINE),
            pendingAssignments,
            activeAssignments,
            delayedAssignments,
        };
    }

    /** The assignment if the active channel may see it, else EntityNotFoundError (as Vendure answers). */
    async getVisibleOrThrow(ctx: RequestContext, id: ID): Promise<DeliveryAssignment> {
        const assignment = await this.findOne(ctx, id);
        if (!assignment) throw new EntityNotFoundError('DeliveryAssignment', id);
        return assignment;
    }

    /** Assignments of the active channel. */
    private visible(ctx: RequestContext) {
        return this.connection
            .getRepository(ctx, DeliveryAssignment)
            .createQueryBuilder('assignment')
            .innerJoin('assignment.channels', 'channel', 'channel.id = :channelId', {
                channelId: ctx.channelId,
            });
    }
}
