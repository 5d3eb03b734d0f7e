import { Inject, Injectable } from '@nestjs/common';
import {
    Channel,
    ChannelService,
    idsAreEqual,
    RequestContext,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';

import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import { DeliveryLocationInput, DeliveryLocationService } from './delivery-location.service';
import { SellerVerificationService } from './seller-verification.service';
import { StoreHoursService } from './store-hours.service';
import { StoreLocator } from './store-locator.service';

export interface NearbyStore {
    stockLocationId: string;
    name: string;
    sellerName: string | null;
    latitude: number;
    longitude: number;
    distanceKm: number;
    openNow: boolean;
    opensAt: Date | null;
}

/** `nearbyStores`: the stores of the current channel within the delivery radius, nearest first, open or not. */
@Injectable()
export class NearbyStoresService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly channelService: ChannelService,
        private readonly storeLocator: StoreLocator,
        private readonly deliveryLocations: DeliveryLocationService,
        private readonly storeHours: StoreHoursService,
        private readonly sellerVerification: SellerVerificationService,
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS) private readonly options: SellerStoreInfoOptions,
    ) {}

    async near(ctx: RequestContext, input?: DeliveryLocationInput | null): Promise<NearbyStore[]> {
        const location = await this.deliveryLocations.given(ctx, input);
        if (!location) {
            throw new UserInputError(
                'Give a location (postalCode, or latitude and longitude), or set one with setDeliveryLocation first',
            );
        }
        const hidden = await this.sellerVerification.unverifiedSellerChannelIds(ctx);
        const stores = this.storeLocator
            .near(location, this.options.maxDistanceKm, { channelIds: [ctx.channelId] })
            // Seller verification: the stores of unverified sellers are not shown.
            .filter(store => !store.channelIds.some(id => hidden.some(other => idsAreEqual(id, other))));
        if (!stores.length) return [];
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const channels = await this.connection.getRepository(ctx, Channel).find({ relations: ['seller'] });
        const sellerName = (channelIds: Array<string | number>) => {
            const sellerChannel = channels.find(
                channel =>
                    !idsAreEqual(channel.id, defaultChannel.id) &&
                    channelIds.some(id => idsAreEqual(id, channel.id)),
            );
            return sellerChannel?.seller?.name ?? null;
        };
        const now = new Date();
        return stores.map(store => ({
            stockLocationId: String(store.stockLocationId),
            name: store.name,
            sellerName: sellerName(store.channelIds),
            latitude: store.latitude,
            longitude: store.longitude,
            distanceKm: store.distanceKm,
            // Opening hours: closed stores stay listed, marked.
            ...this.storeHours.statusOf(store, now),
        }));
    }
}
