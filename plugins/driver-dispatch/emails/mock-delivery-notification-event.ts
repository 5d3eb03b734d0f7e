import {
    DeliveryNotificationEvent,
    DeliveryNotificationKind,
} from '../notifications/delivery-notification-event';

/** A made-up delivery for the dev mailbox's "generate" button (`/mailbox/generate/<type>/<lang>`). */
export function mockDeliveryNotificationEvent(
    kind: DeliveryNotificationKind,
): Omit<DeliveryNotificationEvent, 'ctx' | 'data'> {
    const open =
        kind === DeliveryNotificationKind.DRIVER_ASSIGNED || kind === DeliveryNotificationKind.PICKED_UP;
    return {
        kind,
        assignmentId: '1',
        orderId: '1',
        driverId: '1',
        attempt: 0,
        createdAt: new Date(),
        recipient: { emailAddress: 'customer@example.com', firstName: 'Alex', lastName: 'Example' },
        details: {
            orderCode: 'W6RV1Q2RYFXLQB2A',
            storeName: 'Loop Market',
            sellerName: 'Loop Market',
            driverName: 'Sam Rivera',
            etaMinutes: open ? 14 : null,
            trackingUrl: 'http://localhost:3000/track/example-token',
            deliveryCode: open ? '482913' : null,
            reasonCode: kind === DeliveryNotificationKind.FAILED ? 'DELIVERY_FAILED' : null,
        },
    };
}
