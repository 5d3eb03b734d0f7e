// The admin API operations the dashboard extension uses, with their result shapes. Plain strings
// sent through the dashboard's own `api` client (its session token, its channel; `api.query` sends
// mutations too), so no generated GraphQL types are needed to build or lint this folder.
import { api } from '@vendure/dashboard';

export type DriverStatus = 'AVAILABLE' | 'BUSY' | 'OFFLINE';
export type DeliveryStatus = 'PENDING' | 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED' | 'FAILED' | 'CANCELLED';

export const DRIVER_STATUSES: DriverStatus[] = ['AVAILABLE', 'BUSY', 'OFFLINE'];
export const OPEN_DELIVERY_STATUSES: DeliveryStatus[] = ['PENDING', 'ASSIGNED', 'PICKED_UP'];
export const CLOSED_DELIVERY_STATUSES: DeliveryStatus[] = ['DELIVERED', 'FAILED', 'CANCELLED'];

export interface DeliveryEvent {
    createdAt: string;
    fromStatus: DeliveryStatus | null;
    toStatus: DeliveryStatus;
    reasonCode: string | null;
    note: string | null;
    actor: string | null;
}

export interface StorePoint {
    id: string;
    name: string;
    customFields: { latitude: number | null; longitude: number | null } | null;
}

export interface DeliveryAssignment {
    id: string;
    createdAt: string;
    updatedAt: string;
    status: DeliveryStatus;
    attempts: number;
    lastError: string | null;
    assignedAt: string | null;
    pickedUpAt: string | null;
    deliveredAt: string | null;
    pickupDistanceKm: number | null;
    dropoffLatitude: number | null;
    dropoffLongitude: number | null;
    correlationId: string;
    /** What the driver calls the delivery at the store's counter. */
    deliveryReference: string;
    /** Delayed in its current stage (waiting for a driver, or out for delivery), as the server judged it. */
    delayed: boolean;
    /** When the current stage counts as delayed; null once finished. */
    delayedAfter: string | null;
    driver: { id: string; name: string } | null;
    pickupStockLocation: StorePoint | null;
    /** Only requested for staff with ReadOrder. */
    order?: { id: string; code: string; state: string; aggregateOrderId: string | null } | null;
    events?: DeliveryEvent[];
}

export interface Driver {
    id: string;
    createdAt: string;
    name: string;
    phoneNumber: string | null;
    emailAddress: string;
    status: DriverStatus;
    /** False when staff disabled the driver: no login works, dispatch never assigns them. */
    enabled: boolean;
    latitude: number | null;
    longitude: number | null;
    lastSeenAt: string | null;
    activeAssignment: Pick<DeliveryAssignment, 'id' | 'status' | 'order'> | null;
}

export interface DriverFilter {
    status?: DriverStatus;
    name?: string;
}

export interface DeliveryActionResult {
    __typename: string;
    message?: string;
    id?: string;
    status?: DeliveryStatus;
}

const ORDER_FIELDS = 'order @include(if: $withOrder) { id code state aggregateOrderId }';
const ASSIGNMENT_FIELDS = `
    id createdAt updatedAt status attempts lastError assignedAt pickedUpAt deliveredAt pickupDistanceKm
    dropoffLatitude dropoffLongitude correlationId deliveryReference delayed delayedAfter
    driver { id name }
    pickupStockLocation { id name customFields { latitude longitude } }
    ${ORDER_FIELDS}`;
const EVENT_FIELDS = 'events { createdAt fromStatus toStatus reasonCode note actor }';
const DRIVER_FIELDS = `
    id createdAt name phoneNumber emailAddress status enabled latitude longitude lastSeenAt
    activeAssignment { id status ${ORDER_FIELDS} }`;

export async function fetchDrivers(
    filter: DriverFilter,
    withOrder: boolean,
    take = 100,
    skip = 0,
): Promise<{ items: Driver[]; totalItems: number }> {
    const result = await api.query<{ drivers: { items: Driver[]; totalItems: number } }>(
        `query DashboardDrivers($options: DriverListOptions, $withOrder: Boolean!) {
            drivers(options: $options) { totalItems items { ${DRIVER_FIELDS} } }
        }`,
        {
            withOrder,
            options: {
                take,
                skip,
                sort: { name: 'ASC' },
                filter: {
                    ...(filter.status ? { status: { eq: filter.status } } : {}),
                    ...(filter.name?.trim() ? { name: { contains: filter.name.trim() } } : {}),
                },
            },
        },
    );
    return result.drivers;
}

export async function fetchDriver(id: string, withOrder: boolean): Promise<Driver | null> {
    const result = await api.query<{ driver: Driver | null }>(
        `query DashboardDriver($id: ID!, $withOrder: Boolean!) { driver(id: $id) { ${DRIVER_FIELDS} } }`,
        { id, withOrder },
    );
    return result.driver;
}

export interface AssignmentQuery {
    statuses?: DeliveryStatus[];
    take?: number;
    withEvents?: boolean;
}

export async function fetchAssignments(
    query: AssignmentQuery,
    withOrder: boolean,
): Promise<{ items: DeliveryAssignment[]; totalItems: number }> {
    const filter: Record<string, unknown> = {};
    if (query.statuses?.length) filter.status = { in: query.statuses };
    const result = await api.query<{
        deliveryAssignments: { items: DeliveryAssignment[]; totalItems: number };
    }>(
        `query DashboardAssignments($options: DeliveryAssignmentListOptions, $withOrder: Boolean!) {
            deliveryAssignments(options: $options) {
                totalItems
                items { ${ASSIGNMENT_FIELDS} ${query.withEvents ? EVENT_FIELDS : ''} }
            }
        }`,
        {
            withOrder,
            options: { take: query.take ?? 100, sort: { createdAt: 'DESC' }, filter },
        },
    );
    return result.deliveryAssignments;
}

export async function fetchAssignmentForOrder(orderId: string): Promise<DeliveryAssignment | null> {
    const result = await api.query<{ deliveryAssignmentForOrder: DeliveryAssignment | null }>(
        `query DashboardOrderDelivery($orderId: ID!, $withOrder: Boolean!) {
            deliveryAssignmentForOrder(orderId: $orderId) { ${ASSIGNMENT_FIELDS} ${EVENT_FIELDS} }
        }`,
        { orderId, withOrder: true },
    );
    return result.deliveryAssignmentForOrder;
}

export async function fetchStores(): Promise<StorePoint[]> {
    const result = await api.query<{ stockLocations: { items: StorePoint[] } }>(
        `query DashboardStores { stockLocations(options: { take: 1000 }) { items { id name customFields { latitude longitude } } } }`,
    );
    return result.stockLocations.items;
}

export interface MapTiles {
    url: string;
    attribution: string;
}

/** seller-store-info's `mapTiles` option; OpenStreetMap when the query is not there. */
export async function fetchMapTiles(): Promise<MapTiles> {
    try {
        const result = await api.query<{ mapTileSettings: MapTiles }>(
            '{ mapTileSettings { url attribution } }',
        );
        return result.mapTileSettings;
    } catch {
        return {
            url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
            attribution: '&copy; OpenStreetMap contributors',
        };
    }
}

export interface DriverInput {
    name: string;
    phoneNumber?: string | null;
    emailAddress?: string;
    password?: string;
    status?: DriverStatus;
    enabled?: boolean;
}

export async function createDriver(input: DriverInput): Promise<{ id: string }> {
    const result = await api.query<{ createDriver: { id: string } }, { input: DriverInput }>(
        `mutation DashboardCreateDriver($input: CreateDriverInput!) { createDriver(input: $input) { id } }`,
        { input },
    );
    return result.createDriver;
}

export async function updateDriver(input: Partial<DriverInput> & { id: string }): Promise<{ id: string }> {
    const result = await api.query<
        { updateDriver: { id: string } },
        { input: Partial<DriverInput> & { id: string } }
    >(`mutation DashboardUpdateDriver($input: UpdateDriverInput!) { updateDriver(input: $input) { id } }`, {
        input,
    });
    return result.updateDriver;
}

export async function deleteDriver(id: string): Promise<{ result: string; message: string | null }> {
    const result = await api.query<
        { deleteDriver: { result: string; message: string | null } },
        { id: string }
    >(`mutation DashboardDeleteDriver($id: ID!) { deleteDriver(id: $id) { result message } }`, { id });
    return result.deleteDriver;
}

const ACTION_RESULT = `__typename ... on DeliveryAssignment { id status } ... on ErrorResult { message }`;

export async function markOrderReady(orderId: string): Promise<DeliveryActionResult> {
    const result = await api.query<{ markOrderReadyForDispatch: DeliveryActionResult }, { orderId: string }>(
        `mutation DashboardMarkReady($orderId: ID!) { markOrderReadyForDispatch(orderId: $orderId) { ${ACTION_RESULT} } }`,
        { orderId },
    );
    return result.markOrderReadyForDispatch;
}

export async function reassignDelivery(
    assignmentId: string,
    driverId: string | null,
): Promise<DeliveryActionResult> {
    const result = await api.query<
        { reassignDelivery: DeliveryActionResult },
        { assignmentId: string; driverId: string | null }
    >(
        `mutation DashboardReassign($assignmentId: ID!, $driverId: ID) {
            reassignDelivery(assignmentId: $assignmentId, driverId: $driverId) { ${ACTION_RESULT} }
        }`,
        { assignmentId, driverId },
    );
    return result.reassignDelivery;
}

export async function cancelDelivery(assignmentId: string, reason: string): Promise<DeliveryActionResult> {
    const result = await api.query<
        { cancelDelivery: DeliveryActionResult },
        { assignmentId: string; reason: string }
    >(
        `mutation DashboardCancel($assignmentId: ID!, $reason: String) {
            cancelDelivery(assignmentId: $assignmentId, reason: $reason) { ${ACTION_RESULT} }
        }`,
        { assignmentId, reason },
    );
    return result.cancelDelivery;
}

/** A FAILED delivery gets another attempt: PENDING, dispatched without the drivers who failed it. */
export async function retryDelivery(assignmentId: string): Promise<DeliveryActionResult> {
    const result = await api.query<{ retryDelivery: DeliveryActionResult }, { assignmentId: string }>(
        `mutation DashboardRetry($assignmentId: ID!) { retryDelivery(assignmentId: $assignmentId) { ${ACTION_RESULT} } }`,
        { assignmentId },
    );
    return result.retryDelivery;
}

export async function confirmAsStaff(
    assignmentId: string,
    step: 'pickup' | 'delivery',
): Promise<DeliveryActionResult> {
    const field = step === 'pickup' ? 'confirmPickup' : 'confirmDelivery';
    const result = await api.query<Record<string, DeliveryActionResult>, { assignmentId: string }>(
        `mutation DashboardConfirm($assignmentId: ID!) { ${field}(assignmentId: $assignmentId) { ${ACTION_RESULT} } }`,
        { assignmentId },
    );
    return result[field];
}
