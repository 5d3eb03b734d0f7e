/**
 * The shop-API `search` requests the bench times: a term search and a product listing, each
 * without a delivery location (Vendure's unfiltered search, the baseline) and with one inside the
 * city (the 5 km rule in the SQL). Every request is a fresh, anonymous one: no session carries a
 * stored location into the baseline.
 */
import { LatLng } from '../../plugins/shared/geo';
import { SEARCH_TERM } from './catalogue';

export type SearchKind = 'term' | 'listing';

export interface SearchCase {
    kind: SearchKind;
    withLocation: boolean;
    label: string;
}

export const SEARCH_CASES: SearchCase[] = [
    { kind: 'term', withLocation: false, label: `term "${SEARCH_TERM}", no location` },
    { kind: 'term', withLocation: true, label: `term "${SEARCH_TERM}", with location` },
    { kind: 'listing', withLocation: false, label: 'listing, no location' },
    { kind: 'listing', withLocation: true, label: 'listing, with location' },
];

/** A storefront's search page: one page of products with the total, grouped by product. */
const SEARCH_DOCUMENT = `query NearMeSearch($input: SearchInput!) {
    search(input: $input) {
        totalItems
        items {
            productId
            productName
            slug
            priceWithTax { ... on PriceRange { min max } ... on SinglePrice { value } }
            fastDelivery
            nearestStoreDistanceKm
        }
    }
}`;

export function searchInput(kind: SearchKind, location: LatLng | undefined): Record<string, unknown> {
    return {
        ...(kind === 'term' ? { term: SEARCH_TERM } : {}),
        groupByProduct: true,
        take: 24,
        ...(location
            ? { deliveryLocation: { latitude: location.latitude, longitude: location.longitude } }
            : {}),
    };
}

export interface SearchAnswer {
    ms: number;
    totalItems: number;
    fastDeliveryItems: number;
    items: number;
}

/** One timed request over loopback. */
export async function timedSearch(port: number, kind: SearchKind, location?: LatLng): Promise<SearchAnswer> {
    const body = JSON.stringify({
        query: SEARCH_DOCUMENT,
        variables: { input: searchInput(kind, location) },
    });
    const started = process.hrtime.bigint();
    const response = await fetch(`http://127.0.0.1:${port}/shop-api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
    });
    const json = (await response.json()) as {
        data?: { search: { totalItems: number; items: Array<{ fastDelivery: boolean }> } };
        errors?: Array<{ message: string }>;
    };
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!json.data || json.errors?.length) {
        throw new Error(
            `search failed: ${json.errors?.map(error => error.message).join('; ') ?? response.status}`,
        );
    }
    const { totalItems, items } = json.data.search;
    return {
        ms,
        totalItems,
        items: items.length,
        fastDeliveryItems: items.filter(item => item.fastDelivery).length,
    };
}

/** Value at quantile q of ascending numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
    if (!sorted.length) return NaN;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index];
}

export function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    if (!sorted.length) return NaN;
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
