import {
    boundingBox,
    boundingBoxContains,
    coordinateProblem,
    distanceKm,
    EARTH_RADIUS_KM,
    LatLng,
    radiusSteps,
} from './index';

/** Degrees, minutes, seconds to decimal degrees (negative for S and W). */
function dms(degrees: number, minutes: number, seconds: number, hemisphere: 'N' | 'S' | 'E' | 'W'): number {
    const value = degrees + minutes / 60 + seconds / 3600;
    return hemisphere === 'S' || hemisphere === 'W' ? -value : value;
}

function expectWithinPercent(actual: number, expected: number, percent: number) {
    expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(percent / 100);
}

describe('distanceKm against published great-circle distances', () => {
    // Each expected value is copied from the cited page, with the coordinates that page used;
    // none is computed by this code. Their authors used Earth radii between 6367 and 6371 km, so
    // the tolerance is 0.5%.
    const published: Array<{ pair: string; from: LatLng; to: LatLng; km: number; source: string }> = [
        {
            pair: 'Nashville BNA to Los Angeles LAX',
            from: { latitude: 36.12, longitude: -86.67 },
            to: { latitude: 33.94, longitude: -118.4 },
            km: 2886.444,
            source: 'Rosetta Code, "Haversine formula" task (R = 6371.0 km)',
        },
        {
            pair: "Land's End to John o' Groats",
            from: { latitude: dms(50, 3, 59, 'N'), longitude: dms(5, 42, 53, 'W') },
            to: { latitude: dms(58, 38, 38, 'N'), longitude: dms(3, 4, 12, 'W') },
            km: 968.9,
            source: 'movable-type.co.uk, "Calculate distance, bearing and more between Latitude/Longitude points"',
        },
        {
            pair: 'London Heathrow to Paris Charles de Gaulle',
            from: { latitude: dms(51, 28, 14, 'N'), longitude: dms(0, 27, 42, 'W') },
            to: { latitude: dms(49, 0, 46, 'N'), longitude: dms(2, 32, 59, 'E') },
            km: 347.168,
            source: 'airmilescalculator.com/distance/lhr-to-cdg/, haversine figure',
        },
        {
            pair: 'London to Arlington (VA)',
            from: { latitude: 51.5, longitude: 0 },
            to: { latitude: 38.8, longitude: -77.1 },
            km: 5918.185,
            source: 'stackoverflow.com/questions/365826, accepted answer example',
        },
        {
            pair: 'Buckingham Palace to the Empire State Building',
            from: { latitude: 51.5014, longitude: -0.1419 },
            to: { latitude: 40.7484, longitude: -73.9857 },
            km: 5562.2,
            source: 'Experian Aperture community, "Calculate the distance between two sets of co-ordinates" (R = 6367 km)',
        },
    ];

    it.each(published)('$pair is $km km ($source)', ({ from, to, km }) => {
        expectWithinPercent(distanceKm(from, to), km, 0.5);
        expectWithinPercent(distanceKm(to, from), km, 0.5);
    });

    it('stays within 0.5% of the ellipsoidal (Vincenty) distance London Heathrow to Paris CDG', () => {
        // airmilescalculator.com/distance/lhr-to-cdg/: Vincenty's formula on WGS84, 347.653 km.
        const heathrow = { latitude: dms(51, 28, 14, 'N'), longitude: dms(0, 27, 42, 'W') };
        const charlesDeGaulle = { latitude: dms(49, 0, 46, 'N'), longitude: dms(2, 32, 59, 'E') };
        expectWithinPercent(distanceKm(heathrow, charlesDeGaulle), 347.653, 0.5);
    });

    it('measures one degree of arc as 60 nautical miles (111.12 km), across the antimeridian too', () => {
        // The nautical mile, 1852 m, was defined as one minute of arc of a great circle.
        const oneDegreeKm = 60 * 1.852;
        const equatorWest = { latitude: 0, longitude: 179.5 };
        const equatorEast = { latitude: 0, longitude: -179.5 };
        expectWithinPercent(distanceKm(equatorWest, equatorEast), oneDegreeKm, 0.5);
        // Along a meridian in the southern hemisphere (Sydney's longitude).
        expectWithinPercent(
            distanceKm({ latitude: -33.5, longitude: 151.2 }, { latitude: -34.5, longitude: 151.2 }),
            oneDegreeKm,
            0.5,
        );
    });

    it('measures pole to equator as 10,000 km, the length that defined the metre', () => {
        expectWithinPercent(
            distanceKm({ latitude: 90, longitude: 0 }, { latitude: 0, longitude: 42 }),
            10_000,
            0.5,
        );
    });

    it('is 0 for the same point and finite for antipodes', () => {
        const paris = { latitude: 48.8566, longitude: 2.3522 };
        expect(distanceKm(paris, paris)).toBe(0);
        const antipode = { latitude: -paris.latitude, longitude: paris.longitude - 180 };
        expectWithinPercent(distanceKm(paris, antipode), Math.PI * EARTH_RADIUS_KM, 0.001);
    });
});

describe('boundingBox', () => {
    /** Points on the circle of `radiusKm` around `center`, by the spherical destination formula. */
    function pointsOnCircle(center: LatLng, radiusKm: number, count = 360): LatLng[] {
        const toRad = Math.PI / 180;
        const angular = radiusKm / EARTH_RADIUS_KM;
        const lat1 = center.latitude * toRad;
        return Array.from({ length: count }, (_, i) => {
            const bearing = (i * 2 * Math.PI) / count;
            const lat2 = Math.asin(
                Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing),
            );
            const lon2 =
                center.longitude * toRad +
                Math.atan2(
                    Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
                    Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
                );
            const longitude = ((((lon2 / toRad + 180) % 360) + 360) % 360) - 180;
            return { latitude: lat2 / toRad, longitude };
        });
    }

    const cases: Array<{ name: string; center: LatLng; radiusKm: number }> = [
        { name: 'a city, 5 km', center: { latitude: 52.52, longitude: 13.405 }, radiusKm: 5 },
        {
            name: 'the southern hemisphere, 100 km',
            center: { latitude: -33.87, longitude: 151.21 },
            radiusKm: 100,
        },
        { name: 'the equator, 250 m', center: { latitude: 0, longitude: 10 }, radiusKm: 0.25 },
        { name: 'the far north, 50 km', center: { latitude: 78.22, longitude: 15.65 }, radiusKm: 50 },
        {
            name: 'the antimeridian (Fiji), 100 km',
            center: { latitude: -17.8, longitude: 179.9 },
            radiusKm: 100,
        },
        {
            name: 'the antimeridian from the west, 30 km',
            center: { latitude: 65, longitude: -179.95 },
            radiusKm: 30,
        },
    ];

    it.each(cases)('contains every point of the circle around $name', ({ center, radiusKm }) => {
        const box = boundingBox(center, radiusKm);
        expect(boundingBoxContains(box, center)).toBe(true);
        // Slightly inside the circle so that rounding at the tangent points does not decide.
        for (const point of pointsOnCircle(center, radiusKm * 0.999999)) {
            expect(boundingBoxContains(box, point)).toBe(true);
        }
    });

    it.each(cases)(
        'is tight around $name: points just beyond the radius on each axis fall outside',
        ({ center, radiusKm }) => {
            const box = boundingBox(center, radiusKm);
            const north = pointsOnCircle(center, radiusKm * 1.01, 4);
            // Bearing 0 (north) and 180 (south) leave the latitude band.
            expect(boundingBoxContains(box, north[0])).toBe(false);
            expect(boundingBoxContains(box, north[2])).toBe(false);
        },
    );

    it('wraps across the antimeridian with minLongitude > maxLongitude', () => {
        const box = boundingBox({ latitude: -17.8, longitude: 179.9 }, 100);
        expect(box.minLongitude).toBeGreaterThan(box.maxLongitude);
        expect(box.minLongitude).toBeGreaterThan(178);
        expect(box.maxLongitude).toBeLessThan(-178);
        expect(boundingBoxContains(box, { latitude: -17.8, longitude: -179.8 })).toBe(true);
        expect(boundingBoxContains(box, { latitude: -17.8, longitude: 0 })).toBe(false);
    });

    it('runs to the pole and spans every longitude when the circle contains the pole', () => {
        const box = boundingBox({ latitude: 89.99, longitude: 40 }, 5);
        expect(box).toEqual({
            minLatitude: expect.any(Number),
            maxLatitude: 90,
            minLongitude: -180,
            maxLongitude: 180,
        });
        expect(box.minLatitude).toBeCloseTo(89.99 - (5 / EARTH_RADIUS_KM) * (180 / Math.PI), 9);
        // The far side of the pole, 2.2 km from the centre.
        expect(boundingBoxContains(box, { latitude: 89.99, longitude: -140 })).toBe(true);
    });

    it('covers the whole world for a radius beyond half the circumference', () => {
        expect(boundingBox({ latitude: 10, longitude: 10 }, 25_000)).toEqual({
            minLatitude: -90,
            maxLatitude: 90,
            minLongitude: -180,
            maxLongitude: 180,
        });
    });

    it('refuses an invalid centre or radius', () => {
        expect(() => boundingBox({ latitude: 91, longitude: 0 }, 1)).toThrow(/latitude 91/);
        expect(() => boundingBox({ latitude: 0, longitude: 1 }, -1)).toThrow(/radiusKm/);
        expect(() => boundingBox({ latitude: 0, longitude: 1 }, NaN)).toThrow(/radiusKm/);
    });
});

describe('coordinateProblem', () => {
    it('accepts real points, the poles and the antimeridian', () => {
        expect(coordinateProblem(52.52, 13.405)).toBeUndefined();
        expect(coordinateProblem(-90, 0)).toBeUndefined();
        expect(coordinateProblem(90, 180)).toBeUndefined();
        expect(coordinateProblem(0, -180)).toBeUndefined();
        expect(coordinateProblem(0, 0.0001)).toBeUndefined();
    });

    it.each([
        [NaN, 10, /latitude must be a finite number.*NaN/],
        [10, Infinity, /longitude must be a finite number.*Infinity/],
        [90.5, 10, /latitude 90.5 is outside -90..90/],
        [-91, 10, /latitude -91 is outside -90..90/],
        [10, 180.5, /longitude 180.5 is outside -180..180/],
        [10, -200, /longitude -200 is outside -180..180/],
        [0, 0, /latitude 0 and longitude 0.*never set/],
    ])(
        'refuses latitude %p, longitude %p with a message naming the value',
        (latitude, longitude, message) => {
            expect(coordinateProblem(latitude, longitude)).toMatch(message);
        },
    );

    it('says when latitude and longitude look swapped', () => {
        expect(coordinateProblem(151.21, -33.87)).toMatch(/latitude 151.21 is outside -90..90.*swapped/);
        expect(coordinateProblem(95, 100)).not.toMatch(/swapped/);
    });

    it('refuses values that are not numbers at all (untyped input)', () => {
        expect(coordinateProblem('52' as unknown as number, 13)).toMatch(
            /latitude must be a finite number of degrees, got "52"/,
        );
    });
});

describe('radiusSteps', () => {
    it('starts small and doubles up to the cap', () => {
        expect(radiusSteps(0.25, 100)).toEqual([0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 100]);
    });

    it('ends exactly at the cap when a doubling lands on it', () => {
        expect(radiusSteps(1, 8)).toEqual([1, 2, 4, 8]);
    });

    it('is just the cap when the start is not below it', () => {
        expect(radiusSteps(5, 5)).toEqual([5]);
        expect(radiusSteps(10, 5)).toEqual([5]);
    });

    it('refuses zero, negative and non-finite radii', () => {
        expect(() => radiusSteps(0, 100)).toThrow(/startKm/);
        expect(() => radiusSteps(1, -1)).toThrow(/maxKm/);
        expect(() => radiusSteps(1, Infinity)).toThrow(/maxKm/);
    });
});
