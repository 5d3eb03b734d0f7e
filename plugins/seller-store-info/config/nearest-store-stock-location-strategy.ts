import {
    DefaultStockLocationStrategy,
    idsAreEqual,
    Injector,
    LocationWithQuantity,
    Logger,
    Order,
    OrderLine,
    RequestContext,
    StockLocation,
} from '@vendure/core';

import { loggerCtx } from '../constants';
import { DeliveryLocation, fromFields } from '../services/delivery-location.service';
import { DeliveryRuleService } from '../services/delivery-rule.service';

/**
 * Allocates each order line from the nearest store of the line's seller that has the stock,
 * within the delivery radius of the order's location, and records that store on the line.
 * Sale, release and cancellation follow the allocations (Vendure's base strategy), so stock moves
 * at the store that was allocated. Orders without a location (staff draft orders) allocate as
 * Vendure does by default.
 */
export class NearestStoreStockLocationStrategy extends DefaultStockLocationStrategy {
    private deliveryRule: DeliveryRuleService;

    override init(injector: Injector): void {
        super.init(injector);
        this.deliveryRule = injector.get(DeliveryRuleService);
    }

    override async forAllocation(
        ctx: RequestContext,
        stockLocations: StockLocation[],
        orderLine: OrderLine,
        quantity: number,
    ): Promise<LocationWithQuantity[]> {
        const location = await this.locationOfLine(ctx, orderLine);
        if (!location) return super.forAllocation(ctx, stockLocations, orderLine, quantity);
        const variantId = orderLine.productVariantId;
        const [withStock] = await this.deliveryRule.availability(
            ctx,
            [variantId],
            location,
            new Map([[String(variantId), quantity]]),
        );
        // Stock may have gone between checkout and payment: the nearest store of the seller in
        // range still serves (and goes short), never a store outside the radius.
        const storeId =
            withStock.stockLocationId ??
            (await this.deliveryRule.nearestStoreOfSeller(ctx, variantId, location));
        const store =
            storeId != null
                ? stockLocations.find(candidate => idsAreEqual(candidate.id, storeId))
                : undefined;
        if (!store) {
            Logger.warn(
                `No store within ${this.deliveryRule.maxDistanceKm} km serves order line ${String(orderLine.id)}: allocating as Vendure does by default`,
                loggerCtx,
            );
            return super.forAllocation(ctx, stockLocations, orderLine, quantity);
        }
        await this.connection
            .getRepository(ctx, OrderLine)
            .update(orderLine.id, { customFields: { servingStockLocationId: String(store.id) } });
        return [{ location: store, quantity }];
    }

    /**
     * The line's order location; a seller order has none of its own while it is being placed
     * (Vendure copies line custom fields, not order custom fields, when splitting): it is the
     * aggregate order's. SellerOrderLocationService copies it onto the seller order afterwards.
     */
    private async locationOfLine(
        ctx: RequestContext,
        orderLine: OrderLine,
    ): Promise<DeliveryLocation | undefined> {
        const orders = this.connection.getRepository(ctx, Order);
        const line = await this.connection
            .getRepository(ctx, OrderLine)
            .findOne({ where: { id: orderLine.id }, relations: ['order'] });
        const order = line?.order;
        if (!order) return undefined;
        const own = fromFields(order.customFields);
        if (own || order.aggregateOrderId == null) return own;
        const aggregate = await orders.findOne({ where: { id: order.aggregateOrderId } });
        return fromFields(aggregate?.customFields);
    }
}
