import { Client } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { LanguageCode, RequestContext } from '@vendure/core';
import { defaultOptions, ElasticsearchAdapter } from '@vendure-community/elasticsearch-plugin';
// The community plugin's own body builder (test only), so the hook is tested as the plugin calls it.
import { buildElasticBody } from '@vendure-community/elasticsearch-plugin/lib/src/build-elastic-body';

import { SearchBackendState } from '../adapter/delivery-search-adapter';
import { GEO_FIELDS } from '../constants';
import { communityPluginOptions } from '../es9-search-plugins';
import { withDefaults } from '../options';
import { DeliveryScopes } from './delivery-scopes';
import { withoutSellers } from './seller-visibility';

const LOOP = { latitude: 41.8855, longitude: -87.6217 };

function setUp() {
    const mock = new Mock();
    const client = new Client({
        node: 'http://es.test:9200',
        Connection: mock.getConnection(),
        maxRetries: 0,
    });
    const scopes = new DeliveryScopes();
    const options = communityPluginOptions(
        withDefaults({ url: 'http://es.test:9200' }),
        scopes,
        new SearchBackendState(),
        () => new ElasticsearchAdapter(client),
    );
    const searchConfig = {
        ...defaultOptions.searchConfig,
        mapQuery: options.searchConfig?.mapQuery,
        mapSort: options.searchConfig?.mapSort,
    } as typeof defaultOptions.searchConfig;
    const body = (input: Record<string, unknown>) =>
        buildElasticBody(input, searchConfig, 1, LanguageCode.en, true, {} as RequestContext);
    return { mock, scopes, body, adapter: options.adapter() };
}

describe('es9: nothing of an unverified seller in the shop', () => {
    it('leaves out the variants of the unverified sellers’ channels, by their indexed seller channel', () => {
        const { scopes, body } = setUp();
        const input = { term: 'milk' };
        scopes.record(input, undefined);
        scopes.recordHiddenSellers(input, [4, '7']);
        const built = body(input);
        expect(built.query.bool.must_not).toEqual([{ terms: { [GEO_FIELDS.sellerChannelId]: ['4', '7'] } }]);
        // The plugin's own filters stay.
        expect(built.query.bool.filter).toContainEqual({ term: { channelId: 1 } });
    });

    it('combines with the delivery filter of a location', () => {
        const { scopes, body } = setUp();
        const input = { deliveryLocation: LOOP };
        scopes.record(input, { point: LOOP, maxDistanceKm: 5 });
        scopes.recordHiddenSellers(input, [4]);
        const built = body(input);
        expect(built.query.bool.must_not).toEqual([{ terms: { [GEO_FIELDS.sellerChannelId]: ['4'] } }]);
        expect(JSON.stringify(built.query.bool.filter)).toContain('"geo_distance"');
    });

    it('adds nothing when every seller is verified, or for staff (nothing recorded)', () => {
        const { scopes, body } = setUp();
        const shop = { term: 'milk' };
        scopes.record(shop, undefined);
        scopes.recordHiddenSellers(shop, []);
        expect(body(shop).query.bool.must_not).toBeUndefined();
        const admin = { term: 'milk' };
        scopes.record(admin, undefined);
        expect(body(admin).query.bool.must_not).toBeUndefined();
    });

    it('keeps clauses already in must_not', () => {
        const query = { bool: { must_not: { term: { enabled: false } } as unknown } };
        expect(withoutSellers(query, ['2']).bool.must_not).toEqual([
            { term: { enabled: false } },
            { terms: { [GEO_FIELDS.sellerChannelId]: ['2'] } },
        ]);
    });

    it('sends the clause to Elasticsearch in the search request', async () => {
        const { mock, scopes, body, adapter } = setUp();
        const sent: unknown[] = [];
        mock.add({ method: 'POST', path: '/vendure-variants/_search' }, params => {
            sent.push(params.body);
            return {
                took: 1,
                timed_out: false,
                _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
                hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] },
            };
        });
        const input = { term: 'milk' };
        scopes.record(input, undefined);
        scopes.recordHiddenSellers(input, [4]);
        await adapter.search({ index: 'vendure-variants', body: body(input) });
        expect(sent).toHaveLength(1);
        expect(JSON.stringify(sent[0])).toContain(`{"terms":{"${GEO_FIELDS.sellerChannelId}":["4"]}}`);
    });
});
