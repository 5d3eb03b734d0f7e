import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, RequestContext } from '@vendure/core';

import { manageDispatchPermission } from '../constants';
import { DeliveryInsightsInput } from '../services/delivery-insights';
import { DeliveryInsights, DeliveryInsightsService } from '../services/delivery-insights.service';

@Resolver()
export class DeliveryInsightsAdminResolver {
    constructor(private readonly insights: DeliveryInsightsService) {}

    /** The permission of `dispatchStats`: staff who run deliveries. */
    @Query()
    @Allow(manageDispatchPermission.Permission)
    deliveryInsights(
        @Ctx() ctx: RequestContext,
        @Args() args: { input: DeliveryInsightsInput },
    ): Promise<DeliveryInsights> {
        return this.insights.insights(ctx, args.input);
    }
}
