import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ID, RequestContext, SearchService } from '@vendure/core';
import { ElasticsearchPlugin } from '@vendure-community/elasticsearch-plugin';
// Not exported from the package's entry point (see the es9 README, "what the community plugin
// lacks"): the job-queue entry point for re-indexing given variants.
import { ElasticsearchIndexService } from '@vendure-community/elasticsearch-plugin/lib/src/indexing/elasticsearch-index.service';

/**
 * es9's only ways into the community plugin, in one place: re-index variants through its job
 * queue, reindex everything, and run its start-up again.
 */
@Injectable()
export class CommunityPluginBridge {
    constructor(
        private readonly moduleRef: ModuleRef,
        private readonly searchService: SearchService,
    ) {}

    /** Queues an `update-variants-by-id` job (with progress) on the community plugin's queue. */
    async reindexVariants(ctx: RequestContext, variantIds: ID[]): Promise<void> {
        if (!variantIds.length) return;
        const indexService = this.moduleRef.get(ElasticsearchIndexService, { strict: false });
        await indexService.updateVariantsById(ctx, variantIds);
    }

    /** Queues a full reindex (the community plugin adopted Vendure's SearchService). */
    async reindexAll(ctx: RequestContext): Promise<void> {
        await this.searchService.reindex(ctx);
    }

    /**
     * The community plugin connects, creates its index and subscribes to catalogue events in its
     * start-up only, and gives up for good when Elasticsearch does not answer then. Running that
     * start-up again once Elasticsearch answers is what lets indexing resume without a restart.
     */
    async restartCommunityPlugin(): Promise<void> {
        const plugin = this.moduleRef.get(ElasticsearchPlugin, { strict: false });
        await plugin.onApplicationBootstrap();
    }
}
