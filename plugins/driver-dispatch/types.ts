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

/**
 * The stage a delivery can be delayed in (see `pendingAlertAfterSeconds` and
 * `deliveryAlertAfterMinutes`): each is alerted at most once per delivery.
 */
export enum DeliveryDelayStage {
    /** PENDING: ready, and no driver has it. */
    WAITING_FOR_DRIVER = 'WAITING_FOR_DRIVER',
    /** ASSIGNED or PICKED_UP: a driver has it, and it is not DELIVERED yet. */
    OUT_FOR_DELIVERY = 'OUT_FOR_DELIVERY',
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
