import { coordinateProblem } from '../../shared/geo';
import { isEventId } from '../strategies/dispatch-event-log/event-id';
import { DriverStatus } from '../types';

/**
 * The contract of the driver channel, `GET /dispatch/driver` upgraded to a WebSocket: JSON text
 * frames both ways. The plugin README documents it for native apps; this file is its one
 * definition on the server.
 */
export const DRIVER_CHANNEL_PATH = '/dispatch/driver';

/** Largest frame a client may send; a larger one closes the connection with 1009. */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024;

/** Close codes the channel uses besides the protocol's own (1001 going away, 1009 too big). */
export const CloseCode = {
    /** No valid session: no `auth` frame in time, a wrong token, or a first frame that is not `auth`. */
    unauthenticated: 4401,
    /** A valid session that may not use the channel: not a driver, disabled, deleted, revoked. */
    forbidden: 4403,
    /** The client read too slowly and its unsent frames piled up. */
    tooSlow: 4408,
    /** The session holds as many live connections as `liveStreamsPerSession` allows. */
    tooManyConnections: 4429,
    goingAway: 1001,
} as const;

/** The `code` of an `error` frame: the frame was refused, the connection stays open. */
export type ChannelErrorCode =
    | 'BAD_FRAME'
    | 'UNKNOWN_TYPE'
    | 'INVALID_LOCATION'
    | 'INVALID_STATUS'
    | 'RATE_LIMITED'
    | 'STATUS_REFUSED'
    | 'ALREADY_AUTHENTICATED'
    | 'TRY_AGAIN';

export interface AuthFrame {
    type: 'auth';
    token: string;
    lastEventId?: string;
}

export interface LocationFrame {
    type: 'location';
    latitude: number;
    longitude: number;
    accuracyM?: number;
    /** When the position was taken; the server's clock when absent. */
    at?: Date;
}

export interface StatusFrame {
    type: 'status';
    status: DriverStatus.AVAILABLE | DriverStatus.OFFLINE;
}

export type ClientFrame = AuthFrame | LocationFrame | StatusFrame;

/** A frame that could not be read: answered with an `error` frame of this code and message. */
export interface FrameRefusal {
    refused: ChannelErrorCode;
    message: string;
}

/** A session token is 64 hex characters in Vendure; anything far longer is not one. */
const MAX_TOKEN_LENGTH = 512;
/** Pings stamped this far ahead of the server's clock are refused (phones' clocks drift a little). */
const MAX_CLOCK_AHEAD_MS = 60_000;
/** A position older than this is no longer where the driver is. */
const MAX_PING_AGE_MS = 10 * 60_000;
const MAX_ACCURACY_M = 100_000;

/** Reads one text frame from a client; `now` is the server's clock for `at`. */
export function parseClientFrame(text: string, now: Date): ClientFrame | FrameRefusal {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return refusal('BAD_FRAME', 'A frame is one JSON object, e.g. {"type":"location",...}');
    }
    if (!isRecord(value) || typeof value.type !== 'string') {
        return refusal('BAD_FRAME', 'A frame is one JSON object with a "type"');
    }
    switch (value.type) {
        case 'auth':
            return parseAuth(value);
        case 'location':
            return parseLocation(value, now);
        case 'status':
            return parseStatus(value);
        default:
            return refusal(
                'UNKNOWN_TYPE',
                `Unknown frame type "${value.type.slice(0, 40)}": one of auth, location, status`,
            );
    }
}

function parseAuth(frame: Record<string, unknown>): AuthFrame | FrameRefusal {
    const { token, lastEventId } = frame;
    if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) {
        return refusal(
            'BAD_FRAME',
            'An auth frame carries the admin API session token: {"type":"auth","token":"…"}',
        );
    }
    if (lastEventId !== undefined && (typeof lastEventId !== 'string' || !isEventId(lastEventId))) {
        return refusal('BAD_FRAME', 'lastEventId is the id of an event this channel sent');
    }
    return lastEventId === undefined ? { type: 'auth', token } : { type: 'auth', token, lastEventId };
}

function parseLocation(frame: Record<string, unknown>, now: Date): LocationFrame | FrameRefusal {
    const { latitude, longitude, accuracyM, at } = frame;
    if (typeof latitude !== 'number' || typeof longitude !== 'number') {
        return refusal('INVALID_LOCATION', 'latitude and longitude are numbers in decimal degrees');
    }
    const problem = coordinateProblem(latitude, longitude);
    if (problem) return refusal('INVALID_LOCATION', problem);
    const location: LocationFrame = { type: 'location', latitude, longitude };
    if (accuracyM !== undefined) {
        if (
            typeof accuracyM !== 'number' ||
            !Number.isFinite(accuracyM) ||
            accuracyM < 0 ||
            accuracyM > MAX_ACCURACY_M
        ) {
            return refusal(
                'INVALID_LOCATION',
                `accuracyM is a distance in metres from 0 to ${MAX_ACCURACY_M}`,
            );
        }
        location.accuracyM = accuracyM;
    }
    if (at !== undefined) {
        const taken = typeof at === 'string' && at.length <= 40 ? new Date(at) : undefined;
        if (!taken || Number.isNaN(taken.getTime())) {
            return refusal('INVALID_LOCATION', 'at is an ISO 8601 time, e.g. 2026-12-02T17:30:00Z');
        }
        if (taken.getTime() > now.getTime() + MAX_CLOCK_AHEAD_MS) {
            return refusal('INVALID_LOCATION', "at lies in the future: check the phone's clock");
        }
        if (taken.getTime() < now.getTime() - MAX_PING_AGE_MS) {
            return refusal('INVALID_LOCATION', 'at is more than 10 minutes old: send the current position');
        }
        location.at = taken;
    }
    return location;
}

function parseStatus(frame: Record<string, unknown>): StatusFrame | FrameRefusal {
    const { status } = frame;
    if (status !== DriverStatus.AVAILABLE && status !== DriverStatus.OFFLINE) {
        return refusal('INVALID_STATUS', 'status is AVAILABLE or OFFLINE (BUSY is set by dispatch)');
    }
    return { type: 'status', status };
}

export function isRefusal(frame: ClientFrame | FrameRefusal): frame is FrameRefusal {
    return 'refused' in frame;
}

/** An event of the dispatch log, as the channel sends it. */
export function eventFrame(type: string, data: unknown, id?: string): string {
    return JSON.stringify(id === undefined ? { type, data } : { type, id, data });
}

export function errorFrame(code: ChannelErrorCode, message: string): string {
    return JSON.stringify({ type: 'error', code, message });
}

export function ackFrame(forType: 'status' | 'auth', data?: unknown): string {
    return JSON.stringify(
        data === undefined ? { type: 'ack', for: forType } : { type: 'ack', for: forType, data },
    );
}

function refusal(code: ChannelErrorCode, message: string): FrameRefusal {
    return { refused: code, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
