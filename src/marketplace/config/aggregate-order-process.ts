import { OrderType } from '@vendure/common/lib/generated-types';
import {
    ChannelService,
    CustomOrderProcess,
    ID,
    idsAreEqual,
    isGraphQlErrorResult,
    Logger,
    Order,
    orderItemsAreDelivered,
    orderItemsArePartiallyDelivered,
    orderItemsArePartiallyShipped,
    orderItemsAreShipped,
    OrderService,
    OrderState,
    RequestContext,
    RequestContextService,
    TransactionalConnection,
} from '@vendure/core';
import { TRANSACTION_MANAGER_KEY } from '@vendure/core/dist/common/constants';

import { loggerCtx } from '../constants';

let connection: TransactionalConnection;
let orderService: OrderService;
let channelService: ChannelService;
let requestContextService: RequestContextService;

type FulfillmentCheck = (order: Order) => boolean;

/** Fulfillment checks for orders that have fulfillments of their own (not aggregate orders). */
const fulfillmentChecks: Partial<Record<OrderState, [FulfillmentCheck, string]>> = {
    PartiallyShipped: [
        orderItemsArePartiallyShipped,
        'message.cannot-transition-unless-some-order-items-shipped',
    ],
    Shipped: [orderItemsAreShipped, 'message.cannot-transition-unless-all-order-items-shipped'],
    PartiallyDelivered: [
        orderItemsArePartiallyDelivered,
        'message.cannot-transition-unless-some-order-items-delivered',
    ],
    Delivered: [orderItemsAreDelivered, 'message.cannot-transition-unless-all-order-items-delivered'],
};

/**
 * The aggregate order has no fulfillments: its state follows its seller orders (Shipped or
 * Delivered when all of them are, partially when some are), so the customer sees the right state.
 * Used with `configureDefaultOrderProcess({ checkFulfillmentStates: false })`, whose checks this
 * process makes for every order except the aggregate.
 */
export const aggregateOrderProcess: CustomOrderProcess<OrderState> = {
    init(injector) {
        connection = injector.get(TransactionalConnection);
        orderService = injector.get(OrderService);
        channelService = injector.get(ChannelService);
        requestContextService = injector.get(RequestContextService);
    },

    async onTransitionStart(_fromState, toState, { ctx, order }) {
        if (order.type === OrderType.Aggregate) return;
        const check = fulfillmentChecks[toState];
        if (!check) return;
        const [isSatisfied, message] = check;
        if (!isSatisfied(await withFulfillments(ctx, order.id))) return message;
    },

    async onTransitionEnd(_fromState, toState, { ctx, order }) {
        if (order.type !== OrderType.Seller) return;
        const aggregate = await orderService.getAggregateOrder(ctx, order);
        if (!aggregate) return;
        const siblings = await orderService.getSellerOrders(ctx, aggregate);
        const states = siblings.map(sibling => (idsAreEqual(sibling.id, order.id) ? toState : sibling.state));
        const target = aggregateStateFor(states);
        if (!target || target === aggregate.state) return;

        // The seller order's context may be scoped to the seller channel, which cannot update the
        // aggregate order: act in the default channel.
        const defaultCtx = await requestContextService.create({
            apiType: 'admin',
            channelOrToken: await channelService.getDefaultChannel(ctx),
            req: ctx.req,
            languageCode: ctx.languageCode,
        });
        // In the seller order's transaction: a new context would take a second pooled connection
        // while this one is held, and with as many concurrent pickups or deliveries as the pool has
        // connections every one of them waited for ever (found by the fault suite).
        const manager: unknown = (ctx as unknown as Record<symbol, unknown>)[TRANSACTION_MANAGER_KEY];
        if (manager) Object.assign(defaultCtx, { [TRANSACTION_MANAGER_KEY]: manager });
        const result = await orderService.transitionToState(defaultCtx, aggregate.id, target);
        if (isGraphQlErrorResult(result)) {
            Logger.warn(
                `Aggregate order ${aggregate.code} stays ${aggregate.state}: ${result.message}`,
                loggerCtx,
            );
        }
    },
};

/** The state an aggregate order takes from the states of its seller orders, if any. */
export function aggregateStateFor(sellerOrderStates: OrderState[]): OrderState | undefined {
    if (sellerOrderStates.length === 0) return undefined;
    if (sellerOrderStates.every(state => state === 'Delivered')) return 'Delivered';
    if (sellerOrderStates.every(state => state === 'Shipped' || state === 'Delivered')) {
        return sellerOrderStates.some(state => state === 'Delivered') ? 'PartiallyDelivered' : 'Shipped';
    }
    if (sellerOrderStates.some(state => state === 'Delivered')) return 'PartiallyDelivered';
    if (sellerOrderStates.some(state => state === 'Shipped' || state === 'PartiallyShipped'))
        return 'PartiallyShipped';
    return undefined;
}

async function withFulfillments(ctx: RequestContext, id: ID): Promise<Order> {
    return connection.getEntityOrThrow(ctx, Order, id, {
        relations: ['lines', 'fulfillments', 'fulfillments.lines', 'fulfillments.lines.fulfillment'],
    });
}
