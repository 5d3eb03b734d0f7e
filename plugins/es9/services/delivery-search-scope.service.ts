import { Injectable } from '@nestjs/common';
import { RequestContext } from '@vendure/core';

import {
    DeliveryLocationInput,
    DeliveryLocationService,
    DeliveryRuleService,
    SellerVerificationService,
} from '../../seller-store-info';
import { DeliveryScopes } from '../search/delivery-scopes';

/** Resolves the delivery location of a search, the way the embedded default search does. */
@Injectable()
export class DeliverySearchScopeService {
    constructor(
        private readonly scopes: DeliveryScopes,
        private readonly deliveryLocations: DeliveryLocationService,
        private readonly deliveryRule: DeliveryRuleService,
        private readonly sellerVerification: SellerVerificationService,
    ) {}

    /** Records the delivery scope of a search, by seller-store-info's rule for which location a search delivers to. */
    async prepare(
        ctx: RequestContext,
        input: { deliveryLocation?: DeliveryLocationInput | null },
    ): Promise<void> {
        const location = await this.deliveryLocations.forSearch(ctx, input);
        this.scopes.record(
            input,
            location && {
                point: { latitude: location.latitude, longitude: location.longitude },
                maxDistanceKm: this.deliveryRule.maxDistanceKm,
            },
        );
        // Seller verification: the shop sees nothing of unverified sellers; staff see everything.
        if (ctx.apiType === 'shop') {
            this.scopes.recordHiddenSellers(
                input,
                await this.sellerVerification.unverifiedSellerChannelIds(ctx),
            );
        }
    }
}
