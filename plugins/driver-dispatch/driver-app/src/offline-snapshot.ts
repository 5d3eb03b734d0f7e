import type { AssignmentView, DriverSelf } from './admin-api';

/**
 * What the app last knew, kept on the phone so that reopening it without a connection still shows
 * the driver their delivery (and lets them act on it, queued). Only the driver's own delivery, as
 * the server gave it; cleared at logout and when the session ends.
 */
const DRIVER_KEY = 'driver-app:driver';
const ASSIGNMENT_KEY = 'driver-app:assignment';
/** The channel's resume point: a reopened app resumes where it left off. */
const EVENT_ID_KEY = 'driver-app:last-event-id';

function read<T>(key: string): T | undefined {
    try {
        const raw = window.localStorage.getItem(key);
        return raw ? (JSON.parse(raw) as T) : undefined;
    } catch {
        return undefined;
    }
}

export function lastDriver(): DriverSelf | undefined {
    return read<DriverSelf>(DRIVER_KEY);
}

export function lastAssignment(driverId: string): AssignmentView | null | undefined {
    const saved = read<{ driverId: string; assignment: AssignmentView | null }>(ASSIGNMENT_KEY);
    return saved?.driverId === driverId ? saved.assignment : undefined;
}

export function rememberDriver(driver: DriverSelf): void {
    window.localStorage.setItem(DRIVER_KEY, JSON.stringify(driver));
}

export function rememberAssignment(driverId: string, assignment: AssignmentView | null): void {
    window.localStorage.setItem(ASSIGNMENT_KEY, JSON.stringify({ driverId, assignment }));
}

export function lastEventId(driverId: string): string | undefined {
    const saved = read<{ driverId: string; id: string }>(EVENT_ID_KEY);
    return saved?.driverId === driverId ? saved.id : undefined;
}

export function rememberEventId(driverId: string, id: string): void {
    window.localStorage.setItem(EVENT_ID_KEY, JSON.stringify({ driverId, id }));
}

export function forget(): void {
    for (const key of [DRIVER_KEY, ASSIGNMENT_KEY, EVENT_ID_KEY]) window.localStorage.removeItem(key);
}
