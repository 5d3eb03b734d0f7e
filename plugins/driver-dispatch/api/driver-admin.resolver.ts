import { Args, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { DeletionResponse } from '@vendure/common/lib/generated-types';
import { Allow, Ctx, ID, ListQueryOptions, PaginatedList, RequestContext, Transaction } from '@vendure/core';

import { checkListOptions, entityId } from '../../shared/input-bounds';
import { driverPermission, driverSelfPermission } from '../constants';
import { Driver } from '../entities/driver.entity';
import { DriverService } from '../services/driver.service';
import { CreateDriverInput, UpdateDriverInput } from '../services/driver-input';
import { DriverStatus } from '../types';
import { DriverHasOpenAssignmentError } from './error-results';

@Resolver()
export class DriverAdminResolver {
    constructor(private readonly driverService: DriverService) {}

    @Query()
    @Allow(driverPermission.Read)
    drivers(
        @Ctx() ctx: RequestContext,
        @Args() args: { options?: ListQueryOptions<Driver> },
    ): Promise<PaginatedList<Driver>> {
        checkListOptions(args.options);
        return this.driverService.findAll(ctx, args.options);
    }

    @Query()
    @Allow(driverPermission.Read)
    async driver(@Ctx() ctx: RequestContext, @Args() args: { id: ID }): Promise<Driver | null> {
        return (await this.driverService.findOne(ctx, entityId(args.id, 'Driver'))) ?? null;
    }

    @Query()
    @Allow(driverSelfPermission.Permission)
    async activeDriver(@Ctx() ctx: RequestContext): Promise<Driver | null> {
        return (await this.driverService.findActive(ctx)) ?? null;
    }

    @Mutation()
    @Transaction()
    @Allow(driverPermission.Create)
    createDriver(@Ctx() ctx: RequestContext, @Args() args: { input: CreateDriverInput }): Promise<Driver> {
        return this.driverService.create(ctx, args.input);
    }

    @Mutation()
    @Transaction()
    @Allow(driverPermission.Update)
    updateDriver(@Ctx() ctx: RequestContext, @Args() args: { input: UpdateDriverInput }): Promise<Driver> {
        return this.driverService.update(ctx, { ...args.input, id: entityId(args.input.id, 'Driver') });
    }

    @Mutation()
    @Transaction()
    @Allow(driverPermission.Delete)
    deleteDriver(@Ctx() ctx: RequestContext, @Args() args: { id: ID }): Promise<DeletionResponse> {
        return this.driverService.delete(ctx, entityId(args.id, 'Driver'));
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission)
    updateDriverLocation(
        @Ctx() ctx: RequestContext,
        @Args() args: { latitude: number; longitude: number },
    ): Promise<Driver> {
        return this.driverService.updateActiveLocation(ctx, {
            latitude: args.latitude,
            longitude: args.longitude,
        });
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission)
    setDriverStatus(
        @Ctx() ctx: RequestContext,
        @Args() args: { status: DriverStatus },
    ): Promise<Driver | DriverHasOpenAssignmentError> {
        return this.driverService.setActiveStatus(ctx, args.status);
    }
}

@Resolver('SetDriverStatusResult')
export class SetDriverStatusResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'Driver';
    }
}
