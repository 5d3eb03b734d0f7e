import { assignmentEventType, concernedDriverId, DispatchLiveEvent } from '../api/dispatch-live-events';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { DriverAccessRevokedEvent } from '../events/driver-access-revoked-event';
import { DriverLocationEvent } from '../events/driver-location-event';
import { DriverStatusEvent } from '../events/driver-status-event';

/*
 * The EventBus events of dispatch as the live events of `GET /dispatch/events` and the driver
 * channel (the documented `DispatchLiveEvent` shapes): what the DispatchEventStreamService appends
 * to the event log. Only ids, statuses, positions and times: never a customer's data.
 */

/** A status move of a delivery: `assignment.assigned`, `.updated` or `.cancelled`. */
export function assignmentLiveEvent(event: DeliveryStatusEvent): DispatchLiveEvent {
    return {
        type: assignmentEventType(event.fromStatus, event.toStatus),
        channelIds: event.channelIds.map(String),
        data: {
            assignmentId: String(event.assignmentId),
            orderId: String(event.orderId),
            driverId: concernedDriverId(event),
            status: event.toStatus,
            fromStatus: event.fromStatus,
            reasonCode: event.reasonCode,
            correlationId: event.correlationId,
            at: event.createdAt.toISOString(),
        },
    };
}

export function driverStatusLiveEvent(event: DriverStatusEvent): DispatchLiveEvent {
    return {
        type: 'driver.status',
        data: { driverId: String(event.driverId), status: event.status, at: event.createdAt.toISOString() },
    };
}

/** A driver disabled or deleted: every process checks that driver's streams at once. */
export function driverRevokedLiveEvent(event: DriverAccessRevokedEvent): DispatchLiveEvent {
    return { type: 'driver.revoked', data: { driverId: String(event.driverId) } };
}

export function driverLocationLiveEvent(event: DriverLocationEvent): DispatchLiveEvent {
    return {
        type: 'driver.location',
        data: {
            driverId: String(event.driverId),
            latitude: event.latitude,
            longitude: event.longitude,
            at: event.at.toISOString(),
        },
    };
}
