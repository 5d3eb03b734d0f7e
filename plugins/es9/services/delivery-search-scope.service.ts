import { Injectable } from '@nestjs/common';
import { RequestContext } from '@vendure/core';

import { DeliveryLocationInput, DeliveryLocationService, DeliveryRuleService } from '../../seller-store-info';
import { DeliveryScopes } from '../search/delivery-scopes';

/** Resolves the delivery location of a search, the way the embedded default search does. */
@Injectable()
export class DeliverySearchScopeService {
    constructor(
        private readonly scopes: DeliveryScopes,
        private readonly deliveryLocations: DeliveryLocationService,
        private readonly deliveryRule: DeliveryRuleService,
    ) {}

    /**
     * The location given in the input (a bad one throws a UserInputError saying why), else in the
     * shop API the one stored on the session or active order. Staff in the admin API search
     * unfiltered unless they give one.
     */
    async prepare(
        ctx: RequestContext,
        input: { deliveryLocation?: DeliveryLocationInput | null },
    ): Promise<void> {
        if (!input.deliveryLocation && ctx.apiType !== 'shop') {
            this.scopes.record(input, undefined);
            return;
        }
        const location = await this.deliveryLocations.given(ctx, input.deliveryLocation);
        this.scopes.record(
            input,
            location && {
                point: { latitude: location.latitude, longitude: location.longitude },
                maxDistanceKm: this.deliveryRule.maxDistanceKm,
            },
        );
    }
}
