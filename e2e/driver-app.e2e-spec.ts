/**
 * The driver app and the customer, as they use the APIs: a driver sees their own delivery and only
 * what they need of it, declines (the delivery goes to another driver) or reports a failure; the
 * delivery code proves the handover (wrong codes counted and locked, staff confirm without it); the
 * customer tracks their own order and nobody else's. Then the authorization matrix: every driver
 * operation by another driver, by a customer and anonymously, every staff dispatch operation
 * without ManageDispatch, a seller's staff on another seller's delivery: refused, nothing changed.
 */
import { TransactionalConnection } from '@vendure/core';
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN } from '@vendure/testing';
import gql from 'graphql-tag';

import { loadDemoCity } from '../src/demo/demo-data';
import { DEMO_SELLER_PASSWORD, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { dispatchWaitingNow } from './fixtures/dispatch';
import { asDemoDriver, asSuperadmin } from './fixtures/logins';
import {
    ASSIGNMENT,
    Assignment,
    CANCEL_DELIVERY,
    CONFIRM_DELIVERY,
    CONFIRM_PICKUP,
    DELIVERY_TRACKING,
    DeliveryTrackingResult,
    DriverRow,
    DRIVERS,
    DriversResult,
    MARK_READY,
    MarkReadyResult,
    REASSIGN,
    SET_DRIVER_STATUS,
} from './graphql/dispatch-documents';
import { eventually } from './utils/eventually';

const ACTIVE_DRIVER_ASSIGNMENT = gql`
    query ActiveDriverAssignment {
        activeDriverAssignment {
            assignmentId
            status
            deliveryReference
            pickupStoreName
            pickupAddress
            pickupLatitude
            pickupLongitude
            dropoffLatitude
            dropoffLongitude
            dropoffAddress
            deliveryInstructions
            customerFirstName
            itemCount
        }
    }
`;

const DECLINE = gql`
    mutation Decline($id: ID!, $reason: String) {
        declineDelivery(assignmentId: $id, reason: $reason) {
            __typename
            ... on DeliveryAssignment {
                id
                status
            }
            ... on ErrorResult {
                message
            }
        }
    }
`;

const REPORT_FAILED = gql`
    mutation ReportFailed($id: ID!, $reasonCode: String!, $note: String) {
        reportDeliveryFailed(assignmentId: $id, reasonCode: $reasonCode, note: $note) {
            __typename
            ... on DeliveryAssignment {
                id
                status
            }
            ... on ErrorResult {
                message
            }
        }
    }
`;

const CONFIRM_WITH_CODE = gql`
    mutation ConfirmWithCode($id: ID!, $code: String) {
        confirmDelivery(assignmentId: $id, code: $code) {
            __typename
            ... on DeliveryAssignment {
                status
            }
            ... on ErrorResult {
                message
            }
            ... on DeliveryCodeError {
                attemptsLeft
            }
        }
    }
`;
interface CodeResult {
    confirmDelivery: { __typename: string; status?: string; message?: string; attemptsLeft?: number };
}

const UPDATE_LOCATION = gql`
    mutation Ping($latitude: Float!, $longitude: Float!) {
        updateDriverLocation(latitude: $latitude, longitude: $longitude) {
            id
        }
    }
`;

const EVENT_NOTES = gql`
    query EventNotes($id: ID!) {
        deliveryAssignment(id: $id) {
            events {
                toStatus
                actor
                reasonCode
                note
            }
        }
    }
`;

const CREATE_ROLE = gql`
    mutation CreateRole($input: CreateRoleInput!) {
        createRole(input: $input) {
            id
        }
    }
`;
const CREATE_ADMINISTRATOR = gql`
    mutation CreateAdministrator($input: CreateAdministratorInput!) {
        createAdministrator(input: $input) {
            id
        }
    }
`;
const SHOP_REGISTER_AND_LOGIN = gql`
    mutation Login($username: String!, $password: String!) {
        login(username: $username, password: $password) {
            __typename
        }
    }
`;

const FORBIDDEN = /not currently authorized/;

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));
const sql = () => server.app.get(TransactionalConnection).rawConnection;

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 1 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await asStaff();
    // Nobody is on duty unless a test puts them there.
    await sql().query(`UPDATE driver SET status = 'OFFLINE'`);
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

function asStaff() {
    return asSuperadmin(adminClient);
}

function asDriver(emailAddress: string) {
    return asDemoDriver(adminClient, emailAddress);
}

async function assignment(id: string): Promise<Assignment> {
    await asStaff();
    return (await adminClient.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, { id }))
        .deliveryAssignment;
}

/** Status, driver and number of events: what "nothing changed" compares. */
async function snapshot(id: string) {
    const { status, driver, events } = await assignment(id);
    return { status, driverId: driver?.id ?? null, events: events.length };
}

/** A paid order of the first seller marked ready while nobody is on duty: it waits. */
async function waitingDelivery(): Promise<{ order: PlacedOrder; assignment: Assignment }> {
    await asStaff();
    const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
    const marked = (
        await adminClient.query<MarkReadyResult>(MARK_READY, { orderId: order.sellerOrders[0].id })
    ).markOrderReadyForDispatch;
    const waiting = await eventually(
        () => assignment(marked.id as string),
        value => value.attempts > 0,
    );
    expect(waiting).toMatchObject({ status: 'PENDING', driver: null });
    return { order, assignment: waiting };
}

/**
 * Puts the drivers on duty at the given distances (in degrees of latitude) north of the pickup, in
 * one statement: a batch window sees all of them or none.
 */
async function onDutyNear(waiting: Assignment, offsets: Array<[DriverRow, number]>) {
    const { latitude, longitude } = waiting.pickupStockLocation.customFields;
    await sql().query(
        `UPDATE driver SET status = 'AVAILABLE', latitude = placed.latitude, longitude = $3, "lastSeenAt" = now()
           FROM unnest($1::text[], $2::float8[]) AS placed(id, latitude)
          WHERE driver.id::text = placed.id`,
        [offsets.map(([driver]) => driver.id), offsets.map(([, offset]) => latitude + offset), longitude],
    );
}

/**
 * The waiting delivery gets a driver: a new dispatch job (the drivers came on duty by SQL, which
 * fires no trigger), or in batch mode the next window.
 */
async function dispatchNow(id: string): Promise<Assignment> {
    await dispatchWaitingNow(server.app, await assignment(id));
    return eventually(
        () => assignment(id),
        value => value.status === 'ASSIGNED',
    );
}

let fleet: DriverRow[];
let first: DriverRow;
let second: DriverRow;
let placed: PlacedOrder;
let delivery: Assignment;
let customerToken: string;

describe('the driver app', () => {
    beforeAll(async () => {
        fleet = (await adminClient.query<DriversResult>(DRIVERS)).drivers.items;
        [first, second] = fleet;
        const waiting = await waitingDelivery();
        placed = waiting.order;
        customerToken = shopClient.getAuthToken() ?? '';
        await onDutyNear(waiting.assignment, [
            [first, 0.002],
            [second, 0.02],
        ]);
        delivery = await dispatchNow(waiting.assignment.id);
        expect(delivery.driver?.id).toBe(first.id);
    }, 60_000);

    it("shows a driver their own delivery with what they need, and nothing of the customer's contact", async () => {
        await asDriver(first.emailAddress);
        const { activeDriverAssignment } = await adminClient.query(ACTIVE_DRIVER_ASSIGNMENT);
        expect(activeDriverAssignment).toMatchObject({
            assignmentId: delivery.id,
            status: 'ASSIGNED',
            deliveryReference: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/),
            pickupStoreName: delivery.pickupStockLocation.name,
            pickupLatitude: delivery.pickupStockLocation.customFields.latitude,
            dropoffLatitude: delivery.dropoffLatitude,
            customerFirstName: 'Test',
            itemCount: 1,
        });
        expect(activeDriverAssignment.pickupAddress).toMatch(/Chicago/);
        // Where to hand it over: the shipping address, and no instructions given for this order.
        expect(activeDriverAssignment.dropoffAddress).toBe('100 W Randolph St, 60601 Chicago');
        expect(activeDriverAssignment.deliveryInstructions).toBeNull();
        // The view has no field for the customer's email, phone or payments.
        await expect(
            adminClient.query(gql`
                query {
                    activeDriverAssignment {
                        customerEmailAddress
                    }
                }
            `),
        ).rejects.toThrow(/Cannot query field "customerEmailAddress"/);
        // A driver cannot read the customer's order through the assignment either.
        await expect(
            adminClient.query(
                gql`
                    query ($id: ID!) {
                        deliveryAssignment(id: $id) {
                            order {
                                customer {
                                    emailAddress
                                }
                            }
                        }
                    }
                `,
                { id: delivery.id },
            ),
        ).rejects.toThrow(FORBIDDEN);
        await asDriver(second.emailAddress);
        expect((await adminClient.query(ACTIVE_DRIVER_ASSIGNMENT)).activeDriverAssignment).toBeNull();
    });

    it('re-dispatches a declined delivery to another driver, and frees the one who declined', async () => {
        await asDriver(first.emailAddress);
        const { declineDelivery } = await adminClient.query(DECLINE, {
            id: delivery.id,
            reason: 'flat tyre',
        });
        expect(declineDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'PENDING' });
        const redispatched = await eventually(
            () => assignment(delivery.id),
            value => value.status === 'ASSIGNED',
        );
        expect(redispatched.driver?.id).toBe(second.id);
        const drivers = (await adminClient.query<DriversResult>(DRIVERS)).drivers.items;
        expect(drivers.find(driver => driver.id === first.id)?.status).toBe('AVAILABLE');
        const { deliveryAssignment } = await adminClient.query(EVENT_NOTES, { id: delivery.id });
        expect(deliveryAssignment.events).toContainEqual({
            toStatus: 'PENDING',
            actor: `driver:${first.id}`,
            reasonCode: 'DRIVER_DECLINED',
            note: 'flat tyre',
        });
        delivery = redispatched;
        // Off duty again, so the matrix below has a free driver who is not on this delivery.
        await asDriver(first.emailAddress);
        await adminClient.query(SET_DRIVER_STATUS, { status: 'OFFLINE' });
    });

    it('refuses declining after pickup, and an unknown failure reason, naming the accepted ones', async () => {
        await asDriver(second.emailAddress);
        const { confirmPickup } = await adminClient.query(CONFIRM_PICKUP, { id: delivery.id });
        expect(confirmPickup.status).toBe('PICKED_UP');
        const before = await snapshot(delivery.id);
        await asDriver(second.emailAddress);
        const { declineDelivery } = await adminClient.query(DECLINE, { id: delivery.id });
        expect(declineDelivery).toMatchObject({ __typename: 'DeliveryTransitionError' });
        await expect(
            adminClient.query(REPORT_FAILED, { id: delivery.id, reasonCode: 'DOG_ATE_IT' }),
        ).rejects.toThrow(
            /Unknown reason code "DOG_ATE_IT": use one of PICKUP_FAILED, DELIVERY_FAILED, TIMEOUT/,
        );
        expect(await snapshot(delivery.id)).toEqual(before);
    });

    it('shows the customer their delivery with the driver and the code, and nothing to anyone else', async () => {
        shopClient.setAuthToken(customerToken);
        const { deliveryTracking } = await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, {
            orderCode: placed.code,
        });
        expect(deliveryTracking).toHaveLength(1);
        expect(deliveryTracking[0]).toMatchObject({
            orderCode: placed.sellerOrders[0].code,
            status: 'PICKED_UP',
            driverLatitude: expect.any(Number),
            deliveryCode: expect.stringMatching(/^\d{6}$/),
        });
        // The tracking link: this server's public base URL and the delivery's own random token.
        const [{ trackingToken }] = await sql().query(
            `SELECT "trackingToken" FROM delivery_assignment WHERE id = $1`,
            [delivery.id],
        );
        expect(trackingToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(deliveryTracking[0].trackingUrl).toBe(
            `http://localhost:${e2eConfig(__filename).apiOptions.port}/track/${trackingToken}`,
        );
        expect(trackingToken).not.toContain(placed.code);
        // Another guest, a registered customer, and an order code that does not exist: all empty.
        await shopClient.asAnonymousUser();
        for (const orderCode of [placed.code, placed.sellerOrders[0].code, 'NO-SUCH-ORDER']) {
            expect(
                (await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, { orderCode }))
                    .deliveryTracking,
            ).toEqual([]);
        }
        const customers: Array<{ emailAddress: string }> = await sql().query(
            `SELECT "emailAddress" FROM customer WHERE "userId" IS NOT NULL LIMIT 1`,
        );
        await shopClient.query(SHOP_REGISTER_AND_LOGIN, {
            username: customers[0].emailAddress,
            password: 'test',
        });
        expect(
            (await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, { orderCode: placed.code }))
                .deliveryTracking,
        ).toEqual([]);
    });

    it('counts wrong delivery codes, locks after five, and lets staff confirm without the code', async () => {
        shopClient.setAuthToken(customerToken);
        const code =
            (await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, { orderCode: placed.code }))
                .deliveryTracking[0].deliveryCode ?? '';
        const wrong = code === '000000' ? '111111' : '000000';
        await asDriver(second.emailAddress);
        const attemptsLeft: Array<number | undefined> = [];
        for (let i = 0; i < 5; i++) {
            const result = await adminClient.query<CodeResult>(CONFIRM_WITH_CODE, {
                id: delivery.id,
                code: wrong,
            });
            expect(result.confirmDelivery.__typename).toBe('DeliveryCodeError');
            attemptsLeft.push(result.confirmDelivery.attemptsLeft);
        }
        expect(attemptsLeft).toEqual([4, 3, 2, 1, 0]);
        const locked = await adminClient.query<CodeResult>(CONFIRM_WITH_CODE, { id: delivery.id, code });
        expect(locked.confirmDelivery).toMatchObject({ __typename: 'DeliveryCodeError', attemptsLeft: 0 });
        expect(locked.confirmDelivery.message).toMatch(/locked until/);
        expect((await assignment(delivery.id)).status).toBe('PICKED_UP');

        const { confirmDelivery } = await adminClient.query<CodeResult>(CONFIRM_WITH_CODE, {
            id: delivery.id,
        });
        expect(confirmDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'DELIVERED' });
        const { deliveryAssignment } = await adminClient.query(EVENT_NOTES, { id: delivery.id });
        expect(deliveryAssignment.events[deliveryAssignment.events.length - 1]).toMatchObject({
            toStatus: 'DELIVERED',
            actor: expect.stringMatching(/^staff:\d+$/),
            note: 'Confirmed by staff without the delivery code',
        });
    });
});

describe('the authorization matrix', () => {
    let open: Assignment;
    let holder: DriverRow;
    let other: DriverRow;
    let noDispatchToken: string;

    beforeAll(async () => {
        await sql().query(`UPDATE driver SET status = 'OFFLINE' WHERE status = 'AVAILABLE'`);
        const waiting = await waitingDelivery();
        holder = fleet[2];
        other = fleet[3];
        await onDutyNear(waiting.assignment, [[holder, 0.002]]);
        open = await dispatchNow(waiting.assignment.id);
        expect(open.driver?.id).toBe(holder.id);
        await sql().query(`UPDATE driver SET status = 'AVAILABLE', "lastSeenAt" = now() WHERE id = $1`, [
            other.id,
        ]);

        await asStaff();
        const { createRole } = await adminClient.query(CREATE_ROLE, {
            input: {
                code: 'order-clerk',
                description: 'Reads orders and drivers, does not dispatch',
                permissions: ['ReadOrder', 'UpdateOrder', 'ReadDriver'],
            },
        });
        await adminClient.query(CREATE_ADMINISTRATOR, {
            input: {
                firstName: 'Order',
                lastName: 'Clerk',
                emailAddress: 'clerk@example.com',
                password: 'clerk-password',
                roleIds: [createRole.id],
            },
        });
        await adminClient.asUserWithCredentials('clerk@example.com', 'clerk-password');
        noDispatchToken = adminClient.getAuthToken() ?? '';
    }, 60_000);

    const driverOperations: Array<[string, () => Promise<unknown>]> = [
        ['confirmPickup', () => adminClient.query(CONFIRM_PICKUP, { id: open.id })],
        ['confirmDelivery', () => adminClient.query(CONFIRM_DELIVERY, { id: open.id, code: '000000' })],
        ['declineDelivery', () => adminClient.query(DECLINE, { id: open.id })],
        [
            'reportDeliveryFailed',
            () => adminClient.query(REPORT_FAILED, { id: open.id, reasonCode: 'TIMEOUT' }),
        ],
    ];
    const selfOperations: Array<[string, () => Promise<unknown>]> = [
        [
            'updateDriverLocation',
            () => adminClient.query(UPDATE_LOCATION, { latitude: 41.9, longitude: -87.6 }),
        ],
        ['setDriverStatus', () => adminClient.query(SET_DRIVER_STATUS, { status: 'OFFLINE' })],
        ['activeDriverAssignment', () => adminClient.query(ACTIVE_DRIVER_ASSIGNMENT)],
    ];
    const staffOperations: Array<[string, () => Promise<unknown>]> = [
        ['reassignDelivery', () => adminClient.query(REASSIGN, { id: open.id })],
        ['cancelDelivery', () => adminClient.query(CANCEL_DELIVERY, { id: open.id, reason: 'no' })],
        ['confirmPickup', () => adminClient.query(CONFIRM_PICKUP, { id: open.id })],
        ['confirmDelivery', () => adminClient.query(CONFIRM_DELIVERY, { id: open.id })],
        [
            'reportDeliveryFailed',
            () => adminClient.query(REPORT_FAILED, { id: open.id, reasonCode: 'TIMEOUT' }),
        ],
        [
            'markOrderReadyForDispatch',
            () => adminClient.query(MARK_READY, { orderId: placed.sellerOrders[0].id }),
        ],
    ];

    async function expectRefused(
        as: () => Promise<void>,
        operations: Array<[string, () => Promise<unknown>]>,
    ) {
        const before = await snapshot(open.id);
        for (const [name, operation] of operations) {
            await as();
            await expect(operation().then(() => `${name} was allowed`)).rejects.toThrow(FORBIDDEN);
        }
        expect(await snapshot(open.id)).toEqual(before);
    }

    it("refuses another driver every operation on someone else's delivery", async () => {
        await expectRefused(() => asDriver(other.emailAddress), driverOperations);
        await asDriver(other.emailAddress);
        expect((await adminClient.query(ACTIVE_DRIVER_ASSIGNMENT)).activeDriverAssignment).toBeNull();
    });

    it('refuses a customer, with their shop login, every driver and dispatch operation', async () => {
        await shopClient.asAnonymousUser();
        const customers: Array<{ emailAddress: string }> = await sql().query(
            `SELECT "emailAddress" FROM customer WHERE "userId" IS NOT NULL LIMIT 1`,
        );
        await shopClient.query(SHOP_REGISTER_AND_LOGIN, {
            username: customers[0].emailAddress,
            password: 'test',
        });
        const token = shopClient.getAuthToken() ?? '';
        const asCustomer = () => {
            adminClient.setAuthToken(token);
            adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
            return Promise.resolve();
        };
        await expectRefused(asCustomer, [...driverOperations, ...selfOperations, ...staffOperations]);
    });

    it('refuses an anonymous caller every driver and dispatch operation', async () => {
        await expectRefused(
            () => adminClient.asAnonymousUser(),
            [...driverOperations, ...selfOperations, ...staffOperations],
        );
    });

    it('refuses staff without ManageDispatch every dispatch operation', async () => {
        const asClerk = () => {
            adminClient.setAuthToken(noDispatchToken);
            adminClient.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
            return Promise.resolve();
        };
        await expectRefused(asClerk, [...staffOperations, ...selfOperations]);
    });

    it("gives a seller's staff nothing of another seller's delivery", async () => {
        // The open delivery is of the first seller; the second seller's staff do not see it.
        const asOtherSeller = async () => {
            await adminClient.asUserWithCredentials(
                `${city.sellers[1].code}@demo.example`,
                DEMO_SELLER_PASSWORD,
            );
            adminClient.setChannelToken(city.sellers[1].code);
        };
        const before = await snapshot(open.id);
        await asOtherSeller();
        expect((await adminClient.query(ASSIGNMENT, { id: open.id })).deliveryAssignment).toBeNull();
        for (const mutation of [CANCEL_DELIVERY, REASSIGN, CONFIRM_PICKUP]) {
            await asOtherSeller();
            await expect(adminClient.query(mutation, { id: open.id })).rejects.toThrow(
                /No DeliveryAssignment with the id|not currently authorized/,
            );
        }
        expect(await snapshot(open.id)).toEqual(before);
    });

    it('refuses bad input with a clear error and changes nothing', async () => {
        const before = await snapshot(open.id);
        await asDriver(holder.emailAddress);
        await expect(adminClient.query(UPDATE_LOCATION, { latitude: 91, longitude: -87.6 })).rejects.toThrow(
            /latitude/i,
        );
        // A delivery that does not exist gets the same answer as someone else's: no existence oracle.
        await expect(adminClient.query(CONFIRM_PICKUP, { id: '999999' })).rejects.toThrow(FORBIDDEN);
        await expect(adminClient.query(DECLINE, { id: '999999' })).rejects.toThrow(FORBIDDEN);
        const { confirmDelivery } = await adminClient.query(CONFIRM_DELIVERY, {
            id: open.id,
            code: '000000',
        });
        expect(confirmDelivery).toMatchObject({
            __typename: 'DeliveryTransitionError',
            fromStatus: 'ASSIGNED',
            toStatus: 'DELIVERED',
        });
        expect(await snapshot(open.id)).toEqual(before);
        const [row]: Array<{ latitude: number }> = await sql().query(
            'SELECT latitude FROM driver WHERE id = $1',
            [holder.id],
        );
        expect(row.latitude).not.toBe(91);
    });
});
