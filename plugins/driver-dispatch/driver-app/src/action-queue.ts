import type { DeliveryAction } from './admin-api';

/** An action the driver took while the app could not reach the server. */
export interface QueuedAction {
    /** Unique per action, so one action is never queued (nor sent) twice. */
    id: string;
    action: DeliveryAction;
    queuedAt: string;
}

/** Where queued actions are kept: they survive a reload or the phone killing the tab. */
export interface QueueStorage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
}

const KEY_PREFIX = 'driver-app:queued-actions:';
/** Far more than a driver takes offline; keeps a broken loop from filling the storage. */
const MAX_QUEUED = 20;

/**
 * The offline queue. Actions are sent in the order taken, one at a time, and each leaves the queue
 * when the server has answered it (whatever the answer), so it is sent once. One that got no
 * answer stays and is sent again later: the server treats a repeated pickup or delivery of the same
 * delivery by the same driver as done (the same status, no error), and the app reads a refused
 * repeat of a decline or failure as done when the delivery is no longer the driver's.
 */
export class ActionQueue {
    private flushing: Promise<void> | undefined;
    private readonly key: string;

    /** One queue per driver: another driver logging in on the phone never sends these. */
    constructor(
        private readonly storage: QueueStorage,
        driverId: string,
    ) {
        this.key = `${KEY_PREFIX}${driverId}`;
    }

    list(): QueuedAction[] {
        try {
            const parsed = JSON.parse(this.storage.getItem(this.key) ?? '[]') as unknown;
            return Array.isArray(parsed) ? (parsed as QueuedAction[]) : [];
        } catch {
            return [];
        }
    }

    add(action: DeliveryAction, id: string, now = new Date()): QueuedAction[] {
        const queued = this.list();
        if (queued.some(item => item.id === id)) return queued;
        const next = [...queued, { id, action, queuedAt: now.toISOString() }].slice(-MAX_QUEUED);
        this.save(next);
        return next;
    }

    /**
     * Sends every queued action through `send`; concurrent calls share one run, so the channel
     * coming back and the browser's `online` event together still send each action once. `send`
     * resolves when the server answered, and rejects when it could not be reached (the action stays).
     */
    flush(send: (item: QueuedAction) => Promise<void>): Promise<void> {
        this.flushing ??= this.run(send).finally(() => (this.flushing = undefined));
        return this.flushing;
    }

    private async run(send: (item: QueuedAction) => Promise<void>): Promise<void> {
        for (const item of this.list()) {
            await send(item);
            this.save(this.list().filter(other => other.id !== item.id));
        }
    }

    private save(items: QueuedAction[]): void {
        this.storage.setItem(this.key, JSON.stringify(items));
    }
}
