import { Channel, ChannelService, Injector } from '@vendure/core';

import { sellerChannelOf } from './seller-channel';

/** Resolves the seller channel among an entity's channels (the default channel excluded). */
export class ChannelLookup {
    private readonly channelService: ChannelService;

    constructor(injector: Injector) {
        this.channelService = injector.get(ChannelService);
    }

    async sellerChannelOf(channels: Channel[]): Promise<Channel | undefined> {
        const defaultChannel = await this.channelService.getDefaultChannel();
        return sellerChannelOf(channels, defaultChannel.id);
    }
}
