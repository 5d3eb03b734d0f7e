import { DriverStatus } from '../types';
import { ackFrame, errorFrame, eventFrame, isRefusal, parseClientFrame } from './driver-channel-protocol';

const NOW = new Date('2026-12-02T12:00:00Z');

function codeOf(text: string): string | undefined {
    const frame = parseClientFrame(text, NOW);
    return isRefusal(frame) ? frame.refused : undefined;
}

describe('parseClientFrame', () => {
    it('reads the three frame types', () => {
        expect(parseClientFrame('{"type":"auth","token":"abc","lastEventId":"1-0"}', NOW)).toEqual({
            type: 'auth',
            token: 'abc',
            lastEventId: '1-0',
        });
        expect(
            parseClientFrame(
                '{"type":"location","latitude":41.88,"longitude":-87.63,"accuracyM":5,"at":"2026-12-02T11:59:30Z"}',
                NOW,
            ),
        ).toEqual({
            type: 'location',
            latitude: 41.88,
            longitude: -87.63,
            accuracyM: 5,
            at: new Date('2026-12-02T11:59:30Z'),
        });
        expect(parseClientFrame('{"type":"status","status":"OFFLINE"}', NOW)).toEqual({
            type: 'status',
            status: DriverStatus.OFFLINE,
        });
    });

    it('refuses what is not a frame', () => {
        expect(codeOf('not json')).toBe('BAD_FRAME');
        expect(codeOf('[1,2]')).toBe('BAD_FRAME');
        expect(codeOf('{"latitude":1}')).toBe('BAD_FRAME');
        expect(codeOf('{"type":"jump"}')).toBe('UNKNOWN_TYPE');
    });

    it('refuses bad auth frames', () => {
        expect(codeOf('{"type":"auth"}')).toBe('BAD_FRAME');
        expect(codeOf(JSON.stringify({ type: 'auth', token: 'x'.repeat(513) }))).toBe('BAD_FRAME');
        expect(codeOf('{"type":"auth","token":"abc","lastEventId":"yesterday"}')).toBe('BAD_FRAME');
    });

    it('refuses positions out of range, of the wrong type, with a bad accuracy or time', () => {
        expect(codeOf('{"type":"location","latitude":"41","longitude":-87}')).toBe('INVALID_LOCATION');
        expect(codeOf('{"type":"location","latitude":91,"longitude":0}')).toBe('INVALID_LOCATION');
        expect(codeOf('{"type":"location","latitude":0,"longitude":181}')).toBe('INVALID_LOCATION');
        expect(codeOf('{"type":"location","latitude":1,"longitude":1,"accuracyM":-1}')).toBe(
            'INVALID_LOCATION',
        );
        expect(codeOf('{"type":"location","latitude":1,"longitude":1,"at":"soon"}')).toBe('INVALID_LOCATION');
        // More than a minute ahead, more than ten minutes old.
        expect(codeOf('{"type":"location","latitude":1,"longitude":1,"at":"2026-12-02T12:01:01Z"}')).toBe(
            'INVALID_LOCATION',
        );
        expect(codeOf('{"type":"location","latitude":1,"longitude":1,"at":"2026-12-02T11:49:59Z"}')).toBe(
            'INVALID_LOCATION',
        );
        expect(
            codeOf('{"type":"location","latitude":1,"longitude":1,"at":"2026-12-02T12:00:59Z"}'),
        ).toBeUndefined();
    });

    it('refuses statuses a driver may not choose', () => {
        expect(codeOf('{"type":"status","status":"BUSY"}')).toBe('INVALID_STATUS');
        expect(codeOf('{"type":"status"}')).toBe('INVALID_STATUS');
    });
});

describe('server frames', () => {
    it('are the JSON the README documents', () => {
        expect(JSON.parse(eventFrame('assignment.assigned', { a: 1 }, '5-0'))).toEqual({
            type: 'assignment.assigned',
            id: '5-0',
            data: { a: 1 },
        });
        expect(JSON.parse(eventFrame('stream.resync', { reason: 'r' }))).toEqual({
            type: 'stream.resync',
            data: { reason: 'r' },
        });
        expect(JSON.parse(errorFrame('RATE_LIMITED', 'slow down'))).toEqual({
            type: 'error',
            code: 'RATE_LIMITED',
            message: 'slow down',
        });
        expect(JSON.parse(ackFrame('status'))).toEqual({ type: 'ack', for: 'status' });
    });
});
