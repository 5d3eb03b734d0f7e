/**
 * The driver's side of the admin API, same origin: Vendure's `login` sets the admin session
 * cookie, which every later request (and the driver channel's upgrade) carries by itself.
 */

export type DeliveryStatus = 'PENDING' | 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED' | 'FAILED' | 'CANCELLED';
export type DriverStatus = 'AVAILABLE' | 'BUSY' | 'OFFLINE';

export interface DriverSelf {
    id: string;
    name: string;
    status: DriverStatus;
}

/** `activeDriverAssignment`: what the app shows of the delivery the driver is on. */
export interface AssignmentView {
    assignmentId: string;
    status: DeliveryStatus;
    deliveryReference: string;
    pickupStoreName: string;
    pickupAddress: string | null;
    pickupLatitude: number | null;
    pickupLongitude: number | null;
    dropoffLatitude: number;
    dropoffLongitude: number;
    dropoffAddress: string | null;
    deliveryInstructions: string | null;
    customerFirstName: string | null;
    itemCount: number;
}

/** A delivery action's answer: the delivery as it is now, or why the move was refused. */
export type ActionResult =
    | { __typename: 'DeliveryAssignment'; id: string; status: DeliveryStatus }
    | {
          __typename: 'DeliveryTransitionError' | 'DeliveryCodeError';
          message: string;
          attemptsLeft?: number | null;
      };

/** The API answered with an error (not a network failure): `code` is Vendure's error code. */
export class ApiError extends Error {
    constructor(
        message: string,
        readonly code: string | undefined,
    ) {
        super(message);
    }
}

/** The request never got an answer (offline, server unreachable): it may be sent again. */
export class NetworkError extends Error {}

const ENDPOINT = '/admin-api';

async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
        response = await fetch(ENDPOINT, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables }),
        });
    } catch (error) {
        throw new NetworkError(error instanceof Error ? error.message : String(error));
    }
    if (response.status >= 502) throw new NetworkError(`The server answered ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as {
        data?: T;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    const first = body.errors?.[0];
    if (first) throw new ApiError(first.message, first.extensions?.code);
    if (!body.data) throw new ApiError(`The server answered ${response.status} without data`, undefined);
    return body.data;
}

/** Logs in for a year (`rememberMe`): the phone is the driver's own, "Log out" ends it. */
export async function login(username: string, password: string): Promise<void> {
    const { login: result } = await request<{ login: { __typename: string; message?: string } }>(
        `mutation ($username: String!, $password: String!) {
            login(username: $username, password: $password, rememberMe: true) {
                __typename
                ... on ErrorResult { message }
            }
        }`,
        { username, password },
    );
    if (result.__typename !== 'CurrentUser') {
        throw new ApiError(result.message ?? 'Those credentials were not accepted', result.__typename);
    }
}

export async function logout(): Promise<void> {
    await request('mutation { logout { success } }');
}

/** The logged-in driver; null when the session is no driver's; ApiError FORBIDDEN without a session. */
export async function activeDriver(): Promise<DriverSelf | null> {
    const data = await request<{ activeDriver: DriverSelf | null }>('{ activeDriver { id name status } }');
    return data.activeDriver;
}

export async function activeAssignment(): Promise<AssignmentView | null> {
    const data = await request<{ activeDriverAssignment: AssignmentView | null }>(`{
        activeDriverAssignment {
            assignmentId status deliveryReference pickupStoreName pickupAddress pickupLatitude
            pickupLongitude dropoffLatitude dropoffLongitude dropoffAddress deliveryInstructions
            customerFirstName itemCount
        }
    }`);
    return data.activeDriverAssignment;
}

const RESULT_FIELDS = `
    __typename
    ... on DeliveryAssignment { id status }
    ... on ErrorResult { message }
    ... on DeliveryCodeError { attemptsLeft }
`;

/** A delivery action of the driver, as the offline queue keeps it. */
export type DeliveryAction =
    | { kind: 'pickup'; assignmentId: string }
    | { kind: 'deliver'; assignmentId: string; code: string }
    | { kind: 'decline'; assignmentId: string; reason: string }
    | { kind: 'fail'; assignmentId: string; reasonCode: FailureReasonCode; note: string };

/** The reason codes `reportDeliveryFailed` takes from a driver. */
export const FAILURE_REASONS = {
    PICKUP_FAILED: 'Could not pick it up',
    DELIVERY_FAILED: 'Could not hand it over',
    TIMEOUT: 'Took too long',
} as const;
export type FailureReasonCode = keyof typeof FAILURE_REASONS;

export async function sendAction(action: DeliveryAction): Promise<ActionResult> {
    const id = action.assignmentId;
    switch (action.kind) {
        case 'pickup':
            return (
                await request<{ confirmPickup: ActionResult }>(
                    `mutation ($id: ID!) { confirmPickup(assignmentId: $id) { ${RESULT_FIELDS} } }`,
                    { id },
                )
            ).confirmPickup;
        case 'deliver':
            return (
                await request<{ confirmDelivery: ActionResult }>(
                    `mutation ($id: ID!, $code: String) { confirmDelivery(assignmentId: $id, code: $code) { ${RESULT_FIELDS} } }`,
                    { id, code: action.code },
                )
            ).confirmDelivery;
        case 'decline':
            return (
                await request<{ declineDelivery: ActionResult }>(
                    `mutation ($id: ID!, $reason: String) { declineDelivery(assignmentId: $id, reason: $reason) { ${RESULT_FIELDS} } }`,
                    { id, reason: action.reason || null },
                )
            ).declineDelivery;
        case 'fail':
            return (
                await request<{ reportDeliveryFailed: ActionResult }>(
                    `mutation ($id: ID!, $code: String!, $note: String) { reportDeliveryFailed(assignmentId: $id, reasonCode: $code, note: $note) { ${RESULT_FIELDS} } }`,
                    { id, code: action.reasonCode, note: action.note || null },
                )
            ).reportDeliveryFailed;
    }
}
