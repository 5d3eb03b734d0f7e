import {
    Injector,
    Order,
    OrderInterceptor,
    RequestContext,
    WillAddItemToOrderInput,
    WillAdjustOrderLineInput,
} from '@vendure/core';

import { DeliveryCheckService } from '../services/delivery-check.service';

/**
 * Add to cart only what can be delivered: a variant without saleable stock in a store of its own
 * seller within the delivery radius of the order's location is refused, with the reason in
 * `interceptorError`. Staff (admin API, e.g. draft orders) are not blocked.
 */
export class DeliveryOrderInterceptor implements OrderInterceptor {
    private checks: DeliveryCheckService;

    init(injector: Injector) {
        this.checks = injector.get(DeliveryCheckService);
    }

    async willAddItemToOrder(ctx: RequestContext, order: Order, input: WillAddItemToOrderInput) {
        if (ctx.apiType !== 'shop') return;
        const existing = order.lines
            .filter(line => String(line.productVariantId) === String(input.productVariant.id))
            .reduce((sum, line) => sum + line.quantity, 0);
        return this.checks.checkVariant(ctx, order, input.productVariant, existing + input.quantity);
    }

    async willAdjustOrderLine(ctx: RequestContext, order: Order, input: WillAdjustOrderLineInput) {
        if (ctx.apiType !== 'shop' || input.quantity <= input.orderLine.quantity) return;
        return this.checks.checkVariant(ctx, order, input.orderLine.productVariant, input.quantity);
    }
}
