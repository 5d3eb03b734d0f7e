import { Inject, Injectable } from '@nestjs/common';

import { SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import { OpenStatus, openStatus } from './opening-hours';
import type { IndexedStore } from './store-index';

/**
 * What a store is open for:
 * - `new-order`: search, add to cart, checkout, `nearbyStores`, `deliveryAvailability`; the last
 *   `lastOrderMinutesBeforeClose` minutes before a closing count as closed;
 * - `placed-order`: allocation of an order already paid, at the moment it was placed; open until
 *   closing, so an order taken just before the last-order time stays with its store.
 */
export type OpenFor = 'new-order' | 'placed-order';

/**
 * "Is this store open at time T?": the one place where the serving rule asks about opening
 * hours. The schedule is parsed once per store-index rebuild (StoreLocator); this only reads it.
 */
@Injectable()
export class StoreHoursService {
    constructor(
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS)
        private readonly options: Pick<
            SellerStoreInfoOptions,
            'lastOrderMinutesBeforeClose' | 'storesWithoutScheduleAlwaysOpen'
        >,
    ) {}

    /** Open at `at` for the purpose, and when it next opens (null while open or never). */
    statusOf(store: IndexedStore, at: Date = new Date(), openFor: OpenFor = 'new-order'): OpenStatus {
        const { schedule } = store;
        if (!schedule) return { openNow: this.options.storesWithoutScheduleAlwaysOpen, opensAt: null };
        if (!schedule.hours) return { openNow: false, opensAt: null };
        const margin = openFor === 'new-order' ? this.options.lastOrderMinutesBeforeClose : 0;
        return openStatus(schedule.hours, schedule.timeZone, at, margin);
    }

    isOpen(store: IndexedStore, at: Date = new Date(), openFor: OpenFor = 'new-order'): boolean {
        return this.statusOf(store, at, openFor).openNow;
    }

    /** The stores that are open at `at`, in their order. */
    openOnly<T extends IndexedStore>(stores: readonly T[], at: Date = new Date(), openFor?: OpenFor): T[] {
        return stores.filter(store => this.isOpen(store, at, openFor));
    }
}
