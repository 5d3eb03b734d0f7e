import { WebSocket } from 'ws';

/** One JSON frame from the server, with when it arrived. */
export interface ReceivedFrame {
    type: string;
    id?: string;
    data?: Record<string, unknown>;
    code?: string;
    message?: string;
    for?: string;
    receivedAt: number;
}

export interface WsOptions {
    headers?: Record<string, string>;
}

/**
 * A driver-channel client on the `ws` package, as a native app would be: it keeps every frame
 * the server sent, waits for one that matches, and says how the connection closed.
 */
export class WsClient {
    readonly frames: ReceivedFrame[] = [];
    /** How the server (or the network) closed the connection. */
    readonly closed: Promise<{ code: number; reason: string }>;
    private readonly waiters = new Set<() => void>();

    private constructor(private readonly socket: WebSocket) {
        this.closed = new Promise(resolve =>
            socket.on('close', (code, reason) => {
                resolve({ code, reason: reason.toString('utf8') });
                for (const wake of this.waiters) wake();
            }),
        );
        socket.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString('utf8')) as Omit<ReceivedFrame, 'receivedAt'>;
            this.frames.push({ ...frame, receivedAt: Date.now() });
            for (const wake of this.waiters) wake();
        });
    }

    /** Opens the connection; rejects when the upgrade itself is refused. */
    static open(url: string, options: WsOptions = {}): Promise<WsClient> {
        return new Promise((resolve, reject) => {
            const socket = new WebSocket(url, { headers: options.headers });
            const client = new WsClient(socket);
            socket.once('open', () => resolve(client));
            socket.once('error', reject);
            socket.once('unexpected-response', (_request, response) =>
                reject(new Error(`Upgrade refused: HTTP ${response.statusCode}`)),
            );
        });
    }

    get isOpen(): boolean {
        return this.socket.readyState === WebSocket.OPEN;
    }

    send(frame: unknown): void {
        this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    }

    /** Resolves with the first frame (received so far or later) that matches, or rejects after the timeout. */
    async waitFor(
        predicate: (frame: ReceivedFrame) => boolean,
        timeoutMs = 5000,
        what = 'a matching frame',
    ): Promise<ReceivedFrame> {
        const until = Date.now() + timeoutMs;
        for (;;) {
            const found = this.frames.find(predicate);
            if (found) return found;
            if (this.socket.readyState === WebSocket.CLOSED) {
                throw new Error(`The connection closed before ${what}; got ${this.describe()}`);
            }
            const left = until - Date.now();
            if (left <= 0) throw new Error(`No ${what} within ${timeoutMs} ms; got ${this.describe()}`);
            await new Promise<void>(resolve => {
                const wake = () => {
                    clearTimeout(timer);
                    this.waiters.delete(wake);
                    resolve();
                };
                const timer = setTimeout(wake, left);
                this.waiters.add(wake);
            });
        }
    }

    /** Closes from this side and waits until the connection is gone. */
    async close(): Promise<void> {
        if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
        await this.closed;
    }

    private describe(): string {
        return JSON.stringify(this.frames.map(({ receivedAt: _at, ...frame }) => frame)).slice(0, 600);
    }
}
