import { isDriverLocation, parseEventStream } from './event-stream';

describe('parseEventStream', () => {
    it('reads named events with JSON data and keeps an unfinished event for later', () => {
        const { events, rest } = parseEventStream(
            'event: assignment.assigned\ndata: {"assignmentId":"7","status":"ASSIGNED"}\n\n' +
                ': keep-alive comment\n\n' +
                'event: driver.location\r\ndata: {"driverId":"3",\r\ndata: "latitude":41.9,"longitude":-87.6}\r\n\r\n' +
                'event: driver.status\ndata: {"driverId"',
        );
        expect(events).toEqual([
            { type: 'assignment.assigned', data: { assignmentId: '7', status: 'ASSIGNED' } },
            { type: 'driver.location', data: { driverId: '3', latitude: 41.9, longitude: -87.6 } },
        ]);
        expect(rest).toBe('event: driver.status\ndata: {"driverId"');
        const next = parseEventStream(`${rest}:"3","status":"OFFLINE"}\n\n`);
        expect(next.events).toEqual([{ type: 'driver.status', data: { driverId: '3', status: 'OFFLINE' } }]);
        expect(next.rest).toBe('');
    });

    it('defaults the type to message and keeps data that is not JSON as text', () => {
        expect(parseEventStream('data: hello\n\n').events).toEqual([{ type: 'message', data: 'hello' }]);
    });

    it('recognises a driver position only with numeric coordinates', () => {
        expect(isDriverLocation({ driverId: '1', latitude: 41.9, longitude: -87.6 })).toBe(true);
        expect(isDriverLocation({ driverId: '1', latitude: '41.9', longitude: -87.6 })).toBe(false);
        expect(isDriverLocation(null)).toBe(false);
    });
});
