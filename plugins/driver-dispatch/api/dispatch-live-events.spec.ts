import { DeliveryStatus } from '../types';
import {
    assignmentEventType,
    concernedDriverId,
    sseComment,
    sseFrame,
    sseRetry,
} from './dispatch-live-events';

describe('sseFrame', () => {
    it('writes id, event and the JSON data, ended by a blank line', () => {
        expect(sseFrame({ id: '1700000000000-0', event: 'driver.status', data: { driverId: '3' } })).toBe(
            'id: 1700000000000-0\nevent: driver.status\ndata: {"driverId":"3"}\n\n',
        );
    });

    it('leaves the id out when there is none', () => {
        expect(sseFrame({ event: 'stream.resync', data: { reason: 'gone' } })).toBe(
            'event: stream.resync\ndata: {"reason":"gone"}\n\n',
        );
    });

    it('keeps a line break inside the data from ending the frame early', () => {
        const frame = sseFrame({ event: 'x', data: { note: 'one\ntwo' } });
        // JSON escapes the line break: one data line, and the only blank line is the terminator.
        expect(frame).toBe('event: x\ndata: {"note":"one\\ntwo"}\n\n');
        expect(frame.indexOf('\n\n')).toBe(frame.length - 2);
    });

    it('cannot be broken by a line break in the id or event name', () => {
        expect(sseFrame({ id: '1\n2', event: 'a\r\nb', data: 1 })).toBe('id: 1 2\nevent: a b\ndata: 1\n\n');
    });

    it('writes comments and the retry delay', () => {
        expect(sseComment('keep-alive')).toBe(': keep-alive\n\n');
        expect(sseRetry(2000)).toBe('retry: 2000\n\n');
    });
});

describe('assignmentEventType', () => {
    const { PENDING, ASSIGNED, PICKED_UP, DELIVERED, FAILED, CANCELLED } = DeliveryStatus;

    it.each([
        [null, PENDING, 'assignment.updated'],
        [PENDING, ASSIGNED, 'assignment.assigned'],
        [ASSIGNED, PICKED_UP, 'assignment.updated'],
        [PICKED_UP, DELIVERED, 'assignment.updated'],
        [PICKED_UP, FAILED, 'assignment.updated'],
        [ASSIGNED, PENDING, 'assignment.cancelled'],
        [ASSIGNED, CANCELLED, 'assignment.cancelled'],
        [PENDING, CANCELLED, 'assignment.cancelled'],
    ] as const)('%s → %s is %s', (from, to, type) => {
        expect(assignmentEventType(from, to)).toBe(type);
    });
});

describe('concernedDriverId', () => {
    const { PENDING, ASSIGNED, PICKED_UP, DELIVERED, CANCELLED, FAILED } = DeliveryStatus;

    it('is the driver who got it, or who holds it', () => {
        expect(concernedDriverId(PENDING, ASSIGNED, { driverId: 7, excludedDriverIds: [] })).toBe('7');
        expect(concernedDriverId(ASSIGNED, PICKED_UP, { driverId: 7, excludedDriverIds: [3] })).toBe('7');
        expect(concernedDriverId(PICKED_UP, DELIVERED, { driverId: 7, excludedDriverIds: [] })).toBe('7');
        expect(concernedDriverId(ASSIGNED, CANCELLED, { driverId: 7, excludedDriverIds: [] })).toBe('7');
    });

    it('is the driver it was taken from when it went back to PENDING, even if already given to another', () => {
        expect(concernedDriverId(ASSIGNED, PENDING, { driverId: null, excludedDriverIds: [3, 7] })).toBe('7');
        expect(concernedDriverId(ASSIGNED, PENDING, { driverId: 9, excludedDriverIds: [3, 7] })).toBe('7');
    });

    it('is the driver who got it when it was declined again before the event was read', () => {
        expect(concernedDriverId(PENDING, ASSIGNED, { driverId: null, excludedDriverIds: [7] })).toBe('7');
    });

    it('is nobody while no driver ever held it in this move', () => {
        expect(concernedDriverId(null, PENDING, { driverId: null, excludedDriverIds: [] })).toBeNull();
        // Declined earlier by 7, then cancelled while waiting: 7 no longer has anything to do with it.
        expect(concernedDriverId(PENDING, CANCELLED, { driverId: null, excludedDriverIds: [7] })).toBeNull();
        expect(concernedDriverId(PENDING, FAILED, { driverId: null, excludedDriverIds: [7] })).toBeNull();
    });
});
