/**
 * What the fault suite asserts at the end, read from the database and Redis, never from the
 * processes under test: DESIGN's invariants 1 and 2, and that no order was lost.
 */
import type { Redis } from 'ioredis';
import { Client } from 'pg';

/** Keys of the Redis driver index (plugins/driver-dispatch/strategies/driver-location-index). */
export const GEO_KEY = '{vqd}:drivers:geo';
export const HEARTBEAT_PREFIX = '{vqd}:drivers:alive:';

export interface InvariantCounts {
    orders: number;
    /** Orders with more than one delivery assignment. */
    ordersWithTwoAssignments: number;
    /** Drivers holding more than one ASSIGNED/PICKED_UP delivery. */
    driversWithTwoOpenDeliveries: number;
    /** Orders of the run without an assignment, or whose assignment is not DELIVERED. */
    ordersLost: number;
    delivered: number;
    byStatus: Record<string, number>;
    /** BUSY drivers without an open delivery. */
    busyWithoutDelivery: number;
    /** AVAILABLE drivers with a live heartbeat that are missing from the GEO set. */
    missingFromGeo: string[];
    /** GEO set members that are not AVAILABLE with a live heartbeat. */
    extraInGeo: string[];
}

export async function readInvariants(db: Client, redis: Redis, orderIds: number[]): Promise<InvariantCounts> {
    const one = async (sql: string, params: unknown[] = []) =>
        Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
    const byStatusRows = await db.query<{ status: string; n: string }>(
        `SELECT a.status, COUNT(*) AS n FROM delivery_assignment a WHERE a."orderId" = ANY($1) GROUP BY 1`,
        [orderIds],
    );
    const byStatus = Object.fromEntries(byStatusRows.rows.map(row => [row.status, Number(row.n)]));
    const drivers = await db.query<{ id: number; status: string }>('SELECT id, status FROM driver');
    const available = drivers.rows.filter(row => row.status === 'AVAILABLE').map(row => String(row.id));
    const heartbeats = available.length
        ? await redis.mget(available.map(id => `${HEARTBEAT_PREFIX}${id}`))
        : [];
    const expected = new Set(available.filter((_id, i) => heartbeats[i] !== null));
    const geo = new Set(await redis.zrange(GEO_KEY, 0, -1));
    return {
        orders: orderIds.length,
        ordersWithTwoAssignments: await one(
            `SELECT COUNT(*) AS n FROM (SELECT "orderId" FROM delivery_assignment GROUP BY 1 HAVING COUNT(*) > 1) t`,
        ),
        driversWithTwoOpenDeliveries: await one(
            `SELECT COUNT(*) AS n FROM (SELECT "driverId" FROM delivery_assignment
             WHERE status IN ('ASSIGNED', 'PICKED_UP') GROUP BY 1 HAVING COUNT(*) > 1) t`,
        ),
        ordersLost: await one(
            `SELECT COUNT(*) AS n FROM unnest($1::int[]) o(id)
             LEFT JOIN delivery_assignment a ON a."orderId" = o.id
             WHERE a.id IS NULL OR a.status <> 'DELIVERED'`,
            [orderIds],
        ),
        delivered: byStatus.DELIVERED ?? 0,
        byStatus,
        busyWithoutDelivery: await one(
            `SELECT COUNT(*) AS n FROM driver d WHERE d.status = 'BUSY' AND NOT EXISTS (
                SELECT 1 FROM delivery_assignment a WHERE a."driverId" = d.id AND a.status IN ('ASSIGNED', 'PICKED_UP'))`,
        ),
        missingFromGeo: [...expected].filter(id => !geo.has(id)),
        extraInGeo: [...geo].filter(id => !expected.has(id)),
    };
}
