import { Logger } from '@vendure/core';

import { describeError } from '../../shared/errors';
import { DispatchLiveEvent } from '../api/dispatch-live-events';
import { loggerCtx } from '../constants';
import { DispatchEventLog } from '../strategies/dispatch-event-log/dispatch-event-log';

/**
 * Appends this process's live events to the {@link DispatchEventLog} one batch after another, so
 * the log keeps their order. What piles up while an append runs goes to the log together (one
 * Redis round trip), so a flush of location pings costs one append, not one per driver. A failure
 * is logged once per outage; the events of a failed append are not retried (clients that missed
 * them resume, or poll activeDriverAssignment).
 */
export class LiveEventAppender {
    private appending: Promise<void> = Promise.resolve();
    private unappended: Array<() => Promise<DispatchLiveEvent | undefined>> = [];
    private outageLogged = false;

    constructor(private readonly log: DispatchEventLog) {}

    /** Queues an event (built when its turn comes; undefined: nothing to append). */
    append(build: () => Promise<DispatchLiveEvent | undefined>): void {
        this.unappended.push(build);
        this.appending = this.appending.then(() => this.appendQueued());
    }

    /** Resolves when every append queued so far has run. */
    drained(): Promise<void> {
        return this.appending;
    }

    private async appendQueued(): Promise<void> {
        // An earlier turn of the chain may have taken these already.
        if (this.unappended.length === 0) return;
        const builds = this.unappended;
        this.unappended = [];
        try {
            const events: DispatchLiveEvent[] = [];
            for (const build of builds) {
                const event = await build();
                if (event) events.push(event);
            }
            if (this.log.appendMany && events.length > 1) await this.log.appendMany(events);
            else for (const event of events) await this.log.append(event);
            if (this.outageLogged) {
                this.outageLogged = false;
                Logger.info('Live events reach the event log again', loggerCtx);
            }
        } catch (error) {
            if (this.outageLogged) return;
            this.outageLogged = true;
            // Streams stay open; clients that missed events resume, or poll activeDriverAssignment.
            Logger.warn(`Live events are not published: ${describeError(error)}`, loggerCtx);
        }
    }
}
