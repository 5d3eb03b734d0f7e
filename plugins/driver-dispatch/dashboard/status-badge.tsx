import { Badge } from '@vendure/dashboard';

import { DeliveryAssignment, DeliveryStatus, DriverStatus } from './dispatch-api';

/** One colour per status, shared by the badges and the map markers. */
export const STATUS_COLOURS: Record<DriverStatus | DeliveryStatus, string> = {
    AVAILABLE: '#16a34a',
    BUSY: '#d97706',
    OFFLINE: '#6b7280',
    PENDING: '#dc2626',
    ASSIGNED: '#2563eb',
    PICKED_UP: '#7c3aed',
    DELIVERED: '#16a34a',
    FAILED: '#b91c1c',
    CANCELLED: '#6b7280',
};

export function StatusBadge({ status }: Readonly<{ status: DriverStatus | DeliveryStatus }>) {
    return (
        <Badge
            variant="outline"
            data-status={status}
            style={{ borderColor: STATUS_COLOURS[status], color: STATUS_COLOURS[status] }}
        >
            {status.replace('_', ' ')}
        </Badge>
    );
}

/**
 * Whether a delivery is delayed now: the server says so, or its `delayedAfter` (from the plugin's
 * `pendingAlertAfterSeconds` / `deliveryAlertAfterMinutes`) has passed since it was read.
 */
export function isDelayedNow(
    assignment: Pick<DeliveryAssignment, 'delayed' | 'delayedAfter'>,
    now = Date.now(),
): boolean {
    if (assignment.delayed) return true;
    return assignment.delayedAfter != null && now >= new Date(assignment.delayedAfter).getTime();
}

/** The marker of a delayed delivery, saying which stage is late. */
export function DelayedBadge({ status }: Readonly<{ status: DeliveryStatus }>) {
    return (
        <Badge variant="destructive" data-testid="delayed-marker">
            {status === 'PENDING' ? 'Delayed: waiting for a driver' : 'Delayed: out for delivery'}
        </Badge>
    );
}

/** "3 min ago", "2 h ago": how long ago a timestamp was, from `now`. */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
    if (!iso) return 'never';
    const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
    if (seconds < 60) return `${seconds} s ago`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min ago`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ago`;
    return `${Math.floor(hours / 24)} d ago`;
}

/** Age of a delivery for the board: "45 s", "12 min", "3 h". */
export function age(iso: string, now = Date.now()): string {
    return timeAgo(iso, now).replace(' ago', '');
}

export function formatPosition(latitude: number | null, longitude: number | null): string {
    if (latitude == null || longitude == null) return 'unknown';
    return `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`;
}
