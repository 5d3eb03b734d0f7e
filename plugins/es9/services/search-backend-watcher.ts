import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
    Logger,
    ProcessContext,
    Product,
    RequestContextService,
    TransactionalConnection,
} from '@vendure/core';

import { SearchBackendState } from '../adapter/delivery-search-adapter';
import { ES9_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { Es9Options } from '../options';
import { CommunityPluginBridge } from './community-plugin-bridge';
import { SearchBackendClient } from './search-backend-client';

/** What one check did, for logs and tests. */
export type WatchOutcome = 'down' | 'up' | 'restarted-and-reindexed' | 'reindexed' | 'busy';

/**
 * Elasticsearch is advisory: the server starts and serves everything but search without it. Each
 * process checks it every `connectionCheckIntervalMs`:
 * - down at start: the community plugin gave up its start-up; once Elasticsearch answers, es9 runs
 *   that start-up again (index, event subscriptions) and queues a full reindex;
 * - down later: index updates in between were lost (the indexer only logs failed bulk writes);
 *   once it answers again, a full reindex catches up;
 * - an empty index next to a catalogue (a new cluster): a full reindex fills it.
 * Reindexes are queued by server processes only, so a separate worker does not queue a second one.
 */
@Injectable()
export class SearchBackendWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
    private timer: NodeJS.Timeout | undefined;
    private lastUp: boolean | undefined;
    private busy = false;

    constructor(
        @Inject(ES9_PLUGIN_OPTIONS) private readonly options: Es9Options,
        private readonly state: SearchBackendState,
        private readonly backend: SearchBackendClient,
        private readonly community: CommunityPluginBridge,
        private readonly requestContextService: RequestContextService,
        private readonly processContext: ProcessContext,
        private readonly connection: TransactionalConnection,
    ) {}

    onApplicationBootstrap(): void {
        // The first check waits one interval: the community plugin's own start-up runs first.
        this.timer = setInterval(() => void this.check(), this.options.connectionCheckIntervalMs);
        this.timer.unref();
    }

    onApplicationShutdown(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    async check(): Promise<WatchOutcome> {
        if (this.busy) return 'busy';
        this.busy = true;
        try {
            return await this.checkOnce();
        } catch (error) {
            Logger.error(`Elasticsearch check failed: ${String(error)}`, loggerCtx);
            return 'down';
        } finally {
            this.busy = false;
        }
    }

    private async checkOnce(): Promise<WatchOutcome> {
        const wasUp = this.lastUp;
        const up = await this.backend.isUp();
        this.lastUp = up;
        if (up) this.state.markAvailable();
        else this.state.markUnavailable();
        if (!up) {
            if (wasUp !== false) {
                Logger.warn(
                    'Elasticsearch does not answer: search fails until it is back, everything else works; indexing resumes then',
                    loggerCtx,
                );
            }
            return 'down';
        }
        if (this.state.communityConnected === false) {
            Logger.info(
                'Elasticsearch answers again: restarting the search plugin and reindexing',
                loggerCtx,
            );
            await this.community.restartCommunityPlugin();
            if (!this.state.communityConnected) return 'down';
            await this.catchUp('Elasticsearch was down at start');
            return 'restarted-and-reindexed';
        }
        if (wasUp === false) {
            await this.catchUp('Elasticsearch was down');
            return 'reindexed';
        }
        if (wasUp === undefined && (await this.indexIsEmpty())) {
            await this.catchUp('the index is empty');
            return 'reindexed';
        }
        return 'up';
    }

    private async indexIsEmpty(): Promise<boolean> {
        if ((await this.backend.documentCount()) > 0) return false;
        return (await this.connection.rawConnection.getRepository(Product).count()) > 0;
    }

    private async catchUp(reason: string): Promise<void> {
        if (!this.processContext.isServer) return;
        const ctx = await this.requestContextService.create({ apiType: 'admin' });
        await this.community.reindexAll(ctx);
        Logger.info(`Queued a full search reindex: ${reason}`, loggerCtx);
    }
}
