/**
 * Delayed deliveries through the real server, with short thresholds: a delivery waiting for a
 * driver past `pendingAlertAfterSeconds`, then out for delivery past `deliveryAlertAfterMinutes`,
 * is flagged (`delayed`, `dispatchStats.delayedAssignments`) and alerted by the sweep with one
 * `DeliveryDelayedEvent` per stage: a second sweep, or sweeps racing each other, publish nothing new.
 * Then `deliveryInsights` over those deliveries (their times set to known values): counts,
 * percentiles checked against the test's own, the target share, buckets, the 31-day bound.
 */
import { ModuleRef } from '@nestjs/core';
import { EventBus, Injector, RequestContextService, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';
import { Subscription } from 'rxjs';

import {
    DeliveryDelayedEvent,
    DeliveryDelayStage,
    DispatchSweepResult,
    runDispatchSweep,
} from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { placePaidOrder } from './fixtures/checkout';
import { dispatchAsStaff } from './fixtures/dispatch';
import { asSuperadmin } from './fixtures/logins';
import { CONFIRM_DELIVERY, CONFIRM_PICKUP, UPDATE_DRIVER } from './graphql/dispatch-documents';
import { eventually } from './utils/eventually';

const PENDING_ALERT_SECONDS = 2;
/** 3 s: long enough to see the delivery on time first, short enough for the suite. */
const DELIVERY_ALERT_MINUTES = 0.05;

const DELAY = gql`
    query Delay($id: ID!) {
        deliveryAssignment(id: $id) {
            id
            status
            createdAt
            assignedAt
            delayed
            delayedAfter
            driver {
                id
            }
        }
        dispatchStats {
            delayedAssignments
            pendingAssignments
        }
    }
`;

interface DelayResult {
    deliveryAssignment: {
        id: string;
        status: string;
        createdAt: string;
        assignedAt: string | null;
        delayed: boolean;
        delayedAfter: string | null;
        driver: { id: string } | null;
    };
    dispatchStats: { delayedAssignments: number; pendingAssignments: number };
}

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(
    e2eConfig(__filename, {
        dispatch: {
            pendingAlertAfterSeconds: PENDING_ALERT_SECONDS,
            deliveryAlertAfterMinutes: DELIVERY_ALERT_MINUTES,
        },
    }),
);
const published: DeliveryDelayedEvent[] = [];
let subscription: Subscription | undefined;

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    subscription = server.app
        .get(EventBus)
        .ofType(DeliveryDelayedEvent)
        .subscribe(event => published.push(event));
    await asSuperadmin(adminClient);
}, 180_000);

afterAll(async () => {
    subscription?.unsubscribe();
    await server.destroy();
});

const { drivers, markReady } = dispatchAsStaff(adminClient);
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function sweep(): Promise<DispatchSweepResult> {
    const ctx = await server.app.get(RequestContextService).create({ apiType: 'admin' });
    return runDispatchSweep(new Injector(server.app.get(ModuleRef)), ctx);
}

async function delay(id: string): Promise<DelayResult> {
    return adminClient.query<DelayResult>(DELAY, { id });
}

async function alertColumns(id: string) {
    const rows: Array<{ waiting: Date | null; out: Date | null }> = await server.app
        .get(TransactionalConnection)
        .rawConnection.query(
            'SELECT "waitingForDriverDelayedAt" AS waiting, "outForDeliveryDelayedAt" AS out FROM delivery_assignment WHERE id = $1',
            [id],
        );
    return rows[0];
}

/** Events arrive after the sweep's UPDATE: wait for the subscriber, then let stragglers show. */
async function eventsSettled(count: number): Promise<DeliveryDelayedEvent[]> {
    await eventually(
        () => Promise.resolve(published.length),
        length => length >= count,
    );
    await sleep(300);
    return [...published];
}

describe('a delivery that waits too long', () => {
    let assignmentId: string;

    beforeAll(async () => {
        // No driver free: the delivery stays PENDING.
        for (const driver of await drivers()) {
            await adminClient.query(UPDATE_DRIVER, { input: { id: driver.id, status: 'OFFLINE' } });
        }
        const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
        const marked = await markReady(order.sellerOrders[0].id);
        expect(marked.__typename).toBe('DeliveryAssignment');
        assignmentId = String(marked.id);
    }, 60_000);

    it('is on time while PENDING within pendingAlertAfterSeconds, with the time it will be late', async () => {
        const { deliveryAssignment, dispatchStats } = await delay(assignmentId);
        expect(deliveryAssignment.status).toBe('PENDING');
        expect(deliveryAssignment.delayed).toBe(false);
        expect(dispatchStats.delayedAssignments).toBe(0);
        expect(
            new Date(deliveryAssignment.delayedAfter ?? 0).getTime() -
                new Date(deliveryAssignment.createdAt).getTime(),
        ).toBe(PENDING_ALERT_SECONDS * 1000);
        expect((await sweep()).delayed).toEqual({ waitingForDriver: [], outForDelivery: [] });
        expect(published).toHaveLength(0);
    });

    it('is flagged once its threshold passed, and counted', async () => {
        const late = await eventually(
            () => delay(assignmentId),
            value => value.deliveryAssignment.delayed,
        );
        expect(late.deliveryAssignment).toMatchObject({ status: 'PENDING', delayed: true });
        expect(late.dispatchStats.delayedAssignments).toBe(1);
        // Reads never write: the alert is the sweep's.
        expect(await alertColumns(assignmentId)).toEqual({ waiting: null, out: null });
    });

    it('is alerted by the sweep with one DeliveryDelayedEvent, WAITING_FOR_DRIVER', async () => {
        const swept = await sweep();
        expect(swept.delayed.waitingForDriver.map(String)).toEqual([assignmentId]);
        const events = await eventsSettled(1);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ stage: DeliveryDelayStage.WAITING_FOR_DRIVER, driverId: null });
        expect(String(events[0].assignmentId)).toBe(assignmentId);
        // The default channel and the seller's.
        expect(events[0].channelIds).toHaveLength(2);
        expect(events[0].correlationId).toMatch(/^[0-9a-f-]{36}$/);
        expect((await alertColumns(assignmentId)).waiting).toBeInstanceOf(Date);
    });

    it('is not alerted again by a second sweep', async () => {
        const again = await sweep();
        expect(again.delayed).toEqual({ waitingForDriver: [], outForDelivery: [] });
        expect(await eventsSettled(1)).toHaveLength(1);
        expect((await delay(assignmentId)).deliveryAssignment.delayed).toBe(true);
    });

    it('is on time again once a driver has it, until deliveryAlertAfterMinutes', async () => {
        await server.app
            .get(TransactionalConnection)
            .rawConnection.query('UPDATE driver SET "lastSeenAt" = $1', [new Date()]);
        const driver = (await drivers())[0];
        await adminClient.query(UPDATE_DRIVER, { input: { id: driver.id, status: 'AVAILABLE' } });
        const assigned = await eventually(
            () => delay(assignmentId),
            value => value.deliveryAssignment.status === 'ASSIGNED',
        );
        expect(assigned.deliveryAssignment).toMatchObject({ status: 'ASSIGNED', delayed: false });
        expect(assigned.deliveryAssignment.driver?.id).toBe(driver.id);
        expect(assigned.dispatchStats.delayedAssignments).toBe(0);
        expect(
            new Date(assigned.deliveryAssignment.delayedAfter ?? 0).getTime() -
                new Date(assigned.deliveryAssignment.assignedAt ?? 0).getTime(),
        ).toBe(DELIVERY_ALERT_MINUTES * 60_000);
    });

    it('is alerted once OUT_FOR_DELIVERY after pickup, however many sweeps race for it', async () => {
        const pickup = await adminClient.query<{ confirmPickup: { status: string } }>(CONFIRM_PICKUP, {
            id: assignmentId,
        });
        expect(pickup.confirmPickup.status).toBe('PICKED_UP');
        const late = await eventually(
            () => delay(assignmentId),
            value => value.deliveryAssignment.delayed,
        );
        expect(late.deliveryAssignment).toMatchObject({ status: 'PICKED_UP', delayed: true });
        expect(late.dispatchStats.delayedAssignments).toBe(1);
        const racing = await Promise.all([sweep(), sweep(), sweep()]);
        const alerted = racing.flatMap(result => result.delayed.outForDelivery.map(String));
        expect(alerted).toEqual([assignmentId]);
        expect(racing.flatMap(result => result.delayed.waitingForDriver)).toEqual([]);
        const events = await eventsSettled(2);
        expect(events.map(event => event.stage)).toEqual([
            DeliveryDelayStage.WAITING_FOR_DRIVER,
            DeliveryDelayStage.OUT_FOR_DELIVERY,
        ]);
        expect(String(events[1].driverId)).toBe(String(late.deliveryAssignment.driver?.id));
        expect((await sweep()).delayed.outForDelivery).toEqual([]);
        expect(await eventsSettled(2)).toHaveLength(2);
    });

    it('is no longer delayed nor counted once delivered', async () => {
        const done = await adminClient.query<{ confirmDelivery: { status: string } }>(CONFIRM_DELIVERY, {
            id: assignmentId,
        });
        expect(done.confirmDelivery.status).toBe('DELIVERED');
        const after = await delay(assignmentId);
        expect(after.deliveryAssignment).toMatchObject({ delayed: false, delayedAfter: null });
        expect(after.dispatchStats.delayedAssignments).toBe(0);
        expect((await sweep()).delayed).toEqual({ waitingForDriver: [], outForDelivery: [] });
        expect(await eventsSettled(2)).toHaveLength(2);
    });
});

const INSIGHTS = gql`
    query Insights($input: DeliveryInsightsInput!) {
        deliveryInsights(input: $input) {
            bucket
            deliveries
            delivered
            failed
            cancelled
            delayed
            readyToAssigned {
                count
                medianSeconds
                p90Seconds
            }
            readyToDelivered {
                count
                medianSeconds
                p90Seconds
            }
            targetMinutes
            deliveredWithinTarget
            volume {
                start
                ready
                delivered
            }
            driversByStatus {
                status
                count
            }
        }
    }
`;

interface InsightsResult {
    deliveryInsights: {
        bucket: string;
        deliveries: number;
        delivered: number;
        failed: number;
        cancelled: number;
        delayed: number;
        readyToAssigned: { count: number; medianSeconds: number | null; p90Seconds: number | null };
        readyToDelivered: { count: number; medianSeconds: number | null; p90Seconds: number | null };
        targetMinutes: number;
        deliveredWithinTarget: number | null;
        volume: Array<{ start: string; ready: number; delivered: number }>;
        driversByStatus: Array<{ status: string; count: number }>;
    };
}

/** The test's own percentile (linear between closest ranks, as SQL's percentile_cont). */
function percentile(values: number[], fraction: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    const position = fraction * (sorted.length - 1);
    const below = Math.floor(position);
    const above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

describe('delivery insights over a period', () => {
    const HOUR = 3_600_000;
    const base = Date.UTC(2026, 10, 20, 10, 0, 0);
    /** [ready offset, seconds to the driver, seconds to the door] of the delivered ones. */
    const deliveredTimes: Array<[number, number, number]> = [
        [0, 60, 15 * 60],
        [HOUR, 120, 25 * 60],
        [2 * HOUR, 600, 40 * 60],
    ];
    const insights = async (input: Record<string, unknown>) =>
        (await adminClient.query<InsightsResult>(INSIGHTS, { input })).deliveryInsights;

    beforeAll(async () => {
        const connection = server.app.get(TransactionalConnection).rawConnection;
        const ids: string[] = [];
        const ready: Array<{ id?: string }> = [];
        // The delivery of the first describe is delivered; two more go through the real flow.
        const first: Array<{ id: string }> = await connection.query(
            `SELECT id FROM delivery_assignment WHERE status = 'DELIVERED'`,
        );
        ids.push(String(first[0].id));
        for (let n = 0; n < 2; n++) {
            await connection.query('UPDATE driver SET "lastSeenAt" = $1', [new Date()]);
            const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
            const marked = await markReady(order.sellerOrders[0].id);
            const id = String(marked.id);
            await eventually(
                () => delay(id),
                value => value.deliveryAssignment.status === 'ASSIGNED',
            );
            await adminClient.query(CONFIRM_PICKUP, { id });
            await adminClient.query(CONFIRM_DELIVERY, { id });
            ids.push(id);
        }
        // One cancelled while waiting: no driver free.
        for (const driver of await drivers()) {
            await adminClient.query(UPDATE_DRIVER, { input: { id: driver.id, status: 'OFFLINE' } });
        }
        const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
        ready.push(await markReady(order.sellerOrders[0].id));
        const cancelledId = String(ready[0].id);
        await adminClient.query(gql`
            mutation {
                cancelDelivery(assignmentId: ${cancelledId}) { __typename }
            }
        `);
        // Known times, written the way the app writes them (JS dates through the driver).
        for (const [index, [offset, toDriver, toDoor]] of deliveredTimes.entries()) {
            const readyAt = base + offset;
            await connection.query(
                'UPDATE delivery_assignment SET "createdAt" = $2, "assignedAt" = $3, "deliveredAt" = $4 WHERE id = $1',
                [
                    ids[index],
                    new Date(readyAt),
                    new Date(readyAt + toDriver * 1000),
                    new Date(readyAt + toDoor * 1000),
                ],
            );
        }
        await connection.query('UPDATE delivery_assignment SET "createdAt" = $2 WHERE id = $1', [
            cancelledId,
            new Date(base + HOUR / 2),
        ]);
    }, 90_000);

    it('aggregates the deliveries made ready in the period, with percentiles and the target share', async () => {
        const day = await insights({
            from: new Date(base - 86_400_000).toISOString(),
            to: new Date(base + 86_400_000).toISOString(),
            bucket: 'DAY',
        });
        const toDriver = deliveredTimes.map(([, seconds]) => seconds);
        const toDoor = deliveredTimes.map(([, , seconds]) => seconds);
        expect(day).toMatchObject({
            bucket: 'DAY',
            deliveries: 4,
            delivered: 3,
            failed: 0,
            cancelled: 1,
            // The first delivery was alerted in both stages: counted once.
            delayed: 1,
            targetMinutes: 30,
        });
        expect(day.readyToAssigned.count).toBe(3);
        expect(day.readyToAssigned.medianSeconds).toBeCloseTo(percentile(toDriver, 0.5), 3);
        expect(day.readyToAssigned.p90Seconds).toBeCloseTo(percentile(toDriver, 0.9), 3);
        expect(day.readyToDelivered.medianSeconds).toBeCloseTo(percentile(toDoor, 0.5), 3);
        expect(day.readyToDelivered.p90Seconds).toBeCloseTo(percentile(toDoor, 0.9), 3);
        expect(day.deliveredWithinTarget).toBeCloseTo(toDoor.filter(s => s <= 30 * 60).length / 3, 6);
        expect(day.volume).toEqual([
            { start: new Date(base - 10 * HOUR - 86_400_000).toISOString(), ready: 0, delivered: 0 },
            { start: new Date(base - 10 * HOUR).toISOString(), ready: 4, delivered: 3 },
            // The day that holds the end of the period, empty.
            { start: new Date(base - 10 * HOUR + 86_400_000).toISOString(), ready: 0, delivered: 0 },
        ]);
    });

    it('buckets per hour, empty hours included', async () => {
        const hours = await insights({
            from: new Date(base).toISOString(),
            to: new Date(base + 4 * HOUR).toISOString(),
        });
        expect(hours.bucket).toBe('HOUR');
        expect(hours.volume.map(entry => [entry.ready, entry.delivered])).toEqual([
            [2, 1],
            [1, 1],
            [1, 1],
            [0, 0],
        ]);
        expect(hours.volume[0].start).toBe(new Date(base).toISOString());
    });

    it('counts the fleet by status now', async () => {
        const fleet = await drivers();
        const { driversByStatus } = await insights({
            from: new Date(base).toISOString(),
            to: new Date(base + HOUR).toISOString(),
        });
        for (const status of ['AVAILABLE', 'BUSY', 'OFFLINE']) {
            expect(driversByStatus.find(entry => entry.status === status)?.count).toBe(
                fleet.filter(driver => driver.status === status).length,
            );
        }
    });

    it('answers an empty period with zeros and no percentiles', async () => {
        const empty = await insights({
            from: new Date(base - 5 * HOUR).toISOString(),
            to: new Date(base - HOUR).toISOString(),
        });
        expect(empty).toMatchObject({ deliveries: 0, delivered: 0, deliveredWithinTarget: null });
        expect(empty.readyToDelivered).toEqual({ count: 0, medianSeconds: null, p90Seconds: null });
        expect(empty.volume).toHaveLength(4);
    });

    it('refuses a period longer than 31 days, saying so', async () => {
        await expect(
            insights({
                from: new Date(base - 32 * 86_400_000).toISOString(),
                to: new Date(base).toISOString(),
            }),
        ).rejects.toThrow(/at most 31 days/);
    });
});
