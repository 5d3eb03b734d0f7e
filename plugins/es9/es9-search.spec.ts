import { Client, errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { LanguageCode, RequestContext } from '@vendure/core';
import { defaultOptions, ElasticsearchAdapter } from '@vendure-community/elasticsearch-plugin';
// The community plugin's own body builder (not exported from its entry point; test only), so the
// hooks are tested as the plugin calls them.
import { buildElasticBody } from '@vendure-community/elasticsearch-plugin/lib/src/build-elastic-body';

import {
    DeliverySearchAdapter,
    SearchBackendState,
    SearchUnavailableError,
} from './adapter/delivery-search-adapter';
import { GEO_FIELDS } from './constants';
import { communityPluginOptions } from './es9-search-plugins';
import { withDefaults } from './options';
import { DeliveryScopes } from './search/delivery-scopes';

/** The Loop, Chicago. */
const LOOP = { latitude: 41.8855, longitude: -87.6217 };

interface RecordedRequest {
    path: string;
    body: { query?: unknown; sort?: unknown[] };
}

function setUp() {
    const mock = new Mock();
    const requests: RecordedRequest[] = [];
    const client = new Client({
        node: 'http://es.test:9200',
        Connection: mock.getConnection(),
        maxRetries: 0,
    });
    const scopes = new DeliveryScopes();
    const state = new SearchBackendState();
    const options = communityPluginOptions(
        withDefaults({ url: 'http://es.test:9200' }),
        scopes,
        state,
        () => new ElasticsearchAdapter(client),
    );
    const searchConfig = {
        ...defaultOptions.searchConfig,
        mapQuery: options.searchConfig?.mapQuery,
        mapSort: options.searchConfig?.mapSort,
    } as typeof defaultOptions.searchConfig;
    const body = (input: Record<string, unknown>) =>
        buildElasticBody(input, searchConfig, 1, LanguageCode.en, true, {} as RequestContext);
    return { mock, requests, client, scopes, state, options, adapter: options.adapter(), body };
}

/** Hits as Elasticsearch 9 returns them for a search with a sort (no `_type`, `_score` null). */
function recordedResponse(hits: Array<{ id: string; sort: unknown[] }>) {
    return {
        took: 3,
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: {
            total: { value: hits.length, relation: 'eq' },
            max_score: null,
            hits: hits.map(hit => ({
                _index: 'vendure-variants1',
                _id: `1_${hit.id}_en`,
                _score: null,
                _source: { productVariantId: hit.id, productName: `Product ${hit.id}`, channelId: 1 },
                sort: hit.sort,
            })),
        },
    };
}

/** An error response as the client surfaces it (status and body of a recorded ES 9 answer). */
function recordedError(statusCode: number, body: Record<string, unknown>) {
    return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });
}

describe('es9 on the community plugin: the mapping', () => {
    it('indexes the store points as geo_point, the store ids and the seller as keywords', () => {
        const { options } = setUp();
        expect(options.indexMappingProperties).toEqual({
            'variant-storePoints': { type: 'geo_point' },
            'variant-storeIds': { type: 'keyword' },
            'variant-sellerChannelId': { type: 'keyword' },
        });
        expect(options.hydrateProductVariantRelations).toEqual(['stockLevels']);
    });

    it('keeps the geo fields out of the GraphQL schema: the API fields are seller-store-info’s', () => {
        const { options } = setUp();
        const mappings = Object.values(options.customProductVariantMappings ?? {});
        expect(mappings).toHaveLength(3);
        expect(mappings.every(mapping => mapping.public === false)).toBe(true);
    });

    it('gives up connecting at start after one quick try, so the server starts without Elasticsearch', () => {
        const { options } = setUp();
        expect(options.connectionAttempts).toBe(1);
        expect(options.connectionAttemptInterval).toBeLessThanOrEqual(1000);
    });
});

describe('es9 on the community plugin: the query', () => {
    it('adds a geo_distance filter of the delivery radius around the location', () => {
        const { scopes, body } = setUp();
        const input = { take: 10, deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5 });
        const built = body(input);
        expect(built.query.bool.filter).toContainEqual({
            geo_distance: {
                distance: '5km',
                distance_type: 'arc',
                [GEO_FIELDS.storePoints]: { lat: LOOP.latitude, lon: LOOP.longitude },
            },
        });
        // The plugin's own filters stay.
        expect(built.query.bool.filter).toContainEqual({ term: { channelId: 1 } });
        expect(built.query.bool.filter).toContainEqual({ term: { enabled: true } });
    });

    it('keeps only the serving stores when some in range are closed (opening hours)', () => {
        const { scopes, body } = setUp();
        const input = { take: 10, deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5, servingStoreIds: ['3', '7'] });
        const [filter] = (body(input).query.bool.filter as Array<Record<string, unknown>>).filter(
            entry => 'bool' in entry,
        );
        expect(filter).toEqual({
            bool: {
                filter: [
                    {
                        geo_distance: {
                            distance: '5km',
                            distance_type: 'arc',
                            [GEO_FIELDS.storePoints]: { lat: LOOP.latitude, lon: LOOP.longitude },
                        },
                    },
                    { terms: { [GEO_FIELDS.storeIds]: ['3', '7'] } },
                ],
            },
        });
    });

    it('sorts by the nearest store (lat/lon by name, km, min over the points), then by variant id', () => {
        const { scopes, body } = setUp();
        const input = { deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5 });
        expect(body(input).sort).toEqual([
            {
                _geo_distance: {
                    [GEO_FIELDS.storePoints]: { lat: LOOP.latitude, lon: LOOP.longitude },
                    order: 'asc',
                    unit: 'km',
                    mode: 'min',
                    distance_type: 'arc',
                },
            },
            { productVariantId: { order: 'asc' } },
        ]);
    });

    it('sorts by the nearest serving store when a nearer one is closed (opening hours)', () => {
        const { scopes, body } = setUp();
        const input = { deliveryLocation: LOOP };
        const servingStoreDistancesKm = { '3': 2.5, '7': 4.1 };
        scopes.record(input, {
            point: LOOP,
            maxDistanceKm: 5,
            servingStoreIds: ['3', '7'],
            servingStoreDistancesKm,
        });
        const [nearest, byId] = body(input).sort ?? [];
        expect(nearest).toEqual({
            _script: {
                type: 'number',
                order: 'asc',
                script: {
                    lang: 'painless',
                    source: expect.stringContaining('params.servingStoreDistancesKm.get(id)'),
                    params: { field: GEO_FIELDS.storeIds, servingStoreDistancesKm },
                },
            },
        });
        expect(byId).toEqual({ productVariantId: { order: 'asc' } });
    });

    it("keeps the customer's sort first, and relevance first for a term without one", () => {
        const { scopes, body } = setUp();
        const byPrice = { sort: { price: 'ASC' }, deliveryLocation: LOOP };
        const byTerm = { term: 'milk', deliveryLocation: LOOP };
        scopes.record(byPrice, { point: LOOP, maxDistanceKm: 5 });
        scopes.record(byTerm, { point: LOOP, maxDistanceKm: 5 });
        expect(Object.keys(body(byPrice).sort?.[0] ?? {})).toEqual(['price']);
        expect(Object.keys(body(byPrice).sort?.[1] ?? {})).toEqual(['_geo_distance']);
        expect(body(byTerm).sort?.[0]).toEqual({ _score: { order: 'desc' } });
        expect(Object.keys(body(byTerm).sort?.[1] ?? {})).toEqual(['_geo_distance']);
    });

    it('leaves the search untouched without a location', () => {
        const { scopes, body } = setUp();
        const input = { take: 10 };
        scopes.record(input, undefined);
        const built = body(input);
        expect(JSON.stringify(built.query)).not.toContain('geo_distance');
        expect(built.sort).toEqual([]);
    });

    it('refuses a location that was never resolved rather than searching unfiltered', () => {
        const { body } = setUp();
        expect(() => body({ deliveryLocation: { postalCode: '60601' } })).toThrow(/not resolved/);
    });

    it('filters the totals and facet counts too: they are built from the same hooks', () => {
        const { scopes, body } = setUp();
        const input = { groupByProduct: true, deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5 });
        const built = body(input);
        expect(built.collapse).toEqual({ field: 'productId' });
        expect(JSON.stringify(built.query)).toContain('geo_distance');
    });
});

describe('es9 on the community plugin: the response (recorded Elasticsearch 9 shapes)', () => {
    it('sends the body to the variant index and puts each hit’s nearest-store distance on the result', async () => {
        const { mock, scopes, body, adapter, requests } = setUp();
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, params => {
            requests.push({ path: String(params.path), body: params.body as RecordedRequest['body'] });
            return recordedResponse([
                { id: '7', sort: [0.412, '7'] },
                { id: '3', sort: [4.87, '3'] },
            ]);
        });
        const input = { deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5 });
        const { body: response } = await adapter.search<Record<string, unknown>>({
            index: 'vendure-variants',
            body: body(input),
        });

        expect(requests).toHaveLength(1);
        expect(JSON.stringify(requests[0].body.query)).toContain('"geo_distance"');
        expect(requests[0].path).toBe('/vendure-variants/_search');
        expect(requests[0].body.sort?.[0]).toHaveProperty('_geo_distance');
        expect(response.hits.hits.map(hit => hit._source)).toEqual([
            expect.objectContaining({
                productVariantId: '7',
                fastDelivery: true,
                nearestStoreDistanceKm: 0.412,
            }),
            expect.objectContaining({
                productVariantId: '3',
                fastDelivery: true,
                nearestStoreDistanceKm: 4.87,
            }),
        ]);
    });

    it('reads the distance from its position after the customer’s own sort values', async () => {
        const { mock, scopes, body, adapter } = setUp();
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, () =>
            recordedResponse([{ id: '9', sort: [1299, 2.5, '9'] }]),
        );
        const input = { sort: { price: 'ASC' }, deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5 });
        const { body: response } = await adapter.search<Record<string, unknown>>({
            index: 'vendure-variants',
            body: body(input),
        });
        expect(response.hits.hits[0]._source).toMatchObject({
            fastDelivery: true,
            nearestStoreDistanceKm: 2.5,
        });
    });

    it('reads the distance of the nearest serving store from the script sort', async () => {
        const { mock, scopes, body, adapter } = setUp();
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, () =>
            recordedResponse([
                { id: '4', sort: [2.5, '4'] },
                { id: '5', sort: [1.7976931348623157e308, '5'] },
            ]),
        );
        const input = { deliveryLocation: LOOP };
        scopes.record(input, {
            point: LOOP,
            maxDistanceKm: 5,
            servingStoreIds: ['3'],
            servingStoreDistancesKm: { '3': 2.5 },
        });
        const { body: response } = await adapter.search<Record<string, unknown>>({
            index: 'vendure-variants',
            body: body(input),
        });
        expect(response.hits.hits.map(hit => hit._source)).toEqual([
            expect.objectContaining({ fastDelivery: true, nearestStoreDistanceKm: 2.5 }),
            expect.objectContaining({ fastDelivery: false, nearestStoreDistanceKm: null }),
        ]);
    });

    it('marks nothing without a location, and never a document without a store point', async () => {
        const { mock, scopes, body, adapter } = setUp();
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, () =>
            recordedResponse([{ id: '1', sort: [1.7976931348623157e308, '1'] }]),
        );
        const located = { deliveryLocation: LOOP };
        scopes.record(located, { point: LOOP, maxDistanceKm: 5 });
        const far = await adapter.search<Record<string, unknown>>({
            index: 'vendure-variants',
            body: body(located),
        });
        expect(far.body.hits.hits[0]._source).toMatchObject({
            fastDelivery: false,
            nearestStoreDistanceKm: null,
        });

        const plain = {};
        scopes.record(plain, undefined);
        const unlocated = await adapter.search<Record<string, unknown>>({
            index: 'vendure-variants',
            body: body(plain),
        });
        expect(unlocated.body.hits.hits[0]._source).not.toHaveProperty('fastDelivery');
    });

    it('turns an unreachable Elasticsearch into a clear SearchUnavailableError, then fails fast', async () => {
        const { mock, adapter, state } = setUp();
        let calls = 0;
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, () => {
            calls++;
            return new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
        });
        const search = () =>
            adapter.search({ index: 'vendure-variants', body: { query: { match_all: {} } } });
        await expect(search()).rejects.toBeInstanceOf(SearchUnavailableError);
        expect(state.isMarkedUnavailable()).toBe(true);
        await expect(search()).rejects.toThrow(/temporarily unavailable/);
        // The second search was not sent: the first found Elasticsearch down moments ago.
        expect(calls).toBe(1);
        // Bulk writes of the indexer fail fast too, instead of waiting for their own retries.
        await expect(adapter.bulk({ body: [{ delete: { _id: '1' } }] })).rejects.toThrow(/unreachable/);
    });

    it('reports a missing index (Elasticsearch was down at start) as unavailable, not as a crash', async () => {
        const { mock, adapter } = setUp();
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, () =>
            recordedError(404, {
                error: {
                    root_cause: [
                        { type: 'index_not_found_exception', reason: 'no such index [vendure-variants]' },
                    ],
                    type: 'index_not_found_exception',
                    reason: 'no such index [vendure-variants]',
                },
                status: 404,
            }),
        );
        await expect(adapter.search({ index: 'vendure-variants', body: {} })).rejects.toBeInstanceOf(
            SearchUnavailableError,
        );
    });

    it('passes a query error through unchanged: that is a bug to see, not an outage', async () => {
        const { mock, adapter, state } = setUp();
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, () =>
            recordedError(400, {
                error: { type: 'search_phase_execution_exception', reason: 'all shards failed' },
                status: 400,
            }),
        );
        await expect(adapter.search({ index: 'vendure-variants', body: {} })).rejects.toBeInstanceOf(
            errors.ResponseError,
        );
        expect(state.isMarkedUnavailable()).toBe(false);
    });

    it('records whether the community plugin’s start-up ping reached Elasticsearch', async () => {
        const { mock, adapter, state } = setUp();
        mock.add({ method: 'HEAD', path: '/' }, () => new errors.ConnectionError('down'));
        await adapter.ping().catch(() => undefined);
        expect(state.communityConnected).toBe(false);
        mock.clearAll();
        mock.add({ method: 'HEAD', path: '/' }, () => '');
        await adapter.ping();
        expect(state.communityConnected).toBe(true);
    });
});

// The adapter class is what the community plugin calls; check it is es9's.
it('the configured adapter factory builds the delivery adapter', () => {
    expect(setUp().adapter).toBeInstanceOf(DeliverySearchAdapter);
});
