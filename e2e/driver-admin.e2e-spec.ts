/**
 * Staff disabling a driver, and the limit on location pings, in production mode on the demo
 * marketplace (REDIS_URL set: Redis GEO index, Redis session cache, BullMQ): a disabled driver's
 * sessions end at once, they leave the GEO set and stay out whatever they try; a driver flooding
 * pings is refused without slowing or touching anyone else, counted in Redis so that every
 * process counts together (two limiters against one Redis), and in memory without Redis.
 */
import { Logger, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment, E2E_DEFAULT_CHANNEL_TOKEN, SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { Redis } from 'ioredis';

import {
    DriverLocationService,
    LocationPingRateLimitError,
    PingRateLimiter,
} from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { DEMO_DRIVER_PASSWORD, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { freePort } from '../src/runtime/embedded-postgres';
import { e2eConfig } from './config/e2e-config';
import { placePaidOrder } from './fixtures/checkout';
import { asSuperadmin } from './fixtures/logins';
import {
    ASSIGNMENT,
    Assignment,
    CANCEL_DELIVERY,
    MARK_READY,
    MarkReadyResult,
} from './graphql/dispatch-documents';
import { ensureRedisServer, RunningRedis, startRedisServer } from './setup/redis-server';
import { eventually } from './utils/eventually';

const GEO_NAMESPACE = '{vqd}:drivers';
/** The app's `redisKeyPrefix` ('{vqd}') and the limiter's own suffix. */
const PING_LIMIT_KEY_PREFIX = '{vqd}:ping-limit';
const FORBIDDEN = 'You are not currently authorized to perform this action';

interface DriverFields {
    id: string;
    name: string;
    emailAddress: string;
    status: 'AVAILABLE' | 'BUSY' | 'OFFLINE';
    enabled: boolean;
    latitude: number | null;
    longitude: number | null;
    lastSeenAt: string | null;
}

const DRIVER_FIELDS = gql`
    fragment DriverAdminFields on Driver {
        id
        name
        emailAddress
        status
        enabled
        latitude
        longitude
        lastSeenAt
    }
`;

const DRIVERS = gql`
    query DriversForAdmin {
        drivers(options: { take: 100 }) {
            items {
                ...DriverAdminFields
            }
        }
    }
    ${DRIVER_FIELDS}
`;

const DRIVER = gql`
    query DriverForAdmin($id: ID!) {
        driver(id: $id) {
            ...DriverAdminFields
        }
    }
    ${DRIVER_FIELDS}
`;

const DISABLED_DRIVERS = gql`
    query DisabledDrivers {
        drivers(options: { filter: { enabled: { eq: false } } }) {
            totalItems
        }
    }
`;

const ACTIVE_DRIVER = gql`
    query ActiveDriverForAdmin {
        activeDriver {
            ...DriverAdminFields
        }
    }
    ${DRIVER_FIELDS}
`;

const UPDATE_DRIVER = gql`
    mutation UpdateDriverForAdmin($input: UpdateDriverInput!) {
        updateDriver(input: $input) {
            ...DriverAdminFields
        }
    }
    ${DRIVER_FIELDS}
`;

const PING = gql`
    mutation Ping($latitude: Float!, $longitude: Float!) {
        updateDriverLocation(latitude: $latitude, longitude: $longitude) {
            id
            latitude
            longitude
            lastSeenAt
        }
    }
`;

/** Who the session belongs to; needs a session, nothing of the driver record. */
const ME = gql`
    query Me {
        me {
            identifier
        }
    }
`;

const SET_DRIVER_STATUS = gql`
    mutation SetDriverStatusForAdmin($status: DriverStatus!) {
        setDriverStatus(status: $status) {
            __typename
            ... on Driver {
                id
                status
            }
        }
    }
`;

const city = loadDemoCity();
let redis: RunningRedis;
let redisAdmin: Redis;
let env: ReturnType<typeof createTestEnvironment>;
let adminApiUrl: string;
let vendureConfig: ReturnType<typeof e2eConfig>;

beforeAll(async () => {
    // A Redis of its own: the GEO set and the ping counters here are this suite's alone.
    redis = await startRedisServer(ensureRedisServer(() => undefined));
    redisAdmin = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    await redisAdmin.connect();
    vendureConfig = e2eConfig(__filename, { env: { REDIS_URL: redis.url } });
    adminApiUrl = `http://localhost:${vendureConfig.apiOptions.port}/${vendureConfig.apiOptions.adminApiPath}`;
    env = createTestEnvironment(vendureConfig);
    await env.server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(env.server.app, { withInitialData: false });
    await asStaff();
}, 180_000);

afterAll(async () => {
    await env?.server.destroy();
    redisAdmin?.disconnect();
    await redis?.stop();
});

function asStaff() {
    return asSuperadmin(env.adminClient);
}

/** A driver app of its own: its own session token, beside the staff client. */
async function driverApp(
    emailAddress: string,
    password = DEMO_DRIVER_PASSWORD,
): Promise<SimpleGraphQLClient> {
    const client = new SimpleGraphQLClient(vendureConfig, adminApiUrl);
    client.setChannelToken(E2E_DEFAULT_CHANNEL_TOKEN);
    const login = (await client.asUserWithCredentials(emailAddress, password)) as { identifier?: string };
    expect(login.identifier).toBe(emailAddress);
    return client;
}

async function driverByEmail(emailAddress: string): Promise<DriverFields> {
    const { drivers } = await env.adminClient.query<{ drivers: { items: DriverFields[] } }>(DRIVERS);
    const found = drivers.items.find(driver => driver.emailAddress === emailAddress);
    if (!found) throw new Error(`No driver ${emailAddress}`);
    return found;
}

async function driverById(id: string): Promise<DriverFields | null> {
    return (await env.adminClient.query<{ driver: DriverFields | null }>(DRIVER, { id })).driver;
}

async function updateDriver(input: Record<string, unknown>): Promise<DriverFields> {
    return (await env.adminClient.query<{ updateDriver: DriverFields }>(UPDATE_DRIVER, { input }))
        .updateDriver;
}

async function geoMembers(): Promise<string[]> {
    return redisAdmin.zrange(`${GEO_NAMESPACE}:geo`, 0, -1);
}

/** The stored row, after the buffered pings were written. */
async function storedRow(id: string): Promise<Record<string, unknown>> {
    const app = env.server.app;
    await app.get(DriverLocationService).flush();
    const rows: Array<Record<string, unknown>> = await app
        .get(TransactionalConnection)
        .rawConnection.query(
            'SELECT status, enabled, latitude, longitude, "lastSeenAt" FROM driver WHERE id = $1',
            [id],
        );
    return rows[0];
}

/** Authenticated sessions of the driver's login. */
async function sessionCount(driverId: string): Promise<number> {
    const rows: Array<{ count: string }> = await env.server.app
        .get(TransactionalConnection)
        .rawConnection.query(
            `SELECT count(*) AS count FROM session s
           JOIN administrator a ON a."userId" = s."userId"
           JOIN driver d ON d."administratorId" = a.id
          WHERE d.id = $1`,
            [driverId],
        );
    return Number(rows[0].count);
}

/** The GraphQL error a call was refused with: code and message. */
async function refusal(
    call: Promise<unknown>,
): Promise<{ message: string; code?: string; extensions: object }> {
    try {
        await call;
    } catch (error) {
        const response = (
            error as { response?: { errors?: Array<{ message: string; extensions?: object }> } }
        ).response;
        const first = response?.errors?.[0];
        if (!first) throw error;
        const extensions = first.extensions ?? {};
        return { message: first.message, code: (extensions as { code?: string }).code, extensions };
    }
    throw new Error('expected the call to be refused');
}

describe('disabling a driver', () => {
    const email = 'driver-03@demo.example';
    let driver: DriverFields;
    let app: SimpleGraphQLClient;

    beforeAll(async () => {
        await asStaff();
        driver = await driverByEmail(email);
        expect(driver).toMatchObject({ status: 'AVAILABLE', enabled: true });
    });

    it('is on duty before: logged in, pinging, in the GEO set', async () => {
        app = await driverApp(email);
        const { activeDriver } = await app.query<{ activeDriver: DriverFields }>(ACTIVE_DRIVER);
        expect(activeDriver.id).toBe(driver.id);
        expect((await app.query<{ me: { identifier: string } }>(ME)).me.identifier).toBe(email);
        await app.query(PING, { latitude: 41.8801, longitude: -87.6301 });
        expect(await geoMembers()).toContain(driver.id);
        expect(await sessionCount(driver.id)).toBeGreaterThan(0);
    });

    it('revokes the session at once, sets OFFLINE and takes them out of the GEO set', async () => {
        const disabled = await updateDriver({ id: driver.id, enabled: false });
        expect(disabled).toMatchObject({ id: driver.id, enabled: false, status: 'OFFLINE' });

        // The app's old token is refused on its very next call: it is anonymous now, even for
        // what needs only a session.
        await expect(app.query(ME)).rejects.toThrow(FORBIDDEN);
        await expect(app.query(ACTIVE_DRIVER)).rejects.toThrow(FORBIDDEN);
        await expect(app.query(PING, { latitude: 41.8802, longitude: -87.6302 })).rejects.toThrow(FORBIDDEN);
        expect(await sessionCount(driver.id)).toBe(0);

        expect(await geoMembers()).not.toContain(driver.id);
        expect(await redisAdmin.hget(`${GEO_NAMESPACE}:status`, driver.id)).toBe('OFFLINE');
        expect(await storedRow(driver.id)).toMatchObject({
            status: 'OFFLINE',
            enabled: false,
            latitude: 41.8801,
            longitude: -87.6301,
        });
        expect(await driverById(driver.id)).toMatchObject({ enabled: false, status: 'OFFLINE' });
    });

    it('refuses every driver operation after a fresh login, changing nothing', async () => {
        const before = await storedRow(driver.id);
        const fresh = await driverApp(email);
        // The login works; the driver record refuses.
        expect((await fresh.query<{ me: { identifier: string } }>(ME)).me.identifier).toBe(email);
        await expect(fresh.query(ACTIVE_DRIVER)).rejects.toThrow(FORBIDDEN);
        await expect(fresh.query(SET_DRIVER_STATUS, { status: 'AVAILABLE' })).rejects.toThrow(FORBIDDEN);
        await expect(fresh.query(PING, { latitude: 41.89, longitude: -87.64 })).rejects.toThrow(FORBIDDEN);
        expect(await storedRow(driver.id)).toEqual(before);
        expect(await geoMembers()).not.toContain(driver.id);
    });

    it('is never claimed by dispatch, even where they are the only driver', async () => {
        const locations = env.server.app.get(DriverLocationService);
        const others = (
            await env.adminClient.query<{ drivers: { items: DriverFields[] } }>(DRIVERS)
        ).drivers.items
            .filter(other => other.id !== driver.id)
            .map(other => other.id);
        const claimed = await locations.withIndex('claim', index =>
            index.claimNearest(
                { latitude: 41.8801, longitude: -87.6301 },
                { startRadiusKm: 0.25, maxRadiusKm: 100, excludeDriverIds: others },
            ),
        );
        expect(claimed).toBeUndefined();
    });

    it('cannot be set AVAILABLE by staff while disabled', async () => {
        const refused = await refusal(updateDriver({ id: driver.id, status: 'AVAILABLE' }));
        expect(refused.message).toMatch(
            /is disabled: enable them \(enabled: true\) before setting them AVAILABLE/,
        );
        expect(refused.code).toBe('USER_INPUT_ERROR');
        expect(await driverById(driver.id)).toMatchObject({ status: 'OFFLINE', enabled: false });
        expect(await geoMembers()).not.toContain(driver.id);
    });

    it('disabling twice changes nothing: the fresh session is left alone', async () => {
        const sessions = await sessionCount(driver.id);
        expect(sessions).toBeGreaterThan(0);
        const again = await updateDriver({ id: driver.id, enabled: false });
        expect(again).toMatchObject({ enabled: false, status: 'OFFLINE' });
        expect(await sessionCount(driver.id)).toBe(sessions);
    });

    it('refuses an unknown driver id and changes nothing', async () => {
        const disabledBefore = (
            await env.adminClient.query<{ drivers: { totalItems: number } }>(DISABLED_DRIVERS)
        ).drivers.totalItems;
        expect(disabledBefore).toBe(1);
        const refused = await refusal(updateDriver({ id: '99999', enabled: false }));
        expect(refused.code).toBe('ENTITY_NOT_FOUND');
        expect(
            (await env.adminClient.query<{ drivers: { totalItems: number } }>(DISABLED_DRIVERS)).drivers
                .totalItems,
        ).toBe(disabledBefore);
    });

    it('enabled again, stays OFFLINE until the driver goes on duty themselves', async () => {
        const enabled = await updateDriver({ id: driver.id, enabled: true });
        expect(enabled).toMatchObject({ enabled: true, status: 'OFFLINE' });
        expect(await geoMembers()).not.toContain(driver.id);

        const back = await driverApp(email);
        const { activeDriver } = await back.query<{ activeDriver: DriverFields }>(ACTIVE_DRIVER);
        expect(activeDriver).toMatchObject({ id: driver.id, status: 'OFFLINE', enabled: true });
        const onDuty = await back.query<{ setDriverStatus: { status: string } }>(SET_DRIVER_STATUS, {
            status: 'AVAILABLE',
        });
        expect(onDuty.setDriverStatus).toEqual({ __typename: 'Driver', id: driver.id, status: 'AVAILABLE' });
        await back.query(PING, { latitude: 41.8805, longitude: -87.6305 });
        expect(await geoMembers()).toContain(driver.id);
    });

    it('is refused while the driver holds a delivery, leaving driver and sessions as they were', async () => {
        const order = await placePaidOrder(env, [city.sellers[0].code]);
        const marked = (
            await env.adminClient.query<MarkReadyResult>(MARK_READY, { orderId: order.sellerOrders[0].id })
        ).markOrderReadyForDispatch;
        expect(marked.__typename).toBe('DeliveryAssignment');
        const assigned = await eventually(
            async () =>
                (
                    await env.adminClient.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, {
                        id: marked.id,
                    })
                ).deliveryAssignment,
            value => value.status === 'ASSIGNED',
        );
        expect(assigned.status).toBe('ASSIGNED');
        const busyId = assigned.driver?.id ?? '';
        const busyApp = await driverApp((await driverById(busyId))?.emailAddress ?? '');
        const sessions = await sessionCount(busyId);

        const refused = await refusal(updateDriver({ id: busyId, enabled: false }));
        expect(refused.message).toMatch(
            /is on a delivery: cancel or reassign it before disabling the driver/,
        );
        expect(await driverById(busyId)).toMatchObject({ enabled: true, status: 'BUSY' });
        expect(await sessionCount(busyId)).toBe(sessions);
        const { activeDriver } = await busyApp.query<{ activeDriver: DriverFields }>(ACTIVE_DRIVER);
        expect(activeDriver.id).toBe(busyId);

        // Cancelled, the driver is free again and can be disabled.
        const cancelled = await env.adminClient.query<{ cancelDelivery: { status: string } }>(
            CANCEL_DELIVERY,
            {
                id: marked.id,
                reason: 'test',
            },
        );
        expect(cancelled.cancelDelivery.status).toBe('CANCELLED');
        expect(await updateDriver({ id: busyId, enabled: false })).toMatchObject({
            enabled: false,
            status: 'OFFLINE',
        });
        await expect(busyApp.query(ACTIVE_DRIVER)).rejects.toThrow(FORBIDDEN);
        expect(await updateDriver({ id: busyId, enabled: true })).toMatchObject({ enabled: true });
    }, 60_000);
});

describe('the location ping limit (default: 10 pings per 10 s per driver)', () => {
    const flooder = 'driver-05@demo.example';
    const neighbour = 'driver-06@demo.example';

    it('refuses a flood with a clear error, records nothing of it, and lets another driver ping', async () => {
        await asStaff();
        const flooderId = (await driverByEmail(flooder)).id;
        const neighbourId = (await driverByEmail(neighbour)).id;
        const flooding = await driverApp(flooder);
        const other = await driverApp(neighbour);

        // Ten pings in a burst pass, each one moving the driver.
        let last: { latitude: number; longitude: number; lastSeenAt: string } | undefined;
        for (let i = 0; i < 10; i++) {
            ({ updateDriverLocation: last } = await flooding.query(PING, {
                latitude: 41.87 + i / 1000,
                longitude: -87.63,
            }));
        }
        expect(last).toMatchObject({ latitude: 41.879, longitude: -87.63 });
        const positionAfterTen = await redisAdmin.hget(`${GEO_NAMESPACE}:positions`, flooderId);
        expect(positionAfterTen).toBe('-87.63,41.879');

        // The eleventh on is refused, saying what the limit is and when to retry.
        for (let i = 0; i < 5; i++) {
            const refused = await refusal(
                flooding.query(PING, { latitude: 41.9 + i / 1000, longitude: -87.6 }),
            );
            expect(refused.code).toBe('TOO_MANY_REQUESTS');
            expect(refused.message).toMatch(
                /^Too many location pings: at most 10 per 10 s per driver\. This ping was not recorded; retry in \d+ s$/,
            );
            const retryAfter = (refused.extensions as { retryAfterSeconds?: number }).retryAfterSeconds;
            expect(retryAfter).toBeGreaterThanOrEqual(1);
            expect(retryAfter).toBeLessThanOrEqual(10);
        }

        // Another driver's pings still pass meanwhile.
        const { updateDriverLocation: neighbourPing } = await other.query<{
            updateDriverLocation: { latitude: number };
        }>(PING, { latitude: 41.8811, longitude: -87.6311 });
        expect(neighbourPing.latitude).toBe(41.8811);
        expect(await redisAdmin.hget(`${GEO_NAMESPACE}:positions`, neighbourId)).toBe('-87.6311,41.8811');

        // Nothing of the refused pings: not the position, not the heartbeat.
        expect(await redisAdmin.hget(`${GEO_NAMESPACE}:positions`, flooderId)).toBe(positionAfterTen);
        const { activeDriver } = await flooding.query<{ activeDriver: DriverFields }>(ACTIVE_DRIVER);
        expect(activeDriver).toMatchObject({
            latitude: 41.879,
            longitude: -87.63,
            lastSeenAt: last?.lastSeenAt,
        });
        expect(await storedRow(flooderId)).toMatchObject({ latitude: 41.879, longitude: -87.63 });

        // The count lives in Redis, under the suite's hash tag: without it, the driver pings again.
        const counterKey = `${PING_LIMIT_KEY_PREFIX}:${flooderId}`;
        expect(Number(await redisAdmin.get(counterKey))).toBeGreaterThanOrEqual(10);
        expect(await redisAdmin.pttl(counterKey)).toBeLessThanOrEqual(10_000);
        await redisAdmin.del(counterKey);
        const { updateDriverLocation: again } = await flooding.query<{
            updateDriverLocation: { latitude: number };
        }>(PING, { latitude: 41.8822, longitude: -87.6322 });
        expect(again.latitude).toBe(41.8822);
    });
});

describe('PingRateLimiter', () => {
    const limit = { points: 3, durationSeconds: 10 };
    const limiters: PingRateLimiter[] = [];

    async function limiter(redisUrl?: string): Promise<PingRateLimiter> {
        const created = new PingRateLimiter({ redisUrl, redisKeyPrefix: '{vqd}', locationPingLimit: limit });
        await created.onApplicationBootstrap();
        limiters.push(created);
        return created;
    }

    afterEach(async () => {
        for (const created of limiters.splice(0)) await created.onApplicationShutdown();
        jest.restoreAllMocks();
    });

    it('counts one driver across two processes sharing Redis, and each driver apart', async () => {
        const first = await limiter(redis.url);
        const second = await limiter(redis.url);
        expect(first.store).toBe('redis');
        await first.admit('shared-1');
        await second.admit('shared-1');
        await first.admit('shared-1');
        const refused = await second.admit('shared-1').catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(LocationPingRateLimitError);
        expect((refused as LocationPingRateLimitError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect((refused as LocationPingRateLimitError).message).toContain('at most 3 per 10 s');
        await expect(first.admit('shared-1')).rejects.toBeInstanceOf(LocationPingRateLimitError);
        // Another driver has a count of their own.
        await second.admit('shared-2');
        await first.admit('shared-2');
    });

    it('counts in this process alone without Redis', async () => {
        const first = await limiter();
        const second = await limiter();
        expect(first.store).toBe('memory');
        for (let i = 0; i < 3; i++) await first.admit('memory-1');
        await expect(first.admit('memory-1')).rejects.toBeInstanceOf(LocationPingRateLimitError);
        // A second process knows nothing of the first one's count.
        await second.admit('memory-1');
        expect(await redisAdmin.exists(`${PING_LIMIT_KEY_PREFIX}:memory-1`)).toBe(0);
    });

    it('lets pings through at once while Redis is unreachable, and says so once', async () => {
        const warn = jest.spyOn(Logger, 'warn');
        const unreachable = await limiter(`redis://127.0.0.1:${await freePort()}`);
        const started = Date.now();
        for (let i = 0; i < 10; i++) await unreachable.admit('down-1');
        expect(Date.now() - started).toBeLessThan(1000);
        const outageLines = warn.mock.calls.filter(([message]) =>
            String(message).startsWith('Location ping limit: Redis unreachable'),
        );
        expect(outageLines).toHaveLength(1);
    });
});
