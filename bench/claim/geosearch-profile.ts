/**
 * GEOSEARCH alone, as the claim script sends it (ASC, WITHDIST, COUNT 16), at a few radii: its
 * cost grows with the members inside the geohash cells the radius covers, which is what makes the
 * first radius of a claim matter in a dense city.
 */
import { Redis } from 'ioredis';

import { LatLng } from '../../plugins/shared/geo';
import { measureRedisCost } from './redis-stats';

export interface GeosearchCost {
    radiusKm: number;
    /** Redis time per GEOSEARCH, µs (INFO commandstats). */
    usecPerCall: number;
    /** Members returned per call (at most 16). */
    found: number;
    /** Share of calls that found at least one member. */
    hitShare: number;
}

export async function profileGeosearch(
    admin: Redis,
    geoKey: string,
    radiiKm: number[],
    calls: number,
    nextPoint: () => LatLng,
): Promise<GeosearchCost[]> {
    const costs: GeosearchCost[] = [];
    for (const radiusKm of radiiKm) {
        let found = 0;
        let hits = 0;
        const { cost } = await measureRedisCost(admin, async () => {
            for (let i = 0; i < calls; i++) {
                const point = nextPoint();
                const members = (await admin.call(
                    'GEOSEARCH',
                    geoKey,
                    'FROMLONLAT',
                    point.longitude,
                    point.latitude,
                    'BYRADIUS',
                    radiusKm,
                    'km',
                    'ASC',
                    'WITHDIST',
                    'COUNT',
                    16,
                )) as unknown[];
                found += members.length;
                if (members.length) hits++;
            }
        });
        const stat = cost.commands.geosearch;
        costs.push({
            radiusKm,
            usecPerCall: stat ? stat.usec / stat.calls : 0,
            found: found / calls,
            hitShare: hits / calls,
        });
    }
    return costs;
}
