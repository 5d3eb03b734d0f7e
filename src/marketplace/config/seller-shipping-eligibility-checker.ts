import { EntityHydrator, idsAreEqual, LanguageCode, ShippingEligibilityChecker } from '@vendure/core';

import { ChannelLookup } from './channel-lookup';

let hydrator: EntityHydrator;
let channels: ChannelLookup;

/**
 * A seller's shipping method is eligible when the order has at least one line of that seller.
 * A method of the default channel alone (a single shop) is eligible for every order.
 */
export const sellerShippingEligibilityChecker = new ShippingEligibilityChecker({
    code: 'seller-shipping-eligibility',
    description: [{ languageCode: LanguageCode.en, value: "Order has items of this method's seller" }],
    args: {},
    init(injector) {
        hydrator = injector.get(EntityHydrator);
        channels = new ChannelLookup(injector);
    },
    check: async (ctx, order, _args, method) => {
        await hydrator.hydrate(ctx, method, { relations: ['channels'] });
        const sellerChannel = await channels.sellerChannelOf(method.channels);
        if (!sellerChannel) return true;
        return order.lines.some(line => idsAreEqual(line.sellerChannelId, sellerChannel.id));
    },
});
