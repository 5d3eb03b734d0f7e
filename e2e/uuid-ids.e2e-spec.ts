/**
 * The suite on Vendure's UuidIdStrategy: the demo marketplace populated, a customer near the demo
 * city finds products and checks out, the paid seller order is dispatched to the nearest driver, a
 * decline sends it to another driver without the one who declined, and it is picked up and
 * delivered with the customer's code. Every id on the way is a UUID: nothing in the suite assumes
 * auto-increment ids. The schema comes from the entities (`synchronize`): migrations/ is the schema
 * of the int-id app.
 */
import { mergeConfig, TransactionalConnection, UuidIdStrategy } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';

import { DriverLocationService } from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { dispatchAsStaff, expectNearestDriver } from './fixtures/dispatch';
import { asDemoDriver, asSuperadmin } from './fixtures/logins';
import {
    ActionResult,
    CONFIRM_DELIVERY,
    CONFIRM_PICKUP,
    DELIVERY_TRACKING,
    DeliveryTrackingResult,
    DriverRow,
    MARK_READY,
    MarkReadyResult,
} from './graphql/dispatch-documents';
import { DELIVERY_AVAILABILITY, DeliveryAvailabilityResult } from './graphql/shop-documents';
import { eventually } from './utils/eventually';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const SEARCH_NEAR = gql`
    query SearchNear($location: DeliveryLocationInput) {
        search(input: { take: 20, groupByProduct: false, deliveryLocation: $location }) {
            totalItems
            items {
                productVariantId
                fastDelivery
                nearestStoreDistanceKm
            }
        }
    }
`;
interface SearchNearResult {
    search: {
        totalItems: number;
        items: Array<{
            productVariantId: string;
            fastDelivery: boolean;
            nearestStoreDistanceKm: number | null;
        }>;
    };
}

const DECLINE = gql`
    mutation Decline($id: ID!, $reason: String) {
        declineDelivery(assignmentId: $id, reason: $reason) {
            __typename
            ... on DeliveryAssignment {
                id
                status
            }
        }
    }
`;

const PING = gql`
    mutation Ping($latitude: Float!, $longitude: Float!) {
        updateDriverLocation(latitude: $latitude, longitude: $longitude) {
            id
        }
    }
`;

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(
    mergeConfig(e2eConfig(__filename), {
        entityOptions: { entityIdStrategy: new UuidIdStrategy() },
        dbConnectionOptions: { synchronize: true, migrationsRun: false, migrations: [] },
    }),
);

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await asSuperadmin(adminClient);
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

function sql<T>(query: string, parameters: unknown[] = []): Promise<T[]> {
    return server.app.get(TransactionalConnection).rawConnection.query(query, parameters);
}

const { drivers, assignment, sellerOrderState } = dispatchAsStaff(adminClient);

describe('the demo marketplace on UUID ids', () => {
    let order: PlacedOrder;
    let sellerOrderId: string;
    let assignmentId: string;
    let fleetBefore: DriverRow[];
    let first: DriverRow;
    let second: DriverRow;
    let deliveryCode: string;

    it('is populated with UUID ids: drivers, their stores and the schema behind them', async () => {
        const fleet = await drivers();
        expect(fleet.length).toBeGreaterThan(1);
        expect(fleet.every(driver => UUID.test(driver.id))).toBe(true);
        const columns = await sql<{ table_name: string; column_name: string; data_type: string }>(
            `SELECT table_name, column_name, data_type FROM information_schema.columns
              WHERE (table_name = 'delivery_assignment' AND column_name IN ('id', 'orderId', 'driverId', 'fulfillmentId'))
                 OR (table_name = 'driver' AND column_name = 'administratorId')
              ORDER BY table_name, column_name`,
        );
        expect(columns.map(column => [column.table_name, column.column_name, column.data_type])).toEqual([
            ['delivery_assignment', 'driverId', 'uuid'],
            ['delivery_assignment', 'fulfillmentId', 'character varying'],
            ['delivery_assignment', 'id', 'uuid'],
            ['delivery_assignment', 'orderId', 'uuid'],
            ['driver', 'administratorId', 'uuid'],
        ]);
    });

    it('finds deliverable products near the demo city, each from a store within 5 km', async () => {
        await shopClient.asAnonymousUser();
        const location = { postalCode: '60601', countryCode: 'US' };
        const { search } = await shopClient.query<SearchNearResult>(SEARCH_NEAR, { location });
        expect(search.totalItems).toBeGreaterThan(0);
        expect(
            search.items.every(item => item.fastDelivery && (item.nearestStoreDistanceKm ?? 99) <= 5),
        ).toBe(true);
        const ids = search.items.map(item => item.productVariantId);
        expect(ids.every(id => UUID.test(id))).toBe(true);
        const { deliveryAvailability } = await shopClient.query<DeliveryAvailabilityResult>(
            DELIVERY_AVAILABILITY,
            { ids, location },
        );
        expect(deliveryAvailability.map(answer => answer.productVariantId)).toEqual(ids);
        expect(deliveryAvailability.every(answer => answer.fastDelivery)).toBe(true);
        expect(deliveryAvailability.every(answer => UUID.test(answer.stockLocationId ?? ''))).toBe(true);
    });

    it('takes a paid checkout, recording the serving store and the session as UUIDs', async () => {
        order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
        expect(order.id).toMatch(UUID);
        sellerOrderId = order.sellerOrders[0].id;
        expect(sellerOrderId).toMatch(UUID);
        const [line] = await sql<{ store: string | null }>(
            `SELECT "customFieldsServingstocklocationid" AS store FROM order_line WHERE "orderId" = $1`,
            [sellerOrderId],
        );
        expect(line.store).toMatch(UUID);
        const [placed] = await sql<{ session: string | null }>(
            `SELECT "customFieldsPlacedinsessionid" AS session FROM "order" WHERE id = $1`,
            [order.id],
        );
        expect(placed.session).toMatch(UUID);
    });

    it('dispatches the ready seller order to the nearest available driver', async () => {
        await asSuperadmin(adminClient);
        // The demo's pings are as old as the test run: a fresh heartbeat keeps the drivers claimable.
        await sql('UPDATE driver SET "lastSeenAt" = $1', [new Date()]);
        fleetBefore = await drivers();
        const { markOrderReadyForDispatch } = await adminClient.query<MarkReadyResult>(MARK_READY, {
            orderId: sellerOrderId,
        });
        expect(markOrderReadyForDispatch.__typename).toBe('DeliveryAssignment');
        assignmentId = markOrderReadyForDispatch.id as string;
        expect(assignmentId).toMatch(UUID);
        const again = await adminClient.query<MarkReadyResult>(MARK_READY, { orderId: sellerOrderId });
        expect(again.markOrderReadyForDispatch.id).toBe(assignmentId);

        const assigned = await eventually(
            () => assignment(assignmentId),
            value => value.status === 'ASSIGNED',
        );
        expect(assigned.status).toBe('ASSIGNED');
        expectNearestDriver(assigned, fleetBefore);
        expect(assigned.driver?.id).toMatch(UUID);
        expect(assigned.pickupStockLocation.id).toMatch(UUID);
        first = fleetBefore.find(driver => driver.id === assigned.driver?.id) as DriverRow;
        const [row] = await sql<{ orderId: string; pickupStockLocationId: string; fulfillmentId: string }>(
            `SELECT "orderId", "pickupStockLocationId", "fulfillmentId" FROM delivery_assignment WHERE id = $1`,
            [assignmentId],
        );
        expect(row).toEqual({
            orderId: sellerOrderId,
            pickupStockLocationId: assigned.pickupStockLocation.id,
            fulfillmentId: expect.stringMatching(UUID),
        });
    });

    it('sends a declined delivery to the next nearest driver, never back to the one who declined', async () => {
        await asDemoDriver(adminClient, first.emailAddress);
        const { declineDelivery } = await adminClient.query<{ declineDelivery: ActionResult }>(DECLINE, {
            id: assignmentId,
            reason: 'flat tyre',
        });
        expect(declineDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'PENDING' });
        await asSuperadmin(adminClient);
        const redispatched = await eventually(
            () => assignment(assignmentId),
            value => value.status === 'ASSIGNED',
        );
        expect(redispatched.status).toBe('ASSIGNED');
        expect(redispatched.driver?.id).not.toBe(first.id);
        expectNearestDriver(
            redispatched,
            fleetBefore.filter(driver => driver.id !== first.id),
        );
        second = fleetBefore.find(driver => driver.id === redispatched.driver?.id) as DriverRow;
        const [row] = await sql<{ excludedDriverIds: string }>(
            `SELECT "excludedDriverIds" FROM delivery_assignment WHERE id = $1`,
            [assignmentId],
        );
        expect(JSON.parse(row.excludedDriverIds)).toEqual([first.id]);
        expect((await drivers()).find(driver => driver.id === first.id)?.status).toBe('AVAILABLE');
        expect(redispatched.events).toContainEqual(
            expect.objectContaining({
                toStatus: 'PENDING',
                actor: `driver:${first.id}`,
                reasonCode: 'DRIVER_DECLINED',
            }),
        );
    });

    it('is picked up, and the customer tracks it with the driver on it and the code', async () => {
        await asDemoDriver(adminClient, second.emailAddress);
        const { confirmPickup } = await adminClient.query<{ confirmPickup: ActionResult }>(CONFIRM_PICKUP, {
            id: assignmentId,
        });
        expect(confirmPickup).toMatchObject({ __typename: 'DeliveryAssignment', status: 'PICKED_UP' });
        // On the way: the ping reaches the driver's row with the next batched write.
        const onTheWay = { latitude: second.latitude + 0.001, longitude: second.longitude };
        await adminClient.query(PING, onTheWay);
        await server.app.get(DriverLocationService).flush();
        const [position] = await sql<{ latitude: number; longitude: number }>(
            'SELECT latitude, longitude FROM driver WHERE id = $1',
            [second.id],
        );
        expect(position).toEqual(onTheWay);
        await asSuperadmin(adminClient);
        expect(await sellerOrderState(order.id, sellerOrderId)).toBe('Shipped');

        // The guest's shop session that placed the order (its UUID recorded on the order).
        const { deliveryTracking } = await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, {
            orderCode: order.code,
        });
        expect(deliveryTracking).toHaveLength(1);
        const [entry] = deliveryTracking;
        expect(entry).toMatchObject({ status: 'PICKED_UP', driverName: second.name });
        expect(entry).toMatchObject({
            driverLatitude: onTheWay.latitude,
            driverLongitude: onTheWay.longitude,
        });
        expect(entry.deliveryCode).toMatch(/^\d{6}$/);
        deliveryCode = entry.deliveryCode ?? '';
    });

    it('is delivered with the code: the seller order is Delivered and the driver free again', async () => {
        await asDemoDriver(adminClient, second.emailAddress);
        const { confirmDelivery } = await adminClient.query<{ confirmDelivery: ActionResult }>(
            CONFIRM_DELIVERY,
            { id: assignmentId, code: deliveryCode },
        );
        expect(confirmDelivery).toMatchObject({ __typename: 'DeliveryAssignment', status: 'DELIVERED' });
        await asSuperadmin(adminClient);
        expect(await sellerOrderState(order.id, sellerOrderId)).toBe('Delivered');
        const done = await assignment(assignmentId);
        expect(done.driver).toMatchObject({ id: second.id, status: 'AVAILABLE' });
        expect(done.events.map(event => [event.fromStatus, event.toStatus, event.actor])).toEqual([
            [null, 'PENDING', expect.stringMatching(/^staff:[0-9a-f-]{36}$/)],
            ['PENDING', 'ASSIGNED', 'system'],
            ['ASSIGNED', 'PENDING', `driver:${first.id}`],
            ['PENDING', 'ASSIGNED', 'system'],
            ['ASSIGNED', 'PICKED_UP', `driver:${second.id}`],
            ['PICKED_UP', 'DELIVERED', `driver:${second.id}`],
        ]);
        const { deliveryTracking } = await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, {
            orderCode: order.code,
        });
        expect(deliveryTracking[0]).toMatchObject({ status: 'DELIVERED', deliveryCode: null });
    });

    it('answers an id that is not a UUID with an error a person can act on, changing nothing', async () => {
        await asSuperadmin(adminClient);
        const before = await assignment(assignmentId);
        await expect(
            adminClient.query(
                gql`
                    mutation ($id: ID!) {
                        cancelDelivery(assignmentId: $id, reason: "not a uuid") {
                            __typename
                        }
                    }
                `,
                { id: '42' },
            ),
        ).rejects.toThrow('An id in this request is not valid: ids are UUIDs here');
        expect(await assignment(assignmentId)).toEqual(before);
    });
});
