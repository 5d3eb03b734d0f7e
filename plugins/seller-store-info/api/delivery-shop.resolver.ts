import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, RequestContext, Transaction } from '@vendure/core';

import { entityIds } from '../../shared/input-bounds';
import {
    DeliveryLocation,
    DeliveryLocationInput,
    DeliveryLocationService,
} from '../services/delivery-location.service';
import { DeliveryRuleService, VariantDelivery } from '../services/delivery-rule.service';
import { NearbyStoresService } from '../services/nearby-stores.service';
import { SellerVerificationService } from '../services/seller-verification.service';

@Resolver()
export class DeliveryShopResolver {
    constructor(
        private readonly deliveryLocations: DeliveryLocationService,
        private readonly deliveryRule: DeliveryRuleService,
        private readonly nearbyStoresService: NearbyStoresService,
        private readonly sellerVerification: SellerVerificationService,
    ) {}

    @Mutation()
    @Transaction()
    @Allow(Permission.Owner)
    setDeliveryLocation(@Ctx() ctx: RequestContext, @Args() args: { input: DeliveryLocationInput }) {
        return this.deliveryLocations.set(ctx, args.input);
    }

    @Query()
    @Allow(Permission.Owner)
    async activeDeliveryLocation(@Ctx() ctx: RequestContext): Promise<DeliveryLocation | null> {
        return (await this.deliveryLocations.active(ctx)) ?? null;
    }

    @Query()
    @Allow(Permission.Public)
    nearbyStores(@Ctx() ctx: RequestContext, @Args() args: { location?: DeliveryLocationInput | null }) {
        return this.nearbyStoresService.near(ctx, args.location);
    }

    @Query()
    @Allow(Permission.Public)
    async deliveryAvailability(
        @Ctx() ctx: RequestContext,
        @Args() args: { productVariantIds: string[]; location?: DeliveryLocationInput | null },
    ): Promise<VariantDelivery[]> {
        entityIds(args.productVariantIds, 'productVariant');
        const location = await this.deliveryLocations.given(ctx, args.location);
        if (!location) {
            return args.productVariantIds.map(productVariantId => ({
                productVariantId,
                fastDelivery: false,
                nearestStoreDistanceKm: null,
                stockLocationId: null,
                openNow: false,
                opensAt: null,
            }));
        }
        const answers = await this.deliveryRule.availability(ctx, args.productVariantIds, location);
        return this.sellerVerification.withoutUnverifiedSellers(ctx, answers);
    }
}

@Resolver('SetDeliveryLocationResult')
export class SetDeliveryLocationResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'DeliveryLocation';
    }
}

/** Search results carry these when the search strategy computed them; otherwise no location. */
@Resolver('SearchResult')
export class SearchResultDeliveryResolver {
    @ResolveField()
    @Allow(Permission.Public)
    fastDelivery(@Parent() result: { fastDelivery?: boolean }): boolean {
        return result.fastDelivery ?? false;
    }

    @ResolveField()
    @Allow(Permission.Public)
    nearestStoreDistanceKm(@Parent() result: { nearestStoreDistanceKm?: number | null }): number | null {
        return result.nearestStoreDistanceKm ?? null;
    }
}
