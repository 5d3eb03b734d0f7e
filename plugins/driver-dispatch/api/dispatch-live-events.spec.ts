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
    const move = (
        fromStatus: DeliveryStatus | null,
        toStatus: DeliveryStatus,
        driverId: number | null,
        previousDriverId: number | null,
    ) => concernedDriverId({ fromStatus, toStatus, driverId, previousDriverId });

    it('is the driver who got it, or who holds it', () => {
        expect(move(PENDING, ASSIGNED, 7, null)).toBe('7');
        expect(move(ASSIGNED, PICKED_UP, 7, 7)).toBe('7');
        expect(move(PICKED_UP, DELIVERED, 7, 7)).toBe('7');
        expect(move(ASSIGNED, CANCELLED, 7, 7)).toBe('7');
        expect(move(PICKED_UP, FAILED, 7, 7)).toBe('7');
    });

    it('is the driver it was taken from when it went back to PENDING', () => {
        expect(move(ASSIGNED, PENDING, null, 7)).toBe('7');
    });

    it('is nobody while no driver held it in this move', () => {
        expect(move(null, PENDING, null, null)).toBeNull();
        // Declined earlier by 7, then cancelled while waiting: 7 no longer has anything to do with it.
        expect(move(PENDING, CANCELLED, null, null)).toBeNull();
        expect(move(PENDING, FAILED, null, null)).toBeNull();
        // A retry: the driver who failed it was released when it failed.
        expect(move(FAILED, PENDING, null, 7)).toBeNull();
    });
});
