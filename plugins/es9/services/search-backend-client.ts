import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ID } from '@vendure/core';
import type { SearchClientAdapter } from '@vendure-community/elasticsearch-plugin';

import { SearchBackendState, SearchBackendUnavailableError } from '../adapter/delivery-search-adapter';
import { ES9_ADAPTER_FACTORY, ES9_PLUGIN_OPTIONS, GEO_FIELDS, VARIANT_INDEX } from '../constants';
import { Es9Options } from '../options';

/** The most variants one store change re-indexes from the index's side (Elasticsearch's default window). */
const MAX_LOOKUP = 10_000;

/**
 * es9's own connection to Elasticsearch, apart from the community plugin's two: for health
 * checks and for finding the variants a store serves. Opened lazily by the client library,
 * closed at shutdown.
 */
@Injectable()
export class SearchBackendClient implements OnApplicationShutdown {
    private adapter: SearchClientAdapter | undefined;

    constructor(
        @Inject(ES9_PLUGIN_OPTIONS) private readonly options: Es9Options,
        @Inject(ES9_ADAPTER_FACTORY) private readonly createAdapter: () => SearchClientAdapter,
        private readonly state: SearchBackendState,
    ) {}

    get index(): string {
        return `${this.options.indexPrefix}${VARIANT_INDEX}`;
    }

    async isUp(): Promise<boolean> {
        try {
            return (await this.client().ping({ requestTimeout: this.options.requestTimeoutMs })).body;
        } catch {
            return false;
        }
    }

    /** Documents in the variant index (every variant once per channel and language). */
    async documentCount(): Promise<number> {
        const { body } = await this.client().search({
            index: this.index,
            body: { size: 0, track_total_hits: true, query: { match_all: {} } },
        });
        const total = body.hits.total;
        return typeof total === 'number' ? total : total.value;
    }

    /** The variants whose documents list the store as serving them. */
    async variantsServedFrom(stockLocationId: ID): Promise<string[]> {
        if (this.state.isMarkedUnavailable()) throw new SearchBackendUnavailableError();
        const { body } = await this.client().search<{ productVariantId?: ID }>({
            index: this.index,
            body: {
                size: MAX_LOOKUP,
                _source: ['productVariantId'],
                query: { bool: { filter: [{ term: { [GEO_FIELDS.storeIds]: String(stockLocationId) } }] } },
            },
        });
        const ids = body.hits.hits.map(hit => hit._source.productVariantId).filter(id => id != null);
        return [...new Set(ids.map(String))];
    }

    async onApplicationShutdown(): Promise<void> {
        await this.adapter?.close();
        this.adapter = undefined;
    }

    private client(): SearchClientAdapter {
        this.adapter ??= this.createAdapter();
        return this.adapter;
    }
}
