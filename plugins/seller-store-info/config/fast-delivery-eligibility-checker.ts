import {
    ChannelService,
    EntityHydrator,
    idsAreEqual,
    LanguageCode,
    ShippingEligibilityChecker,
} from '@vendure/core';

import { DeliveryCheckService } from '../services/delivery-check.service';

let hydrator: EntityHydrator;
let channelService: ChannelService;
let checks: DeliveryCheckService;

/**
 * For the `fast-delivery` shipping method: eligible when the order has a delivery location and
 * every line this method would ship can be delivered from a store within the delivery radius. A
 * method of a seller channel ships that seller's lines (a marketplace); a method of the default
 * channel alone ships all lines.
 */
export const fastDeliveryEligibilityChecker = new ShippingEligibilityChecker({
    code: 'fast-delivery-eligibility',
    description: [
        {
            languageCode: LanguageCode.en,
            value: 'Every item deliverable from a store within the delivery radius',
        },
    ],
    args: {},
    init(injector) {
        hydrator = injector.get(EntityHydrator);
        channelService = injector.get(ChannelService);
        checks = injector.get(DeliveryCheckService);
    },
    check: async (ctx, order, _args, method) => {
        await hydrator.hydrate(ctx, method, { relations: ['channels'] });
        const defaultChannel = await channelService.getDefaultChannel(ctx);
        const sellerChannels = method.channels.filter(channel => !idsAreEqual(channel.id, defaultChannel.id));
        const lines =
            sellerChannels.length === 1
                ? order.lines.filter(line => idsAreEqual(line.sellerChannelId, sellerChannels[0].id))
                : order.lines;
        if (!lines.length) return false;
        // Read only: eligibleShippingMethods is a query.
        const location = await checks.locationOf(ctx, order);
        return (await checks.checkLines(ctx, location, lines)) === undefined;
    },
});
