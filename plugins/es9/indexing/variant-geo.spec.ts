import { GlobalFlag } from '@vendure/common/lib/generated-types';

import { IndexedStore } from '../../seller-store-info';
import { variantGeo, VariantStock } from './variant-geo';

const DEFAULT_CHANNEL = 1;
const SELLER_A = 2;
const SELLER_B = 3;
const settings = { trackInventory: true, outOfStockThreshold: 0 };

const stores: IndexedStore[] = [
    {
        stockLocationId: 11,
        name: 'A north',
        channelIds: [DEFAULT_CHANNEL, SELLER_A],
        latitude: 41.9,
        longitude: -87.63,
    },
    {
        stockLocationId: 12,
        name: 'A south',
        channelIds: [DEFAULT_CHANNEL, SELLER_A],
        latitude: 41.8,
        longitude: -87.6,
    },
    {
        stockLocationId: 21,
        name: 'B',
        channelIds: [DEFAULT_CHANNEL, SELLER_B],
        latitude: 41.85,
        longitude: -87.65,
    },
    { stockLocationId: 31, name: 'House', channelIds: [DEFAULT_CHANNEL], latitude: 41.66, longitude: -87.55 },
];

function variant(overrides: Partial<VariantStock> = {}): VariantStock {
    return {
        id: 100,
        trackInventory: GlobalFlag.INHERIT,
        useGlobalOutOfStockThreshold: true,
        outOfStockThreshold: 0,
        stockLevels: [
            { stockLocationId: 11, stockOnHand: 5, stockAllocated: 0 },
            { stockLocationId: 12, stockOnHand: 2, stockAllocated: 2 },
            { stockLocationId: 21, stockOnHand: 9, stockAllocated: 0 },
        ],
        ...overrides,
    };
}

describe('variantGeo: the stores that can deliver a variant', () => {
    it("lists its own seller's stores with saleable stock only, as lat,lon points", () => {
        expect(variantGeo(variant(), SELLER_A, stores, DEFAULT_CHANNEL, settings)).toEqual({
            // 12 has all its stock allocated; 21 belongs to another seller.
            storePoints: ['41.9,-87.63'],
            storeIds: ['11'],
            sellerChannelId: '2',
        });
    });

    it('subtracts the out-of-stock threshold (global, or the variant’s own)', () => {
        const global = variantGeo(variant(), SELLER_A, stores, DEFAULT_CHANNEL, {
            ...settings,
            outOfStockThreshold: 5,
        });
        expect(global.storeIds).toEqual([]);
        const own = variant({ useGlobalOutOfStockThreshold: false, outOfStockThreshold: 4 });
        expect(variantGeo(own, SELLER_A, stores, DEFAULT_CHANNEL, settings).storeIds).toEqual(['11']);
    });

    it("treats an untracked variant as stocked at every store of its seller, and at no other's", () => {
        const untracked = variant({ trackInventory: GlobalFlag.FALSE, stockLevels: [] });
        expect(variantGeo(untracked, SELLER_A, stores, DEFAULT_CHANNEL, settings).storeIds).toEqual([
            '11',
            '12',
        ]);
        const inherited = variant({ stockLevels: [] });
        expect(
            variantGeo(inherited, SELLER_A, stores, DEFAULT_CHANNEL, { ...settings, trackInventory: false })
                .storeIds,
        ).toEqual(['11', '12']);
    });

    it("serves the platform's own variants from stores of no seller only", () => {
        const own = variant({
            stockLevels: [
                { stockLocationId: 31, stockOnHand: 1, stockAllocated: 0 },
                { stockLocationId: 11, stockOnHand: 1, stockAllocated: 0 },
            ],
        });
        expect(variantGeo(own, undefined, stores, DEFAULT_CHANNEL, settings)).toEqual({
            storePoints: ['41.66,-87.55'],
            storeIds: ['31'],
            sellerChannelId: null,
        });
    });

    it('has no point at all when nothing is in stock: the geo filter then never matches it', () => {
        const soldOut = variant({
            stockLevels: [{ stockLocationId: 11, stockOnHand: 0, stockAllocated: 0 }],
        });
        expect(variantGeo(soldOut, SELLER_A, stores, DEFAULT_CHANNEL, settings).storePoints).toEqual([]);
    });
});
