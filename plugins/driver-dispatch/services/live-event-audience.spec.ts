import { Permission } from '@vendure/common/lib/generated-types';

import { AssignmentLiveEvent, DispatchLiveEvent } from '../api/dispatch-live-events';
import { DeliveryStatus, DriverStatus } from '../types';
import { audienceOf, isEmptyAudience, mayReceive } from './live-event-audience';

const DEFAULT = 1;
const SELLER_A = 2;
const SELLER_B = 3;

function assignment(driverId: string | null, channelIds: string[]): AssignmentLiveEvent {
    return {
        type: 'assignment.assigned',
        channelIds,
        data: {
            assignmentId: '10',
            orderId: '20',
            driverId,
            status: DeliveryStatus.ASSIGNED,
            fromStatus: DeliveryStatus.PENDING,
            reasonCode: null,
            correlationId: 'c',
            at: '2024-01-01T00:00:00.000Z',
        },
    };
}
const location: DispatchLiveEvent = {
    type: 'driver.location',
    data: { driverId: '5', latitude: 41.88, longitude: -87.63, at: '2024-01-01T00:00:00.000Z' },
};
const status: DispatchLiveEvent = {
    type: 'driver.status',
    data: { driverId: '5', status: DriverStatus.BUSY, at: '2024-01-01T00:00:00.000Z' },
};
const ofDriver5InSellerA = assignment('5', [String(DEFAULT), String(SELLER_A)]);
const ofDriver6InSellerB = assignment('6', [String(DEFAULT), String(SELLER_B)]);

describe('the audience of a live stream', () => {
    it('a driver gets their own assignment events and nothing else', () => {
        const driver = audienceOf(
            [{ id: DEFAULT, permissions: ['Authenticated', 'DriverSelf'] }],
            DEFAULT,
            5,
        );
        expect(isEmptyAudience(driver)).toBe(false);
        expect(mayReceive(driver, ofDriver5InSellerA)).toBe(true);
        expect(mayReceive(driver, ofDriver6InSellerB)).toBe(false);
        expect(mayReceive(driver, assignment(null, [String(DEFAULT)]))).toBe(false);
        expect(mayReceive(driver, location)).toBe(false);
        expect(mayReceive(driver, status)).toBe(false);
    });

    it('DriverSelf without a linked driver record (a superadmin has every permission) is no driver', () => {
        expect(audienceOf([{ id: DEFAULT, permissions: ['DriverSelf'] }], DEFAULT, null).driverId).toBeNull();
        expect(
            isEmptyAudience(audienceOf([{ id: DEFAULT, permissions: ['DriverSelf'] }], DEFAULT, null)),
        ).toBe(true);
    });

    it('a driver record without DriverSelf in the default channel gets nothing', () => {
        expect(
            isEmptyAudience(audienceOf([{ id: DEFAULT, permissions: ['Authenticated'] }], DEFAULT, 5)),
        ).toBe(true);
    });

    it('platform staff with ReadDriver get every assignment and the fleet', () => {
        const staff = audienceOf([{ id: DEFAULT, permissions: ['ReadDriver'] }], DEFAULT, null);
        for (const event of [ofDriver5InSellerA, ofDriver6InSellerB, location, status]) {
            expect(mayReceive(staff, event)).toBe(true);
        }
    });

    it('platform staff with ManageDispatch or ReadOrder get every assignment but not the fleet', () => {
        for (const permission of ['ManageDispatch', Permission.ReadOrder]) {
            const staff = audienceOf([{ id: DEFAULT, permissions: [permission] }], DEFAULT, null);
            expect(mayReceive(staff, ofDriver5InSellerA)).toBe(true);
            expect(mayReceive(staff, ofDriver6InSellerB)).toBe(true);
            expect(mayReceive(staff, location)).toBe(false);
            expect(mayReceive(staff, status)).toBe(false);
        }
    });

    it("a seller's staff get only their channel's assignments, and never the fleet", () => {
        const seller = audienceOf(
            [{ id: SELLER_A, permissions: [Permission.ReadOrder, 'ReadDriver', 'ManageDispatch'] }],
            DEFAULT,
            null,
        );
        expect(mayReceive(seller, ofDriver5InSellerA)).toBe(true);
        expect(mayReceive(seller, ofDriver6InSellerB)).toBe(false);
        expect(mayReceive(seller, location)).toBe(false);
        expect(mayReceive(seller, status)).toBe(false);
    });

    it('permissions that have nothing to do with dispatch get nothing (a customer, a catalogue editor)', () => {
        expect(
            isEmptyAudience(audienceOf([{ id: DEFAULT, permissions: ['Authenticated'] }], DEFAULT, null)),
        ).toBe(true);
        expect(
            isEmptyAudience(
                audienceOf([{ id: SELLER_A, permissions: [Permission.UpdateCatalog] }], DEFAULT, null),
            ),
        ).toBe(true);
        expect(isEmptyAudience(audienceOf([], DEFAULT, null))).toBe(true);
    });

    it('compares channel ids whatever their type', () => {
        const staff = audienceOf([{ id: '1', permissions: ['ReadDriver'] }], 1, null);
        expect(staff.fleet).toBe(true);
    });
});
