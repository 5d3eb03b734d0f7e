import { distanceKm } from '../../plugins/shared/geo';
import { legDurationMs, positionOnLeg } from './route';

// Chicago's Loop to Lincoln Park Zoo: about 4.3 km north (an independent reference: 0.0389° of latitude ≈ 4.33 km).
const loop = { latitude: 41.8829, longitude: -87.6321 };
const zoo = { latitude: 41.9218, longitude: -87.6321 };

describe('a straight-line leg at a constant speed', () => {
    it('takes distance / speed', () => {
        const minutes = legDurationMs(loop, zoo, 20) / 60_000;
        expect(minutes).toBeCloseTo((4.3255 / 20) * 60, 1);
    });

    it('has covered speed × time after a while, on the straight line', () => {
        const leg = { from: loop, to: zoo, startedAtMs: 1_000 };
        // Six city minutes at 20 km/h: 2 km.
        const progress = positionOnLeg(leg, 1_000 + 6 * 60_000, 20);
        expect(progress.arrived).toBe(false);
        expect(progress.coveredKm).toBeCloseTo(2, 6);
        expect(distanceKm(loop, progress.position)).toBeCloseTo(2, 2);
        expect(progress.position.longitude).toBeCloseTo(loop.longitude, 9);
    });

    it('is at the start before it starts, and at the end (not beyond) once the time is up', () => {
        const leg = { from: loop, to: zoo, startedAtMs: 10_000 };
        expect(positionOnLeg(leg, 0, 20).position).toEqual(loop);
        const late = positionOnLeg(leg, 10_000 + 3_600_000, 20);
        expect(late.arrived).toBe(true);
        expect(late.position).toEqual(zoo);
        expect(late.coveredKm).toBeCloseTo(distanceKm(loop, zoo), 9);
    });

    it('arrives at once on a leg of zero length', () => {
        expect(positionOnLeg({ from: loop, to: loop, startedAtMs: 0 }, 0, 20).arrived).toBe(true);
    });
});
