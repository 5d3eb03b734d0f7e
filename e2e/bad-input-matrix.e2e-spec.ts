/**
 * The bad-input matrix (issue 11, section 4): every public operation of the suite × the bad values
 * its arguments can take (coordinates out of range, 0,0, NaN and Infinity, text where numbers
 * belong, huge strings and strings with NUL, unicode look-alikes, SQL- and GraphQL-looking text,
 * other people's ids, ids that are negative, beyond int4, fractional or not numbers, bad
 * pagination). Each row asserts a clear refusal (a GraphQL error whose code says what was wrong, or
 * an ErrorResult), never HTTP 500, no internals anywhere in the body (stack, paths, the database's
 * words), and none of the suite's tables changed. Swapped coordinates that are in range are
 * accepted (and logged): those rows assert only that they are answered. The operations are read
 * from the plugins: one without rows fails.
 */
import { ConfigService } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';

import {
    TRACKING_NOT_FOUND_HTML,
    TRACKING_NOT_FOUND_JSON,
} from '../plugins/driver-dispatch/tracking/tracking-page-html';
import { e2eConfig } from './config/e2e-config';
import { feeCalculator, harmlessFeeMethodInput } from './fixtures/matrix-shipping';
import { buildMatrixWorld, callAs, MatrixWorld, Role } from './fixtures/matrix-world';
import {
    isEmptyAnswer,
    isErrorResult,
    short,
    transportProblems,
    unclearErrors,
} from './fixtures/response-checks';
import { suiteOperations } from './fixtures/suite-operations';
import { changedTables, suiteTables } from './fixtures/suite-tables';
import { ADMIN, SHOP } from './graphql/matrix-documents';
import { JSON_INFINITY, rawGet, rawPost, RawResponse } from './utils/raw-http';

const config = e2eConfig(__filename);
const env = createTestEnvironment(config);
let world: MatrixWorld;
/** A store of the superadmin's far from everyone (Reykjavík), for updateStockLocation rows. */
let scratchStore: string;
/** A shipping method no cart is offered, priced by distance-delivery-fee, for updateShippingMethod rows. */
let scratchMethod: string;
/** A disabled delivery webhook of the superadmin's, for updateDeliveryWebhook rows. */
let scratchWebhook: string;

beforeAll(async () => {
    world = await buildMatrixWorld(env, config.apiOptions.port);
    const created = await callAs(
        world,
        'superadmin',
        'admin-api',
    )(ADMIN.createStockLocation, {
        input: { name: 'Matrix scratch store', customFields: { latitude: 64.1466, longitude: -21.9426 } },
    });
    scratchStore = (created.json?.data?.createStockLocation as { id: string }).id;
    const method = await callAs(
        world,
        'superadmin',
        'admin-api',
    )(ADMIN.createShippingMethod, { input: harmlessFeeMethodInput('matrix-scratch-fee') });
    scratchMethod = (method.json?.data?.createShippingMethod as { id: string }).id;
    const webhook = await callAs(
        world,
        'superadmin',
        'admin-api',
    )(ADMIN.createDeliveryWebhook, { input: { ...GOOD_WEBHOOK, enabled: false } });
    scratchWebhook = (webhook.json?.data?.createDeliveryWebhook as { id: string }).id;
}, 300_000);

afterAll(async () => {
    await env.server.destroy();
});

// ---------------------------------------------------------------------------------------------
// The bad values.
// ---------------------------------------------------------------------------------------------

/** `refused`: a clear error or ErrorResult; `refused-or-empty`: that, or nothing found; `accepted`: answered. */
type Expectation = 'refused' | 'refused-or-empty' | 'accepted';

const HUGE = 'x'.repeat(20_000);
const NUL = '\u0000';
const GRAPHQL_LOOKING = '"){ __schema { types { name } } } #';
const LOOP = { postalCode: '60601', countryCode: 'US' };
const GOOD_WEBHOOK = {
    url: 'https://hooks.example.com/matrix',
    secret: 'whsec_matrix_0123456789',
    events: ['DELIVERED'],
};

/** [label, latitude, longitude, expectation]: as GraphQL variables (JSON). */
const COORDINATES: Array<[string, unknown, unknown, Expectation]> = [
    ['latitude 91', 91, -87.63, 'refused'],
    ['latitude -90.5', -90.5, -87.63, 'refused'],
    ['longitude 181', 41.88, 181, 'refused'],
    ['longitude -180.01', 41.88, -180.01, 'refused'],
    ['latitude and longitude 0,0', 0, 0, 'refused'],
    ['latitude 1e308', 1e308, -87.63, 'refused'],
    ['latitude "NaN" (JSON has no NaN)', 'NaN', -87.63, 'refused'],
    ['latitude 1e400 (Infinity once parsed)', JSON_INFINITY, -87.63, 'refused'],
    ['latitude as text "41.88"', '41.88', -87.63, 'refused'],
    ['latitude as text "abc"', 'abc', -87.63, 'refused'],
    ['swapped, in range (Chicago as longitude, latitude)', -87.6298, 41.8781, 'accepted'],
];

/** [label, DeliveryLocationInput, expectation]: what a postal code and country code can be. */
const LOCATIONS: Array<[string, Record<string, unknown>, Expectation]> = [
    ...COORDINATES.map(
        ([label, latitude, longitude, expectation]): [string, Record<string, unknown>, Expectation] => [
            label,
            { latitude, longitude },
            expectation,
        ],
    ),
    ['only a latitude', { latitude: 41.88 }, 'refused'],
    ['neither postal code nor coordinates', {}, 'refused'],
    ['postal code of 17 characters', { postalCode: '60601606016060160', countryCode: 'US' }, 'refused'],
    ['postal code of 20 000 characters', { postalCode: HUGE, countryCode: 'US' }, 'refused'],
    ['NUL in the postal code', { postalCode: `606${NUL}01`, countryCode: 'US' }, 'refused'],
    ['postal code in full-width digits', { postalCode: '６０６０１', countryCode: 'US' }, 'refused'],
    ['SQL in the postal code', { postalCode: "60601' OR '1'='1", countryCode: 'US' }, 'refused'],
    ['GraphQL in the postal code', { postalCode: GRAPHQL_LOOKING, countryCode: 'US' }, 'refused'],
    ['postal code as a number', { postalCode: 60601, countryCode: 'US' }, 'refused'],
    ['country code of 3 letters', { postalCode: '60601', countryCode: 'USA' }, 'refused'],
    ['NUL in the country code', { postalCode: '60601', countryCode: `U${NUL}` }, 'refused'],
    ['country code as a flag emoji', { postalCode: '60601', countryCode: '🇺🇸' }, 'refused'],
    ['country code of 20 000 characters', { postalCode: '60601', countryCode: HUGE }, 'refused'],
];

/** [label, id]: none of these is the id of anything. */
const IDS: Array<[string, string]> = [
    ['negative id', '-1'],
    ['id beyond int4', '99999999999'],
    ['fractional id', '1.5'],
    ['non-numeric id', 'abc'],
    ['SQL in the id', '1 OR 1=1'],
    ['empty id', ''],
    ['Infinity as the id', 'Infinity'],
    ['NUL in the id', `7${NUL}`],
];

/** [label, list options]: for drivers and deliveryAssignments. */
const PAGINATION: Array<[string, Record<string, unknown>]> = [
    ['take -1', { take: -1 }],
    ['skip -1', { skip: -1 }],
    ['take 1 000 000', { take: 1_000_000 }],
    ['take 1.5', { take: 1.5 }],
    ['take as text "5"', { take: '5' }],
    ['skip beyond int32', { skip: 2_147_483_648 }],
    ['sort by an unknown direction', { sort: { id: 'SIDEWAYS' } }],
    ['filter by a fractional id', { filter: { id: { eq: '1.5' } } }],
    ['filter by an id beyond int4', { filter: { id: { eq: '99999999999' } } }],
];
/** String filters, per list: [field, values]. */
const TEXT_FILTERS: Array<[string, Record<string, unknown>]> = [
    ['filter containing NUL', { contains: `a${NUL}b` }],
    ['filter by a broken regular expression', { regex: '(' }],
    ['filter of 20 000 characters', { contains: HUGE }],
];

// ---------------------------------------------------------------------------------------------
// The rows: operation × bad value, with who calls and what the answer must be.
// ---------------------------------------------------------------------------------------------

interface Row {
    operation: string;
    value: string;
    as: Role;
    expect: Expectation;
    api: 'shop-api' | 'admin-api';
    document: string;
    variables?: (w: MatrixWorld) => Record<string, unknown>;
    /** An answer that counts as "nothing found" for this operation, besides null and []. */
    empty?: (value: unknown) => boolean;
    /** Runs after all other rows: accepting it wrongly would move a delivery others rely on. */
    last?: boolean;
    /** What a refusal must say, where another refusal (an ErrorResult) could hide a missing check. */
    message?: RegExp;
}

const rows: Row[] = [];
const add = (row: Row) => rows.push(row);

// Locations: everywhere a DeliveryLocationInput goes.
const LOCATION_OPERATIONS: Array<
    [
        string,
        'shop-api' | 'admin-api',
        Role,
        string,
        (location: unknown, w: MatrixWorld) => Record<string, unknown>,
    ]
> = [
    [
        'shop.setDeliveryLocation',
        'shop-api',
        'customer',
        SHOP.setDeliveryLocation,
        location => ({ input: location }),
    ],
    ['shop.nearbyStores', 'shop-api', 'customer', SHOP.nearbyStores, location => ({ location })],
    [
        'shop.deliveryAvailability',
        'shop-api',
        'customer',
        SHOP.deliveryAvailability,
        (location, w) => ({ ids: [w.variantA], location }),
    ],
    ['shop.search', 'shop-api', 'customer', SHOP.search, location => ({ location })],
    ['admin.search', 'admin-api', 'superadmin', ADMIN.search, location => ({ location })],
];
for (const [operation, api, as, document, variables] of LOCATION_OPERATIONS) {
    for (const [value, location, expectation] of LOCATIONS) {
        add({
            operation,
            value,
            as,
            expect: expectation,
            api,
            document,
            variables: w => variables(location, w),
        });
    }
}
// Infinity written in the query itself: GraphQL parses the literal 1e400 to Infinity.
add({
    operation: 'shop.setDeliveryLocation',
    value: 'latitude literal 1e400 in the query',
    as: 'customer',
    expect: 'refused',
    api: 'shop-api',
    document: `mutation { setDeliveryLocation(input: { latitude: 1e400, longitude: -87.63 }) { __typename
        ... on ErrorResult { errorCode message } } }`,
});
add({
    operation: 'shop.nearbyStores',
    value: 'longitude literal -1e400 in the query',
    as: 'customer',
    expect: 'refused',
    api: 'shop-api',
    document: `query { nearbyStores(location: { latitude: 41.88, longitude: -1e400 }) { stockLocationId } }`,
});

// deliveryAvailability: the id list.
const notDeliverable = (value: unknown) =>
    Array.isArray(value) &&
    value.every(
        (entry: { fastDelivery?: boolean; stockLocationId?: unknown }) =>
            entry.fastDelivery === false && entry.stockLocationId == null,
    );
for (const [value, ids] of [
    [
        '101 variant ids (over the limit of 100)',
        (w: MatrixWorld) => Array.from({ length: 101 }, () => w.variantA),
    ],
    ['5 000 variant ids', (w: MatrixWorld) => Array.from({ length: 5000 }, () => w.variantA)],
    ...IDS.map(([label, id]) => [`variant ${label}`, () => [id]] as const),
] as Array<[string, (w: MatrixWorld) => string[]]>) {
    add({
        operation: 'shop.deliveryAvailability',
        value,
        as: 'customer',
        expect: value.startsWith('variant ') ? 'refused-or-empty' : 'refused',
        api: 'shop-api',
        document: SHOP.deliveryAvailability,
        variables: w => ({ ids: ids(w), location: LOOP }),
        empty: notDeliverable,
    });
}

// deliveryTracking: codes that are not the caller's order.
for (const [value, orderCode] of [
    ['order code of 20 000 characters', () => HUGE],
    ['NUL in the order code', () => `A${NUL}B`],
    ['SQL in the order code', () => "' OR '1'='1"],
    ['GraphQL in the order code', () => GRAPHQL_LOOKING],
    ['order code in full-width letters', () => 'ＡＢＣ１２３'],
    ["another customer's order code", (w: MatrixWorld) => w.customerOrder.code],
] as Array<[string, (w: MatrixWorld) => string]>) {
    add({
        operation: 'shop.deliveryTracking',
        value,
        as: 'otherCustomer',
        expect: 'refused-or-empty',
        api: 'shop-api',
        document: SHOP.deliveryTracking,
        variables: w => ({ orderCode: orderCode(w) }),
    });
}

// Operations without arguments: an argument they do not take.
for (const [operation, api, as, document] of [
    [
        'shop.activeDeliveryLocation',
        'shop-api',
        'customer',
        'query { activeDeliveryLocation(latitude: 91) { latitude } }',
    ],
    ['admin.activeDriver', 'admin-api', 'driver', 'query { activeDriver(id: "1") { id } }'],
    [
        'admin.activeDriverAssignment',
        'admin-api',
        'driver',
        'query { activeDriverAssignment(orderCode: "x") { assignmentId } }',
    ],
    [
        'admin.dispatchStats',
        'admin-api',
        'superadmin',
        'query { dispatchStats(channel: "x") { busyDrivers } }',
    ],
    [
        'admin.storeLocatorStats',
        'admin-api',
        'superadmin',
        'query { storeLocatorStats(reset: true) { lookups } }',
    ],
    [
        'admin.mapTileSettings',
        'admin-api',
        'superadmin',
        'query { mapTileSettings(url: "javascript:alert(1)") { url } }',
    ],
] as Array<[string, 'shop-api' | 'admin-api', Role, string]>) {
    add({ operation, value: 'an argument it does not take', as, expect: 'refused', api, document });
}

// Ids: every operation that takes one.
const ID_OPERATIONS: Array<
    [string, string, Role, string, (id: string, w: MatrixWorld) => Record<string, unknown>]
> = [
    ['admin.driver', '', 'superadmin', ADMIN.driver, id => ({ id })],
    ['admin.updateDriver', '', 'superadmin', ADMIN.updateDriver, id => ({ input: { id, name: 'Renamed' } })],
    ['admin.deleteDriver', '', 'superadmin', ADMIN.deleteDriver, id => ({ id })],
    ['admin.deliveryAssignment', '', 'superadmin', ADMIN.deliveryAssignment, id => ({ id })],
    [
        'admin.deliveryAssignmentForOrder',
        '',
        'superadmin',
        ADMIN.deliveryAssignmentForOrder,
        id => ({ orderId: id }),
    ],
    [
        'admin.markOrderReadyForDispatch',
        '',
        'superadmin',
        ADMIN.markOrderReadyForDispatch,
        id => ({ orderId: id }),
    ],
    ['admin.reassignDelivery', '', 'superadmin', ADMIN.reassignDelivery, id => ({ assignmentId: id })],
    // The waiting delivery, to a driver that is not there: refused before anything moves.
    [
        'admin.reassignDelivery',
        'driver ',
        'superadmin',
        ADMIN.reassignDelivery,
        (id, w) => ({ assignmentId: w.pendingB, driverId: id }),
    ],
    ['admin.cancelDelivery', '', 'superadmin', ADMIN.cancelDelivery, id => ({ assignmentId: id })],
    ['admin.retryDelivery', '', 'superadmin', ADMIN.retryDelivery, id => ({ assignmentId: id })],
    ['admin.confirmPickup', '', 'driver', ADMIN.confirmPickup, id => ({ assignmentId: id })],
    [
        'admin.confirmDelivery',
        '',
        'driver',
        ADMIN.confirmDelivery,
        id => ({ assignmentId: id, code: '0000' }),
    ],
    ['admin.declineDelivery', '', 'driver', ADMIN.declineDelivery, id => ({ assignmentId: id })],
    [
        'admin.reportDeliveryFailed',
        '',
        'driver',
        ADMIN.reportDeliveryFailed,
        id => ({ assignmentId: id, reasonCode: 'TIMEOUT' }),
    ],
    [
        'admin.updateStockLocation',
        '',
        'superadmin',
        ADMIN.updateStockLocation,
        id => ({ input: { id, customFields: { city: 'X' } } }),
    ],
];
for (const [operation, which, as, document, variables] of ID_OPERATIONS) {
    for (const [label, id] of IDS) {
        add({
            operation,
            value: `${which}${label}`,
            as,
            expect: 'refused-or-empty',
            api: 'admin-api',
            document,
            variables: w => variables(id, w),
        });
    }
}

// Other people's ids.
const OTHERS: Array<[string, string, Role, string, (w: MatrixWorld) => Record<string, unknown>]> = [
    [
        "another driver's delivery",
        'admin.confirmPickup',
        'otherDriver',
        ADMIN.confirmPickup,
        w => ({ assignmentId: w.openA }),
    ],
    [
        "another driver's delivery",
        'admin.declineDelivery',
        'otherDriver',
        ADMIN.declineDelivery,
        w => ({ assignmentId: w.openA }),
    ],
    [
        "another driver's delivery",
        'admin.confirmDelivery',
        'otherDriver',
        ADMIN.confirmDelivery,
        w => ({ assignmentId: w.openA, code: w.openADeliveryCode }),
    ],
    [
        "another driver's delivery",
        'admin.reportDeliveryFailed',
        'otherDriver',
        ADMIN.reportDeliveryFailed,
        w => ({ assignmentId: w.openA, reasonCode: 'TIMEOUT' }),
    ],
    [
        "another seller's delivery",
        'admin.deliveryAssignment',
        'sellerBStaff',
        ADMIN.deliveryAssignment,
        w => ({ id: w.openA }),
    ],
    [
        "another seller's order",
        'admin.deliveryAssignmentForOrder',
        'sellerBStaff',
        ADMIN.deliveryAssignmentForOrder,
        w => ({ orderId: w.customerOrder.sellerOrderA.id }),
    ],
    [
        'a driver who is on a delivery',
        'admin.reassignDelivery',
        'superadmin',
        ADMIN.reassignDelivery,
        w => ({ assignmentId: w.pendingB, driverId: w.driverId }),
    ],
    [
        'an aggregate order (its seller orders are dispatched)',
        'admin.markOrderReadyForDispatch',
        'superadmin',
        ADMIN.markOrderReadyForDispatch,
        w => ({ orderId: w.customerOrder.id }),
    ],
];
for (const [value, operation, as, document, variables] of OTHERS) {
    add({ operation, value, as, expect: 'refused-or-empty', api: 'admin-api', document, variables });
}

// Seller verification: the seller id, the reason.
for (const [label, id] of IDS) {
    for (const [operation, document, variables] of [
        ['admin.verifySeller', ADMIN.verifySeller, { sellerId: id }],
        ['admin.unverifySeller', ADMIN.unverifySeller, { sellerId: id, reason: 'matrix' }],
    ] as Array<[string, string, Record<string, unknown>]>) {
        add({
            operation,
            value: `seller ${label}`,
            as: 'superadmin',
            expect: 'refused',
            api: 'admin-api',
            document,
            variables: () => variables,
        });
    }
}
for (const [value, reason, message] of [
    ['empty reason', '', /reason is empty/],
    ['reason of spaces', '   ', /reason is empty/],
    ['reason of 501 characters', 'r'.repeat(501), /reason is too long/],
    ['reason of 20 000 characters', HUGE, /reason is too long/],
    ['NUL in the reason', `licence${NUL}expired`, /control characters/],
    ['reason as a number', 42, undefined],
] as Array<[string, unknown, RegExp | undefined]>) {
    add({
        operation: 'admin.unverifySeller',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.unverifySeller,
        // A verified seller: a refusal must come from the reason, and nothing may change.
        variables: w => ({ sellerId: w.sellerIdA, reason }),
        ...(message ? { message } : {}),
    });
}
for (const [value, options] of [
    ['take 1 000 000', { take: 1_000_000 }],
    ['take as text "5"', { take: '5' }],
] as Array<[string, Record<string, unknown>]>) {
    add({
        operation: 'admin.sellers',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document:
            'query Sellers($options: SellerListOptions) { sellers(options: $options) { items { id verified } } }',
        variables: () => ({ options }),
    });
}

// Pagination and filters.
for (const operation of ['admin.drivers', 'admin.deliveryAssignments'] as const) {
    const document = operation === 'admin.drivers' ? ADMIN.drivers : ADMIN.deliveryAssignments;
    const textField = operation === 'admin.drivers' ? 'name' : 'correlationId';
    for (const [value, options] of [
        ...PAGINATION,
        ...TEXT_FILTERS.map(([label, filter]): [string, Record<string, unknown>] => [
            `${textField} ${label}`,
            { filter: { [textField]: filter } },
        ]),
    ]) {
        add({
            operation,
            value,
            as: 'superadmin',
            expect: 'refused-or-empty',
            api: 'admin-api',
            document,
            variables: () => ({ options }),
        });
    }
}

// The fleet: createDriver and updateDriver.
let emails = 0;
const newDriver = (overrides: Record<string, unknown>) => () => ({
    input: {
        name: 'Matrix Bad Input',
        phoneNumber: '+1 312 555 0100',
        emailAddress: `matrix-bad-${process.pid}-${++emails}@example.com`,
        password: 'matrix-pw-123',
        ...overrides,
    },
});
for (const [value, overrides] of [
    ['name of 101 characters', { name: 'n'.repeat(101) }],
    ['name of 20 000 characters', { name: HUGE }],
    ['NUL in the name', { name: `Ann${NUL}Lee` }],
    ['empty name', { name: '' }],
    ['name of spaces', { name: '   ' }],
    ['name as a number', { name: 42 }],
    ['email that is not an email', { emailAddress: 'not-an-email' }],
    ['email of 255 characters', { emailAddress: `${'a'.repeat(243)}@example.com` }],
    ['NUL in the email', { emailAddress: `nul${NUL}@example.com` }],
    ['SQL as the email', { emailAddress: "x'); DROP TABLE driver; --" }],
    ["another user's email", { emailAddress: 'driver-01@demo.example' }],
    ['phone of 33 characters', { phoneNumber: '+1 312 555 0100 0100 0100 0100 01' }],
    ['phone that is not a phone number', { phoneNumber: 'call me maybe' }],
    ['NUL in the phone', { phoneNumber: `+1 312${NUL}555` }],
    ['empty password', { password: '' }],
] as Array<[string, Record<string, unknown>]>) {
    add({
        operation: 'admin.createDriver',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.createDriver,
        variables: newDriver(overrides),
    });
}
for (const [value, changes] of [
    ['name of 101 characters', { name: 'n'.repeat(101) }],
    ['name of 20 000 characters', { name: HUGE }],
    ['NUL in the name', { name: `Ann${NUL}Lee` }],
    ['empty name', { name: '' }],
    ['phone of 33 characters', { phoneNumber: '+1 312 555 0100 0100 0100 0100 01' }],
    ['phone that is not a phone number', { phoneNumber: 'call me maybe' }],
    ['NUL in the phone', { phoneNumber: `+1 312${NUL}555` }],
    ['status BUSY (dispatch sets it)', { status: 'BUSY' }],
    ['status that does not exist', { status: 'FLYING' }],
    ['enabled as text', { enabled: 'yes' }],
] as Array<[string, Record<string, unknown>]>) {
    add({
        operation: 'admin.updateDriver',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.updateDriver,
        variables: w => ({ input: { id: w.otherDriverId, ...changes } }),
    });
}

// The driver's own record.
for (const [value, latitude, longitude, expectation] of COORDINATES) {
    add({
        operation: 'admin.updateDriverLocation',
        value,
        as: 'otherDriver',
        expect: expectation,
        api: 'admin-api',
        document: ADMIN.updateDriverLocation,
        variables: () => ({ latitude, longitude }),
    });
}
add({
    operation: 'admin.updateDriverLocation',
    value: 'latitude literal 1e400 in the query',
    as: 'otherDriver',
    expect: 'refused',
    api: 'admin-api',
    document: 'mutation { updateDriverLocation(latitude: 1e400, longitude: -87.63) { id } }',
});
add({
    operation: 'admin.updateDriverLocation',
    value: 'no longitude',
    as: 'otherDriver',
    expect: 'refused',
    api: 'admin-api',
    document: 'mutation { updateDriverLocation(latitude: 41.88) { id } }',
});
for (const [value, status] of [
    ['BUSY (dispatch sets it)', 'BUSY'],
    ['a status that does not exist', 'FLYING'],
    ['lower case', 'offline'],
    ['as a number', 1],
] as Array<[string, unknown]>) {
    add({
        operation: 'admin.setDriverStatus',
        value,
        as: 'otherDriver',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.setDriverStatus,
        variables: () => ({ status }),
    });
}

// The insights period: dates, bounded to 31 days, a known bucket.
const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);
const iso = (ms: number) => new Date(ms).toISOString();
for (const [value, input, message] of [
    ['to before from', { from: iso(NOW), to: iso(NOW - DAY_MS) }, /must be before/],
    ['an empty period', { from: iso(NOW), to: iso(NOW) }, /must be before/],
    ['32 days', { from: iso(NOW - 32 * DAY_MS), to: iso(NOW) }, /at most 31 days/],
    ['a century', { from: '1926-12-01T00:00:00Z', to: iso(NOW) }, /at most 31 days/],
    ['from as words', { from: 'yesterday', to: iso(NOW) }, undefined],
    ['from of 20 000 characters', { from: HUGE, to: iso(NOW) }, undefined],
    ['from as a number beyond any date', { from: 1e20, to: iso(NOW) }, undefined],
    ['no to', { from: iso(NOW - DAY_MS) }, undefined],
    ['a bucket that does not exist', { from: iso(NOW - DAY_MS), to: iso(NOW), bucket: 'WEEK' }, undefined],
    ['SQL as the bucket', { from: iso(NOW - DAY_MS), to: iso(NOW), bucket: "hour'; --" }, undefined],
] as Array<[string, Record<string, unknown>, RegExp | undefined]>) {
    add({
        operation: 'admin.deliveryInsights',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.deliveryInsights,
        variables: () => ({ input }),
        ...(message ? { message } : {}),
    });
}

// Reasons, notes, codes.
for (const [value, reason] of [
    ['reason of 501 characters', 'r'.repeat(501)],
    ['reason of 20 000 characters', HUGE],
    ['NUL in the reason', `no${NUL}pe`],
] as Array<[string, string]>) {
    add({
        operation: 'admin.cancelDelivery',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.cancelDelivery,
        variables: w => ({ assignmentId: w.closedA, reason }),
    });
    add({
        operation: 'admin.declineDelivery',
        value,
        as: 'driver',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.declineDelivery,
        variables: w => ({ assignmentId: w.openA, reason }),
    });
}
for (const [value, code] of [
    ['code of 17 characters', '12345678901234567'],
    ['code of 20 000 characters', HUGE],
    ['NUL in the code', `12${NUL}34`],
    ['GraphQL as the code', GRAPHQL_LOOKING],
] as Array<[string, string]>) {
    add({
        operation: 'admin.confirmDelivery',
        value,
        as: 'driver',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.confirmDelivery,
        variables: w => ({ assignmentId: w.openA, code }),
    });
}
for (const [value, reasonCode] of [
    ['reason code of 20 000 characters', HUGE],
    ['NUL in the reason code', `TIME${NUL}OUT`],
    ['SQL in the reason code', "TIMEOUT' OR '1'='1"],
    ['GraphQL as the reason code', GRAPHQL_LOOKING],
    ['reason code in lower case', 'timeout'],
    ['empty reason code', ''],
] as Array<[string, string]>) {
    add({
        operation: 'admin.reportDeliveryFailed',
        value,
        as: 'driver',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.reportDeliveryFailed,
        variables: w => ({ assignmentId: w.openA, reasonCode }),
    });
}
// Accepted wrongly, these would end the open delivery: last.
for (const [value, note] of [
    ['NUL in the note', `no${NUL}pe`],
    ['note of 501 characters', 'n'.repeat(501)],
] as Array<[string, string]>) {
    add({
        operation: 'admin.reportDeliveryFailed',
        value,
        as: 'driver',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.reportDeliveryFailed,
        variables: w => ({ assignmentId: w.openA, reasonCode: 'TIMEOUT', note }),
        last: true,
    });
}

// The customer's delivery instructions (an Order custom field) through Vendure's own operations.
// The matrix's customer has no active order (theirs is placed), so the shop rows must be refused by
// the field's own check (its message), not by NoActiveOrderError; staff accept the good values.
for (const [value, instructions, expectation, message] of [
    ['instructions of 501 characters', 'i'.repeat(501), 'refused', /at most 500 characters/],
    ['instructions of 20 000 characters', HUGE, 'refused', /at most 500 characters/],
    ['NUL in the instructions', `ring${NUL}twice`, 'refused', /NUL character/],
    ['SQL in the instructions', "'); DROP TABLE driver; --", 'accepted', undefined],
    ['instructions of 500 characters', 'i'.repeat(500), 'accepted', undefined],
] as Array<[string, string, Expectation, RegExp | undefined]>) {
    if (expectation !== 'accepted') {
        add({
            operation: 'shop.setOrderCustomFields',
            value,
            as: 'customer',
            expect: expectation,
            api: 'shop-api',
            document: SHOP.setOrderCustomFields,
            variables: () => ({ input: { customFields: { deliveryInstructions: instructions } } }),
            message,
        });
    }
    add({
        operation: 'admin.setOrderCustomFields',
        value,
        as: 'superadmin',
        expect: expectation,
        api: 'admin-api',
        document: ADMIN.setOrderCustomFields,
        variables: w => ({
            input: { id: w.customerOrder.id, customFields: { deliveryInstructions: instructions } },
        }),
        message,
    });
}

// Stores: the custom fields through Vendure's own operations.
const STORE_FIELDS: Array<[string, Record<string, unknown>, Expectation]> = [
    ...COORDINATES.map(
        ([label, latitude, longitude, expectation]): [string, Record<string, unknown>, Expectation] => [
            label,
            { latitude, longitude },
            expectation,
        ],
    ),
    ['postal code of 17 characters', { postalCode: '60601606016060160' }, 'refused'],
    ['postal code of 20 000 characters', { postalCode: HUGE }, 'refused'],
    ['NUL in the postal code', { postalCode: `606${NUL}01` }, 'refused'],
    ['address of 20 000 characters', { address: HUGE }, 'refused'],
    ['NUL in the city', { city: `Chi${NUL}cago` }, 'refused'],
    ['opening hours that are not JSON', { openingHours: 'mon 8-20' }, 'refused'],
    ['opening hours of 20 000 characters', { openingHours: HUGE }, 'refused'],
    ['opening hours with a range "8:00-20:00"', { openingHours: '{"mon": ["8:00-20:00"]}' }, 'refused'],
    ['opening hours with an unknown day', { openingHours: '{"monday": ["08:00-20:00"]}' }, 'refused'],
    ['opening hours with 31 February', { openingHours: '{"exceptions": {"2026-02-31": []}}' }, 'refused'],
    ['time zone "Mars/Olympus"', { timeZone: 'Mars/Olympus' }, 'refused'],
    ['time zone of 20 000 characters', { timeZone: HUGE }, 'refused'],
];
let stores = 0;
for (const [value, customFields, expectation] of STORE_FIELDS) {
    add({
        operation: 'admin.createStockLocation',
        value,
        as: 'superadmin',
        expect: expectation,
        api: 'admin-api',
        document: ADMIN.createStockLocation,
        variables: () => ({
            input: {
                name: `Matrix bad store ${++stores}`,
                customFields: { latitude: 41.88, longitude: -87.63, ...customFields },
            },
        }),
    });
    // The scratch store does not move for good: a swapped pair would, so it is not sent here.
    if (expectation === 'accepted') continue;
    add({
        operation: 'admin.updateStockLocation',
        value,
        as: 'superadmin',
        expect: expectation,
        api: 'admin-api',
        document: ADMIN.updateStockLocation,
        variables: () => ({ input: { id: scratchStore, customFields } }),
    });
}
add({
    operation: 'admin.createStockLocation',
    value: 'latitude literal 1e400 in the query',
    as: 'superadmin',
    expect: 'refused',
    api: 'admin-api',
    document: `mutation { createStockLocation(input: { name: "Matrix literal", customFields: { latitude: 1e400, longitude: -87.63 } }) { id } }`,
});

// Shipping methods: the arguments of the distance-delivery-fee calculator, through Vendure's own
// operations. The plugin refuses them before Vendure saves anything.
const FEE_ARGUMENTS: Array<[string, string, Record<string, string>, RegExp]> = [
    ['bands that are not JSON', '[{upToKm:2,price:299}]', {}, /^bands: not valid JSON/],
    [
        'bands not in ascending order',
        '[{"upToKm":4,"price":399},{"upToKm":2,"price":299},{"upToKm":5,"price":499}]',
        {},
        /ascending upToKm/,
    ],
    ['a negative price', '[{"upToKm":5,"price":-499}]', {}, /negative price/],
    ['a price in major units (4.99)', '[{"upToKm":5,"price":4.99}]', {}, /whole number of minor units/],
    ['bands short of the 5 km radius', '[{"upToKm":2,"price":299}]', {}, /short of the delivery radius/],
    ['bands of 20 000 characters', HUGE, {}, /^bands: too long/],
    ['NUL in the bands', `[${NUL}]`, {}, /^bands: not valid JSON/],
    ['SQL as the bands', "'); DROP TABLE shipping_method; --", {}, /^bands: not valid JSON/],
    ['GraphQL as the bands', GRAPHQL_LOOKING, {}, /^bands: not valid JSON/],
    ['empty bands', '', {}, /bands/],
    [
        'a negative free-delivery threshold',
        '[{"upToKm":5,"price":499}]',
        { freeDeliveryThreshold: '-1' },
        /^freeDeliveryThreshold/,
    ],
    ['a tax rate of 1000 %', '[{"upToKm":5,"price":499}]', { taxRate: '1000' }, /^taxRate/],
];
let feeMethods = 0;
for (const [value, bands, others, message] of FEE_ARGUMENTS) {
    add({
        operation: 'admin.createShippingMethod',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.createShippingMethod,
        variables: () => ({ input: harmlessFeeMethodInput(`matrix-bad-fee-${++feeMethods}`, bands, others) }),
        message,
    });
    add({
        operation: 'admin.updateShippingMethod',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.updateShippingMethod,
        variables: () => ({
            input: { id: scratchMethod, translations: [], calculator: feeCalculator(bands, others) },
        }),
        message,
    });
}

// Delivery webhooks: the endpoint's URL, secret and events (create, and update of the scratch one).
const WEBHOOK_FIELDS: Array<[string, Record<string, unknown>, RegExp | undefined]> = [
    ['a URL that is not one', { url: 'hooks example com' }, /not a valid absolute URL/],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, /https:\/\/ or http:\/\//],
    ['a file: URL', { url: 'file:///etc/passwd' }, /https:\/\/ or http:\/\//],
    ['a URL of 20 000 characters', { url: `https://hooks.example.com/${HUGE}` }, /too long/],
    ['NUL in the URL', { url: `https://hooks.example.com/${NUL}` }, /control characters/],
    ['a loopback URL', { url: 'http://127.0.0.1:3000/hook' }, /private, loopback or link-local/],
    ['the metadata address', { url: 'http://169.254.169.254/latest' }, /private, loopback or link-local/],
    ['localhost', { url: 'http://localhost/hook' }, /local name/],
    ['a URL as a number', { url: 42 }, undefined],
    ['a secret of 129 characters', { secret: 's'.repeat(129) }, /secret is too long/],
    ['a secret of 20 000 characters', { secret: HUGE }, /secret is too long/],
    ['a secret of 15 characters', { secret: 's'.repeat(15) }, /secret is too short/],
    ['NUL in the secret', { secret: `whsec_${NUL}0123456789abc` }, /control characters/],
    ['no events', { events: [] }, /events is empty/],
    ['an unknown event type', { events: ['EXPLODED'] }, /DeliveryWebhookEventType/],
    ['an event type in lower case', { events: ['delivered'] }, /DeliveryWebhookEventType/],
    ['5 000 event types', { events: Array.from({ length: 5000 }, () => 'DELIVERED') }, /at most 6/],
];
for (const [value, change, message] of WEBHOOK_FIELDS) {
    add({
        operation: 'admin.createDeliveryWebhook',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.createDeliveryWebhook,
        variables: () => ({ input: { ...GOOD_WEBHOOK, ...change } }),
        ...(message ? { message } : {}),
    });
    add({
        operation: 'admin.updateDeliveryWebhook',
        value,
        as: 'superadmin',
        expect: 'refused',
        api: 'admin-api',
        document: ADMIN.updateDeliveryWebhook,
        variables: () => ({ input: { id: scratchWebhook, ...change } }),
        ...(message ? { message } : {}),
    });
}
for (const [label, id] of IDS) {
    for (const [operation, document, variables] of [
        ['admin.deliveryWebhook', ADMIN.deliveryWebhook, { id }],
        ['admin.deleteDeliveryWebhook', ADMIN.deleteDeliveryWebhook, { id }],
        ['admin.updateDeliveryWebhook', ADMIN.updateDeliveryWebhook, { input: { id, enabled: false } }],
    ] as Array<[string, string, Record<string, unknown>]>) {
        add({
            operation,
            value: `webhook ${label}`,
            as: 'superadmin',
            expect: 'refused-or-empty',
            api: 'admin-api',
            document,
            variables: () => variables,
        });
    }
}
for (const [value, options] of [
    ...PAGINATION,
    ...TEXT_FILTERS.map(([label, filter]): [string, Record<string, unknown>] => [
        label,
        { filter: { url: filter } },
    ]),
] as Array<[string, Record<string, unknown>]>) {
    add({
        operation: 'admin.deliveryWebhooks',
        value,
        as: 'superadmin',
        expect: 'refused-or-empty',
        api: 'admin-api',
        document: ADMIN.deliveryWebhooks,
        variables: () => ({ options }),
    });
}

// The event stream: its headers.
type HttpRow = [
    string,
    (w: MatrixWorld) => { token?: string; headers?: Record<string, string> },
    'refused' | 'answered',
];
const HTTP_ROWS: HttpRow[] = [
    ['a bearer token of 10 000 characters', () => ({ token: 't'.repeat(10_000) }), 'refused'],
    ['SQL as the bearer token', () => ({ token: "' OR '1'='1" }), 'refused'],
    ['GraphQL as the bearer token', () => ({ token: GRAPHQL_LOOKING.replace(/"/g, '') }), 'refused'],
    [
        'a Last-Event-ID that is no event id',
        w => ({ token: w.callers.driver.token, headers: { 'last-event-id': "'; DROP TABLE driver; --" } }),
        'answered',
    ],
    [
        'a Last-Event-ID of 10 000 characters',
        w => ({ token: w.callers.driver.token, headers: { 'last-event-id': '9'.repeat(10_000) } }),
        'answered',
    ],
    [
        'a channel token that does not exist',
        w => ({ token: w.callers.driver.token, headers: { 'vendure-token': 'no-such-channel' } }),
        'answered',
    ],
];

// The tracking page: what follows /track/ in a link someone typed, cut or forged. Each is the one
// not-found answer every wrong link gets (the page, or the status JSON), and changes nothing.
const TRACK_ROWS: Array<[string, (w: MatrixWorld) => string]> = [
    ['a token of 10 000 characters', () => 'A'.repeat(10_000)],
    ['SQL as the token', () => encodeURIComponent("' OR '1'='1")],
    ['a path out of the folder', () => '..%2F..%2F..%2Fetc%2Fpasswd'],
    ['a NUL byte', () => 'abc%00def'],
    ['GraphQL as the token', () => encodeURIComponent(GRAPHQL_LOOKING)],
    ['a well-formed token nobody has', () => 'Q'.repeat(32)],
    ['a real token cut short', w => w.openATrackingToken.slice(0, -1)],
    ['a real token with a character more', w => `${w.openATrackingToken}A`],
    ['a real token with a percent-encoded space', w => `${w.openATrackingToken}%20`],
    ['a real token, upper-cased', w => w.openATrackingToken.toUpperCase()],
];
const TRACK_OPERATIONS = ['http.GET /track/<token>', 'http.GET /track/<token>/status'];

// ---------------------------------------------------------------------------------------------
// Running a row.
// ---------------------------------------------------------------------------------------------

function answerProblems(row: Row, response: RawResponse): string[] {
    const field = row.operation.split('.')[1];
    const errors = response.json?.errors;
    const value = response.json?.data?.[field];
    const got = `got ${short(response.text, 300)}`;
    if (!response.json) return [`not a JSON answer (HTTP ${response.status}): ${short(response.text)}`];
    if (row.expect === 'accepted') {
        return !errors?.length && value != null && !isErrorResult(value)
            ? []
            : [`expected it answered, ${got}`];
    }
    const said = [
        ...(errors ?? []).map(error => error.message),
        (value as { message?: string } | null)?.message,
    ]
        .filter(Boolean)
        .join('; ');
    if (row.message && !row.message.test(said)) return [`expected a refusal saying ${row.message}, ${got}`];
    if (errors?.length) return unclearErrors(errors);
    if (isErrorResult(value)) return [];
    if (row.expect === 'refused-or-empty' && (isEmptyAnswer(value) || row.empty?.(value))) return [];
    return [`expected a refusal${row.expect === 'refused-or-empty' ? ' or nothing found' : ''}, ${got}`];
}

async function runRow(row: Row) {
    const before = await suiteTables(env.server.app);
    const response = await callAs(world, row.as, row.api)(row.document, row.variables?.(world));
    const problems = [...transportProblems(response), ...answerProblems(row, response)];
    if (row.expect !== 'accepted') {
        const changed = changedTables(before, await suiteTables(env.server.app));
        if (changed.length) problems.push(`changed ${changed.join(', ')}`);
    }
    expect(problems).toEqual([]);
}

const title = (row: Row) => [row.operation, row.value, row.as, row.expect, row] as const;

describe('the bad-input matrix', () => {
    it('has rows for every operation of the suite', () => {
        const operations = suiteOperations(env.server.app.get(ConfigService).customFields);
        const covered = new Set([
            ...rows.map(row => row.operation),
            ...HTTP_ROWS.map(() => 'http.GET /dispatch/events'),
            ...TRACK_OPERATIONS,
        ]);
        expect(operations.filter(operation => !covered.has(operation))).toEqual([]);
        expect([...covered].filter(operation => !operations.includes(operation))).toEqual([]);
    });

    it.each(rows.filter(row => !row.last).map(title))('%s with %s (as %s): %s', async (...args) =>
        runRow(args[4]),
    );
});

// ---------------------------------------------------------------------------------------------
// HTTP: the event stream's headers, and a body over the limit.
// ---------------------------------------------------------------------------------------------

describe('GET /dispatch/events with bad headers', () => {
    it.each(HTTP_ROWS.map(([label, caller, expectation]) => [label, expectation, caller] as const))(
        '%s: %s',
        async (_label, expectation, caller) => {
            const before = await suiteTables(env.server.app);
            const { token, headers } = caller(world);
            const response = await rawGet(world.port, '/dispatch/events', { token, headers });
            const problems = transportProblems(response);
            if (expectation === 'refused') {
                if (
                    !(response.status >= 400 && response.status < 500) ||
                    typeof response.json?.message !== 'string'
                ) {
                    problems.push(
                        `expected a 4xx with a message, got HTTP ${response.status}: ${short(response.text)}`,
                    );
                }
            } else if (
                response.status !== 200 &&
                !(response.status >= 400 && typeof response.json?.message === 'string')
            ) {
                problems.push(
                    `expected a stream or a 4xx with a message, got HTTP ${response.status}: ${short(response.text)}`,
                );
            }
            const changed = changedTables(before, await suiteTables(env.server.app));
            if (changed.length) problems.push(`changed ${changed.join(', ')}`);
            expect(problems).toEqual([]);
        },
    );
});

describe('GET /track/<token> with tokens that are wrong', () => {
    it.each(
        TRACK_ROWS.flatMap(([label, token]) => [
            [
                `${label}: the page`,
                (w: MatrixWorld) => `/track/${token(w)}`,
                TRACKING_NOT_FOUND_HTML,
            ] as const,
            [
                `${label}: its status`,
                (w: MatrixWorld) => `/track/${token(w)}/status`,
                TRACKING_NOT_FOUND_JSON,
            ] as const,
        ]),
    )('%s is the one not-found answer', async (_label, path, notFound) => {
        const before = await suiteTables(env.server.app);
        const response = await rawGet(world.port, path(world));
        const problems = transportProblems(response);
        if (response.status !== 404 || response.text !== notFound) {
            problems.push(
                `expected the not-found answer, got HTTP ${response.status}: ${short(response.text)}`,
            );
        }
        const changed = changedTables(before, await suiteTables(env.server.app));
        if (changed.length) problems.push(`changed ${changed.join(', ')}`);
        expect(problems).toEqual([]);
    });

    it('answers the real token (the rows above are wrong only by what they change)', async () => {
        const response = await rawGet(world.port, `/track/${world.openATrackingToken}/status`);
        expect(response.status).toBe(200);
    });
});

describe('a request body over the limit', () => {
    it.each([
        ['shop-api', 'customer'],
        ['admin-api', 'superadmin'],
    ] as Array<['shop-api' | 'admin-api', Role]>)(
        'is refused by the %s with 413 (as %s)',
        async (api, role) => {
            const before = await suiteTables(env.server.app);
            const body = JSON.stringify({
                query: SHOP.setDeliveryLocation,
                variables: { input: { postalCode: 'x'.repeat(5 * 1024 * 1024), countryCode: 'US' } },
            });
            const response = await rawPost(world.port, `/${api}`, body, world.callers[role]);
            const problems = transportProblems(response);
            if (response.status !== 413)
                problems.push(`expected HTTP 413, got HTTP ${response.status}: ${short(response.text)}`);
            const changed = changedTables(before, await suiteTables(env.server.app));
            if (changed.length) problems.push(`changed ${changed.join(', ')}`);
            expect(problems).toEqual([]);
        },
    );
});

describe('rows that would end the open delivery if accepted, run last', () => {
    it.each(rows.filter(row => row.last).map(title))('%s with %s (as %s): %s', async (...args) =>
        runRow(args[4]),
    );
});
