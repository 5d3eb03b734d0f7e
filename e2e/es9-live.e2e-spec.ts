import { createTestEnvironment } from '@vendure/testing';

import { e2eConfig } from './config/e2e-config';
import { ALL, deliverySearchFixture, DEMO_VARIANTS } from './fixtures/delivery-search-scenarios';

/**
 * es9 live: the acceptance scenarios of the embedded search (delivery-search.e2e-spec.ts, written
 * once in fixtures/delivery-search-scenarios.ts), run against a real Elasticsearch 9 when
 * ELASTICSEARCH_URL is set (docker-compose provides one): with a delivery location only deliverable
 * variants, each fast-delivery with the distance to its nearest store of its own seller; grouping by
 * product; facet counts, totals and pages over the deliverable set; terms and facet filters; the
 * location stored on the session; and freshness: stock changes, tracking changes and a new
 * single-shop store reach the index through the job queue (the checks retry until the index caught
 * up). The expected set is computed independently, from the admin API and a haversine distance of
 * our own.
 *
 * Without ELASTICSEARCH_URL the suite is skipped and says so: no Elasticsearch can be installed
 * on the CI machines. It writes the index `vendure-variants` of the cluster it is given.
 */

const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL;
if (!ELASTICSEARCH_URL) {
    console.log('es9-live.e2e-spec.ts skipped: set ELASTICSEARCH_URL to an Elasticsearch 9 node to run it');
}
/** The suite runs only against a real Elasticsearch; with one, every failure counts. */
const describeLive = ELASTICSEARCH_URL ? describe : describe.skip;

const { server, adminClient, shopClient } = createTestEnvironment(
    e2eConfig(__filename, { env: ELASTICSEARCH_URL ? { ELASTICSEARCH_URL } : {} }),
);
const fixture = deliverySearchFixture(
    { adminClient, shopClient },
    // The index catches up through the job queue: a search right after a stock change retries.
    { eventuallyTimeoutMs: 30_000, retryAfterStockChanges: true },
);

describeLive('es9 live: the embedded search scenarios on Elasticsearch 9', () => {
    beforeAll(async () => {
        await fixture.setUp(server);
        // The demo populate waits for its reindex; make sure the whole catalogue is searchable.
        const indexed = await fixture.eventually(
            () => fixture.search({ take: ALL }),
            result => result.totalItems === DEMO_VARIANTS,
            60_000,
        );
        expect(indexed.totalItems).toBe(DEMO_VARIANTS);
    }, 240_000);

    afterAll(async () => {
        await server.destroy();
    });

    fixture.scenarios();
});
