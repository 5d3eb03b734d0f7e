import { I18nError, Logger, LogLevel } from '@vendure/core';
// The package's entry point exports only the adapter interface: the response types are its methods'.
import type { SearchClientAdapter } from '@vendure-community/elasticsearch-plugin';

import { describeError } from '../../shared/errors';
import { loggerCtx } from '../constants';
import { annotateDeliveryHits } from '../search/delivery-search-query';

type SearchParams = Parameters<SearchClientAdapter['search']>[0];

/**
 * A search while Elasticsearch cannot answer. Only the search fails: browsing, the cart and
 * checkout never depend on Elasticsearch.
 */
export class SearchUnavailableError extends I18nError {
    constructor() {
        super(
            'Search is temporarily unavailable (the search service does not answer). The cart and checkout still work; please try the search again shortly',
            {},
            'SEARCH_UNAVAILABLE',
            LogLevel.Warn,
        );
    }
}

/**
 * What this process knows about Elasticsearch, shared by the community plugin's adapters and
 * es9's watcher.
 */
export class SearchBackendState {
    /** undefined until the community plugin first pinged; then the outcome of its last ping. */
    communityConnected: boolean | undefined;
    private unavailableUntil = 0;

    /**
     * @param cooldownMs after a request found Elasticsearch unreachable, how long further requests
     *   fail at once instead of each waiting for its own connection error and retry (about 2 s
     *   each: an indexing job of many bulk writes would take minutes and hold up the queue)
     */
    constructor(readonly cooldownMs = 5_000) {}

    markUnavailable(now = Date.now()): void {
        this.unavailableUntil = now + this.cooldownMs;
    }

    markAvailable(): void {
        this.unavailableUntil = 0;
    }

    isMarkedUnavailable(now = Date.now()): boolean {
        return now < this.unavailableUntil;
    }
}

/** Thrown instead of a request while Elasticsearch is known to be unreachable. */
export class SearchBackendUnavailableError extends Error {
    override readonly name = 'ConnectionError';

    constructor() {
        super('Elasticsearch was unreachable moments ago; the request was not sent');
    }
}

/**
 * The community plugin's adapter with es9's part of the response handling: each hit of a search
 * with a delivery location gets `fastDelivery` and `nearestStoreDistanceKm` from its distance sort
 * value, and a backend that does not answer becomes a {@link SearchUnavailableError} instead of a
 * transport error. Everything else is passed through unchanged.
 */
export class DeliverySearchAdapter implements SearchClientAdapter {
    readonly indices: SearchClientAdapter['indices'];

    constructor(
        private readonly inner: SearchClientAdapter,
        private readonly state: SearchBackendState,
    ) {
        this.indices = inner.indices;
    }

    async ping(options?: { requestTimeout?: number }): Promise<{ body: boolean }> {
        try {
            const result = await this.inner.ping(options);
            this.state.communityConnected = result.body;
            if (result.body) this.state.markAvailable();
            return result;
        } catch (error) {
            this.state.communityConnected = false;
            throw error;
        }
    }

    close(): Promise<void> {
        return this.inner.close();
    }

    // The return type is the inner adapter's, for any T (inferred: the package does not export it).
    async search<T = unknown>(params: SearchParams) {
        const result = await this.guarded(() => this.inner.search<T>(params)).catch((error: unknown) => {
            if (isUnavailable(error)) {
                Logger.warn(
                    `Search failed, Elasticsearch does not answer: ${describeError(error, { withName: true })}`,
                    loggerCtx,
                );
                throw new SearchUnavailableError();
            }
            throw error;
        });
        annotateDeliveryHits(params.body as { sort?: unknown }, result.body.hits?.hits ?? []);
        return result;
    }

    bulk(params: Parameters<SearchClientAdapter['bulk']>[0]): ReturnType<SearchClientAdapter['bulk']> {
        return this.guarded(() => this.inner.bulk(params));
    }

    updateByQuery(
        params: Parameters<SearchClientAdapter['updateByQuery']>[0],
    ): ReturnType<SearchClientAdapter['updateByQuery']> {
        return this.guarded(() => this.inner.updateByQuery(params));
    }

    deleteByQuery(params: Parameters<SearchClientAdapter['deleteByQuery']>[0]): Promise<{ body: unknown }> {
        return this.guarded(() => this.inner.deleteByQuery(params));
    }

    getRawClient(): unknown {
        return this.inner.getRawClient();
    }

    /** Fails at once while Elasticsearch is known to be down; notes when a request finds it down. */
    private async guarded<R>(request: () => Promise<R>): Promise<R> {
        if (this.state.isMarkedUnavailable()) throw new SearchBackendUnavailableError();
        try {
            return await request();
        } catch (error) {
            if (isConnectionFailure(error)) this.state.markUnavailable();
            throw error;
        }
    }
}

/**
 * Errors of @elastic/transport (and the OpenSearch client) that mean "no answer": the node is
 * down, unreachable, overloaded or too slow.
 */
export function isConnectionFailure(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    if (CONNECTION_ERRORS.includes(error.name)) return true;
    const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode ?? 0;
    return status === 502 || status === 503;
}

/**
 * A search cannot be answered: no connection, or no index yet (it is created when Elasticsearch
 * first answers, so it is missing after a start without Elasticsearch).
 */
export function isUnavailable(error: unknown): boolean {
    const type = (error as { meta?: { body?: { error?: { type?: string } } } } | undefined)?.meta?.body?.error
        ?.type;
    return isConnectionFailure(error) || type === 'index_not_found_exception';
}

const CONNECTION_ERRORS = [
    'ConnectionError',
    'TimeoutError',
    'NoLivingConnectionsError',
    'RequestAbortedError',
];
