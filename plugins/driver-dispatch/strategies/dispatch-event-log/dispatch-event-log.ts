import { InjectableStrategy } from '@vendure/core';

import { DispatchLiveEvent } from '../../api/dispatch-live-events';

/** An event as the log holds it: the id is the SSE `id:`, what a client resumes from. */
export interface LoggedDispatchEvent {
    id: string;
    event: DispatchLiveEvent;
}

/**
 * The recent events of the live stream, shared by every process that serves streams, in one order
 * with increasing ids. Two implementations: {@link RedisDispatchEventLog} (a Redis Stream: every
 * process sees the events of every other) and {@link InMemoryDispatchEventLog} (one process).
 */
export interface DispatchEventLog extends InjectableStrategy {
    /** Adds an event; rejects when the log cannot take it (Redis down). */
    append(event: DispatchLiveEvent): Promise<void>;
    /**
     * Optional: adds several events in this order in one step (the Redis log: one round trip), as
     * the live stream does with what piled up while its previous append ran (a flush of location
     * pings gives one event per driver). Without it {@link append} is called for each in turn.
     */
    appendMany?(events: DispatchLiveEvent[]): Promise<void>;
    /**
     * The events after `afterId`, oldest first; `'gone'` when the log no longer holds `afterId`
     * (trimmed, or the log was reset), so a resume from it could miss events.
     */
    readAfter(afterId: string): Promise<LoggedDispatchEvent[] | 'gone'>;
    /**
     * Calls `listener` with every event appended from now on (by any process), in log order.
     * Resolves, once the log follows from here, with the function that stops it.
     */
    subscribe(listener: (entry: LoggedDispatchEvent) => void): Promise<() => void>;
}
