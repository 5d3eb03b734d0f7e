import { Inject } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
    Allow,
    Ctx,
    ID,
    ListQueryOptions,
    Order,
    OrderService,
    PaginatedList,
    Permission,
    RequestContext,
    StockLocation,
    StockLocationService,
    Transaction,
} from '@vendure/core';

import { checkListOptions, entityId, INPUT_LIMITS, optionalBoundedText } from '../../shared/input-bounds';
import {
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    driverPermission,
    driverSelfPermission,
    manageDispatchPermission,
} from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryEvent } from '../entities/delivery-event.entity';
import { Driver } from '../entities/driver.entity';
import { ResolvedDriverDispatchOptions } from '../options';
import { delayedAfter, isDelayed } from '../services/delivery-delay';
import { DeliveryQueryService } from '../services/delivery-query.service';
import { DispatchService } from '../services/dispatch.service';
import { DriverService } from '../services/driver.service';
import { OPEN_WITH_DRIVER } from '../types';
import { DeliveryCodeError, DeliveryTransitionError, OrderNotReadyForDispatchError } from './error-results';

export type DeliveryActionResult = DeliveryAssignment | DeliveryTransitionError | DeliveryCodeError;

@Resolver()
export class DispatchAdminResolver {
    constructor(
        private readonly dispatchService: DispatchService,
        private readonly queries: DeliveryQueryService,
    ) {}

    @Query()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder)
    deliveryAssignments(
        @Ctx() ctx: RequestContext,
        @Args() args: { options?: ListQueryOptions<DeliveryAssignment> },
    ): Promise<PaginatedList<DeliveryAssignment>> {
        checkListOptions(args.options);
        return this.queries.findAll(ctx, args.options);
    }

    @Query()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder)
    async deliveryAssignment(
        @Ctx() ctx: RequestContext,
        @Args() args: { id: ID },
    ): Promise<DeliveryAssignment | null> {
        return (await this.queries.findOne(ctx, entityId(args.id, 'DeliveryAssignment'))) ?? null;
    }

    @Query()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder)
    async deliveryAssignmentForOrder(
        @Ctx() ctx: RequestContext,
        @Args() args: { orderId: ID },
    ): Promise<DeliveryAssignment | null> {
        return (await this.queries.findForOrder(ctx, entityId(args.orderId, 'Order'))) ?? null;
    }

    @Query()
    @Allow(manageDispatchPermission.Permission)
    dispatchStats(@Ctx() ctx: RequestContext) {
        return this.queries.stats(ctx);
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    markOrderReadyForDispatch(
        @Ctx() ctx: RequestContext,
        @Args() args: { orderId: ID },
    ): Promise<DeliveryAssignment | OrderNotReadyForDispatchError> {
        return this.dispatchService.markOrderReadyForDispatch(ctx, entityId(args.orderId, 'Order'));
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    reassignDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; driverId?: ID | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.reassignDelivery(
            ctx,
            entityId(args.assignmentId, 'DeliveryAssignment'),
            args.driverId == null ? args.driverId : entityId(args.driverId, 'Driver'),
        );
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    cancelDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; reason?: string | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.cancelDelivery(
            ctx,
            entityId(args.assignmentId, 'DeliveryAssignment'),
            optionalBoundedText(args.reason, 'reason', INPUT_LIMITS.note),
        );
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    retryDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.retryDelivery(ctx, entityId(args.assignmentId, 'DeliveryAssignment'));
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission, manageDispatchPermission.Permission)
    confirmPickup(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.confirmPickup(ctx, entityId(args.assignmentId, 'DeliveryAssignment'));
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission, manageDispatchPermission.Permission)
    confirmDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; code?: string | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.confirmDelivery(
            ctx,
            entityId(args.assignmentId, 'DeliveryAssignment'),
            optionalBoundedText(args.code, 'code', INPUT_LIMITS.deliveryCode),
        );
    }
}

@Resolver('DeliveryAssignment')
export class DeliveryAssignmentEntityResolver {
    constructor(
        private readonly queries: DeliveryQueryService,
        private readonly driverService: DriverService,
        private readonly orderService: OrderService,
        private readonly stockLocationService: StockLocationService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) private readonly options: ResolvedDriverDispatchOptions,
    ) {}

    /** Computed from the row and the plugin's thresholds: a read never marks the alert. */
    @ResolveField()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder, driverSelfPermission.Permission)
    delayed(@Parent() assignment: DeliveryAssignment): boolean {
        return isDelayed(assignment, this.options);
    }

    @ResolveField()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder, driverSelfPermission.Permission)
    delayedAfter(@Parent() assignment: DeliveryAssignment): Date | null {
        return delayedAfter(assignment, this.options);
    }

    @ResolveField()
    @Allow(Permission.ReadOrder)
    async order(@Ctx() ctx: RequestContext, @Parent() assignment: DeliveryAssignment): Promise<Order | null> {
        return (await this.orderService.findOne(ctx, assignment.orderId)) ?? null;
    }

    /**
     * Who is on the delivery: everyone who may see the delivery sees the driver's name. Their
     * position only with `ReadDriver`, or while they are on this delivery (ASSIGNED or PICKED_UP),
     * as the live stream does for a seller; contact details need `ReadDriver` (see
     * {@link DriverEntityResolver}).
     */
    @ResolveField()
    @Allow(
        manageDispatchPermission.Permission,
        Permission.ReadOrder,
        driverPermission.Read,
        driverSelfPermission.Permission,
    )
    async driver(
        @Ctx() ctx: RequestContext,
        @Parent() assignment: DeliveryAssignment,
    ): Promise<Driver | null> {
        if (assignment.driverId == null) return null;
        const driver = await this.driverService.findOne(ctx, assignment.driverId);
        if (!driver) return null;
        if (ctx.userHasPermissions([driverPermission.Read])) return driver;
        if (OPEN_WITH_DRIVER.includes(assignment.status)) return driver;
        return new Driver({ ...driver, latitude: null, longitude: null, lastSeenAt: null });
    }

    @ResolveField()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder, driverSelfPermission.Permission)
    async pickupStockLocation(
        @Ctx() ctx: RequestContext,
        @Parent() assignment: DeliveryAssignment,
    ): Promise<StockLocation | null> {
        if (assignment.pickupStockLocationId == null) return null;
        return (await this.stockLocationService.findOne(ctx, assignment.pickupStockLocationId)) ?? null;
    }

    @ResolveField()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder, driverSelfPermission.Permission)
    events(@Ctx() ctx: RequestContext, @Parent() assignment: DeliveryAssignment): Promise<DeliveryEvent[]> {
        return this.queries.eventsOf(ctx, assignment.id);
    }
}

/** Fields of a driver that not everyone who sees the driver's name may read. */
@Resolver('Driver')
export class DriverEntityResolver {
    constructor(private readonly queries: DeliveryQueryService) {}

    /** Their delivery, whoever's it is: fleet staff and the driver themselves only. */
    @ResolveField()
    @Allow(driverPermission.Read, driverSelfPermission.Permission)
    async activeAssignment(
        @Ctx() ctx: RequestContext,
        @Parent() driver: Driver,
    ): Promise<DeliveryAssignment | null> {
        return (await this.queries.findOpenForDriver(ctx, driver.id)) ?? null;
    }

    /** Contact details: `ReadDriver`, or the driver themselves (the only driver a driver can reach). */
    @ResolveField()
    @Allow(driverPermission.Read, driverSelfPermission.Permission)
    phoneNumber(@Parent() driver: Driver): string | null {
        return driver.phoneNumber;
    }

    @ResolveField()
    @Allow(driverPermission.Read, driverSelfPermission.Permission)
    emailAddress(@Parent() driver: Driver): string {
        return driver.emailAddress;
    }
}

@Resolver('DeliveryActionResult')
export class DeliveryActionResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'DeliveryAssignment';
    }
}

@Resolver('MarkOrderReadyResult')
export class MarkOrderReadyResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'DeliveryAssignment';
    }
}
