/**
 * The app's end of the driver channel (`GET /dispatch/driver`, the protocol in the plugin's
 * README): authenticated by the session cookie at the upgrade, reconnected with backoff after any
 * loss, resumed from the last event id it saw.
 */

export type ChannelState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** An event of the driver's own stream (`assignment.*`), or `stream.resync`. */
export interface ChannelEvent {
    type: string;
    id?: string;
    data?: Record<string, unknown>;
}

export interface ChannelListener {
    state(state: ChannelState): void;
    /** Once per (re)connection, after the server accepted the session. */
    authenticated(): void;
    event(event: ChannelEvent): void;
    ack(kind: string, data: Record<string, unknown> | undefined): void;
    error(code: string, message: string): void;
    /** The session is gone (4401) or may not use the channel (4403): no reconnect. */
    ended(reason: 'unauthenticated' | 'forbidden'): void;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * How long to wait before reconnect attempt `attempt` (0 first): doubling from 1 s up to 30 s, with
 * up to a fifth of jitter so a city's phones do not all return in the same second after an outage.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
    const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt));
    return Math.round(base * (1 - 0.2 * random()));
}

/** The channel's URL for this page, resuming after `lastEventId` when there is one. */
export function channelUrl(location: { protocol: string; host: string }, lastEventId?: string): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const resume = lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : '';
    return `${scheme}//${location.host}/dispatch/driver${resume}`;
}

export class DriverChannel {
    private socket: WebSocket | undefined;
    private attempt = 0;
    private retryTimer: ReturnType<typeof setTimeout> | undefined;
    private stopped = false;

    /** `lastEventId`: where a reopened app left off (the channel then resumes after it). */
    constructor(
        private readonly listener: ChannelListener,
        private lastEventId?: string,
    ) {}

    start(): void {
        this.stopped = false;
        this.connect('connecting');
    }

    stop(): void {
        this.stopped = true;
        clearTimeout(this.retryTimer);
        this.socket?.close(1000);
        this.socket = undefined;
        this.listener.state('closed');
    }

    /** Reconnects now (the browser says it is online again) instead of waiting out the backoff. */
    retryNow(): void {
        if (this.stopped || this.socket?.readyState === WebSocket.OPEN) return;
        if (this.socket?.readyState === WebSocket.CONNECTING) return;
        clearTimeout(this.retryTimer);
        this.connect('reconnecting');
    }

    /**
     * The browser went offline: a socket then often hangs half-open for minutes (nothing tells TCP
     * the network is gone), so it is dropped now and a new one tried with backoff, at once when
     * the browser is back online (`retryNow`).
     */
    drop(): void {
        const socket = this.socket;
        this.socket = undefined;
        socket?.close(1000);
        if (this.stopped) return;
        this.listener.state('reconnecting');
        this.scheduleRetry();
    }

    get isOpen(): boolean {
        return this.socket?.readyState === WebSocket.OPEN;
    }

    /** Sends a frame when open; false when it could not be sent. */
    send(frame: Record<string, unknown>): boolean {
        if (!this.isOpen || !this.socket) return false;
        this.socket.send(JSON.stringify(frame));
        return true;
    }

    private connect(state: ChannelState): void {
        this.listener.state(state);
        const socket = new WebSocket(channelUrl(window.location, this.lastEventId));
        this.socket = socket;
        socket.onmessage = message => this.receive(message.data);
        socket.onclose = close => {
            if (this.socket !== socket) return;
            this.socket = undefined;
            if (close.code === 4401 || close.code === 4403) {
                this.stopped = true;
                this.listener.state('closed');
                this.listener.ended(close.code === 4401 ? 'unauthenticated' : 'forbidden');
                return;
            }
            if (this.stopped) return;
            this.listener.state('reconnecting');
            this.scheduleRetry();
        };
    }

    private scheduleRetry(): void {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.connect('reconnecting'), reconnectDelayMs(this.attempt++));
    }

    private receive(raw: unknown): void {
        if (typeof raw !== 'string') return;
        let frame: ChannelEvent & { for?: string; code?: string; message?: string };
        try {
            frame = JSON.parse(raw) as typeof frame;
        } catch {
            return;
        }
        if (frame.type === 'ack') {
            if (frame.for === 'auth') {
                this.attempt = 0;
                this.listener.state('open');
                this.listener.authenticated();
            } else {
                this.listener.ack(frame.for ?? '', frame.data);
            }
            return;
        }
        if (frame.type === 'error') {
            this.listener.error(frame.code ?? 'ERROR', frame.message ?? '');
            return;
        }
        if (frame.id) this.lastEventId = frame.id;
        this.listener.event(frame);
    }
}
