import {
    EntityHydrator,
    idsAreEqual,
    Injector,
    Order,
    OrderLine,
    RequestContext,
    ShippingLine,
    ShippingLineAssignmentStrategy,
} from '@vendure/core';

import { ChannelLookup } from './channel-lookup';

/** A seller's shipping line covers that seller's order lines; a shop-wide method covers all. */
export class SellerShippingLineAssignmentStrategy implements ShippingLineAssignmentStrategy {
    private hydrator: EntityHydrator;
    private channels: ChannelLookup;

    init(injector: Injector) {
        this.hydrator = injector.get(EntityHydrator);
        this.channels = new ChannelLookup(injector);
    }

    async assignShippingLineToOrderLines(
        ctx: RequestContext,
        shippingLine: ShippingLine,
        order: Order,
    ): Promise<OrderLine[]> {
        await this.hydrator.hydrate(ctx, shippingLine, { relations: ['shippingMethod.channels'] });
        const sellerChannel = await this.channels.sellerChannelOf(shippingLine.shippingMethod.channels);
        if (!sellerChannel) return order.lines;
        return order.lines.filter(line => idsAreEqual(line.sellerChannelId, sellerChannel.id));
    }
}
