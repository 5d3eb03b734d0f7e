import { DispatchLiveEvent } from '../../api/dispatch-live-events';
import { DriverStatus } from '../../types';
import { compareEventIds, isEventId } from './event-id';
import { InMemoryDispatchEventLog } from './in-memory-dispatch-event-log';

function status(driverId: string): DispatchLiveEvent {
    return { type: 'driver.status', data: { driverId, status: DriverStatus.AVAILABLE, at: 'now' } };
}

describe('event ids', () => {
    it('order by time, then sequence, as numbers', () => {
        expect(compareEventIds('1700000000000-0', '1700000000000-1')).toBeLessThan(0);
        expect(compareEventIds('1700000000001-0', '1700000000000-99')).toBeGreaterThan(0);
        expect(compareEventIds('9-10', '9-9')).toBeGreaterThan(0);
        expect(compareEventIds('5-5', '5-5')).toBe(0);
    });

    it('are recognised, anything else is not', () => {
        expect(isEventId('1700000000000-0')).toBe(true);
        for (const bad of ['', '17', '1-2-3', 'abc-1', '1-', ' 1-2', '1-2\nx'])
            expect(isEventId(bad)).toBe(false);
    });
});

describe('InMemoryDispatchEventLog', () => {
    it('tells listeners of each event, in order, with increasing ids', async () => {
        const log = new InMemoryDispatchEventLog(10);
        const seen: string[] = [];
        const stop = await log.subscribe(entry => seen.push(entry.id));
        await log.append(status('1'));
        await log.append(status('2'));
        stop();
        await log.append(status('3'));
        expect(seen).toHaveLength(2);
        expect(compareEventIds(seen[0], seen[1])).toBeLessThan(0);
    });

    it('replays what came after an id it still holds', async () => {
        const log = new InMemoryDispatchEventLog(10);
        const ids: string[] = [];
        await log.subscribe(entry => ids.push(entry.id));
        for (const id of ['1', '2', '3']) await log.append(status(id));
        const after = await log.readAfter(ids[0]);
        expect(after).not.toBe('gone');
        expect(
            (after as Array<{ event: DispatchLiveEvent }>).map(entry => entry.event.data.driverId),
        ).toEqual(['2', '3']);
        expect(await log.readAfter(ids[2])).toEqual([]);
    });

    it('answers gone for an id it no longer holds: trimmed, or from before a restart', async () => {
        const log = new InMemoryDispatchEventLog(2);
        const ids: string[] = [];
        await log.subscribe(entry => ids.push(entry.id));
        for (const id of ['1', '2', '3']) await log.append(status(id));
        expect(await log.readAfter(ids[0])).toBe('gone');
        expect(await log.readAfter(ids[1])).toHaveLength(1);
        expect(await log.readAfter('1-1')).toBe('gone');
        expect(await new InMemoryDispatchEventLog(2).readAfter(ids[2])).toBe('gone');
    });
});
