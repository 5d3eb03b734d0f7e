/**
 * The defects found by probing a running server as an attacker would (issue 11), one test each,
 * each failing on the code before its fix: drivers reaching the customer's order through its code,
 * a driver taken off a delivery still failing it, seller staff reading the fleet, unbounded inputs,
 * internals in errors, and the smaller ones (driver input, CORS, swapped coordinates).
 */
// Apollo adds stack traces to errors unless NODE_ENV is production (or test, as jest sets it): the
// server in this file runs as `npm start` does, so the stack-trace check can fail.
process.env.NODE_ENV = 'development';

import { DefaultOrderByCodeAccessStrategy, Logger, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN, SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { loadDemoCity } from '../src/demo/demo-data';
import {
    DEMO_DRIVER_PASSWORD,
    DEMO_SELLER_PASSWORD,
    demoInitialData,
    populateDemoMarketplace,
} from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { dispatchWaitingNow } from './fixtures/dispatch';
import { asSuperadmin } from './fixtures/logins';
import {
    ASSIGNMENT,
    Assignment,
    CONFIRM_DELIVERY,
    CONFIRM_PICKUP,
    DriverRow,
    DRIVERS,
    DriversResult,
    MARK_READY,
    MarkReadyResult,
    REASSIGN,
} from './graphql/dispatch-documents';
import { eventually } from './utils/eventually';

const FORBIDDEN = /not currently authorized/;
/** What no answer to a client may contain. */
const INTERNALS =
    /stacktrace|\s+at .+:\d+:\d+|node_modules|\/work\/|QueryFailedError|character varying|invalid byte sequence|out of range for type|invalid input syntax/;

const config = e2eConfig(__filename);
const { server, adminClient, shopClient } = createTestEnvironment(config);
const port = config.apiOptions.port;
const city = loadDemoCity();
const sql = () => server.app.get(TransactionalConnection).rawConnection;

/** A client of its own, so two people can act at the same moment. */
function newAdminClient(): SimpleGraphQLClient {
    const client = new SimpleGraphQLClient(config, `http://localhost:${port}/admin-api`);
    client.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    return client;
}

async function loggedIn(emailAddress: string, password: string, channel = E2E_DEFAULT_CHANNEL_TOKEN) {
    const client = newAdminClient();
    await client.asUserWithCredentials(emailAddress, password);
    client.setChannelToken(channel);
    return client;
}

async function post(api: 'shop-api' | 'admin-api', body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`http://localhost:${port}/${api}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
}

const ACTIVE_VIEW = gql`
    query {
        activeDriverAssignment {
            assignmentId
            deliveryReference
        }
    }
`;
const REFERENCE = gql`
    query ($id: ID!) {
        deliveryAssignment(id: $id) {
            deliveryReference
        }
    }
`;
const DECLINE = gql`
    mutation ($id: ID!) {
        declineDelivery(assignmentId: $id) {
            __typename
        }
    }
`;
const REPORT_FAILED = gql`
    mutation ($id: ID!) {
        reportDeliveryFailed(assignmentId: $id, reasonCode: "DELIVERY_FAILED") {
            __typename
        }
    }
`;

let fleet: DriverRow[];
let superadmin: SimpleGraphQLClient;

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 1 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await sql().query(`UPDATE driver SET status = 'OFFLINE'`);
    // One superadmin session for the whole file: Vendure's logout ends every session of the user,
    // so logging in again elsewhere would log this client out.
    await asSuperadmin(adminClient);
    superadmin = adminClient;
    fleet = (await superadmin.query<DriversResult>(DRIVERS)).drivers.items;
}, 240_000);

afterAll(async () => {
    await server.destroy();
});

async function assignment(id: string): Promise<Assignment> {
    return (await superadmin.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, { id }))
        .deliveryAssignment;
}

/** A paid order of the first seller, marked ready, assigned to `driver` (the only one put on duty, at the store). */
async function assignedTo(driver: DriverRow): Promise<{ order: PlacedOrder; delivery: Assignment }> {
    // Drivers an earlier test left free are off duty: the delivery waits for this one.
    await sql().query(`UPDATE driver SET status = 'OFFLINE' WHERE status = 'AVAILABLE'`);
    const order = await placePaidOrder({ adminClient: superadmin, shopClient }, [city.sellers[0].code]);
    const marked = (
        await superadmin.query<MarkReadyResult>(MARK_READY, { orderId: order.sellerOrders[0].id })
    ).markOrderReadyForDispatch;
    const waiting = await eventually(
        () => assignment(marked.id as string),
        value => value.status === 'ASSIGNED' || value.attempts > 0,
    );
    const { latitude, longitude } = waiting.pickupStockLocation.customFields;
    await sql().query(
        `UPDATE driver SET status = 'AVAILABLE', latitude = $1, longitude = $2, "lastSeenAt" = now() WHERE id = $3`,
        [latitude, longitude, driver.id],
    );
    await dispatchWaitingNow(server.app, waiting);
    const delivery = await eventually(
        () => assignment(waiting.id),
        value => value.status === 'ASSIGNED',
    );
    expect(delivery.driver?.id).toBe(driver.id);
    return { order, delivery };
}

describe("drivers never get what opens the customer's order", () => {
    it('gives the driver a delivery reference that is not the order code and opens no order', async () => {
        const driver = fleet[0];
        const { order, delivery } = await assignedTo(driver);
        const app = await loggedIn(driver.emailAddress, DEMO_DRIVER_PASSWORD);
        const { activeDriverAssignment } = await app.query(ACTIVE_VIEW);
        const reference: string = activeDriverAssignment.deliveryReference;
        expect(reference).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
        for (const code of [order.code, ...order.sellerOrders.map(sellerOrder => sellerOrder.code)]) {
            expect(reference).not.toContain(code);
        }
        // Store staff see the same reference on the delivery, to match the driver at the counter.
        expect((await superadmin.query(REFERENCE, { id: delivery.id })).deliveryAssignment).toEqual({
            deliveryReference: reference,
        });
        // The view no longer has the order code at all.
        await expect(
            app.query(gql`
                query {
                    activeDriverAssignment {
                        orderCode
                    }
                }
            `),
        ).rejects.toThrow(/Cannot query field "orderCode"/);
        // Anonymous orderByCode with what the driver has finds nothing.
        const byReference = await post('shop-api', {
            query: 'query ($code: String!) { orderByCode(code: $code) { id customer { emailAddress } } }',
            variables: { code: reference },
        });
        expect(JSON.parse(byReference.text)).toMatchObject({ data: { orderByCode: null } });
        // The suite leaves the shop's own order-by-code access as Vendure's default.
        expect(config.orderOptions.orderByCodeAccessStrategy).toBeInstanceOf(
            DefaultOrderByCodeAccessStrategy,
        );
        await superadmin.query(CONFIRM_PICKUP, { id: delivery.id });
        await superadmin.query(CONFIRM_DELIVERY, { id: delivery.id });
    });
});

describe('a driver taken off a delivery', () => {
    it('cannot fail or decline it, even at the same moment as staff reassign it', async () => {
        const driver = fleet[1];
        for (const [round, mutation] of [REPORT_FAILED, DECLINE, REPORT_FAILED, DECLINE].entries()) {
            const { delivery } = await assignedTo(driver);
            const app = await loggedIn(driver.emailAddress, DEMO_DRIVER_PASSWORD);
            const [staff, own] = await Promise.allSettled([
                superadmin.query(REASSIGN, { id: delivery.id }),
                app.query(mutation, { id: delivery.id }),
            ]);
            const after = await assignment(delivery.id);
            const moves = after.events.map(event => `${event.fromStatus}→${event.toStatus} ${event.actor}`);
            // Whoever came second: never PENDING→FAILED (or a decline) by the driver after staff took it.
            const staffFirst = moves.findIndex(move => move.startsWith('ASSIGNED→PENDING staff:'));
            const driverMoves = moves.filter(move => move.endsWith(`driver:${driver.id}`));
            if (staffFirst >= 0) {
                expect(driverMoves).toEqual([]);
                expect(own.status).toBe('rejected');
                if (own.status === 'rejected') expect(String(own.reason)).toMatch(FORBIDDEN);
            } else {
                expect(driverMoves).toHaveLength(1);
                expect(staff.status).toBe('fulfilled');
            }
            expect(moves.filter(move => move.startsWith('PENDING→FAILED'))).toEqual([]);
            // Settle: nobody holds it, so the next round starts clean.
            await sql().query(`UPDATE driver SET status = 'OFFLINE' WHERE status = 'AVAILABLE'`);
            await superadmin.query(
                gql`
                    mutation ($id: ID!) {
                        cancelDelivery(assignmentId: $id, reason: "test round ${round}") {
                            __typename
                        }
                    }
                `,
                { id: delivery.id },
            );
            await sql().query(`UPDATE driver SET status = 'OFFLINE' WHERE id = $1`, [driver.id]);
        }
        // And taken off first, then trying: refused, nothing changed.
        const { delivery } = await assignedTo(driver);
        await superadmin.query(REASSIGN, { id: delivery.id });
        const before = (await assignment(delivery.id)).events.length;
        const app = await loggedIn(driver.emailAddress, DEMO_DRIVER_PASSWORD);
        for (const mutation of [REPORT_FAILED, DECLINE, CONFIRM_PICKUP]) {
            await expect(app.query(mutation, { id: delivery.id })).rejects.toThrow(FORBIDDEN);
        }
        expect((await assignment(delivery.id)).events.length).toBe(before);
        await superadmin.query(
            gql`
                mutation ($id: ID!) {
                    cancelDelivery(assignmentId: $id) {
                        __typename
                    }
                }
            `,
            { id: delivery.id },
        );
    });
});

const DRIVER_OF = gql`
    query ($id: ID!) {
        deliveryAssignment(id: $id) {
            status
            driver {
                name
                latitude
                longitude
                lastSeenAt
            }
        }
    }
`;

describe('seller staff and order clerks do not read the fleet', () => {
    it("shows a seller's staff the driver's name, their position only while on the seller's delivery, and no contact details", async () => {
        const driver = fleet[2];
        const { delivery } = await assignedTo(driver);
        const seller = await loggedIn(
            `${city.sellers[0].code}@demo.example`,
            DEMO_SELLER_PASSWORD,
            city.sellers[0].code,
        );
        const open = (await seller.query(DRIVER_OF, { id: delivery.id })).deliveryAssignment;
        expect(open.driver).toMatchObject({ name: driver.name, latitude: expect.any(Number) });
        for (const field of ['phoneNumber', 'emailAddress']) {
            await expect(
                seller.query(
                    gql(`query ($id: ID!) { deliveryAssignment(id: $id) { driver { ${field} } } }`),
                    {
                        id: delivery.id,
                    },
                ),
            ).rejects.toThrow(FORBIDDEN);
        }
        await expect(
            seller.query(
                gql(
                    `query ($id: ID!) { deliveryAssignment(id: $id) { driver { activeAssignment { id } } } }`,
                ),
                {
                    id: delivery.id,
                },
            ),
        ).rejects.toThrow(FORBIDDEN);
        await superadmin.query(CONFIRM_PICKUP, { id: delivery.id });
        await superadmin.query(CONFIRM_DELIVERY, { id: delivery.id });
        const ended = (await seller.query(DRIVER_OF, { id: delivery.id })).deliveryAssignment;
        expect(ended).toMatchObject({
            status: 'DELIVERED',
            driver: { name: driver.name, latitude: null, longitude: null, lastSeenAt: null },
        });
        // Staff with ReadDriver still see where the driver is.
        const full = (await superadmin.query(DRIVER_OF, { id: delivery.id })).deliveryAssignment;
        expect(full.driver.latitude).toEqual(expect.any(Number));
    });

    it('gives an administrator with only ReadOrder no contact details of any driver', async () => {
        const { createRole } = await superadmin.query(gql`
            mutation {
                createRole(
                    input: { code: "read-order-only", description: "Reads orders", permissions: [ReadOrder] }
                ) {
                    id
                }
            }
        `);
        await superadmin.query(
            gql`
                mutation ($roleId: ID!) {
                    createAdministrator(
                        input: {
                            firstName: "Read"
                            lastName: "Only"
                            emailAddress: "read-only@example.com"
                            password: "read-only-password"
                            roleIds: [$roleId]
                        }
                    ) {
                        id
                    }
                }
            `,
            { roleId: createRole.id },
        );
        const clerk = await loggedIn('read-only@example.com', 'read-only-password');
        await expect(
            clerk.query(gql`
                query {
                    deliveryAssignments {
                        items {
                            driver {
                                phoneNumber
                            }
                        }
                    }
                }
            `),
        ).rejects.toThrow(FORBIDDEN);
        const { deliveryAssignments } = await clerk.query(gql`
            query {
                deliveryAssignments {
                    items {
                        status
                        driver {
                            latitude
                        }
                    }
                }
            }
        `);
        const ended = (
            deliveryAssignments.items as Array<{ status: string; driver: { latitude: number | null } | null }>
        ).filter(item => item.driver && !['ASSIGNED', 'PICKED_UP'].includes(item.status));
        expect(ended.length).toBeGreaterThan(0);
        for (const item of ended) expect(item.driver?.latitude).toBeNull();
    });
});

describe('inputs are bounded', () => {
    it('refuses a 99 kB postal code with a short message, without caching or echoing it', async () => {
        const huge = '9'.repeat(99_000);
        const before = (
            await superadmin.query(gql`
                query {
                    storeLocatorStats {
                        geocodeCacheMisses
                    }
                }
            `)
        ).storeLocatorStats.geocodeCacheMisses;
        const answer = await post('shop-api', {
            query: 'query ($code: String) { nearbyStores(location: { postalCode: $code }) { name } }',
            variables: { code: huge },
        });
        expect(answer.status).toBeLessThan(500);
        expect(answer.text).toMatch(/postalCode is too long: at most 16 characters/);
        expect(answer.text.length).toBeLessThan(2000);
        const after = (
            await superadmin.query(gql`
                query {
                    storeLocatorStats {
                        geocodeCacheMisses
                    }
                }
            `)
        ).storeLocatorStats.geocodeCacheMisses;
        expect(after).toBe(before);
    });

    it('refuses more than 100 variant ids, and a body over the limit with 413', async () => {
        const ids = Array.from({ length: 101 }, (_, i) => String(i + 1));
        const many = await post('shop-api', {
            query: 'query ($ids: [ID!]!) { deliveryAvailability(productVariantIds: $ids) { fastDelivery } }',
            variables: { ids },
        });
        expect(many.text).toMatch(/at most 100 per request/);
        const body = await post('shop-api', {
            query: '{ activeDeliveryLocation { latitude } }',
            padding: 'x'.repeat(200_000),
        });
        expect(body.status).toBe(413);
        expect(JSON.parse(body.text)).toMatchObject({
            statusCode: 413,
            message: expect.stringMatching(/larger than/),
        });
    });

    it('refuses a sixth live stream of one session with 429', async () => {
        const token = superadmin.getAuthToken() ?? '';
        const streams: AbortController[] = [];
        try {
            const statuses: number[] = [];
            for (let i = 0; i < 6; i++) {
                const controller = new AbortController();
                streams.push(controller);
                const response = await fetch(`http://localhost:${port}/dispatch/events`, {
                    headers: { authorization: `Bearer ${token}` },
                    signal: controller.signal,
                });
                statuses.push(response.status);
                if (response.status !== 200) expect(await response.json()).toMatchObject({ statusCode: 429 });
            }
            expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
        } finally {
            for (const controller of streams) controller.abort();
        }
    });
});

describe('errors carry no internals', () => {
    it('answers bad ids, over-long and NUL-containing strings with clear messages and no stack traces', async () => {
        const token = superadmin.getAuthToken() ?? '';
        const auth = { authorization: `Bearer ${token}` };
        const cases: Array<[string, unknown, RegExp]> = [
            [
                'query ($id: ID!) { deliveryAssignment(id: $id) { id } }',
                { id: '1.5' },
                /not a valid DeliveryAssignment id/,
            ],
            ['query ($id: ID!) { deliveryAssignment(id: $id) { id } }', { id: '99999999999' }, /not a valid/],
            ['query ($id: ID!) { driver(id: $id) { id } }', { id: '-3' }, /not a valid Driver id/],
            [
                'mutation ($name: String!) { createDriver(input: { name: $name, emailAddress: "long@example.com", password: "long-password" }) { id } }',
                { name: 'N'.repeat(300) },
                /name is too long: at most 100/,
            ],
            [
                'mutation ($id: ID!, $reason: String) { cancelDelivery(assignmentId: $id, reason: $reason) { __typename } }',
                { id: '1', reason: 'a\u0000b' },
                /control characters/,
            ],
            // Vendure's own operations are covered by the same rule.
            [
                'query ($id: ID!) { order(id: $id) { id } }',
                { id: '99999999999' },
                /An id or number in this request is not valid/,
            ],
            ['query { deliveryAssignment(id: "1") { id nope } }', undefined, /Cannot query field \\"nope\\"/],
        ];
        for (const [query, variables, expected] of cases) {
            const answer = await post('admin-api', { query, variables }, auth);
            expect(answer.status).toBeLessThan(500);
            expect(answer.text).toMatch(expected);
            expect(answer.text).not.toMatch(INTERNALS);
        }
    });

    it('answers the live stream with an unknown channel token without a 500', async () => {
        const token = superadmin.getAuthToken() ?? '';
        const attempts: Array<Record<string, string>> = [
            { 'vendure-token': 'no-such-channel' },
            { 'vendure-token': 'no-such-channel', authorization: `Bearer ${token}` },
        ];
        for (const headers of attempts) {
            const controller = new AbortController();
            const response = await fetch(`http://localhost:${port}/dispatch/events`, {
                headers,
                signal: controller.signal,
            });
            expect(response.status).toBeLessThan(500);
            controller.abort();
        }
    });
});

describe('the smaller defects', () => {
    it('refuses a driver with an invalid email, an empty password or a phone that is not one', async () => {
        const create = (input: Record<string, unknown>) =>
            superadmin.query(
                gql`
                    mutation ($input: CreateDriverInput!) {
                        createDriver(input: $input) {
                            id
                        }
                    }
                `,
                {
                    input: {
                        name: 'Valid Name',
                        emailAddress: 'valid@example.com',
                        password: 'valid-password',
                        ...input,
                    },
                },
            );
        const count = async () => Number((await sql().query('SELECT count(*) AS n FROM driver'))[0].n);
        const before = await count();
        await expect(create({ emailAddress: 'not-an-email' })).rejects.toThrow(/not an email address/);
        await expect(create({ password: '' })).rejects.toThrow(/password is not accepted/);
        await expect(create({ phoneNumber: 'call me maybe' })).rejects.toThrow(/not a phone number/);
        expect(await count()).toBe(before);
        const updatePhone = gql`
            mutation ($input: UpdateDriverInput!) {
                updateDriver(input: $input) {
                    id
                }
            }
        `;
        const input = { id: fleet[3].id, phoneNumber: '<script>' };
        const driverApp = await loggedIn(fleet[3].emailAddress, DEMO_DRIVER_PASSWORD);
        await expect(driverApp.query(updatePhone, { input })).rejects.toThrow(FORBIDDEN);
        await expect(superadmin.query(updatePhone, { input })).rejects.toThrow(/not a phone number/);
    });

    it('allows any origin without credentials in the embedded default', async () => {
        const response = await fetch(`http://localhost:${port}/shop-api`, {
            method: 'OPTIONS',
            headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        });
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('logs a delivery location that looks swapped, and still accepts it', async () => {
        const warn = jest.spyOn(Logger, 'warn');
        try {
            const store = city.sellers[0].stores[0];
            const answer = await post('shop-api', {
                query: 'mutation ($input: DeliveryLocationInput!) { setDeliveryLocation(input: $input) { __typename } }',
                variables: { input: { latitude: store.longitude, longitude: store.latitude } },
            });
            expect(JSON.parse(answer.text)).toMatchObject({
                data: { setDeliveryLocation: { __typename: 'DeliveryLocation' } },
            });
            expect(warn).toHaveBeenCalledWith(
                expect.stringMatching(/latitude and longitude swapped/),
                expect.any(String),
            );
        } finally {
            warn.mockRestore();
        }
    });
});
