/**
 * The waits that no one ends. A batch window holds the rows of the drivers it assigned; a claim
 * made on a connection of its own, or the ping write-behind updating many drivers at once, could
 * wait for those rows while the window waited for them: a cycle through this process, which
 * PostgreSQL cannot see, so every window after it stalled (the batch fault suite found it after a
 * Redis restart). Now the write-behind skips rows a transaction holds and writes them with a later
 * flush, and a claim that falls to the SQL index runs in the caller's transaction.
 */
import { RequestContext, RequestContextService, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import { Client } from 'pg';

import { Driver, DriverLocationService, DriverStatus } from '../plugins/driver-dispatch';
import { demoInitialData } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { e2eEnv } from './config/e2e-env';

let env: ReturnType<typeof createTestEnvironment>;
let db: Client;
const drivers: Driver[] = [];

beforeAll(async () => {
    // The embedded default: no REDIS_URL, so the Driver table is the index.
    env = createTestEnvironment(e2eConfig(__filename));
    await env.server.init({ initialData: demoInitialData, customerCount: 0 });
    const repository = connection().rawConnection.getRepository(Driver);
    for (const name of ['Lock Driver A', 'Lock Driver B']) {
        drivers.push(
            await repository.save(
                repository.create({
                    name,
                    emailAddress: `${name.toLowerCase().replace(/ /g, '-')}@example.com`,
                    status: DriverStatus.AVAILABLE,
                    latitude: 52.52,
                    longitude: 13.405,
                    lastSeenAt: new Date(),
                }),
            ),
        );
    }
    db = new Client({
        host: e2eEnv('pgHost'),
        port: Number(e2eEnv('pgPort')),
        user: e2eEnv('pgUser'),
        password: e2eEnv('pgPassword'),
        database: String(connection().rawConnection.options.database),
    });
    await db.connect();
}, 120_000);

afterAll(async () => {
    await db?.end();
    await env?.server.destroy();
});

function connection(): TransactionalConnection {
    return env.server.app.get(TransactionalConnection);
}

function locations(): DriverLocationService {
    return env.server.app.get(DriverLocationService);
}

async function row(driver: Driver): Promise<Driver> {
    return connection().rawConnection.getRepository(Driver).findOneByOrFail({ id: driver.id });
}

/** Rejects when the promise has not settled within `ms`: a wait that would never end fails here. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} still waiting after ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('lock cycles between dispatch and the write-behind', () => {
    it('writes the pings of free rows without waiting for a row a transaction holds, and that one once it is free', async () => {
        const [held, free] = drivers;
        await db.query('BEGIN');
        await db.query('SELECT id FROM driver WHERE id = $1 FOR UPDATE', [held.id]);
        const at = new Date();
        try {
            await locations().recordPositions([
                { driverId: held.id, latitude: 52.53, longitude: 13.41, at },
                { driverId: free.id, latitude: 52.54, longitude: 13.42, at },
            ]);
            await within(5000, locations().flush(), 'the write-behind');
            expect((await row(free)).latitude).toBe(52.54);
            expect((await row(held)).latitude).toBe(52.52);
            // Kept for the next flush, and what reads of the driver show meanwhile.
            expect(locations().pendingPosition(held.id)).toMatchObject({ latitude: 52.53 });
        } finally {
            await db.query('COMMIT');
        }
        await within(5000, locations().flush(), 'the write-behind');
        expect((await row(held)).latitude).toBe(52.53);
        expect(locations().pendingPosition(held.id)).toBeUndefined();
    });

    it('claims in the caller transaction when the claim falls to the SQL index, so a rollback gives the driver back', async () => {
        const [driver] = drivers;
        const ctx: RequestContext = await env.server.app
            .get(RequestContextService)
            .create({ apiType: 'admin' });
        let claimed = false;
        await expect(
            connection().withTransaction(ctx, async txCtx => {
                claimed = await locations().withIndex('claim', index => index.claimById(driver.id), txCtx);
                // Inside the transaction the claim is visible; outside it is not yet.
                expect(
                    (await connection().getRepository(txCtx, Driver).findOneByOrFail({ id: driver.id }))
                        .status,
                ).toBe(DriverStatus.BUSY);
                expect((await row(driver)).status).toBe(DriverStatus.AVAILABLE);
                throw new Error('the window failed');
            }),
        ).rejects.toThrow('the window failed');
        expect(claimed).toBe(true);
        expect((await row(driver)).status).toBe(DriverStatus.AVAILABLE);
    });
});
