export enum DriverStatus {
    AVAILABLE = 'AVAILABLE',
    BUSY = 'BUSY',
    OFFLINE = 'OFFLINE',
}

export enum DeliveryStatus {
    PENDING = 'PENDING',
    ASSIGNED = 'ASSIGNED',
    PICKED_UP = 'PICKED_UP',
    DELIVERED = 'DELIVERED',
    FAILED = 'FAILED',
    CANCELLED = 'CANCELLED',
}

/** Statuses in which an assignment holds its driver. */
export const OPEN_WITH_DRIVER: DeliveryStatus[] = [DeliveryStatus.ASSIGNED, DeliveryStatus.PICKED_UP];

/**
 * Reason codes a driver (or staff) may give when reporting a delivery failed. The other codes of
 * a delivery event are set by their own operations: `DRIVER_DECLINED` by `declineDelivery`,
 * `CANCELLED_BY_ADMIN` by `cancelDelivery`, `DRIVER_OFFLINE` by the sweep.
 */
export const FAILURE_REASON_CODES = ['PICKUP_FAILED', 'DELIVERY_FAILED', 'TIMEOUT'] as const;
export type FailureReasonCode = (typeof FAILURE_REASON_CODES)[number];

declare module '@vendure/core/dist/entity/custom-entity-fields' {
    interface CustomOrderFields {
        /**
         * The shop session that placed the order: a guest's tracking is tied to it. The id as a
         * string, whatever the EntityIdStrategy; compare it with `idsAreEqual`.
         */
        placedInSessionId: string | null;
        /** What the customer tells the driver (gate code, floor, "leave at the door"); the driver app shows it. */
        deliveryInstructions: string | null;
    }
}
