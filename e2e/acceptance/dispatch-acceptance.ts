/**
 * The dispatch acceptance run against a running demo server, as its clients use it over HTTP:
 * staff (the superadmin) through the admin API, drivers through their own logins, customers through
 * the shop API. Used by the lifecycle suite for the embedded default and for production mode.
 */
import { graphql } from '../utils/app-process';
import { eventually } from '../utils/eventually';
import { haversineKm } from '../utils/haversine';

interface Point {
    latitude: number;
    longitude: number;
}

interface AcceptanceAssignment {
    id: string;
    status: string;
    attempts: number;
    pickupDistanceKm: number | null;
    driver: { id: string } | null;
    pickupStockLocation: { customFields: Point };
}

interface AcceptanceDriver {
    id: string;
    token: string;
    position: Point;
}

const ASSIGNMENT_FIELDS = `id status attempts pickupDistanceKm driver { id }
    pickupStockLocation { customFields { latitude longitude } }`;

/** The Loop, Chicago: within 5 km of stores of every demo seller. */
const LOOP: Point = { latitude: 41.8858, longitude: -87.6181 };

export async function dispatchAcceptance(port: number, staff: { username: string; password: string }) {
    const admin = <T>(query: string, token: string, variables?: Record<string, unknown>) =>
        graphql<T>(port, 'admin-api', query, token, variables).then(result => result.data);
    const login = async (username: string, password: string): Promise<string> => {
        const result = await graphql<{ login: { identifier?: string } }>(
            port,
            'admin-api',
            `
                mutation ($username: String!, $password: String!) {
                    login(username: $username, password: $password) {
                        ... on CurrentUser {
                            identifier
                        }
                    }
                }
            `,
            undefined,
            { username, password },
        );
        if (!result.token) throw new Error(`${username} could not log in`);
        return result.token;
    };
    const staffToken = await login(staff.username, staff.password);

    // Only the acceptance drivers are on duty: the demo fleet leaves OFFLINE drivers alone.
    const fleet = await admin<{ drivers: { items: Array<{ id: string; status: string }> } }>(
        '{ drivers(options: { take: 1000 }) { items { id status } } }',
        staffToken,
    );
    for (const driver of fleet.drivers.items.filter(item => item.status === 'AVAILABLE')) {
        await admin(
            'mutation ($id: ID!) { updateDriver(input: { id: $id, status: OFFLINE }) { id } }',
            staffToken,
            {
                id: driver.id,
            },
        );
    }

    // Three drivers of our own, 0.6, 1.5 and 3 km north-east of The Loop.
    const run = Date.now();
    const drivers: AcceptanceDriver[] = [];
    for (const [index, offset] of [0.004, 0.01, 0.02].entries()) {
        const emailAddress = `acceptance-${run}-${index}@example.com`;
        const { createDriver } = await admin<{ createDriver: { id: string } }>(
            `mutation ($input: CreateDriverInput!) { createDriver(input: $input) { id } }`,
            staffToken,
            { input: { name: `Acceptance ${index}`, emailAddress, password: 'acceptance-password' } },
        );
        drivers.push({
            id: createDriver.id,
            token: await login(emailAddress, 'acceptance-password'),
            position: { latitude: LOOP.latitude + offset, longitude: LOOP.longitude + offset },
        });
    }
    const ping = async () => {
        for (const driver of drivers) {
            await admin(
                'mutation ($latitude: Float!, $longitude: Float!) { updateDriverLocation(latitude: $latitude, longitude: $longitude) { id } }',
                driver.token,
                { ...driver.position },
            );
        }
    };
    await ping();
    for (const driver of drivers) {
        const { setDriverStatus } = await admin<{ setDriverStatus: { __typename: string } }>(
            'mutation { setDriverStatus(status: AVAILABLE) { __typename } }',
            driver.token,
        );
        expect(setDriverStatus.__typename).toBe('Driver');
    }

    const assignment = async (id: string) =>
        (
            await admin<{ deliveryAssignment: AcceptanceAssignment }>(
                `query ($id: ID!) { deliveryAssignment(id: $id) { ${ASSIGNMENT_FIELDS} } }`,
                staffToken,
                { id },
            )
        ).deliveryAssignment;
    const markReady = async (orderId: string) =>
        (
            await admin<{ markOrderReadyForDispatch: AcceptanceAssignment & { __typename: string } }>(
                `mutation ($orderId: ID!) { markOrderReadyForDispatch(orderId: $orderId) {
                    __typename ... on DeliveryAssignment { ${ASSIGNMENT_FIELDS} } } }`,
                staffToken,
                { orderId },
            )
        ).markOrderReadyForDispatch;
    const settled = (id: string) =>
        eventually(
            () => assignment(id),
            value => value.status !== 'PENDING',
            20_000,
        );
    const orderState = async (id: string) =>
        (
            await admin<{ order: { state: string } }>(
                'query ($id: ID!) { order(id: $id) { state } }',
                staffToken,
                { id },
            )
        ).order.state;

    // 1. The nearest of several drivers is assigned; marking again, also at once, changes nothing.
    const first = await paidSellerOrder(port, staffToken);
    const marks = await Promise.all([
        markReady(first.sellerOrderId),
        markReady(first.sellerOrderId),
        markReady(first.sellerOrderId),
    ]);
    expect(marks.map(mark => mark.__typename)).toEqual([
        'DeliveryAssignment',
        'DeliveryAssignment',
        'DeliveryAssignment',
    ]);
    expect(new Set(marks.map(mark => mark.id)).size).toBe(1);
    const firstAssigned = await settled(marks[0].id);
    expect(firstAssigned.status).toBe('ASSIGNED');
    const pickup = firstAssigned.pickupStockLocation.customFields;
    const nearest = [...drivers].sort(
        (a, b) => haversineKm(pickup, a.position) - haversineKm(pickup, b.position),
    )[0];
    expect(firstAssigned.driver?.id).toBe(nearest.id);
    expect(firstAssigned.pickupDistanceKm).toBeCloseTo(haversineKm(pickup, nearest.position), 1);

    // 2. Orders marked ready together never share a driver; with none free, an order waits.
    await ping();
    const more = [
        await paidSellerOrder(port, staffToken),
        await paidSellerOrder(port, staffToken),
        await paidSellerOrder(port, staffToken),
    ];
    const marked = await Promise.all(more.map(order => markReady(order.sellerOrderId)));
    // Two drivers are free for three orders: two are assigned, one waits after a failed attempt.
    const outcomes = await eventually(
        () => Promise.all(marked.map(mark => assignment(mark.id))),
        list =>
            list.filter(item => item.status === 'ASSIGNED').length === 2 &&
            list.some(item => item.status === 'PENDING' && item.attempts > 0),
        20_000,
    );
    const busy = [firstAssigned, ...outcomes].filter(item => item.status === 'ASSIGNED');
    expect(busy).toHaveLength(drivers.length);
    expect(new Set(busy.map(item => item.driver?.id)).size).toBe(drivers.length);
    const waiting = outcomes.filter(item => item.status === 'PENDING');
    expect(waiting).toHaveLength(1);

    // 3. No driver can act on another's delivery.
    const owner = drivers.find(driver => driver.id === firstAssigned.driver?.id) as AcceptanceDriver;
    const stranger = drivers.find(driver => driver !== owner) as AcceptanceDriver;
    await expect(
        admin('mutation ($id: ID!) { confirmPickup(assignmentId: $id) { __typename } }', stranger.token, {
            id: firstAssigned.id,
        }),
    ).rejects.toThrow(/not currently authorized/);
    expect((await assignment(firstAssigned.id)).status).toBe('ASSIGNED');

    // 4. Pickup and delivery move the Vendure order; the freed driver serves the waiting order.
    const { confirmPickup } = await admin<{ confirmPickup: { status?: string } }>(
        'mutation ($id: ID!) { confirmPickup(assignmentId: $id) { ... on DeliveryAssignment { status } } }',
        owner.token,
        { id: firstAssigned.id },
    );
    expect(confirmPickup).toMatchObject({ status: 'PICKED_UP' });
    expect(await orderState(first.sellerOrderId)).toBe('Shipped');
    // At the door the customer reads out the code their tracking shows.
    const tracking = await graphql<{
        deliveryTracking: Array<{ status: string; deliveryCode: string | null }>;
    }>(
        port,
        'shop-api',
        'query ($code: String!) { deliveryTracking(orderCode: $code) { status deliveryCode } }',
        first.shopToken,
        { code: first.code },
    );
    expect(tracking.data.deliveryTracking).toEqual([
        { status: 'PICKED_UP', deliveryCode: expect.stringMatching(/^\d{6}$/) },
    ]);
    await ping();
    const { confirmDelivery } = await admin<{ confirmDelivery: { status?: string } }>(
        'mutation ($id: ID!, $code: String) { confirmDelivery(assignmentId: $id, code: $code) { ... on DeliveryAssignment { status } } }',
        owner.token,
        { id: firstAssigned.id, code: tracking.data.deliveryTracking[0].deliveryCode },
    );
    expect(confirmDelivery).toMatchObject({ status: 'DELIVERED' });
    expect(await orderState(first.sellerOrderId)).toBe('Delivered');
    const served = await eventually(
        () => assignment(waiting[0].id),
        value => value.status === 'ASSIGNED',
        20_000,
    );
    expect(served.driver?.id).toBe(owner.id);

    // Leave the server as found: the acceptance deliveries are cancelled, its drivers go off duty.
    for (const item of outcomes) {
        await admin(
            'mutation ($id: ID!) { cancelDelivery(assignmentId: $id, reason: "acceptance done") { __typename } }',
            staffToken,
            {
                id: item.id,
            },
        );
    }
    for (const driver of drivers) {
        await admin('mutation { setDriverStatus(status: OFFLINE) { __typename } }', driver.token);
    }
    // The order that went from assigned to delivered: its customer was told each step.
    return { delivered: first };
}

export interface PaidOrder {
    /** The id of its one seller order, which is what gets delivered. */
    sellerOrderId: string;
    code: string;
    /** The guest customer's shop session. */
    shopToken: string;
    /** The guest customer's email address. */
    emailAddress: string;
}

/**
 * A guest checkout in The Loop of one deliverable variant (the first search result, or the
 * `variantIndex`th), paid with the demo's instant payment.
 */
export async function paidSellerOrder(
    port: number,
    staffToken: string,
    variantIndex = 0,
): Promise<PaidOrder> {
    const shop = async <T>(query: string, variables?: Record<string, unknown>) => {
        const result = await graphql<T>(port, 'shop-api', query, token, variables);
        token = result.token ?? token;
        return result.data;
    };
    let token: string | undefined;
    await shop(
        'mutation { setDeliveryLocation(input: { postalCode: "60601", countryCode: "US" }) { __typename } }',
    );
    const { search } = await shop<{ search: { items: Array<{ productVariantId: string }> } }>(
        `{ search(input: { take: ${variantIndex + 1}, deliveryLocation: { postalCode: "60601", countryCode: "US" } }) { items { productVariantId } } }`,
    );
    const { addItemToOrder } = await shop<{ addItemToOrder: { id: string; code: string } }>(
        'mutation ($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { ... on Order { id code } } }',
        { id: search.items[Math.min(variantIndex, search.items.length - 1)].productVariantId },
    );
    const suffix = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await shop(
        'mutation ($input: CreateCustomerInput!) { setCustomerForOrder(input: $input) { __typename } }',
        {
            input: {
                firstName: 'Acceptance',
                lastName: 'Customer',
                emailAddress: `acceptance-${suffix}@example.com`,
            },
        },
    );
    await shop(
        'mutation ($input: CreateAddressInput!) { setOrderShippingAddress(input: $input) { __typename } }',
        {
            input: {
                streetLine1: '100 W Randolph St',
                city: 'Chicago',
                postalCode: '60601',
                countryCode: 'US',
            },
        },
    );
    const { eligibleShippingMethods } = await shop<{ eligibleShippingMethods: Array<{ id: string }> }>(
        '{ eligibleShippingMethods { id } }',
    );
    await shop('mutation ($ids: [ID!]!) { setOrderShippingMethod(shippingMethodId: $ids) { __typename } }', {
        ids: eligibleShippingMethods.map(method => method.id),
    });
    const { transitionOrderToState } = await shop<{ transitionOrderToState: Record<string, unknown> }>(
        'mutation { transitionOrderToState(state: "ArrangingPayment") { ... on Order { state } ... on OrderStateTransitionError { errorCode message transitionError } } }',
    );
    // A refused transition (no stock left, no store within 5 km) says why, not the payment after it.
    expect(transitionOrderToState).toMatchObject({ state: 'ArrangingPayment' });
    const { addPaymentToOrder } = await shop<{ addPaymentToOrder: { state?: string } }>(
        'mutation { addPaymentToOrder(input: { method: "instant-payment", metadata: {} }) { ... on Order { state } ... on ErrorResult { errorCode message } } }',
    );
    // On failure, the error result says why.
    expect(addPaymentToOrder).toMatchObject({ state: 'PaymentSettled' });
    const { order } = await graphql<{ order: { sellerOrders: Array<{ id: string }> } }>(
        port,
        'admin-api',
        'query ($id: ID!) { order(id: $id) { sellerOrders { id } } }',
        staffToken,
        { id: addItemToOrder.id },
    ).then(result => result.data);
    expect(order.sellerOrders).toHaveLength(1);
    return {
        sellerOrderId: order.sellerOrders[0].id,
        code: addItemToOrder.code,
        shopToken: token ?? '',
        emailAddress: `acceptance-${suffix}@example.com`,
    };
}
