import { ID } from '@vendure/core';

import { DeliveryStatus, DriverStatus } from '../types';

/**
 * The contract of `GET /dispatch/events`: each event is one server-sent event whose `event:` is
 * the `type` below and whose `data:` is the JSON of `data`. IDs are strings, as in the admin API;
 * times are ISO 8601.
 */
export type DispatchLiveEvent =
    AssignmentLiveEvent | DriverLocationLiveEvent | DriverStatusLiveEvent | DriverRevokedLiveEvent;

/**
 * - `assignment.assigned`: the delivery went to ASSIGNED; `driverId` is the driver who got it.
 * - `assignment.cancelled`: the delivery was taken from its driver: CANCELLED, or back to PENDING
 *   from ASSIGNED or PICKED_UP (declined, reassigned); `driverId` is the driver it was taken from.
 * - `assignment.updated`: any other move (PENDING when created, PICKED_UP, DELIVERED, FAILED).
 */
export type AssignmentLiveEventType = 'assignment.assigned' | 'assignment.updated' | 'assignment.cancelled';

export interface AssignmentLiveEventData {
    assignmentId: string;
    orderId: string;
    /** The driver this move concerns (see {@link AssignmentLiveEventType}); null while none. */
    driverId: string | null;
    status: DeliveryStatus;
    fromStatus: DeliveryStatus | null;
    reasonCode: string | null;
    correlationId: string;
    at: string;
}

export interface AssignmentLiveEvent {
    type: AssignmentLiveEventType;
    data: AssignmentLiveEventData;
    /** The channels the assignment belongs to (default and seller channel): routing only, never sent. */
    channelIds: string[];
}

export interface DriverLocationLiveEvent {
    type: 'driver.location';
    data: { driverId: string; latitude: number; longitude: number; at: string };
}

export interface DriverStatusLiveEvent {
    type: 'driver.status';
    data: { driverId: string; status: DriverStatus; at: string };
}

/**
 * A driver was disabled or deleted: routing only, never sent to a client. Every process that
 * holds a live connection of that driver checks it at once instead of at its next session check.
 */
export interface DriverRevokedLiveEvent {
    type: 'driver.revoked';
    data: { driverId: string };
}

/**
 * Sent (without an id) when a reconnect cannot be resumed: the `Last-Event-ID` is no longer held
 * (too old, or the event log was reset). The client reloads what it shows through the admin API.
 */
export const RESYNC_EVENT = 'stream.resync';

const DRIVER_HOLDS: Array<DeliveryStatus | null> = [DeliveryStatus.ASSIGNED, DeliveryStatus.PICKED_UP];

/** Which assignment event a status move is. */
export function assignmentEventType(
    fromStatus: DeliveryStatus | null,
    toStatus: DeliveryStatus,
): AssignmentLiveEventType {
    if (toStatus === DeliveryStatus.ASSIGNED) return 'assignment.assigned';
    if (toStatus === DeliveryStatus.CANCELLED) return 'assignment.cancelled';
    if (toStatus === DeliveryStatus.PENDING && DRIVER_HOLDS.includes(fromStatus)) {
        return 'assignment.cancelled';
    }
    return 'assignment.updated';
}

/**
 * The driver an assignment event concerns, from the move itself: the driver it was taken from
 * when it went back to PENDING, the driver who got it when it was assigned, else the driver who
 * held it; nobody when no driver held it in this move.
 */
export function concernedDriverId(move: {
    fromStatus: DeliveryStatus | null;
    toStatus: DeliveryStatus;
    driverId: ID | null;
    previousDriverId: ID | null;
}): string | null {
    const { fromStatus, toStatus } = move;
    let driverId: ID | null;
    if (toStatus === DeliveryStatus.ASSIGNED) driverId = move.driverId;
    else if (!DRIVER_HOLDS.includes(fromStatus)) driverId = null;
    else if (toStatus === DeliveryStatus.PENDING) driverId = move.previousDriverId;
    else driverId = move.driverId ?? move.previousDriverId;
    return driverId != null ? String(driverId) : null;
}

/** One server-sent event. `data` may not span lines in SSE: each line gets its own `data:`. */
export function sseFrame(frame: { id?: string; event: string; data: unknown }): string {
    const lines: string[] = [];
    if (frame.id != null) lines.push(`id: ${singleLine(frame.id)}`);
    lines.push(`event: ${singleLine(frame.event)}`);
    for (const line of JSON.stringify(frame.data).split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
    return `${lines.join('\n')}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies from closing an idle stream. */
export function sseComment(text: string): string {
    return `: ${singleLine(text)}\n\n`;
}

/** Tells EventSource how long to wait before reconnecting. */
export function sseRetry(ms: number): string {
    return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}

function singleLine(value: string): string {
    return value.replace(/[\r\n]+/g, ' ');
}
