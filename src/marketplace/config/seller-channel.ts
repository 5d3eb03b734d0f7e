import { Channel, ID, idsAreEqual } from '@vendure/core';

/**
 * In this marketplace a seller's product, shipping method or stock location is assigned to the
 * default channel and to exactly one seller channel: that other channel is its seller's.
 */
export function sellerChannelOf(channels: Channel[], defaultChannelId: ID): Channel | undefined {
    const others = channels.filter(channel => !idsAreEqual(channel.id, defaultChannelId));
    return others.length === 1 ? others[0] : undefined;
}
