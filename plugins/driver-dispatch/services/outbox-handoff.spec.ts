import { OutboxHandoff } from './outbox-handoff';

describe('OutboxHandoff', () => {
    it('gives the subscriber what the handler wrote, whichever of the two comes first', async () => {
        const handoff = new OutboxHandoff<number>();
        const early = {};
        const taken = handoff.take(early);
        await handoff.give(early, () => Promise.resolve(1));
        await expect(taken).resolves.toBe(1);

        const late = {};
        await handoff.give(late, () => Promise.resolve(2));
        await expect(handoff.take(late)).resolves.toBe(2);
    });

    it('keeps the events apart, and gives undefined when the handler wrote nothing', async () => {
        const handoff = new OutboxHandoff<number>();
        const [a, b] = [{}, {}];
        const takenB = handoff.take(b);
        await handoff.give(a, () => Promise.resolve(7));
        await handoff.give(b, () => Promise.resolve(undefined));
        await expect(takenB).resolves.toBeUndefined();
        await expect(handoff.take(a)).resolves.toBe(7);
    });

    it('lets a failed write fail the handler and gives the subscriber nothing', async () => {
        const handoff = new OutboxHandoff<number>();
        const event = {};
        const taken = handoff.take(event);
        await expect(handoff.give(event, () => Promise.reject(new Error('insert failed')))).rejects.toThrow(
            'insert failed',
        );
        await expect(taken).resolves.toBeUndefined();
    });

    it('stops waiting after 30 s for a handler that never ran', async () => {
        jest.useFakeTimers();
        try {
            const taken = new OutboxHandoff<number>().take({});
            jest.advanceTimersByTime(30_000);
            await expect(taken).resolves.toBeUndefined();
        } finally {
            jest.useRealTimers();
        }
    });
});
