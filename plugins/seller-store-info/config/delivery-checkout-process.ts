import { OrderType } from '@vendure/common/lib/generated-types';
import { CustomOrderProcess, OrderState } from '@vendure/core';

import { DeliveryCheckService } from '../services/delivery-check.service';
import { DeliveryLocationService } from '../services/delivery-location.service';

let checks: DeliveryCheckService;
let deliveryLocations: DeliveryLocationService;

/**
 * Checkout checks the 5 km rule again when the order moves to ArrangingPayment: the customer may
 * have moved, stock may be gone. The refusal says why; nothing is removed from the cart.
 * Staff (admin API) and seller orders (split from a checked aggregate) are not checked. The
 * location checked is stored on the order here (its shipping address may have moved it since the
 * last add to cart), so allocation after payment serves the same place.
 */
export const deliveryCheckoutProcess: CustomOrderProcess<OrderState> = {
    init(injector) {
        checks = injector.get(DeliveryCheckService);
        deliveryLocations = injector.get(DeliveryLocationService);
    },
    async onTransitionStart(_fromState, toState, { ctx, order }) {
        if (toState !== 'ArrangingPayment' || ctx.apiType !== 'shop' || order.type === OrderType.Seller)
            return;
        const location = await deliveryLocations.settleOnOrder(ctx, order);
        return checks.checkLines(ctx, location, order.lines);
    },
};
