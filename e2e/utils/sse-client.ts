/** One server-sent event as a browser's EventSource would dispatch it, with when it arrived. */
export interface ReceivedEvent {
    id: string | undefined;
    event: string;
    data: Record<string, unknown>;
    receivedAt: number;
}

export interface SseOptions {
    token?: string;
    lastEventId?: string;
    headers?: Record<string, string>;
}

/**
 * A server-sent events client on Node's fetch with a streaming body reader, parsing frames as the
 * EventSource specification does: `id:` lines set the last event id even in frames without data
 * (which dispatch nothing), comments are ignored.
 */
export class SseClient {
    readonly events: ReceivedEvent[] = [];
    /** The last event id, as EventSource would send it back as `Last-Event-ID`. */
    lastEventId: string | undefined;
    comments = 0;
    ended = false;
    private readonly waiters = new Set<() => void>();
    private reading: Promise<void> = Promise.resolve();

    private constructor(
        readonly status: number,
        readonly contentType: string | null,
        /** The JSON body of a refused stream. */
        readonly refusal: { statusCode?: number; message?: string } | undefined,
        private readonly abort: AbortController,
    ) {}

    static async open(url: string, options: SseOptions = {}): Promise<SseClient> {
        const abort = new AbortController();
        const response = await fetch(url, {
            headers: {
                accept: 'text/event-stream',
                ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
                ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
                ...options.headers,
            },
            signal: abort.signal,
        });
        const contentType = response.headers.get('content-type');
        if (!response.ok || !response.body) {
            const refusal = (await response.json().catch(() => undefined)) as SseClient['refusal'];
            return new SseClient(response.status, contentType, refusal, abort);
        }
        const client = new SseClient(response.status, contentType, undefined, abort);
        client.reading = client.read(response.body);
        return client;
    }

    /** Resolves with the first event (received so far or later) that matches, or rejects after the timeout. */
    async waitFor(
        predicate: (event: ReceivedEvent) => boolean,
        timeoutMs = 5000,
        description = 'an event',
    ): Promise<ReceivedEvent> {
        const until = Date.now() + timeoutMs;
        for (;;) {
            const found = this.events.find(predicate);
            if (found) return found;
            if (this.ended) throw new Error(`The stream ended before ${description} arrived`);
            const left = until - Date.now();
            if (left <= 0) {
                throw new Error(
                    `No ${description} within ${timeoutMs} ms; got: ${JSON.stringify(this.events.map(e => [e.event, e.data]))}`,
                );
            }
            await this.next(left);
        }
    }

    /** Resolves when the server ended the stream, or rejects after the timeout. */
    async waitForEnd(timeoutMs: number): Promise<void> {
        const until = Date.now() + timeoutMs;
        while (!this.ended) {
            const left = until - Date.now();
            if (left <= 0) throw new Error(`The stream was still open after ${timeoutMs} ms`);
            await this.next(left);
        }
    }

    close(): Promise<void> {
        this.abort.abort();
        return this.reading;
    }

    private next(timeoutMs: number): Promise<void> {
        return new Promise(resolve => {
            const done = () => {
                clearTimeout(timer);
                this.waiters.delete(done);
                resolve();
            };
            const timer = setTimeout(done, timeoutMs);
            this.waiters.add(done);
        });
    }

    private notify(): void {
        for (const waiter of [...this.waiters]) waiter();
    }

    private async read(body: ReadableStream<Uint8Array>): Promise<void> {
        const decoder = new TextDecoder();
        const reader = body.getReader();
        let buffer = '';
        try {
            for (;;) {
                const { done, value } = await reader.read();
                if (done) break;
                buffer += decoder.decode(value, { stream: true });
                let end: number;
                while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
                    const frame = buffer.slice(0, end);
                    buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
                    this.frame(frame);
                }
                this.notify();
            }
        } catch {
            // Aborted by close(), or the connection broke: either way the stream is over.
        } finally {
            this.ended = true;
            this.notify();
        }
    }

    private frame(frame: string): void {
        let event = 'message';
        const data: string[] = [];
        for (const line of frame.split(/\r?\n/)) {
            if (line.startsWith(':')) {
                this.comments++;
                continue;
            }
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') this.lastEventId = value;
            else if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
        }
        if (data.length === 0) return;
        this.events.push({
            id: this.lastEventId,
            event,
            data: JSON.parse(data.join('\n')) as Record<string, unknown>,
            receivedAt: Date.now(),
        });
    }
}
