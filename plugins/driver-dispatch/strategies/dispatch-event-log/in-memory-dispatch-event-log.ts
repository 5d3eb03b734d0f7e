import { DispatchLiveEvent } from '../../api/dispatch-live-events';
import { DispatchEventLog, LoggedDispatchEvent } from './dispatch-event-log';

/**
 * The event log of a single process (the embedded default): a ring buffer of the last `retention`
 * events. Ids are `<start of this log in ms>-<sequence>`, so an id from before a restart is never
 * mistaken for one of this log: resuming from it answers `'gone'`.
 */
export class InMemoryDispatchEventLog implements DispatchEventLog {
    private readonly entries: LoggedDispatchEvent[] = [];
    private readonly listeners = new Set<(entry: LoggedDispatchEvent) => void>();
    private readonly epoch = Date.now();
    private sequence = 0;

    constructor(private readonly retention: number) {}

    append(event: DispatchLiveEvent): Promise<void> {
        const entry = { id: `${this.epoch}-${++this.sequence}`, event };
        this.entries.push(entry);
        if (this.entries.length > this.retention)
            this.entries.splice(0, this.entries.length - this.retention);
        for (const listener of this.listeners) listener(entry);
        return Promise.resolve();
    }

    readAfter(afterId: string): Promise<LoggedDispatchEvent[] | 'gone'> {
        const index = this.entries.findIndex(entry => entry.id === afterId);
        if (index === -1) return Promise.resolve('gone');
        return Promise.resolve(this.entries.slice(index + 1));
    }

    subscribe(listener: (entry: LoggedDispatchEvent) => void): Promise<() => void> {
        this.listeners.add(listener);
        return Promise.resolve(() => this.listeners.delete(listener));
    }
}
