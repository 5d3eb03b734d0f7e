/**
 * The authorization matrix (issue 11, section 4): every public operation of the suite × every kind
 * of caller, from one table of expectations (`EXPECTED`). Missing permissions and other people's
 * records are a thrown ForbiddenError (code FORBIDDEN); a stranger's tracking is an empty list; a
 * seller's staff never see another seller's deliveries, nor drivers' contact details, and see a
 * driver's position only while that driver is on their open delivery; a driver never gets the
 * order code, nor an existence oracle on delivery ids. Refused calls change none of the suite's
 * tables. The operations are read from the plugins: one missing from the table fails.
 */
import { ConfigService } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';

import { e2eConfig } from './config/e2e-config';
import { feeCalculator, harmlessFeeMethodInput } from './fixtures/matrix-shipping';
import { buildMatrixWorld, callAs, MatrixWorld, Role, ROLES } from './fixtures/matrix-world';
import { isEmptyAnswer, short, transportProblems } from './fixtures/response-checks';
import { suiteOperations } from './fixtures/suite-operations';
import { changedTables, suiteTables } from './fixtures/suite-tables';
import { ADMIN, SHOP } from './graphql/matrix-documents';
import { rawGet, RawResponse } from './utils/raw-http';

const config = e2eConfig(__filename);
const env = createTestEnvironment(config);
let world: MatrixWorld;
/** A shipping method no cart is offered, priced by distance-delivery-fee, for updateShippingMethod. */
let scratchMethod: string;
/** Delivery webhooks of the superadmin's (disabled: they send nothing): one to update, one to delete. */
const scratchWebhooks: Record<'update' | 'delete', string> = { update: '', delete: '' };

beforeAll(async () => {
    world = await buildMatrixWorld(env, config.apiOptions.port);
    for (const key of ['update', 'delete'] as const) {
        const webhook = await callAs(
            world,
            'superadmin',
            'admin-api',
        )(ADMIN.createDeliveryWebhook, {
            input: { ...MATRIX_WEBHOOK, url: `https://hooks.example.com/matrix-${key}` },
        });
        scratchWebhooks[key] = (webhook.json?.data?.createDeliveryWebhook as { id: string }).id;
    }
    const method = await callAs(
        world,
        'superadmin',
        'admin-api',
    )(ADMIN.createShippingMethod, { input: harmlessFeeMethodInput('matrix-scratch-fee') });
    scratchMethod = (method.json?.data?.createShippingMethod as { id: string }).id;
}, 300_000);

afterAll(async () => {
    await env.server.destroy();
});

// ---------------------------------------------------------------------------------------------
// The expectations: operation × role.
// ---------------------------------------------------------------------------------------------

/** What the answer must be: `check` adds what an allowed answer must hold. */
type Outcome =
    /** Answered (data, or an ErrorResult of the operation's union), no error. */
    | 'allowed'
    /** A thrown ForbiddenError: extensions.code FORBIDDEN (HTTP: 401 anonymous, 403 signed in). */
    | 'forbidden'
    /** Answered with nothing: an empty list or page, or null. */
    | 'empty'
    /** Answered with null. */
    | 'null'
    /** FORBIDDEN or ENTITY_NOT_FOUND (Vendure's own operations on another channel's record). */
    | 'refused';
type Check = (value: unknown, world: MatrixWorld) => string[];
type Cell =
    Outcome | { outcome: 'allowed'; check: Check; runLast?: boolean } | { outcome: Outcome; runLast: true };

const everyone = (cell: Cell, overrides: Partial<Record<Role, Cell>> = {}) =>
    Object.fromEntries(ROLES.map(role => [role, overrides[role] ?? cell])) as Record<Role, Cell>;
const only = (allowed: Partial<Record<Role, Cell>>) => everyone('forbidden', allowed);

type DeliveryKey = 'openA' | 'closedA' | 'pendingB';
const notNull: Check = value => (value == null ? ['expected an answer, got null'] : []);
const nonEmptyList: Check = value =>
    Array.isArray(value) && value.length > 0
        ? []
        : [`expected a non-empty list, got ${JSON.stringify(value)}`];
const nonEmptyItems: Check = value =>
    ((value as { items?: unknown[] })?.items?.length ?? 0) > 0 ? [] : ['expected a non-empty page'];
const sees =
    (visible: DeliveryKey[], hidden: DeliveryKey[]): Check =>
    (value, w) => {
        const ids = ((value as { items?: Array<{ id: string }> })?.items ?? []).map(item => item.id);
        return [
            ...visible.filter(key => !ids.includes(w[key])).map(key => `does not list ${key}`),
            ...hidden.filter(key => ids.includes(w[key])).map(key => `lists ${key}, not theirs`),
        ];
    };

const EXPECTED: Record<string, Record<Role, Cell>> = {
    // Shop API: public or session-scoped, for anyone; tracking only for the order's customer.
    'shop.setDeliveryLocation': everyone('allowed'),
    'shop.activeDeliveryLocation': everyone('allowed'),
    'shop.nearbyStores': everyone({ outcome: 'allowed', check: nonEmptyList }),
    'shop.deliveryAvailability': everyone({ outcome: 'allowed', check: nonEmptyList }),
    'shop.search': everyone('allowed'),
    'shop.deliveryTracking': everyone('empty', { customer: { outcome: 'allowed', check: nonEmptyList } }),
    // Admin API: the fleet (CRUD on Driver).
    'admin.drivers': only({ superadmin: 'allowed' }),
    'admin.driver': only({ superadmin: { outcome: 'allowed', check: notNull } }),
    'admin.createDriver': only({ superadmin: 'allowed' }),
    'admin.updateDriver': only({ superadmin: 'allowed' }),
    'admin.deleteDriver': only({ superadmin: 'allowed' }),
    // The logged-in driver (DriverSelf): their own record; null for a login without one.
    'admin.activeDriver': only({
        driver: { outcome: 'allowed', check: notNull },
        otherDriver: { outcome: 'allowed', check: notNull },
        superadmin: 'null',
    }),
    'admin.updateDriverLocation': only({ driver: 'allowed', otherDriver: 'allowed' }),
    'admin.setDriverStatus': only({ driver: 'allowed', otherDriver: 'allowed' }),
    'admin.activeDriverAssignment': only({
        driver: { outcome: 'allowed', check: notNull },
        otherDriver: 'null',
        superadmin: 'null',
    }),
    // Deliveries: ManageDispatch or ReadOrder reads them, each seller's staff only their own.
    'admin.deliveryAssignments': only({
        superadmin: { outcome: 'allowed', check: sees(['openA', 'closedA', 'pendingB'], []) },
        readOrderAdmin: { outcome: 'allowed', check: sees(['openA', 'closedA', 'pendingB'], []) },
        sellerAStaff: { outcome: 'allowed', check: sees(['openA', 'closedA'], ['pendingB']) },
        sellerBStaff: { outcome: 'allowed', check: sees(['pendingB'], ['openA', 'closedA']) },
    }),
    'admin.deliveryAssignment': only({
        superadmin: { outcome: 'allowed', check: notNull },
        readOrderAdmin: { outcome: 'allowed', check: notNull },
        sellerAStaff: { outcome: 'allowed', check: notNull },
        sellerBStaff: 'null',
    }),
    'admin.deliveryAssignmentForOrder': only({
        superadmin: { outcome: 'allowed', check: notNull },
        readOrderAdmin: { outcome: 'allowed', check: notNull },
        sellerAStaff: { outcome: 'allowed', check: notNull },
        sellerBStaff: 'null',
    }),
    'admin.dispatchStats': only({ superadmin: 'allowed' }),
    'admin.deliveryInsights': only({ superadmin: 'allowed' }),
    // Dispatching (ManageDispatch).
    'admin.markOrderReadyForDispatch': only({ superadmin: 'allowed' }),
    'admin.reassignDelivery': only({ superadmin: 'allowed' }),
    'admin.cancelDelivery': only({ superadmin: 'allowed' }),
    'admin.retryDelivery': only({ superadmin: 'allowed' }),
    // The delivery's own driver, or staff with ManageDispatch; declining is the driver's alone.
    'admin.confirmPickup': only({ driver: 'allowed', superadmin: 'allowed' }),
    'admin.confirmDelivery': only({ driver: 'allowed', superadmin: { outcome: 'allowed', runLast: true } }),
    'admin.declineDelivery': only({ driver: 'allowed' }),
    'admin.reportDeliveryFailed': only({
        driver: { outcome: 'allowed', runLast: true },
        superadmin: { outcome: 'allowed', runLast: true },
    }),
    // Stores (ReadStockLocation, UpdateStockLocation on the seller's channel; Vendure's operations).
    'admin.storeLocatorStats': only({
        superadmin: 'allowed',
        sellerAStaff: 'allowed',
        sellerBStaff: 'allowed',
    }),
    'admin.mapTileSettings': everyone('allowed', { anonymous: 'forbidden' }),
    // Seller verification: VerifySeller (only the superadmin here); Seller.verified with ReadSeller.
    'admin.sellers': only({ superadmin: { outcome: 'allowed', check: nonEmptyItems } }),
    'admin.verifySeller': only({ superadmin: 'allowed' }),
    'admin.unverifySeller': only({ superadmin: 'allowed' }),
    'admin.search': only({ superadmin: 'allowed', sellerAStaff: 'allowed', sellerBStaff: 'allowed' }),
    'admin.createStockLocation': only({ superadmin: 'allowed' }),
    'admin.updateStockLocation': only({
        superadmin: 'allowed',
        sellerAStaff: 'allowed',
        sellerBStaff: 'refused',
    }),
    // Shipping methods priced by distance-delivery-fee (Vendure's operations): CreateShippingMethod
    // and UpdateShippingMethod, which the demo's seller staff do not have.
    'admin.createShippingMethod': only({ superadmin: 'allowed' }),
    'admin.updateShippingMethod': only({ superadmin: 'allowed' }),
    // The customer's delivery instructions (an Order custom field, Vendure's own operations): the
    // customer on their session's active order, staff with UpdateOrder on the order's channel.
    'shop.setOrderCustomFields': everyone('allowed'),
    'admin.setOrderCustomFields': only({
        superadmin: 'allowed',
        sellerAStaff: 'refused',
        sellerBStaff: 'refused',
    }),
    // Delivery webhooks: their own CRUD permission (DeliveryWebhook), which no demo role but the
    // superadmin's has; ManageDispatch or ReadOrder alone do not choose where delivery data goes.
    'admin.deliveryWebhooks': only({ superadmin: { outcome: 'allowed', check: nonEmptyItems } }),
    'admin.deliveryWebhook': only({ superadmin: { outcome: 'allowed', check: notNull } }),
    'admin.createDeliveryWebhook': only({ superadmin: 'allowed' }),
    'admin.updateDeliveryWebhook': only({ superadmin: 'allowed' }),
    'admin.deleteDeliveryWebhook': only({ superadmin: 'allowed' }),
    // The live stream: drivers (their own events) and staff who read orders or drivers.
    'http.GET /dispatch/events': everyone('allowed', {
        anonymous: 'forbidden',
        customer: 'forbidden',
        otherCustomer: 'forbidden',
    }),
    // The customer's tracking page: the link is the key, whoever follows it (no login, no cookie
    // read); what it shows is checked in tracking-page's suites.
    'http.GET /track/<token>': everyone('allowed'),
    'http.GET /track/<token>/status': everyone('allowed'),
};

// ---------------------------------------------------------------------------------------------
// How each operation is called: one call per operation, the same for every role. Targets are
// chosen so that an allowed call changes nothing that later rows rely on (a no-op, or an
// ErrorResult), except the rows marked runLast, which run after everything else.
// ---------------------------------------------------------------------------------------------

type Call =
    | {
          api: 'shop-api' | 'admin-api';
          document: string;
          variables?: (w: MatrixWorld) => Record<string, unknown>;
      }
    | {
          http: string | ((w: MatrixWorld) => string);
          /** What an allowed call answers: an event stream (the default), or a page or JSON. */
          answers?: 'stream' | 'html' | 'json';
      };

const LOOP = { postalCode: '60601', countryCode: 'US' };
let created = 0;
const MATRIX_WEBHOOK = { secret: 'whsec_matrix_0123456789', events: ['DELIVERED'], enabled: false };

const CALLS: Record<string, Call> = {
    'shop.setDeliveryLocation': {
        api: 'shop-api',
        document: SHOP.setDeliveryLocation,
        variables: () => ({ input: LOOP }),
    },
    'shop.activeDeliveryLocation': { api: 'shop-api', document: SHOP.activeDeliveryLocation },
    'shop.nearbyStores': {
        api: 'shop-api',
        document: SHOP.nearbyStores,
        variables: () => ({ location: LOOP }),
    },
    'shop.deliveryAvailability': {
        api: 'shop-api',
        document: SHOP.deliveryAvailability,
        variables: w => ({ ids: [w.variantA], location: LOOP }),
    },
    'shop.search': { api: 'shop-api', document: SHOP.search, variables: () => ({ location: LOOP }) },
    'shop.deliveryTracking': {
        api: 'shop-api',
        document: SHOP.deliveryTracking,
        variables: w => ({ orderCode: w.customerOrder.code }),
    },
    'admin.drivers': {
        api: 'admin-api',
        document: ADMIN.drivers,
        variables: () => ({ options: { take: 5 } }),
    },
    'admin.driver': { api: 'admin-api', document: ADMIN.driver, variables: w => ({ id: w.driverId }) },
    'admin.createDriver': {
        api: 'admin-api',
        document: ADMIN.createDriver,
        variables: () => ({
            input: {
                name: 'Matrix Driver',
                phoneNumber: '+1 312 555 0199',
                emailAddress: `matrix-driver-${process.pid}-${++created}@example.com`,
                password: 'matrix-driver-pw',
            },
        }),
    },
    'admin.updateDriver': {
        api: 'admin-api',
        document: ADMIN.updateDriver,
        variables: w => ({ input: { id: w.otherDriverId, status: 'OFFLINE' } }),
    },
    // The driver is on a delivery: NOT_DELETED, nothing changes.
    'admin.deleteDriver': {
        api: 'admin-api',
        document: ADMIN.deleteDriver,
        variables: w => ({ id: w.driverId }),
    },
    'admin.activeDriver': { api: 'admin-api', document: ADMIN.activeDriver },
    'admin.updateDriverLocation': {
        api: 'admin-api',
        document: ADMIN.updateDriverLocation,
        variables: () => ({ latitude: 41.8835, longitude: -87.6305 }),
    },
    // OFFLINE: a no-op for the off-duty driver, an ErrorResult for the one on a delivery.
    'admin.setDriverStatus': {
        api: 'admin-api',
        document: ADMIN.setDriverStatus,
        variables: () => ({ status: 'OFFLINE' }),
    },
    'admin.activeDriverAssignment': { api: 'admin-api', document: ADMIN.activeDriverAssignment },
    'admin.deliveryAssignments': {
        api: 'admin-api',
        document: ADMIN.deliveryAssignments,
        variables: () => ({ options: { take: 100 } }),
    },
    'admin.deliveryAssignment': {
        api: 'admin-api',
        document: ADMIN.deliveryAssignment,
        variables: w => ({ id: w.openA }),
    },
    'admin.deliveryAssignmentForOrder': {
        api: 'admin-api',
        document: ADMIN.deliveryAssignmentForOrder,
        variables: w => ({ orderId: w.customerOrder.sellerOrderA.id }),
    },
    'admin.dispatchStats': { api: 'admin-api', document: ADMIN.dispatchStats },
    'admin.deliveryInsights': {
        api: 'admin-api',
        document: ADMIN.deliveryInsights,
        variables: () => ({
            input: { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() },
        }),
    },
    // Marked already: the same assignment again.
    'admin.markOrderReadyForDispatch': {
        api: 'admin-api',
        document: ADMIN.markOrderReadyForDispatch,
        variables: w => ({ orderId: w.customerOrder.sellerOrderA.id }),
    },
    // CANCELLED: a DeliveryTransitionError, or a no-op.
    'admin.reassignDelivery': {
        api: 'admin-api',
        document: ADMIN.reassignDelivery,
        variables: w => ({ assignmentId: w.closedA }),
    },
    'admin.cancelDelivery': {
        api: 'admin-api',
        document: ADMIN.cancelDelivery,
        variables: w => ({ assignmentId: w.closedA, reason: 'matrix' }),
    },
    // CANCELLED: not FAILED, so a DeliveryTransitionError.
    'admin.retryDelivery': {
        api: 'admin-api',
        document: ADMIN.retryDelivery,
        variables: w => ({ assignmentId: w.closedA }),
    },
    // PICKED_UP: confirming pickup again is a no-op, declining a DeliveryTransitionError.
    'admin.confirmPickup': {
        api: 'admin-api',
        document: ADMIN.confirmPickup,
        variables: w => ({ assignmentId: w.openA }),
    },
    'admin.confirmDelivery': {
        api: 'admin-api',
        document: ADMIN.confirmDelivery,
        variables: w => ({ assignmentId: w.openA, code: wrongCode(w.openADeliveryCode) }),
    },
    'admin.declineDelivery': {
        api: 'admin-api',
        document: ADMIN.declineDelivery,
        variables: w => ({ assignmentId: w.openA }),
    },
    'admin.reportDeliveryFailed': {
        api: 'admin-api',
        document: ADMIN.reportDeliveryFailed,
        variables: w => ({ assignmentId: w.openA, reasonCode: 'TIMEOUT' }),
    },
    'admin.storeLocatorStats': { api: 'admin-api', document: ADMIN.storeLocatorStats },
    'admin.sellers': { api: 'admin-api', document: ADMIN.sellers },
    // Verified already: a no-op.
    'admin.verifySeller': {
        api: 'admin-api',
        document: ADMIN.verifySeller,
        variables: w => ({ sellerId: w.sellerIdA }),
    },
    // The default channel's seller: an ErrorResult, nothing changes.
    'admin.unverifySeller': {
        api: 'admin-api',
        document: ADMIN.unverifySeller,
        variables: w => ({ sellerId: w.defaultSellerId, reason: 'matrix' }),
    },
    'admin.mapTileSettings': { api: 'admin-api', document: ADMIN.mapTileSettings },
    'admin.search': { api: 'admin-api', document: ADMIN.search, variables: () => ({ location: LOOP }) },
    // No coordinates: never indexed, never near anyone.
    'admin.createStockLocation': {
        api: 'admin-api',
        document: ADMIN.createStockLocation,
        variables: () => ({ input: { name: `Matrix store ${++created}` } }),
    },
    'admin.updateStockLocation': {
        api: 'admin-api',
        document: ADMIN.updateStockLocation,
        variables: w => ({ input: { id: w.storeA, customFields: { city: 'Chicago' } } }),
    },
    // Never offered to a cart: creating and repricing it changes no checkout of the matrix world.
    'admin.createShippingMethod': {
        api: 'admin-api',
        document: ADMIN.createShippingMethod,
        variables: () => ({ input: harmlessFeeMethodInput(`matrix-fee-${++created}`) }),
    },
    'admin.updateShippingMethod': {
        api: 'admin-api',
        document: ADMIN.updateShippingMethod,
        variables: () => ({
            input: {
                id: scratchMethod,
                translations: [],
                calculator: feeCalculator('[{"upToKm":3,"price":350},{"upToKm":5,"price":450}]'),
            },
        }),
    },
    'shop.setOrderCustomFields': {
        api: 'shop-api',
        document: SHOP.setOrderCustomFields,
        variables: () => ({ input: { customFields: { deliveryInstructions: 'Matrix: ring twice' } } }),
    },
    // The customer's order lives in the default channel: a seller's staff do not find it there.
    'admin.setOrderCustomFields': {
        api: 'admin-api',
        document: ADMIN.setOrderCustomFields,
        variables: w => ({
            input: { id: w.customerOrder.id, customFields: { deliveryInstructions: 'Matrix: ring twice' } },
        }),
    },
    'admin.deliveryWebhooks': {
        api: 'admin-api',
        document: ADMIN.deliveryWebhooks,
        variables: () => ({ options: { take: 10 } }),
    },
    'admin.deliveryWebhook': {
        api: 'admin-api',
        document: ADMIN.deliveryWebhook,
        variables: () => ({ id: scratchWebhooks.update }),
    },
    // Disabled: it sends nothing during the matrix.
    'admin.createDeliveryWebhook': {
        api: 'admin-api',
        document: ADMIN.createDeliveryWebhook,
        variables: () => ({
            input: { ...MATRIX_WEBHOOK, url: `https://hooks.example.com/matrix-${++created}` },
        }),
    },
    // Disabled already: a no-op.
    'admin.updateDeliveryWebhook': {
        api: 'admin-api',
        document: ADMIN.updateDeliveryWebhook,
        variables: () => ({ input: { id: scratchWebhooks.update, enabled: false } }),
    },
    // Only the superadmin may: deleted once, by them.
    'admin.deleteDeliveryWebhook': {
        api: 'admin-api',
        document: ADMIN.deleteDeliveryWebhook,
        variables: () => ({ id: scratchWebhooks.delete }),
    },
    'http.GET /dispatch/events': { http: '/dispatch/events' },
    'http.GET /track/<token>': { http: w => `/track/${w.openATrackingToken}`, answers: 'html' },
    'http.GET /track/<token>/status': { http: w => `/track/${w.openATrackingToken}/status`, answers: 'json' },
};

function wrongCode(code: string): string {
    return code === '0000' ? '1111' : '0000';
}

// ---------------------------------------------------------------------------------------------
// Running a row.
// ---------------------------------------------------------------------------------------------

function fieldOf(operation: string): string {
    return operation.split('.')[1];
}

async function call(operation: string, role: Role): Promise<RawResponse> {
    const spec = CALLS[operation];
    if ('http' in spec) {
        const path = typeof spec.http === 'function' ? spec.http(world) : spec.http;
        return rawGet(world.port, path, world.callers[role]);
    }
    return callAs(world, role, spec.api)(spec.document, spec.variables?.(world));
}

function outcomeProblems(operation: string, role: Role, cell: Cell, response: RawResponse): string[] {
    const outcome = typeof cell === 'string' ? cell : cell.outcome;
    const spec = CALLS[operation];
    if ('http' in spec) {
        if (outcome === 'allowed') {
            const answers = spec.answers ?? 'stream';
            const type = { stream: 'text/event-stream', html: 'text/html', json: 'application/json' }[
                answers
            ];
            return response.status === 200 && response.contentType?.startsWith(type)
                ? []
                : [`expected ${type}, got HTTP ${response.status}: ${short(response.text)}`];
        }
        const status = role === 'anonymous' ? 401 : 403;
        return response.status === status && typeof response.json?.message === 'string'
            ? []
            : [
                  `expected HTTP ${status} with a message, got HTTP ${response.status}: ${short(response.text)}`,
              ];
    }
    const errors = response.json?.errors ?? [];
    const value = response.json?.data?.[fieldOf(operation)];
    const answered = `got ${short(response.text, 300)}`;
    switch (outcome) {
        case 'allowed':
            if (errors.length || value === undefined) return [`expected an answer, ${answered}`];
            return typeof cell === 'object' && 'check' in cell ? cell.check(value, world) : [];
        case 'forbidden':
            return errors[0]?.extensions?.code === 'FORBIDDEN' && value == null
                ? []
                : [`expected FORBIDDEN, ${answered}`];
        case 'refused':
            return ['FORBIDDEN', 'ENTITY_NOT_FOUND'].includes(String(errors[0]?.extensions?.code))
                ? []
                : [`expected FORBIDDEN or ENTITY_NOT_FOUND, ${answered}`];
        case 'empty':
            return !errors.length && isEmptyAnswer(value) ? [] : [`expected an empty answer, ${answered}`];
        case 'null':
            return !errors.length && value === null ? [] : [`expected null, ${answered}`];
    }
}

interface Row {
    operation: string;
    role: Role;
    cell: Cell;
}
const rows: Row[] = Object.entries(EXPECTED).flatMap(([operation, cells]) =>
    ROLES.map(role => ({ operation, role, cell: cells[role] })),
);
const runsLast = (row: Row) => typeof row.cell === 'object' && row.cell.runLast === true;

async function runRow({ operation, role, cell }: Row) {
    const before = await suiteTables(env.server.app);
    const response = await call(operation, role);
    const problems = [...transportProblems(response), ...outcomeProblems(operation, role, cell, response)];
    const outcome = typeof cell === 'string' ? cell : cell.outcome;
    if (outcome !== 'allowed') {
        const changed = changedTables(before, await suiteTables(env.server.app));
        if (changed.length) problems.push(`a refused call changed ${changed.join(', ')}`);
    }
    expect(problems).toEqual([]);
}

describe('the authorization matrix', () => {
    it('has a row for every operation of the suite and every role, and a call for each', () => {
        const operations = suiteOperations(env.server.app.get(ConfigService).customFields);
        expect(Object.keys(EXPECTED).sort()).toEqual(operations);
        expect(Object.keys(CALLS).sort()).toEqual(operations);
        for (const cells of Object.values(EXPECTED))
            expect(Object.keys(cells).sort()).toEqual([...ROLES].sort());
    });

    it.each(rows.filter(row => !runsLast(row)).map(row => [row.operation, row.role, label(row.cell), row]))(
        '%s as %s: %s',
        async (_operation, _role, _label, row) => runRow(row),
    );
});

function label(cell: Cell): string {
    return typeof cell === 'string' ? cell : cell.outcome;
}

// ---------------------------------------------------------------------------------------------
// Field level, the order code, and existence oracles: rows on what is inside an answer.
// ---------------------------------------------------------------------------------------------

let driverReference: string | undefined;

type FieldRow = [string, Role, () => Promise<string[]>];

const CONTACT = ['phoneNumber', 'emailAddress'] as const;
const POSITION = ['latitude', 'longitude', 'lastSeenAt'] as const;

/**
 * The driver of one delivery as the role sees it: each field's value, or FORBIDDEN when refused.
 * Position and each contact field are asked apart: a refused non-null field would null the driver.
 */
async function driverFields(role: Role, assignmentId: string) {
    const call = callAs(world, role, 'admin-api');
    const responses = [
        await call(ADMIN.assignmentDriverPosition, { id: assignmentId }),
        await call(ADMIN.assignmentDriverPhone, { id: assignmentId }),
        await call(ADMIN.assignmentDriverEmail, { id: assignmentId }),
    ];
    const drivers = responses.map(
        response =>
            (response.json?.data?.deliveryAssignment as { driver?: Record<string, unknown> | null } | null)
                ?.driver,
    );
    const driver = drivers[0] ? Object.assign({}, ...drivers.filter(Boolean)) : drivers[0];
    const errors = responses.flatMap(response => response.json?.errors ?? []);
    const refused = new Set(
        errors
            .filter(error => error.extensions?.code === 'FORBIDDEN')
            .map(error => String(error.path?.[error.path.length - 1])),
    );
    const unexpected = errors.filter(error => error.extensions?.code !== 'FORBIDDEN');
    return {
        response: responses[0],
        driver: driver as Record<string, unknown> | null | undefined,
        refused,
        unexpected,
    };
}

function hidden(fields: readonly string[], seen: Awaited<ReturnType<typeof driverFields>>): string[] {
    return fields
        .filter(field => !seen.refused.has(field) && seen.driver?.[field] != null)
        .map(field => `${field} is shown: ${String(seen.driver?.[field])}`);
}

function shown(fields: readonly string[], seen: Awaited<ReturnType<typeof driverFields>>): string[] {
    return fields.filter(field => seen.driver?.[field] == null).map(field => `${field} is missing`);
}

const FIELD_ROWS: FieldRow[] = [
    [
        "sees the driver's position on its own open delivery, not their contact details",
        'sellerAStaff',
        async () => {
            const seen = await driverFields('sellerAStaff', world.openA);
            return [
                ...transportProblems(seen.response),
                ...seen.unexpected.map(error => `error ${short(error.message)}`),
                ...(seen.driver ? [] : ['no driver on the open delivery']),
                ...hidden(CONTACT, seen),
                ...shown(POSITION, seen),
            ];
        },
    ],
    [
        "sees neither position nor contact of a driver who is not on its open delivery (a cancelled one's)",
        'sellerAStaff',
        async () => {
            const seen = await driverFields('sellerAStaff', world.closedA);
            return [
                ...transportProblems(seen.response),
                ...seen.unexpected.map(error => `error ${short(error.message)}`),
                ...hidden([...CONTACT, ...POSITION], seen),
            ];
        },
    ],
    [
        "sees no driver's contact details through deliveryAssignments",
        'readOrderAdmin',
        async () => {
            const call = callAs(world, 'readOrderAdmin', 'admin-api');
            const itemsOf = (response: Awaited<ReturnType<typeof call>>) =>
                (
                    response.json?.data?.deliveryAssignments as {
                        items: Array<{ id: string; driver: Record<string, unknown> | null }>;
                    }
                )?.items ?? [];
            const listed = await call(ADMIN.assignmentsDrivers);
            const problems = transportProblems(listed);
            if (!itemsOf(listed).some(item => item.driver))
                problems.push(`no delivery with a driver listed: ${short(listed.text)}`);
            for (const [field, document] of [
                ['phoneNumber', ADMIN.assignmentsDriverPhones],
                ['emailAddress', ADMIN.assignmentsDriverEmails],
            ] as const) {
                const response = await call(document);
                problems.push(...transportProblems(response));
                const refusedPaths = (response.json?.errors ?? []).filter(
                    error => error.extensions?.code === 'FORBIDDEN',
                );
                for (const item of itemsOf(response)) {
                    const refused = refusedPaths.some(error => error.path?.[error.path.length - 1] === field);
                    if (item.driver?.[field] != null && !refused) {
                        problems.push(
                            `delivery ${item.id}: ${field} is shown: ${JSON.stringify(item.driver[field])}`,
                        );
                    }
                }
            }
            return problems;
        },
    ],
    [
        'sees contact details and position with ReadDriver (the control)',
        'superadmin',
        async () => {
            const seen = await driverFields('superadmin', world.openA);
            return [...transportProblems(seen.response), ...shown([...CONTACT, ...POSITION], seen)];
        },
    ],
    [
        'gets a deliveryReference in the driver view, which is not an order code',
        'driver',
        async () => {
            const response = await callAs(world, 'driver', 'admin-api')(ADMIN.driverViewReference);
            const view = response.json?.data?.activeDriverAssignment as
                { deliveryReference?: string } | null | undefined;
            driverReference = view?.deliveryReference;
            const codes = [world.customerOrder.code, world.customerOrder.sellerOrderA.code];
            return [
                ...transportProblems(response),
                ...(driverReference ? [] : [`no deliveryReference: ${short(response.text, 300)}`]),
                ...(driverReference && codes.includes(driverReference)
                    ? ['the reference is the order code']
                    : []),
            ];
        },
    ],
    [
        'cannot ask the driver view for orderCode',
        'driver',
        async () => {
            const response = await callAs(world, 'driver', 'admin-api')(ADMIN.driverViewOrderCode);
            const codes = [world.customerOrder.code, world.customerOrder.sellerOrderA.code];
            return [
                ...transportProblems(response),
                ...(response.json?.errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'
                    ? []
                    : [`orderCode is still a field: ${short(response.text, 300)}`]),
                ...codes.filter(code => response.text.includes(code)).map(code => `the body carries ${code}`),
            ];
        },
    ],
    [
        'cannot read the order through their own delivery (no ReadOrder)',
        'driver',
        async () => {
            const response = await callAs(world, 'driver', 'admin-api')(ADMIN.driverOwnAssignmentOrder);
            const refused = (response.json?.errors ?? []).some(
                error => error.extensions?.code === 'FORBIDDEN' && error.path?.includes('order'),
            );
            const codes = [world.customerOrder.code, world.customerOrder.sellerOrderA.code];
            return [
                ...transportProblems(response),
                ...(refused ? [] : [`order was not refused: ${short(response.text, 300)}`]),
                ...codes.filter(code => response.text.includes(code)).map(code => `the body carries ${code}`),
            ];
        },
    ],
    [
        "sees the same deliveryReference on the delivery as the driver's app",
        'superadmin',
        async () => {
            const response = await callAs(
                world,
                'superadmin',
                'admin-api',
            )(ADMIN.assignmentReference, { id: world.openA });
            const reference = (
                response.json?.data?.deliveryAssignment as { deliveryReference?: string } | null
            )?.deliveryReference;
            return [
                ...transportProblems(response),
                ...(reference && reference === driverReference
                    ? []
                    : [
                          `reference ${String(reference)} vs the driver's ${String(driverReference)}: ${short(response.text, 200)}`,
                      ]),
            ];
        },
    ],
    [
        'gets no order for orderByCode(deliveryReference)',
        'anonymous',
        async () => {
            if (!driverReference) return ['no deliveryReference to look up (see the row above)'];
            const response = await callAs(
                world,
                'anonymous',
                'shop-api',
            )(SHOP.orderByCode, { code: driverReference });
            const order = response.json?.data?.orderByCode;
            return [
                ...transportProblems(response),
                ...(order == null ? [] : [`got order ${JSON.stringify(order)}`]),
            ];
        },
    ],
];

/** Driver operations on a delivery id: a missing one must answer as someone else's does. */
const ORACLE_OPERATIONS: Array<[string, (id: string) => [string, Record<string, unknown>]]> = [
    ['confirmPickup', id => [ADMIN.confirmPickup, { assignmentId: id }]],
    ['confirmDelivery', id => [ADMIN.confirmDelivery, { assignmentId: id, code: '0000' }]],
    ['declineDelivery', id => [ADMIN.declineDelivery, { assignmentId: id }]],
    ['reportDeliveryFailed', id => [ADMIN.reportDeliveryFailed, { assignmentId: id, reasonCode: 'TIMEOUT' }]],
];
const ORACLE_ROWS: FieldRow[] = ORACLE_OPERATIONS.flatMap(([name, request]) =>
    (['driver', 'otherDriver'] as const).map((role): FieldRow => [
        `${name} on a missing id answers exactly as on another driver's delivery`,
        role,
        async () => {
            const others = role === 'driver' ? world.closedA : world.openA;
            const [document, onOthers] = request(others);
            const [, onMissing] = request('999999');
            const theirs = await callAs(world, role, 'admin-api')(document, onOthers);
            const missing = await callAs(world, role, 'admin-api')(document, onMissing);
            const first = (response: RawResponse) => ({
                code: response.json?.errors?.[0]?.extensions?.code,
                message: response.json?.errors?.[0]?.message,
            });
            return [
                ...transportProblems(missing),
                ...(first(theirs).code === 'FORBIDDEN'
                    ? []
                    : [`not FORBIDDEN on another's: ${short(theirs.text)}`]),
                ...(JSON.stringify(first(missing)) === JSON.stringify(first(theirs))
                    ? []
                    : [
                          `missing id: ${JSON.stringify(first(missing))}, another's: ${JSON.stringify(first(theirs))}`,
                      ]),
            ];
        },
    ]),
);

describe('inside the answers', () => {
    it.each([...FIELD_ROWS, ...ORACLE_ROWS])('%s (as %s)', async (_title, _role, check) => {
        const before = await suiteTables(env.server.app);
        const problems = await check();
        const changed = changedTables(before, await suiteTables(env.server.app));
        if (changed.length) problems.push(`changed ${changed.join(', ')}`);
        expect(problems).toEqual([]);
    });
});

describe('allowed rows that move the delivery on, run last', () => {
    it.each(rows.filter(runsLast).map(row => [row.operation, row.role, label(row.cell), row]))(
        '%s as %s: %s',
        async (_operation, _role, _label, row) => runRow(row),
    );
});
