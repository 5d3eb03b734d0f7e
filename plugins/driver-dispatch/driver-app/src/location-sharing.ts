/** A position from the phone, as the channel's `location` frame carries it. */
export interface Fix {
    latitude: number;
    longitude: number;
    accuracyM?: number;
    at: number;
}

/** Pings no closer together than this while moving (the server allows 10 per 10 s). */
export const MIN_PING_INTERVAL_MS = 2_000;
/** A still driver pings this often anyway, well inside the server's 45 s heartbeat. */
export const LOCATION_HEARTBEAT_MS = 20_000;
/** Movement smaller than this (GPS noise) waits for the heartbeat. */
export const MIN_MOVE_M = 15;

/**
 * When a new fix should be sent, in ms from now: 0 at once (the first fix, a move after the
 * interval, a heartbeat due), the rest of the interval for a move that came too soon (the latest
 * fix is sent then), or undefined for GPS noise (the heartbeat sends it). Pure, so unit-tested.
 */
export function pingDelayMs(previous: Fix | undefined, next: Fix, movedM: number): number | undefined {
    if (!previous) return 0;
    const elapsed = next.at - previous.at;
    if (elapsed >= LOCATION_HEARTBEAT_MS) return 0;
    if (movedM < MIN_MOVE_M) return undefined;
    return Math.max(0, MIN_PING_INTERVAL_MS - elapsed);
}
