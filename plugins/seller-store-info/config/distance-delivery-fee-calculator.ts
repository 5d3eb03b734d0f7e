import {
    LanguageCode,
    Logger,
    RequestContext,
    ShippingCalculationResult,
    ShippingCalculator,
    TaxSetting,
} from '@vendure/core';

import { loggerCtx } from '../constants';
import { DeliveryFeeService } from '../services/delivery-fee.service';
import { DeliveryRuleService } from '../services/delivery-rule.service';
import {
    bandPrice,
    DISTANCE_FEE_BANDS_EXAMPLE,
    isFreeDelivery,
    readDistanceFeeBands,
} from './distance-fee-bands';

export const DISTANCE_DELIVERY_FEE_CODE = 'distance-delivery-fee';

let fees: DeliveryFeeService;
let deliveryRule: DeliveryRuleService;

const en = (value: string) => [{ languageCode: LanguageCode.en, value }];

/**
 * For the `fast-delivery` method: the fee from the distance between the store that serves the
 * order (per seller order in a marketplace: that seller's; with lines from several stores, the
 * farthest) and the delivery location, by distance bands, free from an order subtotal on. Tax as
 * Vendure's `defaultShippingCalculator` (`taxRate`, `includesTax`). Without a location or a serving
 * store it prices nothing: Vendure then does not offer the method.
 */
export const distanceDeliveryFeeCalculator = new ShippingCalculator({
    code: DISTANCE_DELIVERY_FEE_CODE,
    description: en('Delivery fee by distance from the serving store'),
    args: {
        bands: {
            type: 'string',
            required: true,
            defaultValue: DISTANCE_FEE_BANDS_EXAMPLE,
            ui: { component: 'textarea-form-input' },
            label: en('Distance bands (JSON, prices in minor units)'),
            description: en(
                `A list by ascending distance, e.g. ${DISTANCE_FEE_BANDS_EXAMPLE}: up to 2 km costs 2.99, and so on. The last band must reach the delivery radius.`,
            ),
        },
        freeDeliveryThreshold: {
            type: 'int',
            defaultValue: 0,
            ui: { component: 'currency-form-input' },
            label: en('Free delivery from this order subtotal (0: never)'),
        },
        freeDeliveryThresholdTaxInclusive: {
            type: 'boolean',
            defaultValue: false,
            label: en('Compare the subtotal with tax'),
        },
        includesTax: {
            type: 'string',
            defaultValue: TaxSetting.auto,
            ui: {
                component: 'select-form-input',
                options: [
                    { label: en('Includes tax'), value: TaxSetting.include },
                    { label: en('Excludes tax'), value: TaxSetting.exclude },
                    { label: en('Auto (based on Channel)'), value: TaxSetting.auto },
                ],
            },
            label: en('Price includes tax'),
        },
        taxRate: {
            type: 'float',
            defaultValue: 0,
            ui: { component: 'number-form-input', suffix: '%', min: 0, max: 100 },
            label: en('Tax rate'),
        },
    },
    init(injector) {
        fees = injector.get(DeliveryFeeService);
        deliveryRule = injector.get(DeliveryRuleService);
    },
    calculate: async (ctx, order, args, method): Promise<ShippingCalculationResult | undefined> => {
        const reading = readDistanceFeeBands(args.bands ?? '', deliveryRule.maxDistanceKm);
        if (reading.problem !== undefined) {
            Logger.error(
                `Shipping method ${method.code} (${String(method.id)}) priced nothing: ${reading.problem}`,
                loggerCtx,
            );
            return undefined;
        }
        const lines = await fees.linesShippedBy(ctx, order, method);
        const distanceKm = await fees.servingDistanceKm(ctx, order, lines);
        if (distanceKm === undefined) return undefined;
        const subtotal = lines.reduce(
            (sum, line) =>
                sum +
                (args.freeDeliveryThresholdTaxInclusive
                    ? line.proratedLinePriceWithTax
                    : line.proratedLinePrice),
            0,
        );
        const threshold = Number.isFinite(args.freeDeliveryThreshold) ? args.freeDeliveryThreshold : 0;
        return {
            price: isFreeDelivery(threshold, subtotal) ? 0 : bandPrice(reading.bands, distanceKm),
            taxRate: Number.isFinite(args.taxRate) ? args.taxRate : 0,
            priceIncludesTax: priceIncludesTax(ctx, args.includesTax),
            metadata: { distanceKm: Math.round(distanceKm * 1000) / 1000 },
        };
    },
});

/** As Vendure's defaultShippingCalculator reads its `includesTax` argument. */
function priceIncludesTax(ctx: RequestContext, setting: string | undefined): boolean {
    if (setting === TaxSetting.include) return true;
    if (setting === TaxSetting.exclude) return false;
    return ctx.channel.pricesIncludeTax;
}
