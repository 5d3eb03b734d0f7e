/**
 * A lower bound on the mean pickup distance any dispatcher could reach on a trace, knowing every
 * order in advance: each delivery's driver comes either from a driver's start or from another
 * delivery's drop-off, each start and each drop-off used at most once; timing is ignored. Every
 * real schedule is such a choice, so the optimum of this assignment problem (solved by `munkres`,
 * as the batch planner does) is below what either mode drives. Its size is orders × (orders +
 * drivers), cubic to solve: past a limit it is not computed.
 */
import { munkres } from 'munkres';

import { FORBIDDEN_COST } from '../../plugins/driver-dispatch/services/batch-plan';
import { distanceKm } from '../../plugins/shared/geo';
import { CityTrace } from './trace';

export interface HindsightBound {
    /** Mean pickup km of the relaxed optimum; undefined when the problem was too large. */
    meanPickupKm: number | undefined;
    rows: number;
    columns: number;
    solveMs: number;
}

export function hindsightPickupBound(trace: CityTrace, maxOrders: number): HindsightBound {
    const { orders, drivers } = trace;
    const rows = orders.length;
    const columns = drivers.length + orders.length;
    if (!rows || rows > maxOrders) return { meanPickupKm: undefined, rows, columns, solveMs: 0 };
    const started = Date.now();
    const costs = orders.map(order => [
        ...drivers.map(driver => distanceKm(driver.start, order.pickup)),
        ...orders.map(previous =>
            previous.id === order.id ? FORBIDDEN_COST : distanceKm(previous.dropoff, order.pickup),
        ),
    ]);
    let totalKm = 0;
    for (const [row, column] of munkres(costs)) totalKm += costs[row][column];
    return { meanPickupKm: totalKm / rows, rows, columns, solveMs: Date.now() - started };
}
