import {
    Channel,
    EntityHydrator,
    ID,
    Injector,
    InternalServerError,
    isGraphQlErrorResult,
    Order,
    OrderLine,
    OrderSellerStrategy,
    OrderService,
    RequestContext,
    SplitOrderContents,
} from '@vendure/core';

import { INSTANT_PAYMENT_METHOD_CODE } from '../constants';
import { ChannelLookup } from './channel-lookup';

/**
 * Splits an order into one seller order per seller channel (Vendure's multi-vendor model). Each
 * seller order is paid its share through the payment method of the aggregate order, so seller
 * orders reach PaymentSettled together with it.
 */
export class SellerChannelOrderSellerStrategy implements OrderSellerStrategy {
    private hydrator: EntityHydrator;
    private orderService: OrderService;
    private channels: ChannelLookup;

    init(injector: Injector) {
        this.hydrator = injector.get(EntityHydrator);
        this.orderService = injector.get(OrderService);
        this.channels = new ChannelLookup(injector);
    }

    async setOrderLineSellerChannel(ctx: RequestContext, orderLine: OrderLine): Promise<Channel | undefined> {
        await this.hydrator.hydrate(ctx, orderLine.productVariant, { relations: ['channels'] });
        return this.channels.sellerChannelOf(orderLine.productVariant.channels);
    }

    splitOrder(_ctx: RequestContext, order: Order): SplitOrderContents[] {
        const bySeller = new Map<ID, SplitOrderContents>();
        for (const line of order.lines) {
            if (line.sellerChannelId == null) continue;
            let contents = bySeller.get(line.sellerChannelId);
            if (!contents) {
                contents = {
                    channelId: line.sellerChannelId,
                    lines: [],
                    shippingLines: [],
                    state: 'ArrangingPayment',
                };
                bySeller.set(line.sellerChannelId, contents);
            }
            contents.lines.push(line);
        }
        for (const contents of bySeller.values()) {
            const shippingLineIds = new Set(contents.lines.map(line => line.shippingLineId));
            contents.shippingLines = order.shippingLines.filter(shippingLine =>
                shippingLineIds.has(shippingLine.id),
            );
        }
        return [...bySeller.values()];
    }

    async afterSellerOrdersCreated(
        ctx: RequestContext,
        aggregateOrder: Order,
        sellerOrders: Order[],
    ): Promise<void> {
        const method =
            aggregateOrder.payments?.find(payment => payment.state === 'Settled')?.method ??
            INSTANT_PAYMENT_METHOD_CODE;
        for (const sellerOrder of sellerOrders) {
            const result = await this.orderService.addPaymentToOrder(ctx, sellerOrder.id, {
                method,
                metadata: { aggregateOrderCode: aggregateOrder.code },
            });
            if (isGraphQlErrorResult(result)) {
                throw new InternalServerError(
                    `Could not settle seller order ${sellerOrder.code} of ${aggregateOrder.code}: ${result.message}`,
                );
            }
        }
    }
}
