/**
 * Event ids have the form of Redis Stream entry ids, `<milliseconds>-<sequence>`, in both logs:
 * ordered by the time part, then the sequence. Anything else is not an id of ours.
 */
const EVENT_ID = /^(\d{1,16})-(\d{1,16})$/;

export function isEventId(value: string): boolean {
    return EVENT_ID.test(value);
}

/** Negative when `a` comes before `b`, positive after, 0 when equal. Both must be event ids. */
export function compareEventIds(a: string, b: string): number {
    const [aTime, aSequence] = parts(a);
    const [bTime, bSequence] = parts(b);
    return aTime !== bTime ? aTime - bTime : aSequence - bSequence;
}

function parts(id: string): [number, number] {
    const match = EVENT_ID.exec(id);
    if (!match) throw new Error(`Not an event id: ${id}`);
    return [Number(match[1]), Number(match[2])];
}
