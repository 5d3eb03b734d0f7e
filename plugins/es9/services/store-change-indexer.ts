import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
    ChangeChannelEvent,
    ChannelService,
    EventBus,
    GlobalSettingsEvent,
    ID,
    idsAreEqual,
    Logger,
    ProductVariant,
    RequestContext,
    StockLocation,
    StockLocationEvent,
    TransactionalConnection,
} from '@vendure/core';
import { Subscription } from 'rxjs';

import { loggerCtx } from '../constants';
import { CommunityPluginBridge } from './community-plugin-bridge';
import { SearchBackendClient } from './search-backend-client';

/**
 * Keeps the store points of the index fresh. Stock changes and product changes are the community
 * plugin's own events (it re-indexes the variants of every stock movement); a store that is
 * created, moved, deleted or given to another seller changes which variants it serves, so es9
 * re-indexes those through the community plugin's job queue:
 * - the variants whose documents list the store now (they may lose it), from the index, and
 * - the variants of the store's seller (they may gain it), from the database.
 * A change of the inventory settings (tracking, out-of-stock threshold) changes every variant:
 * a full reindex.
 */
@Injectable()
export class StoreChangeIndexer implements OnApplicationBootstrap, OnApplicationShutdown {
    private readonly subscriptions: Subscription[] = [];

    constructor(
        private readonly eventBus: EventBus,
        private readonly connection: TransactionalConnection,
        private readonly channelService: ChannelService,
        private readonly backend: SearchBackendClient,
        private readonly community: CommunityPluginBridge,
    ) {}

    onApplicationBootstrap(): void {
        this.subscriptions.push(
            this.eventBus.ofType(StockLocationEvent).subscribe(event => {
                const id: ID | undefined = event.entity?.id ?? (event.input as ID | undefined);
                if (id !== undefined) void this.logged(this.storeChanged(event.ctx, id, []));
            }),
            this.eventBus.ofType(ChangeChannelEvent).subscribe(event => {
                if (event.entityType === StockLocation || event.entity instanceof StockLocation) {
                    void this.logged(this.storeChanged(event.ctx, event.entity.id, event.channelIds));
                }
            }),
            this.eventBus.ofType(GlobalSettingsEvent).subscribe(event => {
                const input = event.input as
                    { trackInventory?: unknown; outOfStockThreshold?: unknown } | undefined;
                if (input?.trackInventory !== undefined || input?.outOfStockThreshold !== undefined) {
                    void this.logged(this.community.reindexAll(event.ctx));
                }
            }),
        );
    }

    onApplicationShutdown(): void {
        for (const subscription of this.subscriptions) subscription.unsubscribe();
        this.subscriptions.length = 0;
    }

    /**
     * Re-indexes the variants a store served before and may serve now.
     *
     * @param formerChannelIds channels the store was just removed from (their variants lose it)
     */
    async storeChanged(ctx: RequestContext, stockLocationId: ID, formerChannelIds: ID[]): Promise<string[]> {
        const served = await this.backend.variantsServedFrom(stockLocationId).catch((error: unknown) => {
            // Elasticsearch down: the catch-up reindex when it is back covers this change.
            Logger.warn(
                `Cannot ask the index which variants store ${String(stockLocationId)} served: ${String(error)}`,
                loggerCtx,
            );
            return [];
        });
        const store = await this.connection.rawConnection
            .getRepository(StockLocation)
            .findOne({ where: { id: stockLocationId }, relations: { channels: true } });
        const channelIds = [...(store?.channels.map(channel => channel.id) ?? []), ...formerChannelIds];
        const sellers =
            store || formerChannelIds.length ? await this.variantsOfStoreChannels(ctx, channelIds) : [];
        const ids = [...new Set([...served, ...sellers])];
        await this.community.reindexVariants(ctx, ids);
        return ids;
    }

    /**
     * The variants a store in these channels can serve: its sellers' variants, or, for a store in
     * the default channel only, the platform's own (variants in no seller channel).
     */
    private async variantsOfStoreChannels(ctx: RequestContext, channelIds: ID[]): Promise<string[]> {
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const sellerChannelIds = channelIds.filter(id => !idsAreEqual(id, defaultChannel.id));
        const query = this.connection.rawConnection
            .getRepository(ProductVariant)
            .createQueryBuilder('variant')
            .select('variant.id', 'id')
            .where('variant.deletedAt IS NULL');
        if (sellerChannelIds.length) {
            query.innerJoin('variant.channels', 'channel', 'channel.id IN (:...sellerChannelIds)', {
                sellerChannelIds,
            });
        } else {
            query.andWhere(
                qb =>
                    'NOT EXISTS ' +
                    qb
                        .subQuery()
                        .select('1')
                        .from(ProductVariant, 'seller_variant')
                        .innerJoin('seller_variant.channels', 'seller_channel')
                        .where('seller_variant.id = variant.id')
                        .andWhere('seller_channel.id <> :defaultChannelId')
                        .getQuery(),
            );
            query.setParameter('defaultChannelId', defaultChannel.id);
        }
        const rows = await query.getRawMany<{ id: ID }>();
        return [...new Set(rows.map(row => String(row.id)))];
    }

    // Event handlers must never end in an unhandled rejection: log, and let the next change or the
    // catch-up reindex repair it.
    private async logged(work: Promise<unknown>): Promise<void> {
        try {
            await work;
        } catch (error) {
            Logger.error(`Re-indexing after a store change failed: ${String(error)}`, loggerCtx);
        }
    }
}
