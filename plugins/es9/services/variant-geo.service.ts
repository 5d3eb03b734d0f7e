import { Injectable } from '@nestjs/common';
import {
    ChannelService,
    GlobalSettingsService,
    Logger,
    ProductVariant,
    RequestContext,
    RequestContextCacheService,
    StockLocation,
    TransactionalConnection,
} from '@vendure/core';
import { IsNull, Not } from 'typeorm';

import { DeliveryRuleService, IndexedStore } from '../../seller-store-info';
import { coordinateProblem } from '../../shared/geo';
import { loggerCtx } from '../constants';
import { VariantGeo, variantGeo } from '../indexing/variant-geo';

/**
 * The geo part of each variant's index document, for the community plugin's custom mappings.
 * Runs in the indexing job. Reads the stores from the database (the source of truth, never a
 * process's in-memory index that might not have seen a change yet), once per job; the variant's
 * stock levels come hydrated with the variant.
 */
@Injectable()
export class VariantGeoService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly channelService: ChannelService,
        private readonly globalSettings: GlobalSettingsService,
        private readonly deliveryRule: DeliveryRuleService,
        private readonly cache: RequestContextCacheService,
    ) {}

    /** Three mappings ask per document (points, ids, seller): computed once per job and variant. */
    geoOf(ctx: RequestContext, variant: ProductVariant): Promise<VariantGeo> {
        return this.cache.get(ctx, `es9-variant-geo-${String(variant.id)}`, async () => {
            const [stores, defaultChannel, settings] = await Promise.all([
                this.stores(ctx),
                this.channelService.getDefaultChannel(ctx),
                this.globalSettings.getSettings(ctx),
            ]);
            return variantGeo(
                variant,
                this.deliveryRule.sellerChannelId(variant, defaultChannel.id),
                stores,
                defaultChannel.id,
                settings,
            );
        });
    }

    private stores(ctx: RequestContext): Promise<IndexedStore[]> {
        return this.cache.get(ctx, 'es9-geo-stores', async () => {
            const locations = await this.connection.rawConnection.getRepository(StockLocation).find({
                relations: { channels: true },
                where: { customFields: { latitude: Not(IsNull()), longitude: Not(IsNull()) } },
            });
            const stores: IndexedStore[] = [];
            for (const location of locations) {
                const latitude = Number(location.customFields.latitude);
                const longitude = Number(location.customFields.longitude);
                const problem = coordinateProblem(latitude, longitude);
                if (problem) {
                    Logger.warn(
                        `Stock location ${String(location.id)} is not indexed as a store: ${problem}`,
                        loggerCtx,
                    );
                    continue;
                }
                stores.push({
                    stockLocationId: location.id,
                    name: location.name,
                    channelIds: location.channels.map(channel => channel.id),
                    latitude,
                    longitude,
                });
            }
            return stores;
        });
    }
}
