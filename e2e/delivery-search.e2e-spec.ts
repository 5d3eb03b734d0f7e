import { createTestEnvironment } from '@vendure/testing';

import { e2eConfig } from './config/e2e-config';
import { deliverySearchFixture } from './fixtures/delivery-search-scenarios';

/**
 * The shop `search` with a delivery location, against the demo marketplace, on the embedded
 * search: the scenarios of fixtures/delivery-search-scenarios.ts. Results, totals, pages and facet
 * counts are compared with a deliverable set computed there, independently, from the admin API
 * (each seller's stores and stock levels) and a haversine distance of our own.
 */

const { server, adminClient, shopClient } = createTestEnvironment(e2eConfig(__filename));
const fixture = deliverySearchFixture(
    { adminClient, shopClient },
    // The embedded search reads the stock as it is now: a search right after a stock change reads once.
    { eventuallyTimeoutMs: 20_000, retryAfterStockChanges: false },
);

beforeAll(async () => {
    await fixture.setUp(server);
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

fixture.scenarios();
