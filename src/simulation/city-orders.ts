import { ApiSession, UnionResult } from './city-api';
import { PlannedOrder } from './city-plan';

/** A simulated customer's order once paid: its seller order is what a driver delivers. */
export interface PlacedOrder {
    orderId: string;
    orderCode: string;
    /** The seller order (marketplace) or the order itself (single shop). */
    deliveryOrderId: string;
    deliveryOrderCode: string;
}

export class CheckoutRefusedError extends Error {}

const ORDER_RESULT = '__typename ... on Order { id code state } ... on ErrorResult { message }';

/**
 * A guest checkout through the shop API, as a storefront does it: a delivery location (coordinates
 * near a store), a deliverable variant found with the near-me search, address, every eligible
 * shipping method, instant payment.
 */
export async function checkout(
    shop: ApiSession,
    staff: ApiSession,
    planned: PlannedOrder,
    customerNumber: number,
    runLabel: string,
): Promise<PlacedOrder> {
    const location = { ...planned.dropoff, countryCode: 'US' };
    const { setDeliveryLocation } = await shop.request<{ setDeliveryLocation: UnionResult }>(
        'mutation ($input: DeliveryLocationInput!) { setDeliveryLocation(input: $input) { __typename ... on ErrorResult { message } } }',
        { input: location },
    );
    expectType(setDeliveryLocation, 'DeliveryLocation', 'setDeliveryLocation');
    const { search } = await shop.request<{
        search: { items: Array<{ productVariantId: string; fastDelivery: boolean }> };
    }>('query ($input: SearchInput!) { search(input: $input) { items { productVariantId fastDelivery } } }', {
        input: { take: 50, groupByProduct: false, deliveryLocation: location },
    });
    const deliverable = search.items.filter(item => item.fastDelivery);
    if (!deliverable.length) throw new CheckoutRefusedError('nothing is deliverable at the drop-off');
    const variant =
        deliverable[Math.min(deliverable.length - 1, Math.floor(planned.pick * deliverable.length))];
    const { addItemToOrder } = await shop.request<{ addItemToOrder: UnionResult & { id?: string } }>(
        `mutation ($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { ${ORDER_RESULT} } }`,
        { id: variant.productVariantId },
    );
    expectType(addItemToOrder, 'Order', 'addItemToOrder');
    const emailAddress = `customer-${runLabel}-${customerNumber}@simulation.example`;
    const { setCustomerForOrder } = await shop.request<{ setCustomerForOrder: UnionResult }>(
        `mutation ($input: CreateCustomerInput!) { setCustomerForOrder(input: $input) { ${ORDER_RESULT} } }`,
        { input: { firstName: 'Sim', lastName: `Customer ${customerNumber}`, emailAddress } },
    );
    expectType(setCustomerForOrder, 'Order', 'setCustomerForOrder');
    const { setOrderShippingAddress } = await shop.request<{ setOrderShippingAddress: UnionResult }>(
        `mutation ($input: CreateAddressInput!) { setOrderShippingAddress(input: $input) { ${ORDER_RESULT} } }`,
        {
            // No postal code: the customer's coordinates stay the delivery location.
            input: {
                fullName: `Sim Customer ${customerNumber}`,
                streetLine1: `Near ${planned.store}`,
                countryCode: 'US',
            },
        },
    );
    expectType(setOrderShippingAddress, 'Order', 'setOrderShippingAddress');
    const { eligibleShippingMethods } = await shop.request<{
        eligibleShippingMethods: Array<{ id: string }>;
    }>('{ eligibleShippingMethods { id } }');
    const { setOrderShippingMethod } = await shop.request<{ setOrderShippingMethod: UnionResult }>(
        `mutation ($ids: [ID!]!) { setOrderShippingMethod(shippingMethodId: $ids) { ${ORDER_RESULT} } }`,
        { ids: eligibleShippingMethods.map(method => method.id) },
    );
    expectType(setOrderShippingMethod, 'Order', 'setOrderShippingMethod');
    const { transitionOrderToState } = await shop.request<{ transitionOrderToState: UnionResult }>(
        `mutation { transitionOrderToState(state: "ArrangingPayment") { ${ORDER_RESULT} } }`,
    );
    expectType(transitionOrderToState, 'Order', 'transitionOrderToState');
    const { addPaymentToOrder } = await shop.request<{
        addPaymentToOrder: UnionResult & { id?: string; code?: string; state?: string };
    }>(
        `mutation { addPaymentToOrder(input: { method: "instant-payment", metadata: {} }) { ${ORDER_RESULT} } }`,
    );
    expectType(addPaymentToOrder, 'Order', 'addPaymentToOrder');
    if (addPaymentToOrder.state !== 'PaymentSettled' || !addPaymentToOrder.id || !addPaymentToOrder.code) {
        throw new CheckoutRefusedError(`the order ended in ${addPaymentToOrder.state ?? 'no state'}`);
    }
    const { order } = await staff.request<{
        order: { sellerOrders: Array<{ id: string; code: string }> | null } | null;
    }>('query ($id: ID!) { order(id: $id) { sellerOrders { id code } } }', { id: addPaymentToOrder.id });
    const seller = order?.sellerOrders?.[0];
    return {
        orderId: addPaymentToOrder.id,
        orderCode: addPaymentToOrder.code,
        deliveryOrderId: seller?.id ?? addPaymentToOrder.id,
        deliveryOrderCode: seller?.code ?? addPaymentToOrder.code,
    };
}

/** Staff mark the (seller) order ready: the server creates its delivery (PENDING) and dispatches it. */
export async function markReady(staff: ApiSession, order: PlacedOrder): Promise<string> {
    const { markOrderReadyForDispatch } = await staff.request<{
        markOrderReadyForDispatch: UnionResult & { id?: string };
    }>(
        'mutation ($id: ID!) { markOrderReadyForDispatch(orderId: $id) { __typename ... on DeliveryAssignment { id } ... on ErrorResult { message } } }',
        { id: order.deliveryOrderId },
    );
    expectType(markOrderReadyForDispatch, 'DeliveryAssignment', 'markOrderReadyForDispatch');
    if (!markOrderReadyForDispatch.id) throw new CheckoutRefusedError('markOrderReadyForDispatch gave no id');
    return markOrderReadyForDispatch.id;
}

/** The code the customer reads out at the door, from their own `deliveryTracking`. */
export async function deliveryCode(customer: ApiSession, order: PlacedOrder): Promise<string | undefined> {
    const { deliveryTracking } = await customer.request<{
        deliveryTracking: Array<{ orderCode: string; deliveryCode: string | null }>;
    }>('query ($code: String!) { deliveryTracking(orderCode: $code) { orderCode deliveryCode } }', {
        code: order.orderCode,
    });
    const entry =
        deliveryTracking.find(candidate => candidate.orderCode === order.deliveryOrderCode) ??
        deliveryTracking[0];
    return entry?.deliveryCode ?? undefined;
}

function expectType(result: UnionResult, typename: string, operation: string): void {
    if (result.__typename !== typename) {
        throw new CheckoutRefusedError(`${operation}: ${result.__typename} ${result.message ?? ''}`.trim());
    }
}
