// The live part of the map and the board: driver-dispatch's server-sent events at
// GET /dispatch/events, read with fetch (EventSource cannot send the Authorization header).
// Optional: a server without the stream answers 404, and the pages keep polling the admin API.

/** One event of the stream: its `event:` name and its `data:` parsed as JSON (or the raw text). */
export interface DispatchEvent {
    type: string;
    data: unknown;
}

export interface DriverLocationEvent {
    driverId: string;
    latitude: number;
    longitude: number;
    at?: string;
}

/**
 * Splits what has arrived so far into complete events (separated by a blank line) and the
 * unfinished rest, per the text/event-stream format: `event:` and `data:` fields, comments
 * starting with `:`, CRLF or LF line ends, several `data:` lines joined with newlines.
 */
export function parseEventStream(buffer: string): { events: DispatchEvent[]; rest: string } {
    const normalized = buffer.replace(/\r\n?/g, '\n');
    const blocks = normalized.split('\n\n');
    const rest = blocks.pop() ?? '';
    const events: DispatchEvent[] = [];
    for (const block of blocks) {
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') type = value;
            else if (field === 'data') data.push(value);
        }
        if (!data.length) continue;
        const text = data.join('\n');
        let parsed: unknown = text;
        try {
            parsed = JSON.parse(text);
        } catch {
            // Not JSON: keep the text.
        }
        events.push({ type, data: parsed });
    }
    return { events, rest };
}

export function isDriverLocation(data: unknown): data is DriverLocationEvent {
    const value = data as Partial<DriverLocationEvent> | null;
    return (
        !!value &&
        value.driverId != null &&
        typeof value.latitude === 'number' &&
        typeof value.longitude === 'number'
    );
}

/** The dashboard keeps its admin session token here (Vendure dashboard, bearer token method). */
const SESSION_TOKEN_KEY = 'vendure-session-token';
const CHANNEL_TOKEN_KEY = 'vendure-selected-channel-token';

export type StreamEnd = 'unavailable' | 'ended';

/**
 * Reads the stream until it ends or `signal` aborts. Resolves `unavailable` when the server has no
 * stream (404) or refuses it (401/403), `ended` when it closed; rejects on network errors.
 */
export async function readDispatchEvents(
    onEvent: (event: DispatchEvent) => void,
    signal: AbortSignal,
    onOpen?: () => void,
): Promise<StreamEnd> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const token = localStorage.getItem(SESSION_TOKEN_KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    const channelToken = localStorage.getItem(CHANNEL_TOKEN_KEY);
    if (channelToken) headers['vendure-token'] = channelToken;
    const response = await fetch(`${window.location.origin}/dispatch/events`, {
        headers,
        // The admin session cookie too, for a dashboard that uses cookies.
        credentials: 'include',
        signal,
    });
    const isStream = response.headers.get('content-type')?.includes('text/event-stream');
    if (!response.ok || !response.body || !isStream) {
        await response.body?.cancel().catch(() => undefined);
        // No stream on this server (404, or a page that is not a stream), or not for this user.
        if ([401, 403, 404].includes(response.status) || (response.ok && !isStream)) return 'unavailable';
        throw new Error(`GET /dispatch/events answered ${response.status}`);
    }
    onOpen?.();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        const parsed = parseEventStream(buffer + value);
        buffer = parsed.rest;
        parsed.events.forEach(onEvent);
    }
}
