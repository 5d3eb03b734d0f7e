import { parseOpeningHours } from './opening-hours';
import { StoreHoursService } from './store-hours.service';
import { IndexedStore } from './store-index';

const store = (schedule?: IndexedStore['schedule']): IndexedStore => ({
    stockLocationId: 1,
    name: 'Store',
    channelIds: [1],
    latitude: 41.88,
    longitude: -87.63,
    schedule,
});
const weekdays = parseOpeningHours('{"mon": ["08:00-20:00"], "tue": ["08:00-20:00"]}');
// Monday 2026-03-02, 19:50 in Chicago (UTC-6).
const mondayEvening = new Date('2026-03-03T01:50:00Z');

describe('StoreHoursService', () => {
    it('counts a store without a schedule as open, or closed with storesWithoutScheduleAlwaysOpen false', () => {
        const open = new StoreHoursService({
            lastOrderMinutesBeforeClose: 0,
            storesWithoutScheduleAlwaysOpen: true,
        });
        const closed = new StoreHoursService({
            lastOrderMinutesBeforeClose: 0,
            storesWithoutScheduleAlwaysOpen: false,
        });
        expect(open.statusOf(store(), mondayEvening)).toEqual({ openNow: true, opensAt: null });
        expect(closed.statusOf(store(), mondayEvening)).toEqual({ openNow: false, opensAt: null });
    });

    it('applies lastOrderMinutesBeforeClose to new orders only, not to an order already placed', () => {
        const hours = new StoreHoursService({
            lastOrderMinutesBeforeClose: 15,
            storesWithoutScheduleAlwaysOpen: true,
        });
        const chicago = store({ hours: weekdays, timeZone: 'America/Chicago' });
        expect(hours.statusOf(chicago, mondayEvening, 'new-order')).toEqual({
            openNow: false,
            opensAt: new Date('2026-03-03T14:00:00Z'),
        });
        expect(hours.isOpen(chicago, mondayEvening, 'placed-order')).toBe(true);
        expect(hours.openOnly([chicago, store()], mondayEvening)).toEqual([store()]);
    });

    it('counts a store whose saved hours do not parse as closed', () => {
        const hours = new StoreHoursService({
            lastOrderMinutesBeforeClose: 0,
            storesWithoutScheduleAlwaysOpen: true,
        });
        expect(hours.isOpen(store({ hours: null, timeZone: 'UTC' }), mondayEvening)).toBe(false);
    });
});
