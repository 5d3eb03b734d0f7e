import { ID } from '@vendure/core';

import { BatchPlanOptions, planBatch, PlannedAssignment, totalPickupKm, WaitingDelivery } from './batch-plan';

const OPTIONS: BatchPlanOptions = {
    maxRadiusKm: 10,
    nearestDriversPerDelivery: 8,
    starvationSeconds: 60,
    solveBudgetMs: 1000,
};

function delivery(
    id: ID,
    candidates: Record<string, number>,
    extra: Partial<Omit<WaitingDelivery, 'id' | 'candidates'>> = {},
): WaitingDelivery {
    return {
        id,
        waitedSeconds: 0,
        pickupKey: `store-${String(id)}`,
        excludedDriverIds: [],
        candidates: Object.entries(candidates)
            .map(([driverId, distanceKm]) => ({ driverId, distanceKm }))
            .sort((a, b) => a.distanceKm - b.distanceKm),
        ...extra,
    };
}

const pairs = (assignments: PlannedAssignment[]) =>
    Object.fromEntries(assignments.map(a => [String(a.deliveryId), String(a.driverId)]));

/** No driver twice, no delivery twice: checked on every plan below. */
function expectOneToOne(assignments: PlannedAssignment[]) {
    expect(new Set(assignments.map(a => String(a.driverId))).size).toBe(assignments.length);
    expect(new Set(assignments.map(a => String(a.deliveryId))).size).toBe(assignments.length);
}

describe('planBatch', () => {
    it('finds the minimum total pickup distance where nearest-first does not', () => {
        // Nearest-first serves the older delivery a first: it takes x (1 km), and b is left y (9 km).
        const deliveries = [
            delivery('a', { x: 1, y: 2 }, { waitedSeconds: 20 }),
            delivery('b', { x: 1.5, y: 9 }, { waitedSeconds: 10 }),
        ];
        const optimal = planBatch(deliveries, OPTIONS);
        const nearest = planBatch(deliveries, { ...OPTIONS, solveBudgetMs: 0 });

        expect(optimal.solver).toBe('munkres');
        expect(pairs(optimal.assignments)).toEqual({ a: 'y', b: 'x' });
        expect(totalPickupKm(optimal.assignments)).toBeCloseTo(3.5);
        expect(nearest.solver).toBe('nearest');
        expect(pairs(nearest.assignments)).toEqual({ a: 'x', b: 'y' });
        expect(totalPickupKm(nearest.assignments)).toBeCloseTo(10);
        expectOneToOne(optimal.assignments);
        expectOneToOne(nearest.assignments);
    });

    it('never pairs beyond the radius or with an excluded driver, and drops pairs the solver was forced into', () => {
        const plan = planBatch(
            [
                delivery('a', { x: 1, far: 10.001 }),
                delivery('b', { x: 2, declined: 0.1 }, { excludedDriverIds: ['declined'] }),
                delivery('c', { far: 12 }),
            ],
            OPTIONS,
        );
        // Two deliveries want x only; the solver must give the other a forbidden pair, which is dropped.
        expect(plan.assignments).toEqual([{ deliveryId: 'a', driverId: 'x', distanceKm: 1 }]);
        expect(plan.rows).toBe(2);
        expect(plan.columns).toBe(1);
    });

    it('holds the radius to the metre', () => {
        const plan = planBatch([delivery('a', { x: 10.0004 }), delivery('b', { y: 10.0006 })], OPTIONS);
        expect(pairs(plan.assignments)).toEqual({ a: 'x' });
    });

    it('serves a delivery that waited past starvationSeconds before a nearer fresh one', () => {
        const fresh = delivery('fresh', { x: 1 }, { waitedSeconds: 5 });
        const old = delivery('old', { x: 8 }, { waitedSeconds: 30 });
        expect(pairs(planBatch([fresh, old], OPTIONS).assignments)).toEqual({ fresh: 'x' });

        const starved = { ...old, waitedSeconds: 61 };
        expect(pairs(planBatch([fresh, starved], OPTIONS).assignments)).toEqual({ old: 'x' });
        // Among starved deliveries the distance decides again.
        const alsoStarved = { ...fresh, waitedSeconds: 90 };
        expect(pairs(planBatch([alsoStarved, starved], OPTIONS).assignments)).toEqual({ fresh: 'x' });
    });

    it('offers each delivery its k nearest drivers only, more where several wait at one store', () => {
        const deliveries = [delivery('a', { x: 1, y: 2 }), delivery('b', { x: 1.5, y: 9 })];
        const k1 = planBatch(deliveries, { ...OPTIONS, nearestDriversPerDelivery: 1 });
        // Both see only x: one is served this window.
        expect(k1.columns).toBe(1);
        expect(k1.assignments).toHaveLength(1);
        expect(planBatch(deliveries, { ...OPTIONS, nearestDriversPerDelivery: 2 }).assignments).toHaveLength(
            2,
        );

        const sameStore = deliveries.map(entry => ({ ...entry, pickupKey: 'store' }));
        const shared = planBatch(sameStore, { ...OPTIONS, nearestDriversPerDelivery: 1 });
        expect(shared.assignments).toHaveLength(2);
        expectOneToOne(shared.assignments);
    });

    it('plans nothing for no deliveries, no drivers, or the same delivery listed twice only once', () => {
        expect(planBatch([], OPTIONS)).toEqual({ assignments: [], solver: 'none', rows: 0, columns: 0 });
        expect(planBatch([delivery('a', {})], OPTIONS).assignments).toEqual([]);
        const twice = planBatch([delivery('a', { x: 1 }), delivery('a', { y: 2 })], OPTIONS);
        expect(twice.assignments).toEqual([{ deliveryId: 'a', driverId: 'x', distanceKm: 1 }]);
    });

    it('assigns every driver once when drivers are fewer than deliveries, and the reverse', () => {
        const many = Array.from({ length: 30 }, (_, i) =>
            delivery(
                i,
                Object.fromEntries(
                    Array.from({ length: 12 }, (__, j) => [`d${j}`, ((i * 7 + j * 3) % 10) + 0.5]),
                ),
            ),
        );
        const plan = planBatch(many, OPTIONS);
        expect(plan.assignments).toHaveLength(12);
        expectOneToOne(plan.assignments);
        const few = planBatch(many.slice(0, 3), OPTIONS);
        expect(few.assignments).toHaveLength(3);
        expectOneToOne(few.assignments);
        // Never worse than nearest-first on the same problem.
        const greedy = planBatch(many, { ...OPTIONS, solveBudgetMs: 0 });
        expect(greedy.assignments).toHaveLength(12);
        expect(totalPickupKm(plan.assignments)).toBeLessThanOrEqual(totalPickupKm(greedy.assignments) + 1e-9);
    });
});
