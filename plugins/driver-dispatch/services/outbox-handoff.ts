/** How long a post-commit subscriber waits for the blocking handler of its event. */
const HANDOFF_TIMEOUT_MS = 30_000;

/**
 * Hands what a blocking event handler wrote (an outbox's rows) to the event's post-commit
 * subscriber. In a transaction the subscriber gets the event only after the commit, so after the
 * handler; an event published without one reaches the subscriber at once, possibly before the
 * handler has finished, so {@link OutboxHandoff.take} waits for {@link OutboxHandoff.give}. It
 * resolves undefined when the handler wrote nothing, failed, or did not finish in 30 s: the rows'
 * sweep then picks them up.
 */
export class OutboxHandoff<T> {
    private readonly slots = new WeakMap<
        object,
        { value: Promise<T | undefined>; give: (value?: T) => void }
    >();

    /** Runs the blocking handler's `write` and gives its result to the subscriber of the event. */
    async give(event: object, write: () => Promise<T | undefined>): Promise<void> {
        const slot = this.slot(event);
        try {
            slot.give(await write());
        } catch (error) {
            slot.give(undefined);
            throw error;
        }
    }

    /** What the event's blocking handler wrote, once it has. */
    async take(event: object): Promise<T | undefined> {
        const slot = this.slot(event);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<undefined>(resolve => {
            timer = setTimeout(() => resolve(undefined), HANDOFF_TIMEOUT_MS);
            timer.unref();
        });
        try {
            return await Promise.race([slot.value, timedOut]);
        } finally {
            clearTimeout(timer);
            this.slots.delete(event);
        }
    }

    private slot(event: object) {
        let slot = this.slots.get(event);
        if (!slot) {
            let give: (value?: T) => void = () => undefined;
            const value = new Promise<T | undefined>(resolve => (give = resolve));
            slot = { value, give };
            this.slots.set(event, slot);
        }
        return slot;
    }
}
