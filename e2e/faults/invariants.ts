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

/** Medians and 90th percentiles, in ms, of the phases of the run's deliveries (from their events). */
export interface DeliveryPhases {
    /** Marked ready → ASSIGNED: includes waiting for a driver to come free (the backlog). */
    readyToAssigned: Percentiles;
    /** A driver's DELIVERED → their next ASSIGNED: how long a free driver stays without an order. */
    driverIdle: Percentiles;
    /** ASSIGNED → PICKED_UP: the fleet noticing, driving to the store, confirming. */
    assignedToPickedUp: Percentiles;
    /** PICKED_UP → DELIVERED: driving to the customer, confirming with the code. */
    pickedUpToDelivered: Percentiles;
}

export interface Percentiles {
    p50: number | null;
    p90: number | null;
}

export async function readPhases(db: Client, orderIds: number[]): Promise<DeliveryPhases> {
    const { rows } = await db.query<Record<string, number | null>>(
        `WITH phases AS (
             SELECT a.id, a."driverId",
                    MIN(e."createdAt") FILTER (WHERE e."toStatus" = 'PENDING') AS ready,
                    MAX(e."createdAt") FILTER (WHERE e."toStatus" = 'ASSIGNED') AS assigned,
                    MAX(e."createdAt") FILTER (WHERE e."toStatus" = 'PICKED_UP') AS picked,
                    MAX(e."createdAt") FILTER (WHERE e."toStatus" = 'DELIVERED') AS delivered
               FROM delivery_assignment a JOIN delivery_event e ON e."assignmentId" = a.id
              WHERE a."orderId" = ANY($1) GROUP BY a.id),
         gaps AS (
             SELECT *, assigned - LAG(delivered) OVER (PARTITION BY "driverId" ORDER BY assigned) AS idle
               FROM phases)
         SELECT ${[
             ['readyToAssigned', 'assigned - ready'],
             ['driverIdle', 'idle'],
             ['assignedToPickedUp', 'picked - assigned'],
             ['pickedUpToDelivered', 'delivered - picked'],
         ]
             .flatMap(([name, interval]) =>
                 [50, 90].map(
                     p =>
                         `ROUND(1000 * PERCENTILE_CONT(${p / 100}) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ${interval})))::int AS "${name}.p${p}"`,
                 ),
             )
             .join(', ')}
           FROM gaps`,
        [orderIds],
    );
    const at = (name: string): Percentiles => ({ p50: rows[0][`${name}.p50`], p90: rows[0][`${name}.p90`] });
    return {
        readyToAssigned: at('readyToAssigned'),
        driverIdle: at('driverIdle'),
        assignedToPickedUp: at('assignedToPickedUp'),
        pickedUpToDelivered: at('pickedUpToDelivered'),
    };
}
