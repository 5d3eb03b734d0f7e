import { Channel, ID, OrderState } from '@vendure/core';

import { aggregateStateFor } from './aggregate-order-process';
import { sellerChannelOf } from './seller-channel';

describe('aggregateStateFor', () => {
    it.each<[OrderState[], OrderState | undefined]>([
        [[], undefined],
        [['Delivered'], 'Delivered'],
        [['Delivered', 'Delivered', 'Delivered'], 'Delivered'],
        [['Shipped'], 'Shipped'],
        [['Shipped', 'Shipped'], 'Shipped'],
        [['Shipped', 'Delivered'], 'PartiallyDelivered'],
        [['Delivered', 'Shipped', 'Shipped'], 'PartiallyDelivered'],
        [['Shipped', 'PaymentSettled'], 'PartiallyShipped'],
        [['PartiallyShipped', 'PaymentSettled'], 'PartiallyShipped'],
        [['PaymentSettled'], undefined],
        [['PaymentSettled', 'PaymentSettled'], undefined],
        [['Delivered', 'PaymentSettled'], 'PartiallyDelivered'],
    ])('seller orders %j make the aggregate order %s', (states, expected) => {
        expect(aggregateStateFor(states)).toBe(expected);
    });
});

describe('sellerChannelOf', () => {
    const channel = (id: ID, code: string) => new Channel({ id, code, token: code });
    const defaultChannel = channel(1, '__default_channel__');
    const lakefront = channel(2, 'lakefront-grocers');
    const pharmacy = channel(3, 'windy-city-pharmacy');

    it('is the one channel besides the default channel', () => {
        expect(sellerChannelOf([defaultChannel, lakefront], 1)).toBe(lakefront);
        expect(sellerChannelOf([pharmacy, defaultChannel], 1)).toBe(pharmacy);
    });

    it('is undefined with no channel besides the default channel', () => {
        expect(sellerChannelOf([defaultChannel], 1)).toBeUndefined();
        expect(sellerChannelOf([], 1)).toBeUndefined();
    });

    it('is undefined with two channels besides the default channel', () => {
        expect(sellerChannelOf([defaultChannel, lakefront, pharmacy], 1)).toBeUndefined();
    });

    it('recognises the default channel whether its id is a string or a number', () => {
        expect(sellerChannelOf([defaultChannel, lakefront], '1')).toBe(lakefront);
        expect(sellerChannelOf([channel('1', '__default_channel__'), lakefront], 1)).toBe(lakefront);
    });
});
