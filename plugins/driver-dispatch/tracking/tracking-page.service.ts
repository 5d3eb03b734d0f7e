import { Inject, Injectable } from '@nestjs/common';
import { Order, RequestContextService, TransactionalConnection } from '@vendure/core';

import { DRIVER_DISPATCH_PLUGIN_OPTIONS } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryEvent } from '../entities/delivery-event.entity';
import { DriverDispatchPluginOptions } from '../options';
import { DeliveryTrackingService } from '../services/delivery-tracking.service';
import { isWellFormedTrackingToken } from '../services/tracking-token';
import { DeliveryStatus } from '../types';
import { ResolvedTrackingPageOptions, resolveTrackingPageOptions } from './tracking-options';
import { isFinal, TrackingStatus, TrackingView } from './tracking-view';

/** The newest moves a page shows: a delivery declined over and over stays a short page. */
const TIMELINE_LIMIT = 50;

const ENDED: DeliveryStatus[] = [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED];

type Move = Pick<DeliveryEvent, 'toStatus' | 'createdAt'>;

/**
 * When the delivery ended (the move into DELIVERED, FAILED or CANCELLED), or null while it is
 * open. A FAILED delivery that staff retried is open again.
 */
export function trackingEndedAt(
    assignment: Pick<DeliveryAssignment, 'status' | 'deliveredAt' | 'updatedAt'>,
    moves: Move[],
): Date | null {
    if (!ENDED.includes(assignment.status)) return null;
    const last = [...moves].reverse().find(move => move.toStatus === assignment.status);
    return last?.createdAt ?? assignment.deliveredAt ?? assignment.updatedAt;
}

/** Whether a link has stopped working: `expiresAfterHours` after its delivery ended. */
export function isTrackingExpired(endedAt: Date | null, expiresAfterHours: number, now: Date): boolean {
    return endedAt != null && now.getTime() - endedAt.getTime() > expiresAfterHours * 3_600_000;
}

/** The moves, oldest first; from the assignment's own timestamps for a row without events. */
export function timelineOf(
    assignment: Pick<
        DeliveryAssignment,
        'status' | 'createdAt' | 'assignedAt' | 'pickedUpAt' | 'deliveredAt'
    >,
    moves: Move[],
): TrackingView['timeline'] {
    if (moves.length) {
        return moves.map(move => ({
            status: asTrackingStatus(move.toStatus),
            at: move.createdAt.toISOString(),
        }));
    }
    const stamps: Array<[TrackingStatus, Date | null]> = [
        ['PENDING', assignment.createdAt],
        ['ASSIGNED', assignment.assignedAt],
        ['PICKED_UP', assignment.pickedUpAt],
        ['DELIVERED', assignment.deliveredAt],
    ];
    return stamps.flatMap(([status, at]) => (at ? [{ status, at: at.toISOString() }] : []));
}

/** The first word of the name staff entered: the page never shows a driver's full name. */
export function firstNameOf(name: string): string {
    return name.trim().split(/\s+/)[0] || 'Your driver';
}

function asTrackingStatus(status: DeliveryStatus): TrackingStatus {
    return status;
}

/**
 * The data behind `/track/<token>`: one delivery found by its tracking token, as its customer may
 * see it (through {@link DeliveryTrackingService.trackingEntry}, so the ETA, the driver's position
 * while on the way and the code follow the shop API's rules), narrowed to what the page shows.
 * Read from the database on every call: a change made by any process shows at the next poll.
 */
@Injectable()
export class TrackingPageService {
    readonly options: ResolvedTrackingPageOptions;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly requestContextService: RequestContextService,
        private readonly tracking: DeliveryTrackingService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly pluginOptions: Pick<DriverDispatchPluginOptions, 'tracking' | 'requireDeliveryCode'>,
    ) {
        this.options = resolveTrackingPageOptions(pluginOptions.tracking);
    }

    /** The page's view of the delivery, or undefined for a wrong, malformed or expired token. */
    async viewFor(token: string, now = new Date()): Promise<TrackingView | undefined> {
        if (!isWellFormedTrackingToken(token)) return undefined;
        const ctx = await this.requestContextService.create({ apiType: 'shop' });
        const assignment = await this.connection.getRepository(ctx, DeliveryAssignment).findOne({
            where: { trackingToken: token },
            relations: ['pickupStockLocation'],
        });
        if (!assignment) return undefined;
        const moves = (
            await this.connection.getRepository(ctx, DeliveryEvent).find({
                where: { assignmentId: assignment.id },
                select: ['id', 'toStatus', 'createdAt'],
                order: { createdAt: 'DESC', id: 'DESC' },
                take: TIMELINE_LIMIT,
            })
        ).reverse();
        if (isTrackingExpired(trackingEndedAt(assignment, moves), this.options.expiresAfterHours, now)) {
            return undefined;
        }
        const order = await this.connection
            .getRepository(ctx, Order)
            .findOne({ where: { id: assignment.orderId } });
        if (!order) return undefined;
        const entry = await this.tracking.trackingEntry(ctx, order, assignment);
        const store = assignment.pickupStockLocation;
        const status = asTrackingStatus(assignment.status);
        return {
            status,
            timeline: timelineOf(assignment, moves),
            etaMinutes: entry.driverName ? entry.etaMinutes : null,
            store: store
                ? {
                      name: store.name,
                      address:
                          [
                              store.customFields.address,
                              [store.customFields.postalCode, store.customFields.city]
                                  .filter(Boolean)
                                  .join(' '),
                          ]
                              .filter(Boolean)
                              .join(', ') || null,
                      latitude: store.customFields.latitude ?? null,
                      longitude: store.customFields.longitude ?? null,
                  }
                : null,
            driver: entry.driverName
                ? {
                      firstName: firstNameOf(entry.driverName),
                      latitude: entry.driverLatitude,
                      longitude: entry.driverLongitude,
                  }
                : null,
            deliveryCode: this.pluginOptions.requireDeliveryCode === false ? null : entry.deliveryCode,
            timeZone: store?.customFields.timeZone || 'UTC',
            pollAfterSeconds: isFinal(status) ? null : this.options.pollIntervalSeconds,
        };
    }
}
