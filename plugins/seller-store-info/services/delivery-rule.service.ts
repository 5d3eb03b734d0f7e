import { Inject, Injectable } from '@nestjs/common';
import { GlobalFlag } from '@vendure/common/lib/generated-types';
import {
    ChannelService,
    GlobalSettingsService,
    ID,
    idsAreEqual,
    ProductVariant,
    RequestContext,
    StockLevel,
    TransactionalConnection,
} from '@vendure/core';
import { In } from 'typeorm';

import { LatLng } from '../../shared/geo';
import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import { OpenFor, StoreHoursService } from './store-hours.service';
import { StoreHit, StoreLocator } from './store-locator.service';

/** Where one variant can be delivered from to one location. */
export interface VariantDelivery {
    productVariantId: ID;
    /** A store of the variant's seller within `maxDistanceKm` has saleable stock of it. */
    fastDelivery: boolean;
    /** Distance to that store (the nearest such), null when there is none. */
    nearestStoreDistanceKm: number | null;
    stockLocationId: ID | null;
    /** That store is open (a variant is only deliverable from an open store). */
    openNow: boolean;
    /** When not deliverable now: the earliest opening of a store in range that has the stock; else null. */
    opensAt: Date | null;
}

/** Which opening hours count: at `at` (default now), for `openFor` (default a new order); `any`: ignore them. */
export interface ServingTime {
    at?: Date;
    openFor?: OpenFor | 'any';
}

/**
 * The 5 km rule: a variant is deliverable to a location when a store of its own seller within
 * `maxDistanceKm` has saleable stock of it (the requested quantity, when given); it is served
 * from the nearest such store.
 */
@Injectable()
export class DeliveryRuleService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly storeLocator: StoreLocator,
        private readonly channelService: ChannelService,
        private readonly globalSettingsService: GlobalSettingsService,
        private readonly storeHours: StoreHoursService,
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS) private readonly options: SellerStoreInfoOptions,
    ) {}

    get maxDistanceKm(): number {
        return this.options.maxDistanceKm;
    }

    /** One answer per requested variant, in the order asked; unknown ids are not deliverable. */
    async availability(
        ctx: RequestContext,
        productVariantIds: ID[],
        point: LatLng,
        quantities: Map<string, number> = new Map(),
        time: ServingTime = {},
    ): Promise<VariantDelivery[]> {
        const ids = [...new Set(productVariantIds.map(String))];
        const variants = ids.length
            ? await this.connection.getRepository(ctx, ProductVariant).find({
                  where: { id: In(ids) },
                  relations: ['channels'],
              })
            : [];
        const stores = this.storeLocator.near(point, this.options.maxDistanceKm);
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const candidates = new Map<string, StoreHit[]>();
        for (const variant of variants) {
            const sellerChannelId = this.sellerChannelId(variant, defaultChannel.id);
            candidates.set(
                String(variant.id),
                stores.filter(store => servesSeller(store, sellerChannelId, defaultChannel.id)),
            );
        }
        const saleable = await this.saleableStock(ctx, variants, [...candidates.values()].flat());
        const hours = this.openingHoursOf(time);

        return productVariantIds.map(id => {
            const wanted = quantities.get(String(id)) ?? 1;
            const stocked = (candidates.get(String(id)) ?? []).filter(
                hit => (saleable.get(stockKey(id, hit.stockLocationId)) ?? 0) >= wanted,
            );
            // Opening hours (StoreHoursService): only an open store serves.
            const store = stocked.find(hit => hours(hit).openNow);
            return {
                productVariantId: id,
                fastDelivery: !!store,
                nearestStoreDistanceKm: store ? store.distanceKm : null,
                stockLocationId: store ? store.stockLocationId : null,
                openNow: !!store,
                opensAt: store ? null : earliest(stocked.map(hit => hours(hit).opensAt)),
            };
        });
    }

    /** The nearest store of the variant's seller within the radius, whatever its stock. */
    async nearestStoreOfSeller(
        ctx: RequestContext,
        productVariantId: ID,
        point: LatLng,
    ): Promise<ID | undefined> {
        const variant = await this.connection
            .getRepository(ctx, ProductVariant)
            .findOne({ where: { id: productVariantId }, relations: ['channels'] });
        if (!variant) return undefined;
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const sellerChannelId = this.sellerChannelId(variant, defaultChannel.id);
        return this.storeLocator
            .near(point, this.options.maxDistanceKm)
            .find(store => servesSeller(store, sellerChannelId, defaultChannel.id))?.stockLocationId;
    }

    /** Each store's opening status at the serving time, computed once per store. */
    private openingHoursOf(time: ServingTime) {
        const at = time.at ?? new Date();
        const known = new Map<string, { openNow: boolean; opensAt: Date | null }>();
        return (store: StoreHit) => {
            const key = String(store.stockLocationId);
            let status = known.get(key);
            if (!status) {
                status =
                    time.openFor === 'any'
                        ? { openNow: true, opensAt: null }
                        : this.storeHours.statusOf(store, at, time.openFor);
                known.set(key, status);
            }
            return status;
        };
    }

    /**
     * A variant belongs to its seller's channel (the one channel besides the default channel); a
     * variant only in the default channel is the platform's own (a single shop).
     */
    sellerChannelId(variant: ProductVariant, defaultChannelId: ID): ID | undefined {
        const others = variant.channels.filter(channel => !idsAreEqual(channel.id, defaultChannelId));
        return others.length === 1 ? others[0].id : undefined;
    }

    /** Saleable units per (variant, store): on hand minus allocated minus the out-of-stock threshold. */
    private async saleableStock(
        ctx: RequestContext,
        variants: ProductVariant[],
        stores: StoreHit[],
    ): Promise<Map<string, number>> {
        const result = new Map<string, number>();
        if (!variants.length || !stores.length) return result;
        const settings = await this.globalSettingsService.getSettings(ctx);
        const untracked = new Set(
            variants
                .filter(
                    v =>
                        v.trackInventory === GlobalFlag.FALSE ||
                        (v.trackInventory === GlobalFlag.INHERIT && !settings.trackInventory),
                )
                .map(v => String(v.id)),
        );
        const storeIds = [...new Set(stores.map(store => String(store.stockLocationId)))];
        for (const variant of variants.filter(v => untracked.has(String(v.id)))) {
            for (const storeId of storeIds)
                result.set(stockKey(variant.id, storeId), Number.MAX_SAFE_INTEGER);
        }
        const tracked = variants.filter(v => !untracked.has(String(v.id)));
        if (!tracked.length) return result;
        const levels = await this.connection.getRepository(ctx, StockLevel).find({
            where: { productVariantId: In(tracked.map(v => v.id)), stockLocationId: In(storeIds) },
        });
        const threshold = new Map(
            tracked.map(v => [
                String(v.id),
                v.useGlobalOutOfStockThreshold ? settings.outOfStockThreshold : v.outOfStockThreshold,
            ]),
        );
        for (const level of levels) {
            const units =
                level.stockOnHand -
                level.stockAllocated -
                (threshold.get(String(level.productVariantId)) ?? 0);
            result.set(stockKey(level.productVariantId, level.stockLocationId), units);
        }
        return result;
    }
}

/**
 * A store serves a seller's variant when it is assigned to that seller's channel; the platform's
 * own variants (single shop) are served by stores that belong to no seller.
 */
export function servesSeller(
    store: StoreHit,
    sellerChannelId: ID | undefined,
    defaultChannelId: ID,
): boolean {
    if (sellerChannelId !== undefined) return store.channelIds.some(id => idsAreEqual(id, sellerChannelId));
    return store.channelIds.every(id => idsAreEqual(id, defaultChannelId));
}

function earliest(dates: Array<Date | null>): Date | null {
    const times = dates.filter((date): date is Date => date !== null).map(date => date.getTime());
    return times.length ? new Date(Math.min(...times)) : null;
}

function stockKey(variantId: ID, storeId: ID): string {
    return `${String(variantId)}:${String(storeId)}`;
}
