import { LatLng } from './types';

/**
 * Mean Earth radius R1 = (2a + b) / 3 of the WGS84 ellipsoid, in km (IUGG). On a sphere of this
 * radius the great-circle distance stays within about 0.5% of the ellipsoidal (geodesic) one.
 */
export const EARTH_RADIUS_KM = 6371.0088;

const DEGREES_TO_RADIANS = Math.PI / 180;
const RADIANS_TO_DEGREES = 180 / Math.PI;

/**
 * A latitude/longitude rectangle that contains every point within a radius of a centre.
 *
 * When it crosses the antimeridian (180°), `minLongitude > maxLongitude`: the box is then the
 * union of `[minLongitude, 180]` and `[-180, maxLongitude]`. Use {@link boundingBoxContains}
 * rather than comparing by hand, or split the SQL condition into an OR.
 */
export interface BoundingBox {
    minLatitude: number;
    maxLatitude: number;
    minLongitude: number;
    maxLongitude: number;
}

/**
 * Great-circle distance in km between two WGS84 points, by the haversine formula on a sphere of
 * {@link EARTH_RADIUS_KM}. Haversine rather than the spherical law of cosines: it stays accurate
 * for the few-metre distances the 5 km rule compares.
 */
export function distanceKm(a: LatLng, b: LatLng): number {
    const latitudeA = a.latitude * DEGREES_TO_RADIANS;
    const latitudeB = b.latitude * DEGREES_TO_RADIANS;
    const sinHalfLatitude = Math.sin((latitudeB - latitudeA) / 2);
    const sinHalfLongitude = Math.sin(((b.longitude - a.longitude) * DEGREES_TO_RADIANS) / 2);
    const h =
        sinHalfLatitude * sinHalfLatitude +
        Math.cos(latitudeA) * Math.cos(latitudeB) * sinHalfLongitude * sinHalfLongitude;
    // Rounding can push h a hair above 1 for antipodal points; asin would then return NaN.
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The smallest latitude/longitude rectangle containing the circle of `radiusKm` around `center`,
 * for a cheap pre-filter (SQL `BETWEEN`, a kd-tree range) before the exact {@link distanceKm}.
 *
 * - Longitudes are normalised to -180..180; a box crossing the antimeridian has
 *   `minLongitude > maxLongitude` (see {@link BoundingBox}).
 * - When the circle reaches a pole, the box runs to that pole (latitude clamped to ±90) and spans
 *   every longitude, since every meridian passes through the pole.
 * - A circle wider than the Earth yields the whole world.
 *
 * @throws RangeError for a centre that {@link coordinateProblem} rejects (other than 0/0, which is
 * a valid point here) or a negative or non-finite radius.
 */
export function boundingBox(center: LatLng, radiusKm: number): BoundingBox {
    const problem = rangeProblem(center.latitude, center.longitude);
    if (problem) throw new RangeError(problem);
    if (!Number.isFinite(radiusKm) || radiusKm < 0) {
        throw new RangeError(`radiusKm must be a finite number of km, 0 or more, got ${String(radiusKm)}`);
    }
    const angularRadius = radiusKm / EARTH_RADIUS_KM;
    const minLatitude = center.latitude - angularRadius * RADIANS_TO_DEGREES;
    const maxLatitude = center.latitude + angularRadius * RADIANS_TO_DEGREES;
    if (minLatitude <= -90 || maxLatitude >= 90) {
        return {
            minLatitude: Math.max(minLatitude, -90),
            maxLatitude: Math.min(maxLatitude, 90),
            minLongitude: -180,
            maxLongitude: 180,
        };
    }
    // The widest longitude offset of a small circle: at its tangent points with two meridians
    // (which lie poleward of the centre's latitude, so a plain km-per-degree at the centre would
    // be too narrow). sin(r)/cos(lat) < 1 here because the circle does not reach a pole.
    const longitudeDelta =
        Math.asin(Math.sin(angularRadius) / Math.cos(center.latitude * DEGREES_TO_RADIANS)) *
        RADIANS_TO_DEGREES;
    if (longitudeDelta >= 180) {
        return { minLatitude, maxLatitude, minLongitude: -180, maxLongitude: 180 };
    }
    return {
        minLatitude,
        maxLatitude,
        minLongitude: normalizeLongitude(center.longitude - longitudeDelta),
        maxLongitude: normalizeLongitude(center.longitude + longitudeDelta),
    };
}

/** Whether a point lies inside a box from {@link boundingBox}, antimeridian-crossing boxes included. */
export function boundingBoxContains(box: BoundingBox, point: LatLng): boolean {
    if (point.latitude < box.minLatitude || point.latitude > box.maxLatitude) return false;
    if (box.minLongitude <= box.maxLongitude) {
        return point.longitude >= box.minLongitude && point.longitude <= box.maxLongitude;
    }
    return point.longitude >= box.minLongitude || point.longitude <= box.maxLongitude;
}

/**
 * What is wrong with a coordinate pair, in words a person can act on, or `undefined` when it is
 * usable. Refuses non-finite numbers, latitude outside -90..90, longitude outside -180..180, and
 * 0/0 ("null island", in the Gulf of Guinea), which almost always means a value was never set.
 */
export function coordinateProblem(latitude: number, longitude: number): string | undefined {
    const problem = rangeProblem(latitude, longitude);
    if (problem) return problem;
    if (latitude === 0 && longitude === 0) {
        return (
            'latitude 0 and longitude 0 is a point in the Gulf of Guinea and almost always means the ' +
            'coordinates were never set: give the real latitude and longitude'
        );
    }
    return undefined;
}

/**
 * The one definition of "latitude and longitude look swapped", for a pair that is in range either
 * way: the point is implausible (`isPlausible`, e.g. no store of the shop within reach) while the
 * same numbers the other way round are plausible. The suite accepts such a point (it may be real)
 * and logs it; out-of-range pairs that would fit swapped are refused by {@link coordinateProblem}
 * with a hint instead.
 */
export function looksSwapped(point: LatLng, isPlausible: (candidate: LatLng) => boolean): boolean {
    const swapped = { latitude: point.longitude, longitude: point.latitude };
    if (rangeProblem(swapped.latitude, swapped.longitude)) return false;
    return !isPlausible(point) && isPlausible(swapped);
}

/**
 * The radii of an expanding search: `startKm`, then doubling, capped at `maxKm` (always the last
 * step). `radiusSteps(0.25, 100)` is 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 100. A small start keeps a
 * search in a dense area cheap; the cap bounds how far it may reach.
 *
 * @throws RangeError unless both are finite and greater than 0.
 */
export function radiusSteps(startKm: number, maxKm: number): number[] {
    for (const [name, value] of [
        ['startKm', startKm],
        ['maxKm', maxKm],
    ] as const) {
        if (!Number.isFinite(value) || value <= 0) {
            throw new RangeError(
                `${name} must be a finite number of km greater than 0, got ${String(value)}`,
            );
        }
    }
    const steps: number[] = [];
    for (let radius = startKm; radius < maxKm; radius *= 2) {
        steps.push(radius);
    }
    steps.push(maxKm);
    return steps;
}

function rangeProblem(latitude: number, longitude: number): string | undefined {
    if (typeof latitude !== 'number' || !Number.isFinite(latitude)) {
        return `latitude must be a finite number of degrees, got ${describe(latitude)}`;
    }
    if (typeof longitude !== 'number' || !Number.isFinite(longitude)) {
        return `longitude must be a finite number of degrees, got ${describe(longitude)}`;
    }
    // A latitude beyond ±90 that would be a valid longitude, with a longitude that would be a
    // valid latitude, is most often a [longitude, latitude] pair (GeoJSON order) passed as-is.
    const swapHint =
        Math.abs(latitude) > 90 && Math.abs(latitude) <= 180 && Math.abs(longitude) <= 90
            ? '; latitude and longitude look swapped'
            : '';
    if (latitude < -90 || latitude > 90) {
        return `latitude ${latitude} is outside -90..90${swapHint}`;
    }
    if (longitude < -180 || longitude > 180) {
        return `longitude ${longitude} is outside -180..180`;
    }
    return undefined;
}

/** A value as a person would recognise it: text in quotes, so "52" is not mistaken for 52. */
function describe(value: unknown): string {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Into -180..180, keeping 180 itself (a box edge exactly on the antimeridian). */
function normalizeLongitude(longitude: number): number {
    if (longitude >= -180 && longitude <= 180) return longitude;
    return ((((longitude + 180) % 360) + 360) % 360) - 180;
}
