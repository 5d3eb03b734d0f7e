import { distanceKm } from '../../plugins/shared/geo';
import {
    CityPlanInput,
    DROPOFF_RADIUS_KM,
    fleetCapacityPerMinute,
    onDutyAt,
    orderRate,
    planCity,
} from './city-plan';

const input: CityPlanInput = {
    seed: 1,
    drivers: 20,
    profile: 'steady',
    cityMinutes: 120,
    speedKmh: 20,
    declineRate: 0.1,
    failRate: 0.05,
    center: { latitude: 41.8829, longitude: -87.6321 },
    stores: [
        { name: 'A', latitude: 41.8857, longitude: -87.6278 },
        { name: 'B', latitude: 41.8781, longitude: -87.6298 },
    ],
};

describe('planCity', () => {
    it('replays the same city for the same seed, and another city for another seed', () => {
        expect(planCity(input)).toEqual(planCity(input));
        expect(planCity({ ...input, seed: 2 }).orders).not.toEqual(planCity(input).orders);
    });

    it('orders at the steady rate on average, in time order, within the run', () => {
        const { orders } = planCity({ ...input, cityMinutes: 2000 });
        const expected = orderRate(input, 0) * 2000;
        expect(Math.abs(orders.length - expected)).toBeLessThan(expected * 0.1);
        expect(orders.map(order => order.atMs)).toEqual(
            [...orders.map(order => order.atMs)].sort((a, b) => a - b),
        );
        expect(orders.every(order => order.atMs < 2000 * 60_000)).toBe(true);
    });

    it('exceeds the fleet capacity in the middle half of a peak', () => {
        expect(orderRate({ ...input, profile: 'peak' }, 0.5)).toBeGreaterThan(fleetCapacityPerMinute(20, 20));
        expect(orderRate({ ...input, profile: 'peak' }, 0.1)).toBeLessThan(fleetCapacityPerMinute(20, 20));
        const { orders } = planCity({ ...input, profile: 'peak', cityMinutes: 400 });
        const middle = orders.filter(order => order.atMs >= 100 * 60_000 && order.atMs < 300 * 60_000);
        // Half the time, 2.5 / 0.6 times the rate: about 80% of the orders.
        expect(middle.length / orders.length).toBeGreaterThan(0.7);
    });

    it('takes a fixed --orders-per-minute over the profile', () => {
        expect(orderRate({ ...input, ordersPerMinute: 3, profile: 'peak' }, 0.5)).toBe(3);
    });

    it('puts drop-offs near a store, and declines and failures near their rates', () => {
        const { orders } = planCity({ ...input, cityMinutes: 3000 });
        for (const order of orders) {
            const store = input.stores.find(candidate => candidate.name === order.store);
            expect(store).toBeDefined();
            if (store) expect(distanceKm(store, order.dropoff)).toBeLessThanOrEqual(DROPOFF_RADIUS_KM + 0.01);
        }
        const declined = orders.filter(order => order.declined).length / orders.length;
        expect(declined).toBeGreaterThan(0.06);
        expect(declined).toBeLessThan(0.14);
    });

    it('gives every driver a start and shifts, most of them on duty at the start', () => {
        const { drivers } = planCity(input);
        expect(drivers).toHaveLength(20);
        const onDuty = drivers.filter(driver => onDutyAt(driver, 0)).length;
        expect(onDuty).toBeGreaterThan(10);
        for (const driver of drivers) {
            expect(driver.shifts.length).toBeGreaterThan(0);
            for (const [index, shift] of driver.shifts.entries()) {
                expect(shift.toMs).toBeGreaterThan(shift.fromMs);
                if (index) expect(shift.fromMs).toBeGreaterThan(driver.shifts[index - 1].toMs);
            }
        }
    });
});
