import { Injectable } from '@nestjs/common';
import {
    ChannelService,
    EntityHydrator,
    idsAreEqual,
    Order,
    OrderLine,
    RequestContext,
    ShippingMethod,
} from '@vendure/core';

import { DeliveryCheckService } from './delivery-check.service';
import { DeliveryRuleService } from './delivery-rule.service';

/**
 * What the `fast-delivery` method's checker and the `distance-delivery-fee` calculator ask of an
 * order: which lines a method ships, and how far the delivery goes from the stores that serve them.
 * The serving store is the 5 km rule's (DeliveryRuleService, the store allocation will pick).
 */
@Injectable()
export class DeliveryFeeService {
    constructor(
        private readonly hydrator: EntityHydrator,
        private readonly channelService: ChannelService,
        private readonly checks: DeliveryCheckService,
        private readonly deliveryRule: DeliveryRuleService,
    ) {}

    /**
     * The lines a shipping method ships: a method of a seller channel ships that seller's lines
     * (a marketplace, one seller order each); a method of the default channel alone ships all.
     */
    async linesShippedBy(ctx: RequestContext, order: Order, method: ShippingMethod): Promise<OrderLine[]> {
        // A method being tried out (admin testShippingMethod) is not saved: it has no channels yet.
        if (method.id == null) return order.lines;
        await this.hydrator.hydrate(ctx, method, { relations: ['channels'] });
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const sellerChannels = method.channels.filter(channel => !idsAreEqual(channel.id, defaultChannel.id));
        return sellerChannels.length === 1
            ? order.lines.filter(line => idsAreEqual(line.sellerChannelId, sellerChannels[0].id))
            : order.lines;
    }

    /**
     * How far the delivery goes, in km: from the farthest of the stores that serve the lines (each
     * line's nearest store of its seller with the quantity in stock within the radius) to the
     * order's delivery location. Undefined when the order has no location or a line has no store
     * that serves it (the eligibility checker then refuses the method anyway). Read only.
     */
    async servingDistanceKm(
        ctx: RequestContext,
        order: Order,
        lines: OrderLine[],
    ): Promise<number | undefined> {
        if (!lines.length) return undefined;
        const location = await this.checks.locationOf(ctx, order);
        if (!location) return undefined;
        const quantities = new Map<string, number>();
        for (const line of lines) {
            // Lines of a mock order (admin testShippingMethod) carry the variant, not its id.
            const id = String(line.productVariantId ?? line.productVariant?.id);
            quantities.set(id, (quantities.get(id) ?? 0) + line.quantity);
        }
        const answers = await this.deliveryRule.availability(
            ctx,
            [...quantities.keys()],
            location,
            quantities,
        );
        let farthest = 0;
        for (const answer of answers) {
            if (answer.nearestStoreDistanceKm == null) return undefined;
            farthest = Math.max(farthest, answer.nearestStoreDistanceKm);
        }
        return farthest;
    }
}
