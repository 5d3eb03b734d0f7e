import {
    ID,
    idsAreEqual,
    Injector,
    LocationWithQuantity,
    Logger,
    MultiChannelStockLocationStrategy,
    Order,
    OrderLine,
    RequestContext,
    StockLocation,
} from '@vendure/core';

import { loggerCtx } from '../constants';
import { DeliveryLocation, fromFields } from '../services/delivery-location.service';
import { DeliveryRuleService } from '../services/delivery-rule.service';

interface LineContext {
    location?: DeliveryLocation;
    /** When the order was placed (paid): the opening hours at that moment decide. */
    placedAt?: Date;
    /** The store recorded on the line by an earlier allocation. */
    servingStoreId?: string;
}

/**
 * Vendure's default {@link MultiChannelStockLocationStrategy} (a channel counts and allocates only
 * the stock locations assigned to it) with one change: an order line with a delivery location is
 * allocated from the nearest store of the line's seller that has the stock within the delivery
 * radius, and that store is recorded on the line. Available stock, release, sale and cancellation
 * are Vendure's (the last three follow the allocations, so stock moves at the store that was
 * allocated). Lines without a location (staff draft orders), or whose serving store is not a stock
 * location of the active channel, allocate as Vendure does by default.
 */
export class NearestStoreStockLocationStrategy extends MultiChannelStockLocationStrategy {
    private deliveryRule: DeliveryRuleService;

    override async init(injector: Injector): Promise<void> {
        await super.init(injector);
        this.deliveryRule = injector.get(DeliveryRuleService);
    }

    override async forAllocation(
        ctx: RequestContext,
        stockLocations: StockLocation[],
        orderLine: OrderLine,
        quantity: number,
    ): Promise<LocationWithQuantity[]> {
        const { location, placedAt, servingStoreId } = await this.lineContext(ctx, orderLine);
        if (!location) return super.forAllocation(ctx, stockLocations, orderLine, quantity);
        // A line that already has its store (allocated before, e.g. an order modification) keeps it.
        const kept = servingStoreId ? await this.usable(ctx, stockLocations, servingStoreId) : undefined;
        const store =
            kept ??
            (await this.usable(
                ctx,
                stockLocations,
                await this.servingStoreId(ctx, orderLine.productVariantId, location, quantity, placedAt),
            ));
        if (!store) {
            Logger.warn(
                `No store of channel ${String(ctx.channelId)} within ${this.deliveryRule.maxDistanceKm} km serves order line ${String(orderLine.id)}: allocating as Vendure does by default`,
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
     * The nearest store of the variant's seller in range with the stock that was open when the
     * order was placed (paid), not now. Stock may have gone between checkout and payment, or every
     * store closed meanwhile: the nearest store of the seller in range with the stock, else the
     * nearest at all, still serves (and goes short, or waits for its opening), never a store
     * outside the radius.
     */
    private async servingStoreId(
        ctx: RequestContext,
        variantId: ID,
        location: DeliveryLocation,
        quantity: number,
        placedAt: Date | undefined,
    ): Promise<ID | undefined> {
        const quantities = new Map([[String(variantId), quantity]]);
        const rule = this.deliveryRule;
        const at = placedAt ?? new Date();
        const [open] = await rule.availability(ctx, [variantId], location, quantities, {
            at,
            openFor: 'placed-order',
        });
        if (open.stockLocationId != null) return open.stockLocationId;
        const [any] = await rule.availability(ctx, [variantId], location, quantities, { openFor: 'any' });
        return any.stockLocationId ?? (await rule.nearestStoreOfSeller(ctx, variantId, location));
    }

    /** The store among the candidates, when it is one of the active channel's. */
    private async usable(
        ctx: RequestContext,
        stockLocations: StockLocation[],
        storeId: ID | undefined,
    ): Promise<StockLocation | undefined> {
        if (storeId == null) return undefined;
        const store = stockLocations.find(candidate => idsAreEqual(candidate.id, storeId));
        return store && (await this.belongsToActiveChannel(ctx, store)) ? store : undefined;
    }

    /** As Vendure's strategy counts stock: only the locations assigned to the active channel. */
    private async belongsToActiveChannel(ctx: RequestContext, store: StockLocation): Promise<boolean> {
        const withChannels = await this.connection
            .getRepository(ctx, StockLocation)
            .findOne({ where: { id: store.id }, relations: { channels: true } });
        return !!withChannels?.channels.some(channel => idsAreEqual(channel.id, ctx.channelId));
    }

    /**
     * The line's order location; a seller order has none of its own while it is being placed
     * (Vendure copies line custom fields, not order custom fields, when splitting): it is the
     * aggregate order's. SellerOrderLocationService copies it onto the seller order afterwards.
     */
    private async lineContext(ctx: RequestContext, orderLine: OrderLine): Promise<LineContext> {
        const orders = this.connection.getRepository(ctx, Order);
        const line = await this.connection
            .getRepository(ctx, OrderLine)
            .findOne({ where: { id: orderLine.id }, relations: ['order'] });
        const order = line?.order;
        if (!order) return {};
        const placedAt = order.orderPlacedAt ?? orderLine.order?.orderPlacedAt ?? undefined;
        const servingStoreId = line.customFields.servingStockLocationId ?? undefined;
        const own = fromFields(order.customFields);
        if (own || order.aggregateOrderId == null) return { location: own, placedAt, servingStoreId };
        const aggregate = await orders.findOne({ where: { id: order.aggregateOrderId } });
        return { location: fromFields(aggregate?.customFields), placedAt, servingStoreId };
    }
}
