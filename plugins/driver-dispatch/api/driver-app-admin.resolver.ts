import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, ID, RequestContext, Transaction } from '@vendure/core';

import { boundedText, entityId, INPUT_LIMITS, optionalBoundedText } from '../../shared/input-bounds';
import { driverSelfPermission, manageDispatchPermission } from '../constants';
import { DeliveryTrackingService, DriverAssignmentView } from '../services/delivery-tracking.service';
import { DispatchService } from '../services/dispatch.service';
import { DeliveryActionResult } from './dispatch-admin.resolver';

@Resolver()
export class DriverAppAdminResolver {
    constructor(
        private readonly dispatchService: DispatchService,
        private readonly trackingService: DeliveryTrackingService,
    ) {}

    @Query()
    @Allow(driverSelfPermission.Permission)
    activeDriverAssignment(@Ctx() ctx: RequestContext): Promise<DriverAssignmentView | null> {
        return this.trackingService.activeDriverAssignment(ctx);
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission)
    declineDelivery(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; reason?: string | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.declineDelivery(
            ctx,
            entityId(args.assignmentId, 'DeliveryAssignment'),
            optionalBoundedText(args.reason, 'reason', INPUT_LIMITS.note),
        );
    }

    @Mutation()
    @Transaction()
    @Allow(driverSelfPermission.Permission, manageDispatchPermission.Permission)
    reportDeliveryFailed(
        @Ctx() ctx: RequestContext,
        @Args() args: { assignmentId: ID; reasonCode: string; note?: string | null },
    ): Promise<DeliveryActionResult> {
        return this.dispatchService.reportDeliveryFailed(
            ctx,
            entityId(args.assignmentId, 'DeliveryAssignment'),
            boundedText(args.reasonCode, 'reasonCode', INPUT_LIMITS.reasonCode),
            optionalBoundedText(args.note, 'note', INPUT_LIMITS.note),
        );
    }
}
