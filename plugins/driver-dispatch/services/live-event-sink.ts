/** The transports of live events: what the event stream service writes through, and its SSE form. */
import { ID } from '@vendure/core';
import type { Request, Response } from 'express';

import { sseComment, sseFrame, sseRetry } from '../api/dispatch-live-events';

/** How long an EventSource waits before reconnecting after the stream broke. */
const RECONNECT_DELAY_MS = 2000;

/** Why a client's connection is ended by the server. */
export type LiveEndReason =
    /** The session was logged out or expired. */
    | 'signed-out'
    /** The session may no longer receive: the driver was disabled or deleted, a role changed. */
    | 'forbidden'
    /** The client read too slowly. */
    | 'slow'
    | 'shutdown';

/**
 * Where one client's events go: the response of a `GET /dispatch/events` stream, or a driver's
 * WebSocket on the driver channel. The service decides what each client receives; the sink only
 * writes it in its transport's framing.
 */
export interface LiveEventSink {
    /** The client is registered and the log is followed: the transport may say so (SSE headers). */
    start(): void;
    /** An event of the log (with its id), or `stream.resync` (without one). */
    send(type: string, data: unknown, id?: string): void;
    /**
     * Keeps an idle connection open. `skippedTo` is set when events were skipped for this client
     * since its last one: a transport that can move the client's resume point past them does.
     */
    keepAlive(skippedTo?: string): void;
    /** Bytes written to the transport and not yet sent. */
    readonly unsentBytes: number;
    /** The server ends the connection. */
    end(reason: LiveEndReason): void;
    /** Called once when the connection is gone, whoever ended it. */
    onClose(listener: () => void): void;
}

/** Who asks for a live connection, as their session says. */
export interface LiveClientRequest {
    sessionToken: string;
    userId: ID;
    channelPermissions: Array<{ id: ID; permissions: string[] }>;
    /** The driver linked to the login, if any. */
    driverId: string | null;
    /** Where to resume: events after this id are sent first (or `stream.resync`). */
    lastEventId?: string;
    sink: LiveEventSink;
}

/** Why a live connection was not opened. */
export type LiveRefusal =
    | { refused: 'shutting-down' }
    | { refused: 'too-many'; open: number; limit: number }
    | { refused: 'nothing-to-receive' };

/** `Last-Event-ID` as EventSource sends it on reconnect, or `?lastEventId=` for a fresh EventSource. */
export function lastEventIdOf(req: Request): string | undefined {
    const header = req.get('last-event-id')?.trim();
    if (header) return header;
    const query: unknown = req.query.lastEventId;
    return typeof query === 'string' && query.trim() ? query.trim() : undefined;
}

/**
 * A `GET /dispatch/events` response as a sink. A comment keeps proxies from closing the idle
 * stream. When events were skipped for the client since its last one, an `id:` line without data
 * moves its resume point past them (EventSource takes the id without firing an event), so a later
 * resume needs no old entries.
 */
export function sseSink(res: Response): LiveEventSink {
    return {
        start() {
            res.writeHead(200, {
                'Content-Type': 'text/event-stream; charset=utf-8',
                'Cache-Control': 'no-cache, no-transform',
                Connection: 'keep-alive',
                // nginx would otherwise buffer the stream.
                'X-Accel-Buffering': 'no',
            });
            res.socket?.setNoDelay(true);
            res.write(sseRetry(RECONNECT_DELAY_MS));
            res.write(sseComment('connected'));
        },
        send(type, data, id) {
            res.write(sseFrame(id === undefined ? { event: type, data } : { id, event: type, data }));
        },
        keepAlive(skippedTo) {
            if (skippedTo) res.write(`id: ${skippedTo}\n\n`);
            res.write(sseComment('keep-alive'));
        },
        get unsentBytes() {
            return res.writableLength;
        },
        end() {
            res.end();
        },
        onClose(listener) {
            res.on('close', listener);
        },
    };
}

export function refuse(res: Response, statusCode: number, message: string): void {
    if (statusCode === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(statusCode).json({ statusCode, message });
}

/** The HTTP answer to a stream the event stream service refused to open. */
export function refuseStream(res: Response, refusal: LiveRefusal): void {
    switch (refusal.refused) {
        case 'shutting-down':
            refuse(res, 503, 'The server is shutting down: reconnect in a moment');
            return;
        case 'too-many':
            refuse(
                res,
                429,
                `This session already holds ${refusal.open} live streams (the limit is ${refusal.limit}): close one first`,
            );
            return;
        case 'nothing-to-receive':
            refuse(
                res,
                403,
                'This login may not receive dispatch events: it takes a driver login (DriverSelf), ' +
                    'or ManageDispatch, ReadOrder or ReadDriver',
            );
            return;
    }
}
