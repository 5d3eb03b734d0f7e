import { LatLng } from '../../shared/geo';
import { GEO_FIELDS } from '../constants';

/** Where a search delivers to, resolved before the query is built. */
export interface DeliveryScope {
    point: LatLng;
    maxDistanceKm: number;
    /**
     * Set when some stores within the radius do not serve now (seller-store-info's opening hours):
     * the ids of those that do. A variant then matches only through one of them.
     */
    servingStoreIds?: string[];
    /**
     * With `servingStoreIds`: each serving store's distance from `point` in km (as seller-store-info
     * measured it). The nearest-store sort, and so `nearestStoreDistanceKm`, then counts only these
     * stores: a closed store nearer than the open one is not the store that delivers.
     */
    servingStoreDistancesKm?: Record<string, number>;
}

/** The community plugin's bool query, as far as es9 touches it. */
export interface BoolQuery {
    bool: { filter?: unknown[]; [clause: string]: unknown };
}

/** One entry of an Elasticsearch `sort` array. */
export type SortEntry = Record<string, unknown>;

/** `geo_point` object form: latitude and longitude by name, never a bare pair (whose order is lon, lat). */
function geoPoint(point: LatLng): { lat: number; lon: number } {
    return { lat: point.latitude, lon: point.longitude };
}

/**
 * The 5 km rule as a filter: a variant document matches when one of its store points (the stores
 * of its own seller with saleable stock) is within the radius. Arc distance, as seller-store-info
 * measures it (same mean Earth radius).
 */
export function deliveryFilter(scope: DeliveryScope): Record<string, unknown> {
    const near = {
        geo_distance: {
            distance: `${scope.maxDistanceKm}km`,
            distance_type: 'arc',
            [GEO_FIELDS.storePoints]: geoPoint(scope.point),
        },
    };
    if (!scope.servingStoreIds) return near;
    // Serving stores are all within the radius, so one of them among the variant's store ids is the rule.
    return { bool: { filter: [near, { terms: { [GEO_FIELDS.storeIds]: scope.servingStoreIds } }] } };
}

/**
 * The distance to the nearest serving store among a variant's stores, from the distances the
 * scope measured (a store that does not serve now counts as infinitely far). Painless; keyword doc
 * values iterate as strings.
 */
const NEAREST_SERVING_STORE_SCRIPT = [
    'double best = Double.MAX_VALUE;',
    'for (def id : doc[params.field]) {',
    '  def km = params.servingStoreDistancesKm.get(id);',
    '  if (km != null && km < best) { best = km; }',
    '}',
    'return best;',
].join(' ');

/**
 * Nearest store first: the distance to the closest of the variant's store points, in km, or, when
 * some stores in range do not serve now, to the closest serving one. Its sort value on each hit is
 * the result's `nearestStoreDistanceKm`.
 */
export function nearestStoreSort(scope: DeliveryScope): SortEntry {
    if (scope.servingStoreIds && scope.servingStoreDistancesKm) {
        return {
            _script: {
                type: 'number',
                order: 'asc',
                script: {
                    lang: 'painless',
                    source: NEAREST_SERVING_STORE_SCRIPT,
                    params: {
                        field: GEO_FIELDS.storeIds,
                        servingStoreDistancesKm: scope.servingStoreDistancesKm,
                    },
                },
            },
        };
    }
    return {
        _geo_distance: {
            [GEO_FIELDS.storePoints]: geoPoint(scope.point),
            order: 'asc',
            unit: 'km',
            mode: 'min',
            distance_type: 'arc',
        },
    };
}

/** The query with the delivery filter added; unchanged without a delivery location. */
export function withDeliveryFilter<Q extends BoolQuery>(query: Q, scope: DeliveryScope | undefined): Q {
    if (!scope) return query;
    const filter = Array.isArray(query.bool.filter) ? query.bool.filter : [];
    query.bool.filter = [...filter, deliveryFilter(scope)];
    return query;
}

/**
 * The sort with a delivery location: the customer's own sort (name, price) first, then relevance
 * when a term is searched without one, then the nearest store, then the variant id so that equal
 * results keep one order across pages. Unchanged without a delivery location.
 */
export function withDeliverySort(
    sort: SortEntry[],
    input: { term?: string | null; sort?: unknown },
    scope: DeliveryScope | undefined,
): SortEntry[] {
    if (!scope) return sort;
    const result = [...sort];
    if (input.term && !sort.length) result.push({ _score: { order: 'desc' } });
    result.push(nearestStoreSort(scope), { productVariantId: { order: 'asc' } });
    return result;
}

/** What es9 adds to each hit's `_source`: the values of seller-store-info's SearchResult fields. */
export interface DeliveryHitFields {
    fastDelivery: boolean;
    nearestStoreDistanceKm: number | null;
}

interface SearchHitLike {
    _source?: unknown;
    sort?: unknown;
}

/**
 * Copies each hit's nearest-store distance (its `_geo_distance` sort value) into its `_source` as
 * `fastDelivery` and `nearestStoreDistanceKm`. The community plugin spreads `_source` into the
 * search result, where seller-store-info's field resolvers read them. Does nothing when the
 * request had no delivery sort (no location: the resolvers answer false and null).
 *
 * @returns how many hits were annotated
 */
export function annotateDeliveryHits(
    requestBody: { sort?: unknown } | undefined,
    hits: SearchHitLike[],
): number {
    const sort = Array.isArray(requestBody?.sort) ? (requestBody.sort as unknown[]) : [];
    const position = sort.findIndex(isNearestStoreSort);
    if (position < 0) return 0;
    let annotated = 0;
    for (const hit of hits) {
        if (typeof hit._source !== 'object' || hit._source === null) continue;
        const value = Array.isArray(hit.sort) ? Number(hit.sort[position]) : NaN;
        // A document without any store point sorts at "Infinity" (Double.MAX_VALUE); the filter
        // keeps those out, but never report one as deliverable.
        const distance = Number.isFinite(value) && value >= 0 && value < MAX_EARTH_DISTANCE_KM ? value : null;
        const fields: DeliveryHitFields = {
            fastDelivery: distance !== null,
            nearestStoreDistanceKm: distance,
        };
        Object.assign(hit._source, fields);
        annotated++;
    }
    return annotated;
}

/** The entry of a sort array that `nearestStoreSort` made. */
function isNearestStoreSort(entry: unknown): boolean {
    if (typeof entry !== 'object' || entry === null) return false;
    if ('_geo_distance' in entry) return true;
    const script = (entry as { _script?: { script?: { params?: object } } })._script?.script;
    return script?.params !== undefined && 'servingStoreDistancesKm' in script.params;
}

/** Half the Earth's circumference: no two points are farther apart. */
const MAX_EARTH_DISTANCE_KM = 20_038;
