import { Injectable } from '@nestjs/common';
import { RequestContext } from '@vendure/core';

import {
    DeliveryLocationInput,
    DeliveryLocationService,
    DeliveryRuleService,
    SellerVerificationService,
    StoreHoursService,
    StoreLocator,
} from '../../seller-store-info';
import { DeliveryScopes } from '../search/delivery-scopes';

/** Resolves the delivery location of a search, the way the embedded default search does. */
@Injectable()
export class DeliverySearchScopeService {
    constructor(
        private readonly scopes: DeliveryScopes,
        private readonly deliveryLocations: DeliveryLocationService,
        private readonly deliveryRule: DeliveryRuleService,
        private readonly storeLocator: StoreLocator,
        private readonly storeHours: StoreHoursService,
        private readonly sellerVerification: SellerVerificationService,
    ) {}

    /** Records the delivery scope of a search, by seller-store-info's rule for which location a search delivers to. */
    async prepare(
        ctx: RequestContext,
        input: { deliveryLocation?: DeliveryLocationInput | null },
    ): Promise<void> {
        const location = await this.deliveryLocations.forSearch(ctx, input);
        // Seller verification: the shop sees nothing of unverified sellers; staff see everything.
        if (ctx.apiType === 'shop') {
            this.scopes.recordHiddenSellers(
                input,
                await this.sellerVerification.unverifiedSellerChannelIds(ctx),
            );
        }
        if (!location) return this.scopes.record(input, undefined);
        const maxDistanceKm = this.deliveryRule.maxDistanceKm;
        // Opening hours: with a closed store in range, only the open ones serve.
        const near = this.storeLocator.near(location, maxDistanceKm);
        const open = this.storeHours.openOnly(near);
        const someClosed = open.length !== near.length;
        this.scopes.record(input, {
            point: { latitude: location.latitude, longitude: location.longitude },
            maxDistanceKm,
            ...(someClosed
                ? {
                      servingStoreIds: open.map(store => String(store.stockLocationId)),
                      servingStoreDistancesKm: Object.fromEntries(
                          open.map(store => [String(store.stockLocationId), store.distanceKm]),
                      ),
                  }
                : {}),
        });
    }
}
