/**
 * Drivers on the demo marketplace, as staff and a driver's app use the admin API: the demo fleet,
 * staff CRUD, the driver's own login, location pings (written to the database in batches) and
 * status, and what a driver may not do.
 */
import { TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';

import { POSITION_FLUSH_INTERVAL_MS } from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { DEMO_DRIVER_PASSWORD, demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { asSuperadmin } from './fixtures/logins';

interface DriverFields {
    id: string;
    name: string;
    phoneNumber: string | null;
    emailAddress: string;
    status: 'AVAILABLE' | 'BUSY' | 'OFFLINE';
    latitude: number | null;
    longitude: number | null;
    lastSeenAt: string | null;
}

const DRIVER_FIELDS = gql`
    fragment DriverFields on Driver {
        id
        name
        phoneNumber
        emailAddress
        status
        latitude
        longitude
        lastSeenAt
    }
`;

const DRIVERS = gql`
    query Drivers($options: DriverListOptions) {
        drivers(options: $options) {
            totalItems
            items {
                ...DriverFields
            }
        }
    }
    ${DRIVER_FIELDS}
`;
interface DriversResult {
    drivers: { totalItems: number; items: DriverFields[] };
}

const DRIVER = gql`
    query Driver($id: ID!) {
        driver(id: $id) {
            ...DriverFields
        }
    }
    ${DRIVER_FIELDS}
`;

const ACTIVE_DRIVER = gql`
    query ActiveDriver {
        activeDriver {
            ...DriverFields
        }
    }
    ${DRIVER_FIELDS}
`;

const CREATE_DRIVER = gql`
    mutation CreateDriver($input: CreateDriverInput!) {
        createDriver(input: $input) {
            ...DriverFields
        }
    }
    ${DRIVER_FIELDS}
`;

const UPDATE_DRIVER = gql`
    mutation UpdateDriver($input: UpdateDriverInput!) {
        updateDriver(input: $input) {
            ...DriverFields
        }
    }
    ${DRIVER_FIELDS}
`;

const DELETE_DRIVER = gql`
    mutation DeleteDriver($id: ID!) {
        deleteDriver(id: $id) {
            result
        }
    }
`;

const UPDATE_DRIVER_LOCATION = gql`
    mutation UpdateDriverLocation($latitude: Float!, $longitude: Float!) {
        updateDriverLocation(latitude: $latitude, longitude: $longitude) {
            ...DriverFields
        }
    }
    ${DRIVER_FIELDS}
`;

const SET_DRIVER_STATUS = gql`
    mutation SetDriverStatus($status: DriverStatus!) {
        setDriverStatus(status: $status) {
            __typename
            ... on Driver {
                id
                status
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
interface SetDriverStatusResult {
    setDriverStatus: { __typename: string; id?: string; status?: string; errorCode?: string };
}

const CREATE_FLEET_MANAGER = gql`
    mutation CreateFleetManager {
        createRole(
            input: {
                code: "fleet-manager"
                description: "Manages drivers only"
                permissions: [ReadDriver, CreateDriver, UpdateDriver, DeleteDriver]
            }
        ) {
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

const FORBIDDEN = 'You are not currently authorized to perform this action';

const city = loadDemoCity();
const { server, adminClient } = createTestEnvironment(e2eConfig(__filename));

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await adminClient.asSuperAdmin();
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

function asStaff() {
    return asSuperadmin(adminClient);
}

async function listDrivers(options: object): Promise<DriversResult['drivers']> {
    return (await adminClient.query<DriversResult>(DRIVERS, { options })).drivers;
}

/** The driver's row as stored, bypassing the API (which shows pings not yet written). */
async function storedRow(id: string): Promise<{ latitude: number | null; longitude: number | null }> {
    const rows: Array<{ latitude: number | null; longitude: number | null }> = await server.app
        .get(TransactionalConnection)
        .rawConnection.query('SELECT latitude, longitude FROM driver WHERE id = $1', [id]);
    return rows[0];
}

describe('the demo fleet', () => {
    beforeAll(asStaff);

    it('lists the 20 demo drivers of the city, AVAILABLE at their positions and just seen', async () => {
        const { totalItems, items } = await listDrivers({ take: 100 });
        expect(totalItems).toBe(20);
        expect(items.map(driver => driver.name).sort()).toEqual(
            city.drivers.map(driver => driver.name).sort(),
        );
        for (const demo of city.drivers) {
            const listed = items.find(driver => driver.name === demo.name);
            expect(listed).toMatchObject({
                status: 'AVAILABLE',
                phoneNumber: demo.phone,
                latitude: demo.latitude,
                longitude: demo.longitude,
            });
            expect(listed?.emailAddress).toMatch(/^driver-\d\d@demo\.example$/);
            expect(Date.now() - Date.parse(listed?.lastSeenAt ?? '')).toBeLessThan(10 * 60_000);
        }
    });

    it('filters by status', async () => {
        expect((await listDrivers({ filter: { status: { eq: 'AVAILABLE' } } })).totalItems).toBe(20);
        expect((await listDrivers({ filter: { status: { eq: 'OFFLINE' } } })).totalItems).toBe(0);
    });

    it('finds drivers by a part of their name, sorted', async () => {
        const term = city.drivers[0].name.split(' ')[1];
        const expected = city.drivers
            .map(driver => driver.name)
            .filter(name => name.toLowerCase().includes(term.toLowerCase()))
            .sort();
        const { items } = await listDrivers({ filter: { name: { contains: term } }, sort: { name: 'ASC' } });
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(city.drivers.length);
        expect(items.map(driver => driver.name)).toEqual(expected);
    });

    it('lets a demo driver log in with the demo password', async () => {
        await adminClient.asUserWithCredentials('driver-01@demo.example', DEMO_DRIVER_PASSWORD);
        const { activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(
            ACTIVE_DRIVER,
        );
        expect(activeDriver?.emailAddress).toBe('driver-01@demo.example');
        await asStaff();
    });
});

describe('a driver created by staff', () => {
    const email = 'new.driver@example.com';
    const password = 'secret-pass-1';
    let driver: DriverFields;

    beforeAll(asStaff);

    it('is created OFFLINE, without a position', async () => {
        ({ createDriver: driver } = await adminClient.query<{ createDriver: DriverFields }>(CREATE_DRIVER, {
            input: { name: 'Nadia Brooks', phoneNumber: '+1 312-555-0199', emailAddress: email, password },
        }));
        expect(driver).toMatchObject({
            name: 'Nadia Brooks',
            phoneNumber: '+1 312-555-0199',
            emailAddress: email,
            status: 'OFFLINE',
            latitude: null,
            longitude: null,
            lastSeenAt: null,
        });
        const offline = await listDrivers({ filter: { status: { eq: 'OFFLINE' } } });
        expect(offline.items.map(item => item.id)).toEqual([driver.id]);
    });

    it('logs in with the admin API and finds itself as the active driver', async () => {
        const login = await adminClient.asUserWithCredentials(email, password);
        expect(login.identifier).toBe(email);
        const { activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(
            ACTIVE_DRIVER,
        );
        expect(activeDriver?.id).toBe(driver.id);
    });

    it('moves with a ping, and the database has the position after the flush interval', async () => {
        const target = { latitude: 41.8853, longitude: -87.6216 };
        const { updateDriverLocation } = await adminClient.query<{ updateDriverLocation: DriverFields }>(
            UPDATE_DRIVER_LOCATION,
            target,
        );
        expect(updateDriverLocation).toMatchObject({ id: driver.id, ...target, status: 'OFFLINE' });
        expect(updateDriverLocation.lastSeenAt).not.toBeNull();

        expect(POSITION_FLUSH_INTERVAL_MS).toBeLessThanOrEqual(2000);
        const deadline = Date.now() + 5000;
        let row = await storedRow(driver.id);
        while (row.latitude !== target.latitude && Date.now() < deadline) {
            await new Promise(resolve => setTimeout(resolve, 200));
            row = await storedRow(driver.id);
        }
        expect(row).toEqual(target);
    });

    it('refuses invalid coordinates with a message and stays where it was', async () => {
        await expect(
            adminClient.query(UPDATE_DRIVER_LOCATION, { latitude: 91, longitude: -87.62 }),
        ).rejects.toThrow(/latitude/i);
        await expect(
            adminClient.query(UPDATE_DRIVER_LOCATION, { latitude: 0, longitude: 0 }),
        ).rejects.toThrow(/Gulf of Guinea/);
        const { activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(
            ACTIVE_DRIVER,
        );
        expect(activeDriver).toMatchObject({ latitude: 41.8853, longitude: -87.6216 });
    });

    it('goes AVAILABLE and OFFLINE, and BUSY is refused', async () => {
        const available = await adminClient.query<SetDriverStatusResult>(SET_DRIVER_STATUS, {
            status: 'AVAILABLE',
        });
        expect(available.setDriverStatus).toEqual({
            __typename: 'Driver',
            id: driver.id,
            status: 'AVAILABLE',
        });
        let { activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(ACTIVE_DRIVER);
        expect(activeDriver?.status).toBe('AVAILABLE');

        const offline = await adminClient.query<SetDriverStatusResult>(SET_DRIVER_STATUS, {
            status: 'OFFLINE',
        });
        expect(offline.setDriverStatus).toEqual({ __typename: 'Driver', id: driver.id, status: 'OFFLINE' });
        ({ activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(ACTIVE_DRIVER));
        expect(activeDriver?.status).toBe('OFFLINE');

        await expect(adminClient.query(SET_DRIVER_STATUS, { status: 'BUSY' })).rejects.toThrow(
            /BUSY belongs to dispatch/,
        );
        ({ activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(ACTIVE_DRIVER));
        expect(activeDriver?.status).toBe('OFFLINE');
    });

    it('cannot list drivers, create or update drivers, nor read another driver', async () => {
        await expect(listDrivers({})).rejects.toThrow(FORBIDDEN);
        await expect(
            adminClient.query(CREATE_DRIVER, {
                input: { name: 'Intruder', emailAddress: 'intruder@example.com', password: 'x-password' },
            }),
        ).rejects.toThrow(FORBIDDEN);
        await expect(
            adminClient.query(UPDATE_DRIVER, { input: { id: driver.id, name: 'Renamed by myself' } }),
        ).rejects.toThrow(FORBIDDEN);
        await expect(adminClient.query(DRIVER, { id: driver.id })).rejects.toThrow(FORBIDDEN);
        await expect(adminClient.query(DELETE_DRIVER, { id: driver.id })).rejects.toThrow(FORBIDDEN);
    });

    it('is refused the driver mutations when the user has no driver record', async () => {
        await asStaff();
        await expect(
            adminClient.query(UPDATE_DRIVER_LOCATION, { latitude: 41.88, longitude: -87.62 }),
        ).rejects.toThrow(FORBIDDEN);
        await expect(adminClient.query(SET_DRIVER_STATUS, { status: 'AVAILABLE' })).rejects.toThrow(
            FORBIDDEN,
        );
        const { activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(
            ACTIVE_DRIVER,
        );
        expect(activeDriver).toBeNull();
    });

    it('is updated by staff: name, phone number and AVAILABLE/OFFLINE, never BUSY', async () => {
        await asStaff();
        const { updateDriver } = await adminClient.query<{ updateDriver: DriverFields }>(UPDATE_DRIVER, {
            input: {
                id: driver.id,
                name: 'Nadia Brooks-Lee',
                phoneNumber: '+1 312-555-0142',
                status: 'AVAILABLE',
            },
        });
        expect(updateDriver).toMatchObject({
            id: driver.id,
            name: 'Nadia Brooks-Lee',
            phoneNumber: '+1 312-555-0142',
            status: 'AVAILABLE',
            latitude: 41.8853,
        });
        await expect(
            adminClient.query(UPDATE_DRIVER, { input: { id: driver.id, status: 'BUSY' } }),
        ).rejects.toThrow(/BUSY belongs to dispatch/);
        const { driver: stored } = await adminClient.query<{ driver: DriverFields | null }>(DRIVER, {
            id: driver.id,
        });
        expect(stored).toMatchObject({ name: 'Nadia Brooks-Lee', status: 'AVAILABLE' });
    });

    it('is deleted with its login', async () => {
        const { deleteDriver } = await adminClient.query<{ deleteDriver: { result: string } }>(
            DELETE_DRIVER,
            {
                id: driver.id,
            },
        );
        expect(deleteDriver.result).toBe('DELETED');
        const { driver: gone } = await adminClient.query<{ driver: DriverFields | null }>(DRIVER, {
            id: driver.id,
        });
        expect(gone).toBeNull();
        expect((await listDrivers({ take: 100 })).totalItems).toBe(20);

        const login = await adminClient.asUserWithCredentials(email, password);
        expect(login.errorCode).toBe('INVALID_CREDENTIALS_ERROR');
        await asStaff();
    });
});

describe('staff holding only the Driver permissions', () => {
    it('create, update and delete drivers with their logins', async () => {
        await asStaff();
        const { createRole } = await adminClient.query<{ createRole: { id: string } }>(CREATE_FLEET_MANAGER);
        await adminClient.query(CREATE_ADMINISTRATOR, {
            input: {
                firstName: 'Fleet',
                lastName: 'Manager',
                emailAddress: 'fleet@example.com',
                password: 'fleet-pass',
                roleIds: [createRole.id],
            },
        });
        await adminClient.asUserWithCredentials('fleet@example.com', 'fleet-pass');

        const { createDriver } = await adminClient.query<{ createDriver: DriverFields }>(CREATE_DRIVER, {
            input: { name: 'Omar Reyes', emailAddress: 'omar@example.com', password: 'omar-pass' },
        });
        const { updateDriver } = await adminClient.query<{ updateDriver: DriverFields }>(UPDATE_DRIVER, {
            input: { id: createDriver.id, name: 'Omar Reyes Jr' },
        });
        expect(updateDriver.name).toBe('Omar Reyes Jr');
        // The fleet manager may not act as a driver.
        await expect(adminClient.query(SET_DRIVER_STATUS, { status: 'AVAILABLE' })).rejects.toThrow(
            FORBIDDEN,
        );

        await adminClient.asUserWithCredentials('omar@example.com', 'omar-pass');
        const { activeDriver } = await adminClient.query<{ activeDriver: DriverFields | null }>(
            ACTIVE_DRIVER,
        );
        expect(activeDriver?.id).toBe(createDriver.id);

        await adminClient.asUserWithCredentials('fleet@example.com', 'fleet-pass');
        const { deleteDriver } = await adminClient.query<{ deleteDriver: { result: string } }>(
            DELETE_DRIVER,
            {
                id: createDriver.id,
            },
        );
        expect(deleteDriver.result).toBe('DELETED');
        const login = await adminClient.asUserWithCredentials('omar@example.com', 'omar-pass');
        expect(login.errorCode).toBe('INVALID_CREDENTIALS_ERROR');
        await asStaff();
    });
});
