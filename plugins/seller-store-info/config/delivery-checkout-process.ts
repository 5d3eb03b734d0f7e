import { OrderType } from '@vendure/common/lib/generated-types';
import { CustomOrderProcess, OrderState } from '@vendure/core';

import { DeliveryCheckService } from '../services/delivery-check.service';

let checks: DeliveryCheckService;

/**
 * Checkout checks the 5 km rule again when the order moves to ArrangingPayment: the customer may
 * have moved, stock may be gone. The refusal says why; nothing is removed from the cart.
 * Staff (admin API) and seller orders (split from a checked aggregate) are not checked.
 */
export const deliveryCheckoutProcess: CustomOrderProcess<OrderState> = {
    init(injector) {
        checks = injector.get(DeliveryCheckService);
    },
    async onTransitionStart(_fromState, toState, { ctx, order }) {
        if (toState !== 'ArrangingPayment' || ctx.apiType !== 'shop' || order.type === OrderType.Seller)
            return;
        return checks.checkOrder(ctx, order);
    },
};
