import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, RequestContext } from '@vendure/core';

import { boundedText, INPUT_LIMITS } from '../../shared/input-bounds';
import { DeliveryTracking, DeliveryTrackingService } from '../services/delivery-tracking.service';

@Resolver()
export class DeliveryTrackingShopResolver {
    constructor(private readonly trackingService: DeliveryTrackingService) {}

    // Public: ownership is checked inside, and a stranger gets the same empty list as a wrong code.
    @Query()
    @Allow(Permission.Public)
    deliveryTracking(
        @Ctx() ctx: RequestContext,
        @Args() args: { orderCode: string },
    ): Promise<DeliveryTracking[]> {
        return this.trackingService.trackingFor(
            ctx,
            boundedText(args.orderCode, 'orderCode', INPUT_LIMITS.orderCode),
        );
    }
}
