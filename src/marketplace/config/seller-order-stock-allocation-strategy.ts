import { OrderType } from '@vendure/common/lib/generated-types';
import { DefaultStockAllocationStrategy, Order, OrderState, RequestContext } from '@vendure/core';

/**
 * Stock is allocated on the seller orders, not on the aggregate order. Both reach PaymentSettled
 * (the seller orders when their share is paid), and Vendure's default would allocate on both: the
 * same units twice, with the aggregate's allocation never sold or released (fulfillments belong
 * to seller orders). Allocating on seller lines keeps allocation, sale, release and cancellation
 * on the same lines and at the same store.
 */
export class SellerOrderStockAllocationStrategy extends DefaultStockAllocationStrategy {
    override shouldAllocateStock(
        ctx: RequestContext,
        fromState: OrderState,
        toState: OrderState,
        order: Order,
    ): boolean | Promise<boolean> {
        if (order.type === OrderType.Aggregate) return false;
        return super.shouldAllocateStock(ctx, fromState, toState, order);
    }
}
