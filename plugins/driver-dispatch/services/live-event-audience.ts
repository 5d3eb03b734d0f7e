import { Permission } from '@vendure/common/lib/generated-types';
import { ID, idsAreEqual } from '@vendure/core';

import { DispatchLiveEvent } from '../api/dispatch-live-events';
import { driverPermission, driverSelfPermission, manageDispatchPermission } from '../constants';

/** A session's permissions per channel, as Vendure serializes them. */
export interface ChannelPermissions {
    id: ID;
    permissions: string[];
}

/**
 * Who a stream is for, decided from the session when it connects (and again at each session check).
 *
 * - A driver (`DriverSelf` in the default channel and a Driver linked to their login) receives
 *   the assignment events of their own deliveries.
 * - Staff holding `ManageDispatch`, `ReadOrder` or `ReadDriver` in a channel receive the
 *   assignment events of that channel's assignments: in the default channel that is every
 *   assignment (they all belong to it), in a seller's channel only that seller's.
 * - Staff holding `ReadDriver` in the default channel (where the platform's fleet lives) also
 *   receive `driver.location` and `driver.status`. A seller's staff never do.
 */
export interface LiveEventAudience {
    driverId: string | null;
    allAssignments: boolean;
    assignmentChannelIds: string[];
    fleet: boolean;
}

/** Those who may read assignments in the admin API, plus the live map's readers. */
const ASSIGNMENT_READERS: string[] = [
    manageDispatchPermission.Permission,
    Permission.ReadOrder,
    driverPermission.Read,
];

export function audienceOf(
    channels: ChannelPermissions[],
    defaultChannelId: ID,
    linkedDriverId: ID | null,
): LiveEventAudience {
    const onDefault = channels.find(channel => idsAreEqual(channel.id, defaultChannelId))?.permissions ?? [];
    const isDriver = linkedDriverId != null && onDefault.includes(driverSelfPermission.Permission);
    const allAssignments = ASSIGNMENT_READERS.some(permission => onDefault.includes(permission));
    const assignmentChannelIds = allAssignments
        ? []
        : channels
              .filter(channel =>
                  ASSIGNMENT_READERS.some(permission => channel.permissions.includes(permission)),
              )
              .map(channel => String(channel.id));
    return {
        driverId: isDriver ? String(linkedDriverId) : null,
        allAssignments,
        assignmentChannelIds,
        fleet: onDefault.includes(driverPermission.Read),
    };
}

/** Nothing to receive: the stream is refused (403). */
export function isEmptyAudience(audience: LiveEventAudience): boolean {
    return (
        audience.driverId == null &&
        !audience.allAssignments &&
        audience.assignmentChannelIds.length === 0 &&
        !audience.fleet
    );
}

export function mayReceive(audience: LiveEventAudience, event: DispatchLiveEvent): boolean {
    switch (event.type) {
        case 'driver.location':
        case 'driver.status':
            return audience.fleet;
        case 'driver.revoked':
            return false;
        case 'assignment.assigned':
        case 'assignment.updated':
        case 'assignment.cancelled':
            return (
                audience.allAssignments ||
                (audience.driverId != null && event.data.driverId === audience.driverId) ||
                event.channelIds.some(id => audience.assignmentChannelIds.includes(id))
            );
    }
}
