import {
    Injector,
    Order,
    OrderInterceptor,
    RequestContext,
    WillAddItemToOrderInput,
    WillAdjustOrderLineInput,
} from '@vendure/core';

import { DeliveryCheckService } from '../services/delivery-check.service';
import { DeliveryLocationService } from '../services/delivery-location.service';

/**
 * Add to cart only what can be delivered: a variant without saleable stock in a store of its own
 * seller within the delivery radius of the order's location is refused, with the reason in
 * `interceptorError`. Staff (admin API, e.g. draft orders) are not blocked. This is where a
 * delivery location derived for the order (its shipping address, the session's) is stored on it:
 * the add is a write anyway, and reads (search, nearbyStores) only derive it.
 */
export class DeliveryOrderInterceptor implements OrderInterceptor {
    private checks: DeliveryCheckService;
    private deliveryLocations: DeliveryLocationService;

    init(injector: Injector) {
        this.checks = injector.get(DeliveryCheckService);
        this.deliveryLocations = injector.get(DeliveryLocationService);
    }

    async willAddItemToOrder(ctx: RequestContext, order: Order, input: WillAddItemToOrderInput) {
        if (ctx.apiType !== 'shop') return;
        const existing = order.lines
            .filter(line => String(line.productVariantId) === String(input.productVariant.id))
            .reduce((sum, line) => sum + line.quantity, 0);
        const location = await this.deliveryLocations.settleOnOrder(ctx, order);
        return this.checks.checkVariant(ctx, location, input.productVariant, existing + input.quantity);
    }

    async willAdjustOrderLine(ctx: RequestContext, order: Order, input: WillAdjustOrderLineInput) {
        if (ctx.apiType !== 'shop' || input.quantity <= input.orderLine.quantity) return;
        const location = await this.deliveryLocations.settleOnOrder(ctx, order);
        return this.checks.checkVariant(ctx, location, input.orderLine.productVariant, input.quantity);
    }
}
