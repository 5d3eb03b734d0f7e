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

import { driverPermission, driverSelfPermission, manageDispatchPermission } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryEvent } from '../entities/delivery-event.entity';
import { Driver } from '../entities/driver.entity';
import { DispatchService } from '../services/dispatch.service';
import { DriverService } from '../services/driver.service';
import { DeliveryCodeError, DeliveryTransitionError, OrderNotReadyForDispatchError } from './error-results';

export type DeliveryActionResult = DeliveryAssignment | DeliveryTransitionError | DeliveryCodeError;

@Resolver()
export class DispatchAdminResolver {
    constructor(private readonly dispatchService: DispatchService) {}

    @Query()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder)
    deliveryAssignments(
        @Ctx() ctx: RequestContext,
        @Args() args: { options?: ListQueryOptions<DeliveryAssignment> },
    ): Promise<PaginatedList<DeliveryAssignment>> {
        return this.dispatchService.findAll(ctx, args.options);
    }

    @Query()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder)
    async deliveryAssignment(
        @Ctx() ctx: RequestContext,
        @Args() args: { id: ID },
    ): Promise<DeliveryAssignment | null> {
        return (await this.dispatchService.findOne(ctx, args.id)) ?? null;
    }

    @Query()
    @Allow(manageDispatchPermission.Permission, Permission.ReadOrder)
    async deliveryAssignmentForOrder(
        @Ctx() ctx: RequestContext,
        @Args() args: { orderId: ID },
    ): Promise<DeliveryAssignment | null> {
        return (await this.dispatchService.findForOrder(ctx, args.orderId)) ?? null;
    }

    @Query()
    @Allow(manageDispatchPermission.Permission)
    dispatchStats(@Ctx() ctx: RequestContext) {
        return this.dispatchService.stats(ctx);
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    markOrderReadyForDispatch(
        @Ctx() ctx: RequestContext,
        @Args() args: { orderId: ID },
    ): Promise<DeliveryAssignment | OrderNotReadyForDispatchError> {
        return this.dispatchService.markOrderReadyForDispatch(ctx, args.orderId);
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    reassignDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; driverId?: ID | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.reassignDelivery(ctx, args.assignmentId, args.driverId);
    }

    @Mutation()
    @Transaction()
    @Allow(manageDispatchPermission.Permission)
    cancelDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; reason?: string | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.cancelDelivery(ctx, args.assignmentId, args.reason);
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission, manageDispatchPermission.Permission)
    confirmPickup(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.confirmPickup(ctx, args.assignmentId);
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission, manageDispatchPermission.Permission)
    confirmDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; code?: string | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.confirmDelivery(ctx, args.assignmentId, args.code);
    }
}

@Resolver('DeliveryAssignment')
export class DeliveryAssignmentEntityResolver {
    constructor(
        private readonly dispatchService: DispatchService,
        private readonly driverService: DriverService,
        private readonly orderService: OrderService,
        private readonly stockLocationService: StockLocationService,
    ) {}

    @ResolveField()
    @Allow(Permission.ReadOrder)
    async order(@Ctx() ctx: RequestContext, @Parent() assignment: DeliveryAssignment): Promise<Order | null> {
        return (await this.orderService.findOne(ctx, assignment.orderId)) ?? null;
    }

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
        return (await this.driverService.findOne(ctx, assignment.driverId)) ?? null;
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
        return this.dispatchService.eventsOf(ctx, assignment.id);
    }
}

@Resolver('Driver')
export class DriverEntityResolver {
    constructor(private readonly dispatchService: DispatchService) {}

    @ResolveField()
    @Allow(manageDispatchPermission.Permission, driverPermission.Read, driverSelfPermission.Permission)
    async activeAssignment(
        @Ctx() ctx: RequestContext,
        @Parent() driver: Driver,
    ): Promise<DeliveryAssignment | null> {
        return (await this.dispatchService.findOpenForDriver(ctx, driver.id)) ?? null;
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
