import { LanguageCode, ShippingEligibilityChecker } from '@vendure/core';

import { DeliveryCheckService } from '../services/delivery-check.service';
import { DeliveryFeeService } from '../services/delivery-fee.service';

let checks: DeliveryCheckService;
let fees: DeliveryFeeService;

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
        checks = injector.get(DeliveryCheckService);
        fees = injector.get(DeliveryFeeService);
    },
    check: async (ctx, order, _args, method) => {
        const lines = await fees.linesShippedBy(ctx, order, method);
        if (!lines.length) return false;
        // Read only: eligibleShippingMethods is a query.
        const location = await checks.locationOf(ctx, order);
        return (await checks.checkLines(ctx, location, lines)) === undefined;
    },
});
