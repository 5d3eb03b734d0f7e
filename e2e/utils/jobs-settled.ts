import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

const UNFINISHED_JOBS = gql`
    query UnfinishedJobs {
        jobs(options: { filter: { state: { in: ["PENDING", "RUNNING", "RETRYING"] } }, take: 1 }) {
            totalItems
        }
    }
`;

/**
 * Waits until the job queue holds no pending, running or retrying job (the client must be
 * logged in with ReadSettings). A search read while the indexer rewrites a product's rows can
 * count a row in `totalItems` that its `items` statement no longer sees: tests that read the
 * index after a change wait for its jobs first.
 */
export async function jobsSettled(adminClient: SimpleGraphQLClient, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const { jobs } = await adminClient.query<{ jobs: { totalItems: number } }>(UNFINISHED_JOBS);
        if (jobs.totalItems === 0) return;
        if (Date.now() > until) {
            throw new Error(`${jobs.totalItems} job(s) still unfinished after ${timeoutMs} ms`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}
