import { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import { ConfigService } from '@vendure/core';
import cookieSession from 'cookie-session';
import { RawData, WebSocket } from 'ws';

import { ackFrame, CloseCode, eventFrame } from '../api/driver-channel-protocol';
import { LiveEndReason, LiveEventSink } from './live-event-sink';

/*
 * The socket side of the driver channel (DriverChannelService): a driver's WebSocket as a sink of
 * the live event stream (with ping/pong liveness), the frame budget of a connection, the admin
 * session cookie of an upgrade request, and small readers and writers of sockets and requests.
 */

/** Frames other than pings one connection may send per window before they are refused. */
export const OTHER_FRAMES_PER_WINDOW = 30;
export const FRAME_WINDOW_MS = 10_000;

/** A driver's socket as a client of the event stream. */
export function socketSink(ws: WebSocket, driverId: string): LiveEventSink {
    let answeredPing = true;
    ws.on('pong', () => {
        answeredPing = true;
    });
    return {
        start() {
            send(ws, ackFrame('auth', { driverId }));
        },
        send(type, data, id) {
            send(ws, eventFrame(type, data, id));
        },
        keepAlive() {
            // No pong since the last ping: the connection is dead (a phone that lost its network).
            if (!answeredPing) {
                ws.terminate();
                return;
            }
            answeredPing = false;
            ws.ping();
        },
        get unsentBytes() {
            return ws.bufferedAmount;
        },
        end(reason: LiveEndReason) {
            ws.close(...closeFor(reason));
        },
        onClose(listener) {
            if (ws.readyState === WebSocket.CLOSED) listener();
            else ws.once('close', listener);
        },
    };
}

function closeFor(reason: LiveEndReason): [number, string] {
    switch (reason) {
        case 'signed-out':
            return [CloseCode.unauthenticated, 'The session ended: log in again'];
        case 'forbidden':
            return [CloseCode.forbidden, 'This driver was disabled or deleted'];
        case 'slow':
            return [CloseCode.tooSlow, 'The connection fell behind: reconnect'];
        case 'shutdown':
            return [CloseCode.goingAway, 'The server is shutting down: reconnect in a moment'];
    }
}

/** A fixed window of frames per connection. */
export class FrameBudget {
    private windowStart = Date.now();
    private used = 0;

    take(): boolean {
        const now = Date.now();
        if (now - this.windowStart >= FRAME_WINDOW_MS) {
            this.windowStart = now;
            this.used = 0;
        }
        this.used += 1;
        return this.used <= OTHER_FRAMES_PER_WINDOW;
    }
}

/**
 * Reads the session token from the admin session cookie of an upgrade request with the
 * cookie-session settings Vendure uses (name, secret, signature), as its own middleware would.
 */
export function cookieSessionReader(
    configService: ConfigService,
): (req: IncomingMessage) => Promise<string | undefined> {
    const { cookieOptions, tokenMethod } = configService.authOptions;
    const methods = Array.isArray(tokenMethod) ? tokenMethod : [tokenMethod];
    if (!methods.includes('cookie')) return () => Promise.resolve(undefined);
    const name = typeof cookieOptions.name === 'object' ? cookieOptions.name.admin : cookieOptions.name;
    const middleware = cookieSession({ ...cookieOptions, name: name ?? 'session' });
    return req =>
        new Promise(resolve => {
            if (!req.headers.cookie) {
                resolve(undefined);
                return;
            }
            const withSession = req as IncomingMessage & { session?: { token?: unknown } | null };
            middleware(withSession as never, new ServerResponse(req) as never, () => {
                const token = withSession.session?.token;
                resolve(typeof token === 'string' && token ? token : undefined);
            });
        });
}

export function send(ws: WebSocket, frame: string): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame);
}

export function rawText(data: RawData): string {
    if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
    return Buffer.from(data as ArrayBuffer).toString('utf8');
}

export function pathOf(req: IncomingMessage): string {
    try {
        return new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
        return '';
    }
}

/** `?lastEventId=` of the upgrade, for a cookie-authenticated app resuming. */
export function lastEventIdOf(req: IncomingMessage): string | undefined {
    try {
        const value = new URL(req.url ?? '/', 'http://localhost').searchParams.get('lastEventId')?.trim();
        return value || undefined;
    } catch {
        return undefined;
    }
}

export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
