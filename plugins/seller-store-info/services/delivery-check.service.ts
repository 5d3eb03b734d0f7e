import { Injectable } from '@nestjs/common';
import { ID, Order, OrderLine, ProductVariant, RequestContext, TransactionalConnection } from '@vendure/core';
import { In } from 'typeorm';

import { DeliveryLocation, DeliveryLocationService } from './delivery-location.service';
import { DeliveryRuleService } from './delivery-rule.service';
import { SellerVerificationService } from './seller-verification.service';

/**
 * The 5 km rule applied to an order: at add to cart and again at checkout (the customer may have
 * moved, stock may be gone). Answers a reason a customer can act on, or undefined when it is fine.
 */
@Injectable()
export class DeliveryCheckService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly deliveryLocations: DeliveryLocationService,
        private readonly deliveryRule: DeliveryRuleService,
        private readonly sellerVerification: SellerVerificationService,
    ) {}

    /**
     * The order's location as it stands (read only: a shipping-method query must not write); a
     * new order takes the one stored on the session. The interceptor and checkout store it with
     * `DeliveryLocationService.settleOnOrder` instead.
     */
    async locationOf(ctx: RequestContext, order: Order): Promise<DeliveryLocation | undefined> {
        return (await this.deliveryLocations.orderLocation(ctx, order)).location;
    }

    /** Refusal text when `quantity` units of the variant (in total on the order) cannot be delivered. */
    async checkVariant(
        ctx: RequestContext,
        location: DeliveryLocation | undefined,
        variant: ProductVariant,
        quantity: number,
    ): Promise<string | undefined> {
        const unverified = await this.unverifiedSellerRefusal(ctx, [variant.id]);
        if (unverified) return unverified;
        if (!location) return noLocationMessage;
        const [availability] = await this.deliveryRule.availability(
            ctx,
            [variant.id],
            location,
            new Map([[String(variant.id), quantity]]),
        );
        if (availability.fastDelivery) return undefined;
        if (availability.opensAt) return closedMessage([variantName(variant)], availability.opensAt);
        return undeliverableMessage([variantName(variant)], location, this.deliveryRule.maxDistanceKm);
    }

    /** Refusal text when any of the lines cannot be delivered to the location in its quantity. */
    async checkLines(
        ctx: RequestContext,
        location: DeliveryLocation | undefined,
        lines: OrderLine[],
    ): Promise<string | undefined> {
        if (!lines.length) return undefined;
        const unverified = await this.unverifiedSellerRefusal(
            ctx,
            lines.map(line => line.productVariantId),
        );
        if (unverified) return unverified;
        if (!location) return noLocationMessage;
        const quantities = new Map<string, number>();
        for (const line of lines) {
            // Lines of a mock order (admin testShippingMethod) carry the variant, not its id.
            const id = String(line.productVariantId ?? line.productVariant?.id);
            quantities.set(id, (quantities.get(id) ?? 0) + line.quantity);
        }
        const ids = [...quantities.keys()];
        const answers = await this.deliveryRule.availability(ctx, ids, location, quantities);
        const refusedAnswers = answers.filter(answer => !answer.fastDelivery);
        const refused = refusedAnswers.map(answer => String(answer.productVariantId));
        if (!refused.length) return undefined;
        const variants = await this.connection
            .getRepository(ctx, ProductVariant)
            .find({ where: { id: In(refused) }, relations: ['translations'] });
        // Opening hours: when every refusal is a store that is closed now, say when it opens.
        const opensAt = refusedAnswers.map(answer => answer.opensAt);
        if (opensAt.every(date => date !== null)) {
            const latest = new Date(Math.max(...opensAt.map(date => date.getTime())));
            return closedMessage(variants.map(variantName), latest);
        }
        return undeliverableMessage(variants.map(variantName), location, this.deliveryRule.maxDistanceKm);
    }

    /** Seller verification: nothing of an unverified seller can be ordered in the shop. */
    private async unverifiedSellerRefusal(
        ctx: RequestContext,
        variantIds: ID[],
    ): Promise<string | undefined> {
        const refused = await this.sellerVerification.variantsOfUnverifiedSellers(ctx, variantIds);
        if (!refused.length) return undefined;
        const variants = await this.connection
            .getRepository(ctx, ProductVariant)
            .find({ where: { id: In(refused) }, relations: ['translations'] });
        const what = variants.map(variant => `"${variantName(variant)}"`).join(', ');
        return (
            `${what} cannot be ordered: its seller is not verified by the marketplace (yet). ` +
            'Remove it from the cart, or choose a product of another seller.'
        );
    }
}

const noLocationMessage =
    'Set a delivery location first (setDeliveryLocation with a postal code, or latitude and longitude): ' +
    'fast delivery needs to know where the order goes';

function undeliverableMessage(names: string[], location: DeliveryLocation, maxDistanceKm: number): string {
    const where = location.postalCode
        ? `postal code ${location.postalCode}`
        : `${location.latitude.toFixed(5)}, ${location.longitude.toFixed(5)}`;
    const what = names.map(name => `"${name}"`).join(', ');
    return (
        `${what} cannot be delivered to ${where}: no store of the seller within ${maxDistanceKm} km ` +
        'has enough in stock. Remove it, lower the quantity, or choose another delivery location.'
    );
}

function closedMessage(names: string[], opensAt: Date): string {
    const what = names.map(name => `"${name}"`).join(', ');
    return (
        `${what} cannot be ordered now: the store that delivers it is closed and takes orders again at ` +
        `${opensAt.toISOString()}. Remove it, or order it then.`
    );
}

function variantName(variant: ProductVariant): string {
    return variant.translations?.[0]?.name || variant.name || variant.sku;
}
