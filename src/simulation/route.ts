import { distanceKm, LatLng } from '../../plugins/shared/geo';

/** A straight-line drive from one point to another, started at a moment of city time. */
export interface Leg {
    from: LatLng;
    to: LatLng;
    startedAtMs: number;
}

export interface LegProgress {
    position: LatLng;
    /** Kilometres covered so far. */
    coveredKm: number;
    arrived: boolean;
}

/** How long a leg takes at a constant speed, in ms. */
export function legDurationMs(from: LatLng, to: LatLng, speedKmh: number): number {
    return (distanceKm(from, to) / speedKmh) * 3_600_000;
}

/**
 * Where a driver on the leg is at `nowMs` (same clock as `startedAtMs`) at `speedKmh`: the share
 * of the straight line covered so far, linearly interpolated (a city is small enough for that).
 */
export function positionOnLeg(leg: Leg, nowMs: number, speedKmh: number): LegProgress {
    const totalKm = distanceKm(leg.from, leg.to);
    const coveredKm = (Math.max(0, nowMs - leg.startedAtMs) / 3_600_000) * speedKmh;
    if (coveredKm >= totalKm) return { position: { ...leg.to }, coveredKm: totalKm, arrived: true };
    const share = coveredKm / totalKm;
    return {
        position: {
            latitude: leg.from.latitude + (leg.to.latitude - leg.from.latitude) * share,
            longitude: leg.from.longitude + (leg.to.longitude - leg.from.longitude) * share,
        },
        coveredKm,
        arrived: false,
    };
}
