import { ActionQueue, QueueStorage } from './action-queue';
import { channelUrl, reconnectDelayMs } from './driver-channel';
import { Fix, LOCATION_HEARTBEAT_MS, MIN_PING_INTERVAL_MS, pingDelayMs } from './location-sharing';
import { formatDistance, mapsLink } from './maps-link';

function memoryStorage(): QueueStorage & { items: Map<string, string> } {
    const items = new Map<string, string>();
    return {
        items,
        getItem: key => items.get(key) ?? null,
        setItem: (key, value) => void items.set(key, value),
    };
}

describe('reconnectDelayMs', () => {
    it('doubles from 1 s up to 30 s, with up to a fifth of jitter below', () => {
        expect([0, 1, 2, 3, 4, 5, 6, 20].map(attempt => reconnectDelayMs(attempt, () => 0))).toEqual([
            1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
        ]);
        expect(reconnectDelayMs(0, () => 1)).toBe(800);
        expect(reconnectDelayMs(10, () => 0.5)).toBe(27000);
    });
});

describe('channelUrl', () => {
    it('uses wss on https and resumes after the last event id', () => {
        expect(channelUrl({ protocol: 'https:', host: 'shop.example' }, '1700000000000-3')).toBe(
            'wss://shop.example/dispatch/driver?lastEventId=1700000000000-3',
        );
        expect(channelUrl({ protocol: 'http:', host: 'localhost:3000' })).toBe(
            'ws://localhost:3000/dispatch/driver',
        );
    });
});

describe('pingDelayMs', () => {
    const at = (ms: number): Fix => ({ latitude: 41.88, longitude: -87.63, at: ms });

    it('sends the first fix at once', () => {
        expect(pingDelayMs(undefined, at(0), Infinity)).toBe(0);
    });

    it('sends a move at once after the interval, and a move too soon when the interval is over', () => {
        expect(pingDelayMs(at(0), at(MIN_PING_INTERVAL_MS), 50)).toBe(0);
        expect(pingDelayMs(at(0), at(500), 50)).toBe(MIN_PING_INTERVAL_MS - 500);
    });

    it('leaves GPS noise to the heartbeat, which goes out anyway when due', () => {
        expect(pingDelayMs(at(0), at(5000), 3)).toBeUndefined();
        expect(pingDelayMs(at(0), at(LOCATION_HEARTBEAT_MS), 0)).toBe(0);
    });
});

describe('mapsLink', () => {
    const store = { latitude: 41.8837, longitude: -87.6319, label: 'Loop Store' };

    it('opens Apple Maps on iOS, a geo: URI on Android, Google Maps elsewhere', () => {
        expect(mapsLink(store, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)')).toBe(
            'https://maps.apple.com/?daddr=41.883700,-87.631900&q=Loop%20Store',
        );
        expect(mapsLink(store, 'Mozilla/5.0 (Linux; Android 14; Pixel 8)')).toBe(
            'geo:41.883700,-87.631900?q=41.883700,-87.631900(Loop%20Store)',
        );
        expect(mapsLink(store, 'Mozilla/5.0 (X11; Linux x86_64)')).toBe(
            'https://www.google.com/maps/dir/?api=1&destination=41.883700,-87.631900',
        );
    });
});

describe('formatDistance', () => {
    it('reads as a driver glances at it', () => {
        expect([0.001, 0.348, 1.234, 14.4].map(formatDistance)).toEqual(['10 m', '350 m', '1.2 km', '14 km']);
    });
});

describe('ActionQueue', () => {
    const pickup = { kind: 'pickup' as const, assignmentId: '7' };
    const deliver = { kind: 'deliver' as const, assignmentId: '7', code: '123456' };

    it('keeps actions in storage, in order, each id once', () => {
        const storage = memoryStorage();
        const queue = new ActionQueue(storage, '1');
        queue.add(pickup, 'a');
        queue.add(pickup, 'a');
        queue.add(deliver, 'b');
        expect(new ActionQueue(storage, '1').list().map(item => item.id)).toEqual(['a', 'b']);
        expect(new ActionQueue(storage, '2').list()).toEqual([]);
    });

    it('sends each action once, even when two flushes start together', async () => {
        const queue = new ActionQueue(memoryStorage(), '1');
        queue.add(pickup, 'a');
        queue.add(deliver, 'b');
        const sent: string[] = [];
        const send = async (item: { id: string }) => {
            await new Promise(resolve => setTimeout(resolve, 5));
            sent.push(item.id);
        };
        await Promise.all([queue.flush(send), queue.flush(send)]);
        await queue.flush(send);
        expect(sent).toEqual(['a', 'b']);
        expect(queue.list()).toEqual([]);
    });

    it('keeps an action that got no answer, and the ones after it, for the next flush', async () => {
        const queue = new ActionQueue(memoryStorage(), '1');
        queue.add(pickup, 'a');
        queue.add(deliver, 'b');
        await expect(queue.flush(() => Promise.reject(new Error('offline')))).rejects.toThrow('offline');
        expect(queue.list().map(item => item.id)).toEqual(['a', 'b']);
        const sent: string[] = [];
        await queue.flush(item => Promise.resolve(void sent.push(item.id)));
        expect(sent).toEqual(['a', 'b']);
    });
});
