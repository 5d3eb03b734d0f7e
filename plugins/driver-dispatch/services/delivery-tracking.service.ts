import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { OrderType } from '@vendure/common/lib/generated-types';
import {
    EventBus,
    ID,
    idsAreEqual,
    Logger,
    Order,
    OrderPlacedEvent,
    RequestContext,
    StockLocation,
    TransactionalConnection,
} from '@vendure/core';
import { In } from 'typeorm';

import { distanceKm, LatLng } from '../../shared/geo';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DriverDispatchPluginOptions } from '../options';
import { DeliveryStatus, OPEN_WITH_DRIVER } from '../types';
import { DriverService } from './driver.service';
import { trackingUrlFor } from './tracking-token';

/** What the driver app shows of the delivery a driver is on, and nothing more. */
export interface DriverAssignmentView {
    assignmentId: ID;
    status: DeliveryStatus;
    deliveryReference: string;
    pickupStoreName: string;
    pickupAddress: string | null;
    pickupLatitude: number | null;
    pickupLongitude: number | null;
    dropoffLatitude: number;
    dropoffLongitude: number;
    /** Street, postal code and city of the order's shipping address. */
    dropoffAddress: string | null;
    /** What the customer asked of the driver (the order's `deliveryInstructions`). */
    deliveryInstructions: string | null;
    customerFirstName: string | null;
    itemCount: number;
    assignedAt: Date | null;
    pickedUpAt: Date | null;
}

/** One delivery of a customer's order, as the customer follows it in the shop. */
export interface DeliveryTracking {
    orderCode: string;
    sellerName: string | null;
    status: DeliveryStatus;
    driverName: string | null;
    driverLatitude: number | null;
    driverLongitude: number | null;
    etaMinutes: number | null;
    deliveryCode: string | null;
    assignedAt: Date | null;
    pickedUpAt: Date | null;
    deliveredAt: Date | null;
    /** The customer's tracking page for this delivery; null without the `publicBaseUrl` option. */
    trackingUrl: string | null;
}

/** Statuses in which the customer still needs the delivery code. */
const CODE_VISIBLE: DeliveryStatus[] = [DeliveryStatus.PENDING, ...OPEN_WITH_DRIVER];

/**
 * The read side of deliveries for the people outside the office: the driver's app
 * (`activeDriverAssignment`) and the customer's tracking (`deliveryTracking`). Each sees only what
 * they need: a driver never the customer's contact details or payments, a customer the driver's
 * position only while that driver is on their delivery.
 */
@Injectable()
export class DeliveryTrackingService implements OnApplicationBootstrap {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly eventBus: EventBus,
        private readonly drivers: DriverService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Required<
            Pick<DriverDispatchPluginOptions, 'etaSpeedKmh' | 'etaPickupBufferMinutes'>
        > &
            Pick<DriverDispatchPluginOptions, 'publicBaseUrl'>,
    ) {}

    onApplicationBootstrap(): void {
        // A guest has no account: their tracking is tied to the session that placed the order.
        this.eventBus.ofType(OrderPlacedEvent).subscribe(event => {
            const sessionId = event.ctx.session?.id;
            if (event.ctx.apiType !== 'shop' || sessionId == null) return;
            this.connection.rawConnection
                .getRepository(Order)
                .update({ id: event.order.id }, { customFields: { placedInSessionId: String(sessionId) } })
                .catch((error: unknown) =>
                    Logger.error(
                        `Could not record the session of order ${event.order.code}: ${String(error)}`,
                        loggerCtx,
                    ),
                );
        });
    }

    /** The open delivery of the logged-in driver, or null (also for anyone who is not a driver). */
    async activeDriverAssignment(ctx: RequestContext): Promise<DriverAssignmentView | null> {
        const driver = await this.drivers.findActive(ctx);
        if (!driver) return null;
        const assignment = await this.connection.getRepository(ctx, DeliveryAssignment).findOne({
            where: { driverId: driver.id, status: In(OPEN_WITH_DRIVER) },
            relations: ['pickupStockLocation'],
        });
        if (!assignment) return null;
        const order = await this.connection.getRepository(ctx, Order).findOne({
            where: { id: assignment.orderId },
            relations: ['lines', 'customer'],
        });
        const store = assignment.pickupStockLocation;
        const dropoff = order ? await this.dropoffDetailsOf(ctx, order) : undefined;
        return {
            assignmentId: assignment.id,
            status: assignment.status,
            deliveryReference: assignment.deliveryReference,
            pickupStoreName: store?.name ?? '',
            pickupAddress: store ? addressOf(store) : null,
            pickupLatitude: store?.customFields.latitude ?? null,
            pickupLongitude: store?.customFields.longitude ?? null,
            dropoffLatitude: assignment.dropoffLatitude,
            dropoffLongitude: assignment.dropoffLongitude,
            dropoffAddress: dropoff?.address ?? null,
            deliveryInstructions: dropoff?.instructions ?? null,
            customerFirstName: order?.customer?.firstName ?? null,
            itemCount: (order?.lines ?? []).reduce((sum, line) => sum + line.quantity, 0),
            assignedAt: assignment.assignedAt,
            pickedUpAt: assignment.pickedUpAt,
        };
    }

    /**
     * The drop-off's address and the customer's instructions: a seller order carries what the
     * customer gave on the order they placed (its aggregate) when it has none of its own.
     */
    private async dropoffDetailsOf(
        ctx: RequestContext,
        order: Order,
    ): Promise<{ address: string | null; instructions: string | null }> {
        const own = { address: shippingAddressOf(order), instructions: instructionsOf(order) };
        if ((own.address && own.instructions) || order.aggregateOrderId == null) return own;
        const aggregate = await this.connection
            .getRepository(ctx, Order)
            .findOne({ where: { id: order.aggregateOrderId } });
        return {
            address: own.address ?? (aggregate ? shippingAddressOf(aggregate) : null),
            instructions: own.instructions ?? (aggregate ? instructionsOf(aggregate) : null),
        };
    }

    /**
     * The deliveries of an order (the customer's order: one per seller order; or one seller order)
     * for the customer who owns it, or the guest session that placed it. Anyone else gets an empty
     * list, exactly as for an order that does not exist.
     */
    async trackingFor(ctx: RequestContext, orderCode: string): Promise<DeliveryTracking[]> {
        const orders = this.connection.getRepository(ctx, Order);
        const order = await orders.findOne({
            where: { code: orderCode.trim() },
            relations: ['customer', 'customer.user', 'channels', 'channels.seller'],
        });
        if (!order) return [];
        const owner =
            order.aggregateOrderId != null
                ? await orders.findOne({
                      where: { id: order.aggregateOrderId },
                      relations: ['customer', 'customer.user'],
                  })
                : order;
        if (!owner || !this.isOwnedBy(ctx, owner)) return [];
        const delivered =
            order.type === OrderType.Aggregate
                ? await orders.find({
                      where: { aggregateOrderId: order.id },
                      relations: ['channels', 'channels.seller'],
                      order: { id: 'ASC' },
                  })
                : [order];
        const assignments = await this.connection.getRepository(ctx, DeliveryAssignment).find({
            where: { orderId: In(delivered.map(item => item.id)) },
            relations: ['pickupStockLocation'],
        });
        const entries: DeliveryTracking[] = [];
        for (const item of delivered) {
            const assignment = assignments.find(candidate => idsAreEqual(candidate.orderId, item.id));
            if (assignment) entries.push(await this.trackingEntry(ctx, item, assignment));
        }
        return entries;
    }

    private isOwnedBy(ctx: RequestContext, order: Order): boolean {
        if (ctx.activeUserId != null) {
            return idsAreEqual(order.customer?.user?.id ?? undefined, ctx.activeUserId);
        }
        const sessionId = ctx.session?.id;
        return sessionId != null && idsAreEqual(order.customFields.placedInSessionId ?? undefined, sessionId);
    }

    /** One delivery as its customer sees it (also the tracking page and the delivery emails). */
    async trackingEntry(
        ctx: RequestContext,
        order: Order,
        assignment: DeliveryAssignment,
    ): Promise<DeliveryTracking> {
        const withDriver = OPEN_WITH_DRIVER.includes(assignment.status) && assignment.driverId != null;
        const driver = withDriver ? await this.drivers.findOne(ctx, assignment.driverId ?? 0) : undefined;
        const position = driver ? positionOf(driver) : undefined;
        const seller = order.channels?.find(
            channel => channel.seller != null && channel.code !== '__default_channel__',
        );
        return {
            orderCode: order.code,
            sellerName: seller?.seller?.name ?? null,
            status: assignment.status,
            driverName: driver?.name ?? null,
            driverLatitude: position?.latitude ?? null,
            driverLongitude: position?.longitude ?? null,
            etaMinutes: this.etaMinutes(assignment, position),
            deliveryCode: CODE_VISIBLE.includes(assignment.status) ? assignment.deliveryCode : null,
            assignedAt: assignment.assignedAt,
            pickedUpAt: assignment.pickedUpAt,
            deliveredAt: assignment.deliveredAt,
            trackingUrl: trackingUrlFor(this.options.publicBaseUrl, assignment.trackingToken),
        };
    }

    /**
     * Straight-line distance at `etaSpeedKmh`: to the store and on to the customer (plus the pickup
     * buffer) before pickup, to the customer after. Null without a driver's position.
     */
    private etaMinutes(assignment: DeliveryAssignment, driverAt: LatLng | undefined): number | null {
        if (!driverAt) return null;
        const dropoff = { latitude: assignment.dropoffLatitude, longitude: assignment.dropoffLongitude };
        const { latitude, longitude } = assignment.pickupStockLocation?.customFields ?? {};
        let km: number;
        let bufferMinutes = 0;
        if (assignment.status === DeliveryStatus.ASSIGNED && latitude != null && longitude != null) {
            const pickup = { latitude, longitude };
            km = distanceKm(driverAt, pickup) + distanceKm(pickup, dropoff);
            bufferMinutes = this.options.etaPickupBufferMinutes;
        } else {
            km = distanceKm(driverAt, dropoff);
        }
        return Math.max(1, Math.ceil((km / this.options.etaSpeedKmh) * 60 + bufferMinutes));
    }
}

function positionOf(driver: Driver): LatLng | undefined {
    return driver.latitude != null && driver.longitude != null
        ? { latitude: driver.latitude, longitude: driver.longitude }
        : undefined;
}

function addressOf(store: StockLocation): string | null {
    const { address, postalCode, city } = store.customFields;
    const parts = [address, [postalCode, city].filter(Boolean).join(' ')].filter(part => part);
    return parts.length ? parts.join(', ') : null;
}

function shippingAddressOf(order: Order): string | null {
    const { streetLine1, streetLine2, postalCode, city } = order.shippingAddress ?? {};
    const street = [streetLine1, streetLine2].filter(Boolean).join(' ');
    const parts = [street, [postalCode, city].filter(Boolean).join(' ')].filter(part => part);
    return parts.length ? parts.join(', ') : null;
}

function instructionsOf(order: Order): string | null {
    return order.customFields.deliveryInstructions?.trim() || null;
}
