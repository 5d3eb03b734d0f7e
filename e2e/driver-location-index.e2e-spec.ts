/**
 * The contract of DriverLocationIndex, run against both implementations: SQL over the migrated
 * `driver` table in PostgreSQL, and Redis GEO on a real Redis. Each scenario starts from an empty
 * table and an empty namespace, and afterwards checks invariant 1: the claimable drivers are
 * exactly the AVAILABLE drivers with a live heartbeat, as this suite's own model of the fleet
 * says (for Redis, the raw GEO set too).
 */
import path from 'node:path';

import { ID, Injector } from '@vendure/core';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';

import {
    DriverLocationIndex,
    IndexedDriver,
    recordPositionsIn,
} from '../plugins/driver-dispatch/strategies/driver-location-index/driver-location-index';
import { RedisDriverLocationIndex } from '../plugins/driver-dispatch/strategies/driver-location-index/redis-driver-location-index';
import { SqlDriverLocationIndex } from '../plugins/driver-dispatch/strategies/driver-location-index/sql-driver-location-index';
import { DriverStatus } from '../plugins/driver-dispatch/types';
import { distanceKm, EARTH_RADIUS_KM, LatLng } from '../plugins/shared/geo';
import { runMigrationsExclusively } from '../src/runtime/migrate';
import { readSettings } from '../src/runtime/settings';
import { createVendureConfig, DatabaseConnection } from '../vendure-config';
import { e2eEnv } from './config/e2e-env';
import { ensureRedisServer, startRedisServer } from './setup/redis-server';
import { freshDatabase } from './utils/database';

const DATABASE_NAME = 'e2e_driver_location_index';
const NAMESPACE = '{vqd-e2e}:drivers';

/** Pickup point of most scenarios (Berlin, Alexanderplatz). */
const PICKUP: LatLng = { latitude: 52.52, longitude: 13.405 };
/** Along a meridian one degree of latitude is an arc of R·π/180. */
const KM_PER_DEGREE_LATITUDE = (EARTH_RADIUS_KM * Math.PI) / 180;

function north(km: number, from: LatLng = PICKUP): LatLng {
    return { latitude: from.latitude + km / KM_PER_DEGREE_LATITUDE, longitude: from.longitude };
}

function south(km: number, from: LatLng = PICKUP): LatLng {
    return north(-km, from);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** 'in time' if the promise settles within `ms`, else 'too late'; leaves no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<'in time' | 'too late'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'too late'>(resolve => (timer = setTimeout(() => resolve('too late'), ms)));
    try {
        return await Promise.race([promise.then(() => 'in time' as const), late]);
    } finally {
        clearTimeout(timer);
    }
}
const sorted = (ids: ID[]) => ids.map(String).sort((a, b) => Number(a) - Number(b));

let dataSource: DataSource;
let redis: Redis;

async function migratedDatabase(): Promise<DatabaseConnection> {
    const database = await freshDatabase(DATABASE_NAME);
    const settings = readSettings({ DATA_DIR: path.join(e2eEnv('tmpDir'), 'driver-location-index') });
    await runMigrationsExclusively(createVendureConfig(settings, database), database);
    return database;
}

/** Just enough of Vendure's Injector: the SQL index asks it for TransactionalConnection only. */
function injectorWithRawConnection(): Injector {
    return { get: () => ({ rawConnection: dataSource }) } as unknown as Injector;
}

async function deleteNamespaceKeys(client: Redis): Promise<void> {
    const keys = await client.keys(`${NAMESPACE}:*`);
    if (keys.length) await client.del(...keys);
}

interface DriverRow {
    name?: string;
    status: DriverStatus;
    position?: LatLng;
    lastSeenAt?: Date;
    lastDeliveredAt?: Date | null;
}

/** Inserts driver rows as they are, returning their ids (serial, so in insertion order). */
async function insertRows(rows: DriverRow[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, row] of rows.entries()) {
        const [inserted] = await dataSource.query<Array<{ id: string }>>(
            `INSERT INTO driver (name, "emailAddress", status, latitude, longitude, "lastSeenAt", "lastDeliveredAt")
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id`,
            [
                row.name ?? `Driver ${i}`,
                `driver-${Date.now()}-${i}@example.com`,
                row.status,
                row.position?.latitude ?? null,
                row.position?.longitude ?? null,
                row.lastSeenAt ?? null,
                row.lastDeliveredAt ?? null,
            ],
        );
        ids.push(inserted.id);
    }
    return ids;
}

interface ModelDriver {
    status: DriverStatus;
    positioned: boolean;
    lastSeenMs?: number;
}

/**
 * Drives an index and keeps this suite's own model of the fleet (status, position known, last
 * ping), from which the claimable set is predicted independently of either implementation.
 */
class Fleet {
    readonly model = new Map<string, ModelDriver>();

    constructor(
        readonly index: DriverLocationIndex,
        private readonly heartbeatTtlSeconds: number,
    ) {}

    /** A driver row (OFFLINE, no position), then ping and status through the index. */
    async add(driver: DriverRow): Promise<string> {
        const [id] = await insertRows([
            { status: DriverStatus.OFFLINE, lastDeliveredAt: driver.lastDeliveredAt, name: driver.name },
        ]);
        this.model.set(id, { status: DriverStatus.OFFLINE, positioned: false });
        if (driver.position) await this.ping(id, driver.position, driver.lastSeenAt ?? new Date());
        await this.setStatus(id, driver.status);
        return id;
    }

    async addAll(drivers: DriverRow[]): Promise<string[]> {
        const ids: string[] = [];
        for (const driver of drivers) ids.push(await this.add(driver));
        return ids;
    }

    async ping(id: string, position: LatLng, at = new Date()): Promise<void> {
        await this.index.recordPosition(id, position, at);
        const driver = this.driver(id);
        driver.positioned = true;
        driver.lastSeenMs = Math.max(driver.lastSeenMs ?? 0, at.getTime());
    }

    /** Many drivers' pings in one step (the ping batcher's flush). */
    async pingAll(updates: Array<{ id: string; position: LatLng; at: Date }>): Promise<void> {
        await recordPositionsIn(
            this.index,
            updates.map(({ id, position, at }) => ({ driverId: id, ...position, at })),
        );
        for (const { id, at } of updates) {
            const driver = this.driver(id);
            driver.positioned = true;
            driver.lastSeenMs = Math.max(driver.lastSeenMs ?? 0, at.getTime());
        }
    }

    async setStatus(id: string, status: DriverStatus): Promise<void> {
        await this.index.setStatus(id, status);
        this.driver(id).status = status;
    }

    async claim(
        point: LatLng,
        options: { startRadiusKm?: number; maxRadiusKm?: number; excludeDriverIds?: ID[] } = {},
        index = this.index,
    ) {
        const claimed = await index.claimNearest(point, {
            startRadiusKm: options.startRadiusKm ?? 0.25,
            maxRadiusKm: options.maxRadiusKm ?? 100,
            excludeDriverIds: options.excludeDriverIds,
        });
        if (claimed) {
            const driver = this.driver(String(claimed.driverId));
            // Only a claimable driver may be claimed: this is checked here for every claim.
            expect(this.isClaimable(driver)).toBe(true);
            driver.status = DriverStatus.BUSY;
        }
        return claimed;
    }

    /** The claim of one named driver (a batch window's), checked against the model like any claim. */
    async claimById(id: string, index = this.index): Promise<boolean> {
        const claimed = await index.claimById(id);
        const driver = this.model.get(id);
        expect(claimed).toBe(driver !== undefined && this.isClaimable(driver));
        if (claimed && driver) driver.status = DriverStatus.BUSY;
        return claimed;
    }

    /** Claims until nothing is left, returning the ids in claim order. */
    async claimAll(point: LatLng, options: { maxRadiusKm?: number } = {}): Promise<string[]> {
        const ids: string[] = [];
        for (
            let claimed = await this.claim(point, options);
            claimed;
            claimed = await this.claim(point, options)
        ) {
            ids.push(String(claimed.driverId));
        }
        return ids;
    }

    async release(id: string): Promise<void> {
        await this.index.release(id);
        const driver = this.driver(id);
        if (driver.status === DriverStatus.BUSY) driver.status = DriverStatus.AVAILABLE;
    }

    async remove(id: string): Promise<void> {
        await this.index.remove(id);
        this.model.delete(id);
    }

    /** Replaces the model and the index with the driver table, as the service does on start. */
    async rebuildFromDatabase(): Promise<void> {
        const rows = await dataSource.query<Array<IndexedDriver & { id: string }>>(
            `SELECT id::text AS id, status, latitude, longitude, "lastSeenAt", "lastDeliveredAt" FROM driver`,
        );
        await this.index.rebuild(rows);
        this.model.clear();
        for (const row of rows) {
            this.model.set(row.id, {
                status: row.status,
                positioned: row.latitude != null && row.longitude != null,
                lastSeenMs: row.lastSeenAt?.getTime(),
            });
        }
    }

    expectedAvailable(): string[] {
        return sorted([...this.model].filter(([, driver]) => this.isClaimable(driver)).map(([id]) => id));
    }

    private isClaimable(driver: ModelDriver): boolean {
        return (
            driver.status === DriverStatus.AVAILABLE &&
            driver.positioned &&
            driver.lastSeenMs !== undefined &&
            Date.now() - driver.lastSeenMs < this.heartbeatTtlSeconds * 1000
        );
    }

    private driver(id: string): ModelDriver {
        const driver = this.model.get(id);
        if (!driver) throw new Error(`The suite's model has no driver ${id}`);
        return driver;
    }
}

interface Implementation {
    create(options: { heartbeatTtlSeconds?: number }): Promise<DriverLocationIndex>;
    /** The raw set of claimable drivers where the implementation keeps one apart from statuses. */
    geoSetMembers?(): Promise<string[]>;
}

const implementations: Array<[string, Implementation]> = [
    [
        'SQL',
        {
            create: options => {
                const index = new SqlDriverLocationIndex(options);
                index.init(injectorWithRawConnection());
                return Promise.resolve(index);
            },
        },
    ],
    [
        'Redis GEO',
        {
            create: async options => {
                const index = new RedisDriverLocationIndex({
                    redisUrl: e2eEnv('redisUrl'),
                    namespace: NAMESPACE,
                    ...options,
                });
                await index.init();
                return index;
            },
            geoSetMembers: () => redis.zrange(`${NAMESPACE}:geo`, 0, -1),
        },
    ],
];

beforeAll(async () => {
    const database = await migratedDatabase();
    if ('url' in database) throw new Error('expected host/port settings');
    dataSource = new DataSource({ type: 'postgres', ...database });
    await dataSource.initialize();
    redis = new Redis(e2eEnv('redisUrl'));
}, 120_000);

afterAll(async () => {
    await dataSource?.destroy();
    await redis?.quit();
});

describe.each(implementations)('DriverLocationIndex contract: %s', (_name, implementation) => {
    let indexes: DriverLocationIndex[] = [];
    let fleet: Fleet | undefined;

    /** A fresh index (and fleet model) on the emptied table and namespace. */
    async function startFleet(heartbeatTtlSeconds = 45): Promise<Fleet> {
        const index = await newIndex(heartbeatTtlSeconds);
        fleet = new Fleet(index, heartbeatTtlSeconds);
        return fleet;
    }

    async function newIndex(heartbeatTtlSeconds = 45): Promise<DriverLocationIndex> {
        const index = await implementation.create({ heartbeatTtlSeconds });
        indexes.push(index);
        return index;
    }

    beforeEach(async () => {
        await dataSource.query('TRUNCATE driver RESTART IDENTITY CASCADE');
        await deleteNamespaceKeys(redis);
        fleet = undefined;
    });

    afterEach(async () => {
        try {
            if (fleet) {
                // Invariant 1, after every scenario.
                const expected = fleet.expectedAvailable();
                expect(sorted(await fleet.index.availableDriverIds())).toEqual(expected);
                if (implementation.geoSetMembers) {
                    expect(sorted(await implementation.geoSetMembers())).toEqual(expected);
                }
            }
        } finally {
            await Promise.all(indexes.map(async index => await index.destroy?.()));
            indexes = [];
        }
    });

    it('claims the nearest driver first, with its great-circle distance', async () => {
        const fleet = await startFleet();
        const [far, near, middle] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(3) },
            { status: DriverStatus.AVAILABLE, position: south(0.3) },
            { status: DriverStatus.AVAILABLE, position: { latitude: 52.527, longitude: 13.415 } },
        ]);

        const first = await fleet.claim(PICKUP);
        expect(first?.driverId).toBe(near);
        expect(first?.distanceKm).toBeCloseTo(0.3, 3);
        const second = await fleet.claim(PICKUP);
        expect(second?.driverId).toBe(middle);
        expect(second?.distanceKm).toBeCloseTo(
            distanceKm(PICKUP, { latitude: 52.527, longitude: 13.415 }),
            3,
        );
        expect((await fleet.claim(PICKUP))?.driverId).toBe(far);
        expect(await fleet.claim(PICKUP)).toBeUndefined();
    });

    it('breaks ties of distance by longest idle, then by the smallest id', async () => {
        const fleet = await startFleet();
        const hour = 60 * 60 * 1000;
        const now = new Date();
        const spot = north(0.5);
        // Eight drivers first, so that the tied ids are 9 and 10: "10" sorts before "9" as text.
        await insertRows(Array.from({ length: 8 }, () => ({ status: DriverStatus.OFFLINE })));
        const [nine, ten, idleOneHour, idleTenMinutes, threeMetresFarther, sameDistanceSouth] =
            await insertRows([
                { status: DriverStatus.AVAILABLE, position: spot, lastSeenAt: now, lastDeliveredAt: null },
                { status: DriverStatus.AVAILABLE, position: spot, lastSeenAt: now, lastDeliveredAt: null },
                {
                    status: DriverStatus.AVAILABLE,
                    position: spot,
                    lastSeenAt: now,
                    lastDeliveredAt: new Date(now.getTime() - hour),
                },
                {
                    status: DriverStatus.AVAILABLE,
                    position: spot,
                    lastSeenAt: now,
                    lastDeliveredAt: new Date(now.getTime() - hour / 6),
                },
                { status: DriverStatus.AVAILABLE, position: north(0.503), lastSeenAt: now },
                {
                    status: DriverStatus.AVAILABLE,
                    position: south(0.5),
                    lastSeenAt: now,
                    lastDeliveredAt: new Date(now.getTime() - hour / 2),
                },
            ]);
        expect([nine, ten]).toEqual(['9', '10']);
        await fleet.rebuildFromDatabase();

        expect(await fleet.claimAll(PICKUP)).toEqual([
            nine,
            ten,
            idleOneHour,
            sameDistanceSouth,
            idleTenMinutes,
            threeMetresFarther,
        ]);
    });

    it('widens the radius to find a far driver, but never beyond maxRadiusKm', async () => {
        const fleet = await startFleet();
        const [thirtyKm] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(30) },
            { status: DriverStatus.AVAILABLE, position: south(150) },
        ]);

        expect(await fleet.claim(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 20 })).toBeUndefined();
        const claimed = await fleet.claim(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 100 });
        expect(claimed?.driverId).toBe(thirtyKm);
        expect(claimed?.distanceKm).toBeCloseTo(30, 2);
        // The 150 km driver is AVAILABLE and live, but outside the cap.
        expect(await fleet.claim(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 100 })).toBeUndefined();
        expect(
            (await fleet.claim(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 160 }))?.distanceKm,
        ).toBeCloseTo(150, 2);
    });

    it('holds the radius cap to the metre', async () => {
        const fleet = await startFleet();
        const [justInside] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(19.998) },
            { status: DriverStatus.AVAILABLE, position: south(20.002) },
        ]);

        const claimed = await fleet.claim(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 20 });
        expect(claimed?.driverId).toBe(justInside);
        expect(claimed?.distanceKm).toBeCloseTo(19.998, 3);
        expect(await fleet.claim(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 20 })).toBeUndefined();
    });

    it('finds a driver across the antimeridian', async () => {
        const fleet = await startFleet();
        const fiji: LatLng = { latitude: -17.8, longitude: 179.99 };
        const acrossTheLine: LatLng = { latitude: -17.8, longitude: -179.99 };
        const [driver] = await fleet.addAll([{ status: DriverStatus.AVAILABLE, position: acrossTheLine }]);

        const claimed = await fleet.claim(fiji, { startRadiusKm: 0.25, maxRadiusKm: 5 });
        expect(claimed?.driverId).toBe(driver);
        expect(claimed?.distanceKm).toBeCloseTo(distanceKm(fiji, acrossTheLine), 3);
    });

    it('skips excluded drivers', async () => {
        const fleet = await startFleet();
        const [nearest, second, third] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(0.1) },
            { status: DriverStatus.AVAILABLE, position: north(0.2) },
            { status: DriverStatus.AVAILABLE, position: north(0.4) },
        ]);

        expect((await fleet.claim(PICKUP, { excludeDriverIds: [nearest, Number(second)] }))?.driverId).toBe(
            third,
        );
        expect(await fleet.claim(PICKUP, { excludeDriverIds: [nearest, second] })).toBeUndefined();
        expect((await fleet.claim(PICKUP))?.driverId).toBe(nearest);
    });

    it('never claims BUSY or OFFLINE drivers, nor drivers without a position', async () => {
        const fleet = await startFleet();
        const [busy, offline, , available] = await fleet.addAll([
            { status: DriverStatus.BUSY, position: north(0.1) },
            { status: DriverStatus.OFFLINE, position: north(0.2) },
            { status: DriverStatus.AVAILABLE },
            { status: DriverStatus.AVAILABLE, position: north(5) },
        ]);

        expect((await fleet.claim(PICKUP))?.driverId).toBe(available);
        expect(await fleet.claim(PICKUP)).toBeUndefined();
        // A ping never turns a BUSY (or OFFLINE) driver AVAILABLE.
        await fleet.ping(busy, north(0.05));
        await fleet.ping(offline, north(0.05));
        await fleet.ping(available, north(0.05));
        expect(await fleet.claim(PICKUP)).toBeUndefined();
        // Turning AVAILABLE puts a driver back at their last position.
        await fleet.setStatus(offline, DriverStatus.AVAILABLE);
        expect(await fleet.claim(PICKUP)).toEqual({ driverId: offline, distanceKm: expect.any(Number) });
    });

    it('makes a driver claimable once AVAILABLE and pinging, in either order', async () => {
        const fleet = await startFleet();
        const [statusFirst, pingFirst] = await fleet.addAll([
            { status: DriverStatus.OFFLINE },
            { status: DriverStatus.OFFLINE },
        ]);
        await fleet.setStatus(statusFirst, DriverStatus.AVAILABLE);
        expect(await fleet.claim(PICKUP)).toBeUndefined();
        await fleet.ping(statusFirst, north(1));
        await fleet.ping(pingFirst, north(2));
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([statusFirst]);
        await fleet.setStatus(pingFirst, DriverStatus.AVAILABLE);

        expect(await fleet.claimAll(PICKUP)).toEqual([statusFirst, pingFirst]);
    });

    it("records a flush of many drivers' pings in one step with the rules of one ping each", async () => {
        const fleet = await startFleet();
        const [available, busy, offline, stale] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE },
            { status: DriverStatus.BUSY },
            { status: DriverStatus.OFFLINE },
            { status: DriverStatus.AVAILABLE },
        ]);
        const now = new Date();
        await fleet.pingAll([
            { id: available, position: north(0.5), at: now },
            { id: busy, position: north(0.2), at: now },
            { id: offline, position: north(0.1), at: now },
            // Older than the heartbeat: the position is kept, the driver is not claimable.
            { id: stale, position: north(0.3), at: new Date(now.getTime() - 60_000) },
        ]);
        // A ping never changes the status: only the AVAILABLE driver with a live heartbeat.
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([available]);
        const claimed = await fleet.claim(PICKUP);
        expect(claimed?.driverId).toBe(available);
        expect(claimed?.distanceKm).toBeCloseTo(0.5, 3);
        expect(await fleet.claim(PICKUP)).toBeUndefined();
    });

    it('does not claim a driver whose heartbeat has expired, until they ping again', async () => {
        const fleet = await startFleet(1);
        const [silent, other] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(0.1) },
            { status: DriverStatus.AVAILABLE, position: north(3) },
        ]);
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([silent, other]);

        await sleep(1300);
        await fleet.ping(other, north(3));
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([other]);
        expect((await fleet.claim(PICKUP))?.driverId).toBe(other);
        expect(await fleet.claim(PICKUP)).toBeUndefined();

        await fleet.ping(silent, north(0.2));
        expect((await fleet.claim(PICKUP))?.driverId).toBe(silent);
    });

    it('gives 5 drivers to exactly 5 of 20 concurrent claims', async () => {
        const fleet = await startFleet();
        const drivers = await fleet.addAll(
            [0.1, 0.1, 0.7, 2, 9].map(km => ({ status: DriverStatus.AVAILABLE, position: north(km) })),
        );
        // Four index instances (four connections), as four server processes would have.
        const instances = [fleet.index, await newIndex(), await newIndex(), await newIndex()];

        const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) => fleet.claim(PICKUP, {}, instances[i % instances.length])),
        );
        const claimed = results.filter(result => result !== undefined).map(result => String(result.driverId));
        expect(sorted(claimed)).toEqual(sorted(drivers));
        expect(results.filter(result => result === undefined)).toHaveLength(15);
    });

    it('lists the claimable drivers near a point, nearest first, within the radius and the limit, claiming none', async () => {
        const fleet = await startFleet();
        const hour = 60 * 60 * 1000;
        const now = new Date();
        const [farther, idleLonger, justDelivered, beyond] = await insertRows([
            { status: DriverStatus.AVAILABLE, position: north(2), lastSeenAt: now },
            {
                status: DriverStatus.AVAILABLE,
                position: north(0.5),
                lastSeenAt: now,
                lastDeliveredAt: new Date(now.getTime() - hour),
            },
            { status: DriverStatus.AVAILABLE, position: south(0.5), lastSeenAt: now, lastDeliveredAt: now },
            { status: DriverStatus.AVAILABLE, position: north(6), lastSeenAt: now },
            { status: DriverStatus.BUSY, position: north(0.1), lastSeenAt: now },
            { status: DriverStatus.OFFLINE, position: north(0.1), lastSeenAt: now },
            {
                status: DriverStatus.AVAILABLE,
                position: north(0.1),
                lastSeenAt: new Date(now.getTime() - hour),
            },
            { status: DriverStatus.AVAILABLE, lastSeenAt: now },
        ]);
        // The table is the source of truth; the Redis index is rebuilt from it.
        await fleet.rebuildFromDatabase();

        const nearby = await fleet.index.nearbyAvailable(PICKUP, 5, 10);
        expect(nearby.map(driver => String(driver.driverId))).toEqual([idleLonger, justDelivered, farther]);
        expect(nearby.map(driver => driver.distanceKm)).toEqual([
            expect.closeTo(0.5, 3),
            expect.closeTo(0.5, 3),
            expect.closeTo(2, 3),
        ]);
        expect(
            (await fleet.index.nearbyAvailable(PICKUP, 5, 1)).map(driver => String(driver.driverId)),
        ).toEqual([idleLonger]);
        expect(await fleet.index.nearbyAvailable(PICKUP, 5, 0)).toEqual([]);
        // The radius holds to the metre, as the claim's does.
        expect(await fleet.index.nearbyAvailable(PICKUP, 0.499, 10)).toEqual([]);
        expect(
            (await fleet.index.nearbyAvailable(PICKUP, 6, 10)).map(driver => String(driver.driverId)),
        ).toContain(beyond);
        // Listing claims nobody.
        expect(sorted(await fleet.index.availableDriverIds())).toEqual(fleet.expectedAvailable());
    });

    it('claims a named driver only while claimable, and once across concurrent claims', async () => {
        const fleet = await startFleet();
        const [driver, busy, offline, silent] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(1) },
            { status: DriverStatus.BUSY, position: north(1) },
            { status: DriverStatus.OFFLINE, position: north(1) },
            { status: DriverStatus.AVAILABLE, position: north(1), lastSeenAt: new Date(Date.now() - 60_000) },
        ]);
        const instances = [fleet.index, await newIndex(), await newIndex(), await newIndex()];

        const results = await Promise.all(
            Array.from({ length: 12 }, (_, i) => instances[i % instances.length].claimById(driver)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const claimedInModel = fleet.model.get(driver);
        if (claimedInModel) claimedInModel.status = DriverStatus.BUSY;
        expect(await fleet.claimById(driver)).toBe(false);
        expect(await fleet.claimById(busy)).toBe(false);
        expect(await fleet.claimById(offline)).toBe(false);
        expect(await fleet.claimById(silent)).toBe(false);
        expect(await fleet.index.claimById('999999')).toBe(false);
        // Taken by id, the driver is out of the claimable set, as after a nearest claim.
        expect(await fleet.claim(PICKUP)).toBeUndefined();

        await fleet.release(driver);
        expect(await fleet.claimById(driver)).toBe(true);
        await fleet.release(driver);
    });

    it('makes a released driver claimable again, and release frees only BUSY drivers', async () => {
        const fleet = await startFleet();
        const [driver, offline] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(1) },
            { status: DriverStatus.OFFLINE, position: north(0.5) },
        ]);
        const claimed = await fleet.claim(PICKUP);
        expect(claimed?.driverId).toBe(driver);
        expect(await fleet.claim(PICKUP)).toBeUndefined();

        await fleet.release(driver);
        await fleet.release(offline);
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([driver]);
        expect((await fleet.claim(PICKUP))?.driverId).toBe(driver);
    });

    it('never claims a removed driver', async () => {
        const fleet = await startFleet();
        const [removed, kept] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(0.1) },
            { status: DriverStatus.AVAILABLE, position: north(0.2) },
        ]);
        await fleet.remove(removed);
        expect((await fleet.claim(PICKUP))?.driverId).toBe(kept);
        expect(await fleet.claim(PICKUP)).toBeUndefined();
    });

    it('reproduces the database state on rebuild, heartbeats with the time they have left', async () => {
        const fleet = await startFleet(2);
        // What the index was told before (e.g. before Redis lost changes while it was down).
        const [wasAvailable, leftTheFleet] = await fleet.addAll([
            { status: DriverStatus.AVAILABLE, position: north(0.1) },
            { status: DriverStatus.AVAILABLE, position: north(0.2) },
        ]);
        // What the database says now.
        await dataSource.query(`UPDATE driver SET status = 'OFFLINE' WHERE id = $1`, [wasAvailable]);
        await dataSource.query('DELETE FROM driver WHERE id = $1', [leftTheFleet]);
        const now = Date.now();
        const [fresh, ending, , busy] = await insertRows([
            { status: DriverStatus.AVAILABLE, position: north(3), lastSeenAt: new Date(now) },
            { status: DriverStatus.AVAILABLE, position: north(1), lastSeenAt: new Date(now - 1000) },
            { status: DriverStatus.AVAILABLE, position: north(0.3), lastSeenAt: new Date(now - 5000) },
            { status: DriverStatus.BUSY, position: north(0.4), lastSeenAt: new Date(now) },
            { status: DriverStatus.AVAILABLE, lastSeenAt: new Date(now) },
        ]);

        await fleet.rebuildFromDatabase();
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([fresh, ending]);
        expect((await fleet.claim(PICKUP))?.driverId).toBe(ending);
        await fleet.release(ending);

        await sleep(1300);
        // `ending` had a second left of its two; `fresh` two.
        expect(sorted(await fleet.index.availableDriverIds())).toEqual([fresh]);
        expect((await fleet.claim(PICKUP))?.driverId).toBe(fresh);
        await fleet.release(busy);
        expect((await fleet.claim(PICKUP))?.driverId).toBe(busy);
        // `expired` (nearer than all) and `positionless` were AVAILABLE in the table all along.
        expect(await fleet.claim(PICKUP)).toBeUndefined();
    });
});

describe('RedisDriverLocationIndex when Redis is unreachable', () => {
    it('fails fast instead of hanging, and reports a reconnect', async () => {
        const server = await startRedisServer(ensureRedisServer(() => undefined));
        const admin = new Redis(server.url);
        // Errors are expected here once the server is stopped.
        admin.on('error', () => undefined);
        const index = new RedisDriverLocationIndex({ redisUrl: server.url, heartbeatTtlSeconds: 45 });
        try {
            await index.init();
            await index.recordPosition('1', north(0.1), new Date());
            await index.setStatus('1', DriverStatus.AVAILABLE);
            expect(await index.availableDriverIds()).toEqual(['1']);

            // A reconnect is reported (the caller rebuilds then).
            const reconnected = new Promise<void>(resolve => index.onReconnect(resolve));
            await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
            await expect(within(reconnected, 5000)).resolves.toBe('in time');

            // A Redis that hangs: the command times out instead of waiting.
            await admin.client('PAUSE', 1500, 'ALL');
            let started = Date.now();
            await expect(index.claimNearest(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 1 })).rejects.toThrow(
                /timed out/i,
            );
            expect(Date.now() - started).toBeLessThan(2000);
            await sleep(1000);

            // A Redis that is gone.
            await server.stop();
            started = Date.now();
            await expect(
                index.claimNearest(PICKUP, { startRadiusKm: 0.25, maxRadiusKm: 1 }),
            ).rejects.toThrow();
            await expect(index.recordPosition('1', north(0.1), new Date())).rejects.toThrow();
            expect(Date.now() - started).toBeLessThan(2000);
        } finally {
            await index.destroy();
            admin.disconnect();
            await server.stop();
        }
    }, 30_000);
});
