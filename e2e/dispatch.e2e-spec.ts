/**
 * Deliveries on the demo marketplace, as staff and the drivers' app use the admin API: a paid
 * seller order marked ready is assigned to the nearest available driver by the dispatch job; the
 * driver's pickup and delivery move the Vendure order to Shipped and Delivered; refusals; an order
 * cancelled in Vendure releases its driver; more orders than drivers wait and are served as
 * drivers come free.
 */
import { TransactionalConnection } from '@vendure/core';
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { loadDemoCity } from '../src/demo/demo-data';
import {
    DEMO_DRIVER_PASSWORD,
    DEMO_SELLER_PASSWORD,
    demoInitialData,
    populateDemoMarketplace,
} from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import {
    CHANNEL_VARIANTS,
    ChannelVariantsResult,
    ORDER_WITH_SELLER_ORDERS,
    OrderWithSellerOrdersResult,
} from './graphql/admin-documents';
import {
    ActiveOrderResult,
    ADD_ITEM_TO_ORDER,
    ADD_PAYMENT,
    DELIVERY_AVAILABILITY,
    DeliveryAvailabilityResult,
    ELIGIBLE_SHIPPING_METHODS,
    EligibleShippingMethodsResult,
    SET_CUSTOMER,
    SET_DELIVERY_LOCATION,
    SET_SHIPPING_ADDRESS,
    SET_SHIPPING_METHOD,
    TRANSITION_ORDER,
} from './graphql/shop-documents';
import { haversineKm } from './utils/haversine';

interface Assignment {
    id: string;
    status: string;
    attempts: number;
    lastError: string | null;
    pickupDistanceKm: number | null;
    correlationId: string;
    driver: { id: string; status: string } | null;
    pickupStockLocation: { id: string; name: string; customFields: { latitude: number; longitude: number } };
    events: Array<{ fromStatus: string | null; toStatus: string; actor: string; reasonCode: string | null }>;
}

const ASSIGNMENT_FIELDS = gql`
    fragment AssignmentFields on DeliveryAssignment {
        id
        status
        attempts
        lastError
        pickupDistanceKm
        correlationId
        driver {
            id
            status
        }
        pickupStockLocation {
            id
            name
            customFields {
                latitude
                longitude
            }
        }
        events {
            fromStatus
            toStatus
            actor
            reasonCode
        }
    }
`;

const MARK_READY = gql`
    mutation MarkReady($orderId: ID!) {
        markOrderReadyForDispatch(orderId: $orderId) {
            __typename
            ... on DeliveryAssignment {
                ...AssignmentFields
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
    ${ASSIGNMENT_FIELDS}
`;
type MarkReadyResult = {
    markOrderReadyForDispatch: Partial<Assignment> & { __typename: string; message?: string };
};

const ASSIGNMENT = gql`
    query Assignment($id: ID!) {
        deliveryAssignment(id: $id) {
            ...AssignmentFields
        }
    }
    ${ASSIGNMENT_FIELDS}
`;

const ACTION_RESULT = `
    __typename
    ... on DeliveryAssignment {
        id
        status
    }
    ... on DeliveryTransitionError {
        errorCode
        message
        fromStatus
        toStatus
    }
`;
const CONFIRM_PICKUP = gql`
    mutation ConfirmPickup($id: ID!) {
        confirmPickup(assignmentId: $id) {
            ${ACTION_RESULT}
        }
    }
`;
const CONFIRM_DELIVERY = gql`
    mutation ConfirmDelivery($id: ID!) {
        confirmDelivery(assignmentId: $id, code: "ignored") {
            ${ACTION_RESULT}
        }
    }
`;
interface ActionResult {
    __typename: string;
    id?: string;
    status?: string;
    fromStatus?: string;
    toStatus?: string;
}

const DRIVERS = gql`
    query Drivers {
        drivers(options: { take: 100 }) {
            items {
                id
                emailAddress
                status
                latitude
                longitude
                activeAssignment {
                    id
                }
            }
        }
    }
`;
interface DriverRow {
    id: string;
    emailAddress: string;
    status: string;
    latitude: number;
    longitude: number;
    activeAssignment: { id: string } | null;
}

const UPDATE_DRIVER = gql`
    mutation UpdateDriver($input: UpdateDriverInput!) {
        updateDriver(input: $input) {
            id
            status
        }
    }
`;

const SET_DRIVER_STATUS = gql`
    mutation SetDriverStatus($status: DriverStatus!) {
        setDriverStatus(status: $status) {
            __typename
        }
    }
`;

const CANCEL_ORDER = gql`
    mutation CancelOrder($orderId: ID!) {
        cancelOrder(input: { orderId: $orderId, reason: "customer called" }) {
            __typename
            ... on Order {
                state
            }
            ... on ErrorResult {
                message
            }
        }
    }
`;

const REASSIGN = gql`
    mutation Reassign($id: ID!, $driverId: ID) {
        reassignDelivery(assignmentId: $id, driverId: $driverId) {
            ${ACTION_RESULT}
        }
    }
`;

const DELETE_DRIVER = gql`
    mutation DeleteDriver($id: ID!) {
        deleteDriver(id: $id) {
            result
            message
        }
    }
`;

const ASSIGNMENT_IDS = gql`
    query AssignmentIds {
        deliveryAssignments(options: { take: 100 }) {
            totalItems
            items {
                id
            }
        }
    }
`;

const FORBIDDEN = 'You are not currently authorized to perform this action';

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await asStaff();
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

async function asStaff() {
    await adminClient.asSuperAdmin();
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
}

async function asDriver(emailAddress: string) {
    await adminClient.asUserWithCredentials(emailAddress, DEMO_DRIVER_PASSWORD);
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
}

/** The demo's pings are as old as the test run: a fresh heartbeat keeps the drivers claimable. */
async function freshHeartbeats() {
    await server.app
        .get(TransactionalConnection)
        .rawConnection.query('UPDATE driver SET "lastSeenAt" = $1', [new Date()]);
}

async function drivers(): Promise<DriverRow[]> {
    return (await adminClient.query<{ drivers: { items: DriverRow[] } }>(DRIVERS)).drivers.items;
}

async function assignment(id: string): Promise<Assignment> {
    const { deliveryAssignment } = await adminClient.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, {
        id,
    });
    return deliveryAssignment;
}

async function waitFor<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 10_000,
): Promise<T> {
    const until = Date.now() + timeoutMs;
    let value = await read();
    while (!done(value) && Date.now() < until) {
        await new Promise(resolve => setTimeout(resolve, 200));
        value = await read();
    }
    return value;
}

async function markReady(orderId: string): Promise<MarkReadyResult['markOrderReadyForDispatch']> {
    return (await adminClient.query<MarkReadyResult>(MARK_READY, { orderId })).markOrderReadyForDispatch;
}

/** A variant of the seller that can be delivered to the customer's location. */
async function deliverableVariantOf(sellerCode: string): Promise<string> {
    adminClient.setChannelToken(sellerCode);
    const { productVariants } = await adminClient.query<ChannelVariantsResult>(CHANNEL_VARIANTS);
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const { deliveryAvailability } = await shopClient.query<DeliveryAvailabilityResult>(
        DELIVERY_AVAILABILITY,
        {
            ids: productVariants.items.map(variant => variant.id),
        },
    );
    const deliverable = deliveryAvailability.find(answer => answer.fastDelivery);
    if (!deliverable) throw new Error(`No variant of ${sellerCode} is deliverable to the test address`);
    return deliverable.productVariantId;
}

let customerCount = 0;

/** A paid checkout in The Loop (60601) with one item of each given seller; returns the order. */
async function placeOrder(sellerCodes: string[]): Promise<OrderWithSellerOrdersResult['order']> {
    await shopClient.asAnonymousUser();
    await shopClient.query(SET_DELIVERY_LOCATION, { input: { postalCode: '60601', countryCode: 'US' } });
    let orderId = '';
    for (const code of sellerCodes) {
        const variant = await deliverableVariantOf(code);
        const { addItemToOrder } = await shopClient.query<{ addItemToOrder: ActiveOrderResult }>(
            ADD_ITEM_TO_ORDER,
            { productVariantId: variant, quantity: 1 },
        );
        orderId = addItemToOrder.id;
    }
    customerCount++;
    await shopClient.query(SET_CUSTOMER, {
        input: {
            firstName: 'Test',
            lastName: `Customer${customerCount}`,
            emailAddress: `c${customerCount}@example.com`,
        },
    });
    await shopClient.query(SET_SHIPPING_ADDRESS, {
        input: {
            fullName: 'Test Customer',
            streetLine1: '100 W Randolph St',
            city: 'Chicago',
            postalCode: '60601',
            countryCode: 'US',
        },
    });
    const { eligibleShippingMethods } =
        await shopClient.query<EligibleShippingMethodsResult>(ELIGIBLE_SHIPPING_METHODS);
    await shopClient.query(SET_SHIPPING_METHOD, { ids: eligibleShippingMethods.map(method => method.id) });
    await shopClient.query(TRANSITION_ORDER, { state: 'ArrangingPayment' });
    const { addPaymentToOrder } = await shopClient.query<{ addPaymentToOrder: ActiveOrderResult }>(
        ADD_PAYMENT,
        {
            input: { method: 'instant-payment', metadata: {} },
        },
    );
    expect(addPaymentToOrder.state).toBe('PaymentSettled');
    return fetchOrder(orderId);
}

async function fetchOrder(id: string): Promise<OrderWithSellerOrdersResult['order']> {
    adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    return (await adminClient.query<OrderWithSellerOrdersResult>(ORDER_WITH_SELLER_ORDERS, { id })).order;
}

async function sellerOrderState(aggregateId: string, sellerOrderId: string): Promise<string | undefined> {
    return (await fetchOrder(aggregateId)).sellerOrders.find(order => order.id === sellerOrderId)?.state;
}

describe('an order ready for dispatch', () => {
    let order: OrderWithSellerOrdersResult['order'];
    let sellerOrderId: string;
    let assignmentId: string;
    let assigned: Assignment;
    let driverEmail: string;
    let fleetBefore: DriverRow[];

    beforeAll(async () => {
        await asStaff();
        order = await placeOrder([city.sellers[0].code, city.sellers[1].code]);
        sellerOrderId = order.sellerOrders[0].id;
    }, 60_000);

    it('is refused for the aggregate order, which is delivered as its seller orders', async () => {
        const result = await markReady(order.id);
        expect(result.__typename).toBe('OrderNotReadyForDispatchError');
        expect(result.message).toMatch(/seller orders/);
    });

    it('gets one PENDING or ASSIGNED assignment, however often and concurrently it is marked', async () => {
        await freshHeartbeats();
        fleetBefore = await drivers();
        const first = await markReady(sellerOrderId);
        expect(first.__typename).toBe('DeliveryAssignment');
        assignmentId = first.id as string;
        const again = await Promise.all([
            markReady(sellerOrderId),
            markReady(sellerOrderId),
            markReady(sellerOrderId),
        ]);
        expect(again.map(result => result.id)).toEqual([assignmentId, assignmentId, assignmentId]);
        const rows: Array<{ count: string }> = await server.app
            .get(TransactionalConnection)
            .rawConnection.query('SELECT count(*) FROM delivery_assignment WHERE "orderId" = $1', [
                sellerOrderId,
            ]);
        expect(Number(rows[0].count)).toBe(1);
        const fulfillments: Array<{ count: string }> = await server.app
            .get(TransactionalConnection)
            .rawConnection.query(`SELECT count(*) FROM order_fulfillments_fulfillment WHERE "orderId" = $1`, [
                sellerOrderId,
            ]);
        expect(Number(fulfillments[0].count)).toBe(1);
    });

    it('is picked up at the store of the seller the lines were allocated from', async () => {
        const { pickupStockLocation } = await assignment(assignmentId);
        expect(city.sellers[0].stores.map(store => store.name)).toContain(pickupStockLocation.name);
    });

    it('is assigned to the nearest available driver, who becomes BUSY', async () => {
        assigned = await waitFor(
            () => assignment(assignmentId),
            value => value.status === 'ASSIGNED',
        );
        expect(assigned.status).toBe('ASSIGNED');
        const pickup = assigned.pickupStockLocation.customFields;
        const available = fleetBefore.filter(driver => driver.status === 'AVAILABLE');
        const distances = available.map(driver => ({ id: driver.id, km: haversineKm(pickup, driver) }));
        const nearestKm = Math.min(...distances.map(entry => entry.km));
        const nearest = distances
            .filter(entry => Math.abs(entry.km - nearestKm) < 0.001)
            .map(entry => entry.id);
        expect(nearest).toContain(assigned.driver?.id);
        expect(assigned.pickupDistanceKm).toBeCloseTo(nearestKm, 2);
        expect(assigned.driver?.status).toBe('BUSY');
        const driver = (await drivers()).find(row => row.id === assigned.driver?.id);
        expect(driver?.activeAssignment?.id).toBe(assignmentId);
        driverEmail = driver?.emailAddress ?? '';
        expect(assigned.events.map(event => [event.fromStatus, event.toStatus, event.actor])).toEqual([
            [null, 'PENDING', expect.stringMatching(/^staff:\d+$/)],
            ['PENDING', 'ASSIGNED', 'system'],
        ]);
    });

    it('cannot be confirmed by another driver', async () => {
        const other = fleetBefore.find(driver => driver.id !== assigned.driver?.id);
        await asDriver(other?.emailAddress ?? '');
        await expect(adminClient.query(CONFIRM_PICKUP, { id: assignmentId })).rejects.toThrow(FORBIDDEN);
        await asStaff();
        expect((await assignment(assignmentId)).status).toBe('ASSIGNED');
    });

    it('refuses delivery before pickup', async () => {
        await asDriver(driverEmail);
        const { confirmDelivery } = await adminClient.query<{ confirmDelivery: ActionResult }>(
            CONFIRM_DELIVERY,
            {
                id: assignmentId,
            },
        );
        expect(confirmDelivery).toMatchObject({
            __typename: 'DeliveryTransitionError',
            fromStatus: 'ASSIGNED',
            toStatus: 'DELIVERED',
        });
    });

    it('moves the seller order to Shipped when the driver picks it up', async () => {
        await asDriver(driverEmail);
        const { confirmPickup } = await adminClient.query<{ confirmPickup: ActionResult }>(CONFIRM_PICKUP, {
            id: assignmentId,
        });
        expect(confirmPickup).toMatchObject({ __typename: 'DeliveryAssignment', status: 'PICKED_UP' });
        await asStaff();
        expect(await sellerOrderState(order.id, sellerOrderId)).toBe('Shipped');
    });

    it('keeps the driver from going OFFLINE while on the delivery', async () => {
        await asDriver(driverEmail);
        const { setDriverStatus } = await adminClient.query<{ setDriverStatus: { __typename: string } }>(
            SET_DRIVER_STATUS,
            { status: 'OFFLINE' },
        );
        expect(setDriverStatus.__typename).toBe('DriverHasOpenAssignmentError');
    });

    it('moves the seller order to Delivered and frees the driver when delivered', async () => {
        await asDriver(driverEmail);
        const { confirmDelivery } = await adminClient.query<{ confirmDelivery: ActionResult }>(
            CONFIRM_DELIVERY,
            {
                id: assignmentId,
            },
        );
        expect(confirmDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'DELIVERED' });
        await asStaff();
        expect(await sellerOrderState(order.id, sellerOrderId)).toBe('Delivered');
        const done = await assignment(assignmentId);
        expect(done.driver?.status).toBe('AVAILABLE');
        const actor = `driver:${assigned.driver?.id}`;
        expect(done.events.slice(2).map(event => [event.fromStatus, event.toStatus, event.actor])).toEqual([
            ['ASSIGNED', 'PICKED_UP', actor],
            ['PICKED_UP', 'DELIVERED', actor],
        ]);
    });

    it('treats a repeated step as a no-op and refuses going back', async () => {
        await asDriver(driverEmail);
        const { confirmDelivery } = await adminClient.query<{ confirmDelivery: ActionResult }>(
            CONFIRM_DELIVERY,
            {
                id: assignmentId,
            },
        );
        expect(confirmDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'DELIVERED' });
        const { confirmPickup } = await adminClient.query<{ confirmPickup: ActionResult }>(CONFIRM_PICKUP, {
            id: assignmentId,
        });
        expect(confirmPickup).toMatchObject({
            __typename: 'DeliveryTransitionError',
            fromStatus: 'DELIVERED',
            toStatus: 'PICKED_UP',
        });
        await asStaff();
        expect((await assignment(assignmentId)).events).toHaveLength(4);
    });

    it('is cancelled with its order, and the driver is released', async () => {
        await asStaff();
        await freshHeartbeats();
        const otherSellerOrder = order.sellerOrders[1];
        const marked = await markReady(otherSellerOrder.id);
        const id = marked.id as string;
        const taken = await waitFor(
            () => assignment(id),
            value => value.status === 'ASSIGNED',
        );
        expect(taken.driver?.status).toBe('BUSY');
        const sellerCode = otherSellerOrder.channels.find(
            channel => channel.code !== '__default_channel__',
        )?.code;
        adminClient.setChannelToken(sellerCode as string);
        const { cancelOrder } = await adminClient.query<{
            cancelOrder: { __typename: string; state?: string };
        }>(CANCEL_ORDER, { orderId: otherSellerOrder.id });
        adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
        expect(cancelOrder).toMatchObject({ __typename: 'Order', state: 'Cancelled' });
        const cancelled = await waitFor(
            () => assignment(id),
            value => value.status === 'CANCELLED',
        );
        expect(cancelled.status).toBe('CANCELLED');
        expect(cancelled.driver?.status).toBe('AVAILABLE');
        expect(cancelled.events[cancelled.events.length - 1]).toMatchObject({
            fromStatus: 'ASSIGNED',
            toStatus: 'CANCELLED',
            reasonCode: 'CANCELLED_BY_ADMIN',
        });
    });
});

describe('more orders than drivers', () => {
    const ORDERS = 5;
    const FREE_DRIVERS = 3;
    let onDuty: string[];
    let assignmentIds: string[];

    beforeAll(async () => {
        await asStaff();
        const fleet = await drivers();
        onDuty = fleet.slice(0, FREE_DRIVERS).map(driver => driver.id);
        for (const driver of fleet) {
            const status = onDuty.includes(driver.id) ? 'AVAILABLE' : 'OFFLINE';
            if (driver.status !== status)
                await adminClient.query(UPDATE_DRIVER, { input: { id: driver.id, status } });
        }
        const orders = [];
        for (let i = 0; i < ORDERS; i++) orders.push(await placeOrder([city.sellers[i % 2].code]));
        await asStaff();
        await freshHeartbeats();
        const marked = await Promise.all(
            orders.map(placed => markReady(placed.sellerOrders[0]?.id ?? placed.id)),
        );
        assignmentIds = marked.map(result => result.id as string);
    }, 120_000);

    async function all(): Promise<Assignment[]> {
        return Promise.all(assignmentIds.map(id => assignment(id)));
    }

    it('gives each free driver one delivery; the rest wait with the reason', async () => {
        const settled = await waitFor(all, list => {
            const assigned = list.filter(item => item.status === 'ASSIGNED').length;
            const waiting = list.filter(item => item.status === 'PENDING' && item.attempts > 0).length;
            return assigned === FREE_DRIVERS && waiting === ORDERS - FREE_DRIVERS;
        });
        const assigned = settled.filter(item => item.status === 'ASSIGNED');
        const waiting = settled.filter(item => item.status === 'PENDING');
        expect(assigned).toHaveLength(FREE_DRIVERS);
        expect(new Set(assigned.map(item => item.driver?.id))).toEqual(new Set(onDuty));
        expect(waiting).toHaveLength(ORDERS - FREE_DRIVERS);
        for (const item of waiting) {
            expect(item.attempts).toBeGreaterThan(0);
            expect(item.lastError).toMatch(/^No available driver within 100 km of .+/);
            expect(item.driver).toBeNull();
        }
    });

    it('serves a waiting order as soon as a driver comes free', async () => {
        const [first] = (await all()).filter(item => item.status === 'ASSIGNED');
        const freed = first.driver?.id;
        // Staff complete it from the dashboard.
        await adminClient.query(CONFIRM_PICKUP, { id: first.id });
        const { confirmDelivery } = await adminClient.query<{ confirmDelivery: ActionResult }>(
            CONFIRM_DELIVERY,
            {
                id: first.id,
            },
        );
        expect(confirmDelivery.status).toBe('DELIVERED');
        await freshHeartbeats();
        const settled = await waitFor(
            all,
            list => list.filter(item => item.status === 'ASSIGNED').length === FREE_DRIVERS,
        );
        const assigned = settled.filter(item => item.status === 'ASSIGNED');
        expect(assigned).toHaveLength(FREE_DRIVERS);
        expect(assigned.map(item => item.driver?.id)).toContain(freed);
        expect(settled.filter(item => item.status === 'PENDING')).toHaveLength(ORDERS - FREE_DRIVERS - 1);
        const staffEvents = (await assignment(first.id)).events.slice(2).map(event => event.actor);
        expect(staffEvents).toEqual([
            expect.stringMatching(/^staff:\d+$/),
            expect.stringMatching(/^staff:\d+$/),
        ]);
    });

    it('refuses to delete a driver who is on a delivery', async () => {
        const onDelivery = (await all()).find(item => item.status === 'ASSIGNED');
        const { deleteDriver } = await adminClient.query<{
            deleteDriver: { result: string; message: string };
        }>(DELETE_DRIVER, { id: onDelivery?.driver?.id });
        expect(deleteDriver.result).toBe('NOT_DELETED');
        expect(deleteDriver.message).toMatch(/on a delivery/);
        expect((await drivers()).map(driver => driver.id)).toContain(onDelivery?.driver?.id);
    });

    it('refuses to reassign to a driver who is not AVAILABLE, changing nothing', async () => {
        const before = (await all()).find(item => item.status === 'ASSIGNED') as Assignment;
        const offline = (await drivers()).find(driver => driver.status === 'OFFLINE');
        await expect(adminClient.query(REASSIGN, { id: before.id, driverId: offline?.id })).rejects.toThrow(
            /only an AVAILABLE driver can be assigned/,
        );
        const after = await assignment(before.id);
        expect(after.status).toBe('ASSIGNED');
        expect(after.driver?.id).toBe(before.driver?.id);
        expect(after.events).toHaveLength(before.events.length);
    });

    it('reassigns without the current driver, who serves the oldest waiting order instead', async () => {
        const list = await all();
        const taken = list.filter(item => item.status === 'ASSIGNED').pop() as Assignment;
        const waiting = list.find(item => item.status === 'PENDING') as Assignment;
        const driverId = taken.driver?.id;
        const { reassignDelivery } = await adminClient.query<{ reassignDelivery: ActionResult }>(REASSIGN, {
            id: taken.id,
        });
        expect(reassignDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'PENDING' });
        await freshHeartbeats();
        const served = await waitFor(
            () => assignment(waiting.id),
            value => value.status === 'ASSIGNED',
        );
        expect(served.driver?.id).toBe(driverId);
        const reassigned = await assignment(taken.id);
        expect(reassigned.status).toBe('PENDING');
        expect(reassigned.driver).toBeNull();
        expect(reassigned.events[reassigned.events.length - 1]).toMatchObject({
            fromStatus: 'ASSIGNED',
            toStatus: 'PENDING',
            actor: expect.stringMatching(/^staff:\d+$/),
        });
    });

    it('assigns a waiting order directly to the AVAILABLE driver staff choose', async () => {
        const waiting = (await all()).find(item => item.status === 'PENDING') as Assignment;
        const offline = (await drivers()).find(driver => driver.status === 'OFFLINE') as DriverRow;
        // Unseen for an hour, the driver cannot be claimed by dispatch: only staff's choice assigns them.
        await server.app
            .get(TransactionalConnection)
            .rawConnection.query('UPDATE driver SET "lastSeenAt" = $1 WHERE id = $2', [
                new Date(Date.now() - 3600_000),
                offline.id,
            ]);
        await adminClient.query(UPDATE_DRIVER, { input: { id: offline.id, status: 'AVAILABLE' } });
        await new Promise(resolve => setTimeout(resolve, 1000));
        expect((await assignment(waiting.id)).status).toBe('PENDING');
        const { reassignDelivery } = await adminClient.query<{ reassignDelivery: ActionResult }>(REASSIGN, {
            id: waiting.id,
            driverId: offline.id,
        });
        expect(reassignDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'ASSIGNED' });
        const assigned = await assignment(waiting.id);
        expect(assigned.driver).toMatchObject({ id: offline.id, status: 'BUSY' });
    });

    it("shows a seller's staff only their own seller's deliveries", async () => {
        await adminClient.asUserWithCredentials(`${city.sellers[0].code}@demo.example`, DEMO_SELLER_PASSWORD);
        adminClient.setChannelToken(city.sellers[0].code);
        const { deliveryAssignments } = await adminClient.query<{
            deliveryAssignments: { items: Array<{ id: string }> };
        }>(ASSIGNMENT_IDS);
        const seen = deliveryAssignments.items.map(item => item.id);
        // Orders alternate between the first and the second seller.
        expect(seen).toEqual(expect.arrayContaining([assignmentIds[0], assignmentIds[2], assignmentIds[4]]));
        expect(seen).not.toContain(assignmentIds[1]);
        expect(seen).not.toContain(assignmentIds[3]);
        await expect(adminClient.query(ASSIGNMENT, { id: assignmentIds[1] })).resolves.toEqual({
            deliveryAssignment: null,
        });
        await asStaff();
    });
});
