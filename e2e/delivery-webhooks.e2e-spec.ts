/**
 * Delivery webhooks through the real server and a real HTTP receiver on loopback: staff add an
 * endpoint (bad input refused, nothing changed; the secret never returned); every event type of a
 * delivery arrives, signed so that the README's receiver logic accepts it, with one event id per
 * event; a 500 is retried with backoff and the same event id and body; a worker restart while a
 * retry is pending sends the same event id again; an event handled twice or a job run twice sends
 * nothing new; an endpoint that keeps failing is reported; private targets are refused without the
 * option, when saved and (after DNS resolution) when sent.
 */
import { ModuleRef } from '@nestjs/core';
import { Injector, RequestContextService, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    DeliveryStatus,
    DeliveryStatusEvent,
    DeliveryWebhookOptions,
    DRIVER_DISPATCH_PLUGIN_OPTIONS,
    ResolvedDriverDispatchOptions,
    runDispatchSweep,
    WebhookOutboxService,
} from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { dispatchWaitingNow } from './fixtures/dispatch';
import { asSuperadmin } from './fixtures/logins';
import {
    ASSIGNMENT,
    Assignment,
    CANCEL_DELIVERY,
    CONFIRM_DELIVERY,
    CONFIRM_PICKUP,
    MARK_READY,
    MarkReadyResult,
    REPORT_FAILED,
} from './graphql/dispatch-documents';
import { CREATE_WEBHOOK, UPDATE_WEBHOOK, WEBHOOK, WebhookRow } from './graphql/webhook-documents';
import { eventually } from './utils/eventually';
import { ReceivedWebhook, receiverAccepts, WebhookReceiver } from './utils/webhook-receiver';

const SECRET = 'whsec_e2e_0123456789abcdef';
const webhookOptions: DeliveryWebhookOptions = {
    allowPrivateTargets: true,
    maxAttempts: 8,
    retryBaseDelayMs: 1000,
    retryMaxDelayMs: 3000,
    timeoutMs: 3000,
    failingAfterConsecutiveFailures: 2,
};

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(
    e2eConfig(__filename, { dispatch: { webhooks: webhookOptions, pendingAlertAfterSeconds: 1 } }),
);
const receiver = new WebhookReceiver();
let port: number;
const sql = () => server.app.get(TransactionalConnection).rawConnection;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

beforeAll(async () => {
    port = await receiver.start();
    await server.init({ initialData: demoInitialData, customerCount: 0 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await asSuperadmin(adminClient);
    // Nobody is on duty unless a test puts them there.
    await sql().query(`UPDATE driver SET status = 'OFFLINE'`);
}, 180_000);

afterAll(async () => {
    await server.destroy();
    await receiver.stop();
});

async function addWebhook(path: string, events: string[], url = `http://127.0.0.1:${port}${path}`) {
    const { createDeliveryWebhook } = await adminClient.query<{ createDeliveryWebhook: WebhookRow }>(
        CREATE_WEBHOOK,
        { input: { url, secret: SECRET, events } },
    );
    return createDeliveryWebhook;
}

async function webhook(id: string): Promise<WebhookRow> {
    return (await adminClient.query<{ deliveryWebhook: WebhookRow }>(WEBHOOK, { id })).deliveryWebhook;
}

async function assignment(id: string): Promise<Assignment> {
    return (await adminClient.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, { id }))
        .deliveryAssignment;
}

/** The seller orders of one checkout, each marked ready (PENDING: nobody is on duty). */
async function waitingDeliveries(sellerCount: number): Promise<Array<{ id: string; orderCode: string }>> {
    // Drivers released by earlier deliveries go off duty: nobody takes these.
    await sql().query(`UPDATE driver SET status = 'OFFLINE' WHERE status = 'AVAILABLE'`);
    const order: PlacedOrder = await placePaidOrder(
        { adminClient, shopClient },
        city.sellers.slice(0, sellerCount).map(seller => seller.code),
    );
    const deliveries = [];
    for (const sellerOrder of order.sellerOrders) {
        const marked = (await adminClient.query<MarkReadyResult>(MARK_READY, { orderId: sellerOrder.id }))
            .markOrderReadyForDispatch;
        expect(marked.__typename).toBe('DeliveryAssignment');
        deliveries.push({ id: String(marked.id), orderCode: sellerOrder.code });
    }
    return deliveries;
}

/** One driver on duty at the delivery's store, and a dispatch job: the delivery is ASSIGNED to them. */
async function assign(deliveryId: string, driverIndex: number): Promise<void> {
    const waiting = await assignment(deliveryId);
    const { latitude, longitude } = waiting.pickupStockLocation.customFields;
    const [{ id: driverId }] = await sql().query<Array<{ id: string }>>(
        `SELECT id FROM driver ORDER BY id OFFSET $1 LIMIT 1`,
        [driverIndex],
    );
    await sql().query(
        `UPDATE driver SET status = 'AVAILABLE', latitude = $2, longitude = $3, "lastSeenAt" = now() WHERE id = $1`,
        [driverId, latitude + 0.001, longitude],
    );
    await dispatchWaitingNow(server.app, waiting);
    const assigned = await eventually(
        () => assignment(deliveryId),
        value => value.status === 'ASSIGNED',
    );
    expect(assigned.status).toBe('ASSIGNED');
}

function payload(request: ReceivedWebhook) {
    return JSON.parse(request.body) as {
        id: string;
        type: string;
        createdAt: string;
        data: Record<string, unknown> & { orderCode: string; status: string };
    };
}

describe('an endpoint for every event', () => {
    const path = '/all';
    let deliveries: Array<{ id: string; orderCode: string }>;
    let endpoint: WebhookRow;

    beforeAll(async () => {
        endpoint = await addWebhook(path, [
            'ASSIGNED',
            'PICKED_UP',
            'DELIVERED',
            'FAILED',
            'CANCELLED',
            'DELAYED',
        ]);
        // One at a time, each while nobody else is on duty, so each gets the one driver put there.
        const [delivered] = await waitingDeliveries(1);
        await assign(delivered.id, 0);
        expect((await adminClient.query(CONFIRM_PICKUP, { id: delivered.id })).confirmPickup.status).toBe(
            'PICKED_UP',
        );
        expect((await adminClient.query(CONFIRM_DELIVERY, { id: delivered.id })).confirmDelivery.status).toBe(
            'DELIVERED',
        );
        const [cancelled] = await waitingDeliveries(1);
        await assign(cancelled.id, 1);
        expect(
            (await adminClient.query(CANCEL_DELIVERY, { id: cancelled.id, reason: 'e2e' })).cancelDelivery
                .status,
        ).toBe('CANCELLED');
        const [failed] = await waitingDeliveries(1);
        await assign(failed.id, 2);
        expect(
            (await adminClient.query(REPORT_FAILED, { id: failed.id, reasonCode: 'DELIVERY_FAILED' }))
                .reportDeliveryFailed.status,
        ).toBe('FAILED');
        deliveries = [delivered, cancelled, failed];
        // One more, left waiting past pendingAlertAfterSeconds (1 s): the sweep alerts it.
        const [waiting] = await waitingDeliveries(1);
        deliveries.push(waiting);
        await sleep(1500);
        const ctx = await server.app.get(RequestContextService).create({ apiType: 'admin' });
        const swept = await runDispatchSweep(new Injector(server.app.get(ModuleRef)), ctx);
        expect(swept.delayed.waitingForDriver.map(String)).toContain(waiting.id);
    }, 90_000);

    it('receives each event of each delivery once, as the shop sees the delivery', async () => {
        const expected: Record<string, string[]> = {
            [deliveries[0].orderCode]: ['delivery.assigned', 'delivery.picked_up', 'delivery.delivered'],
            [deliveries[1].orderCode]: ['delivery.assigned', 'delivery.cancelled'],
            [deliveries[2].orderCode]: ['delivery.assigned', 'delivery.failed'],
            [deliveries[3].orderCode]: ['delivery.delayed'],
        };
        const total = Object.values(expected).flat().length;
        const received = await eventually(
            () => Promise.resolve(receiver.at(path)),
            requests => requests.length >= total,
        );
        await sleep(500); // nothing more may come
        expect(receiver.at(path)).toHaveLength(total);
        for (const [orderCode, types] of Object.entries(expected)) {
            const ofOrder = received.map(payload).filter(body => body.data.orderCode === orderCode);
            expect(ofOrder.map(body => body.type).sort()).toEqual([...types].sort());
        }
        const byType = Object.fromEntries(received.map(payload).map(body => [body.type, body]));
        expect(byType['delivery.picked_up'].data).toMatchObject({
            status: 'PICKED_UP',
            previousStatus: 'ASSIGNED',
        });
        expect(byType['delivery.cancelled'].data).toMatchObject({ reasonCode: 'CANCELLED_BY_ADMIN' });
        expect(byType['delivery.failed'].data).toMatchObject({
            status: 'FAILED',
            reasonCode: 'DELIVERY_FAILED',
        });
        expect(byType['delivery.delayed'].data).toMatchObject({
            status: 'PENDING',
            delay: { stage: 'WAITING_FOR_DRIVER', since: expect.any(String) },
        });
        expect(byType['delivery.delivered'].data.deliveredAt).toEqual(expect.any(String));
        expect((await webhook(endpoint.id)).lastSuccessAt).not.toBeNull();
    });

    it('signs every event so that the README receiver accepts it, with one id per event and no delivery code', async () => {
        const received = receiver.at(path);
        const ids = received.map(request => payload(request).id);
        expect(new Set(ids).size).toBe(received.length);
        const codes = await sql().query<
            Array<{
                deliveryCode: string | null;
            }>
        >(`SELECT "deliveryCode" FROM delivery_assignment`);
        for (const request of received) {
            const body = payload(request);
            expect(request.headers['content-type']).toBe('application/json');
            expect(request.headers['x-delivery-event-id']).toBe(body.id);
            expect(request.headers['x-delivery-event-type']).toBe(body.type);
            expect(request.headers['x-delivery-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
            expect(receiverAccepts(request.headers['x-delivery-signature'], request.body, SECRET)).toBe(true);
            // Another secret, or a changed body, is refused by the same logic.
            expect(receiverAccepts(request.headers['x-delivery-signature'], request.body, `${SECRET}x`)).toBe(
                false,
            );
            expect(
                receiverAccepts(
                    request.headers['x-delivery-signature'],
                    request.body.replace('delivery.', 'x.'),
                    SECRET,
                ),
            ).toBe(false);
            expect(Object.keys(body.data).sort()).toEqual(
                [
                    'assignedAt',
                    'correlationId',
                    'delay',
                    'deliveredAt',
                    'deliveryReference',
                    'orderCode',
                    'pickedUpAt',
                    'previousStatus',
                    'reasonCode',
                    'status',
                ].sort(),
            );
            for (const { deliveryCode } of codes) {
                if (deliveryCode) expect(request.body).not.toContain(`"${deliveryCode}"`);
            }
        }
    });

    it('records an event handled twice once, a job run again sends nothing, and a job early for its backoff waits', async () => {
        const outbox = server.app.get(WebhookOutboxService);
        const [row] = await sql().query<Array<{ id: string; eventRowId: string }>>(
            `SELECT m.id, e.id AS "eventRowId" FROM delivery_webhook_message m
               JOIN delivery_event e ON m."sourceKey" = 'status:' || e.id
              WHERE m."webhookId" = $1 AND m."eventType" = 'DELIVERED'`,
            [endpoint.id],
        );
        const delivered = await assignment(deliveries[0].id);
        const [{ orderId }] = await sql().query<Array<{ orderId: string }>>(
            `SELECT "orderId" FROM delivery_assignment WHERE id = $1`,
            [delivered.id],
        );
        const channelIds = (
            await sql().query<Array<{ channelId: string }>>(
                `SELECT "channelId" FROM delivery_assignment_channels_channel WHERE "deliveryAssignmentId" = $1`,
                [delivered.id],
            )
        ).map(row => row.channelId);
        const ctx = await server.app.get(RequestContextService).create({ apiType: 'admin' });
        // The delivery's move to DELIVERED, published again: as the DeliveryEvent row `eventId` records it.
        const movedToDelivered = (eventId: string) =>
            new DeliveryStatusEvent(
                ctx,
                delivered.id,
                orderId,
                DeliveryStatus.PICKED_UP,
                DeliveryStatus.DELIVERED,
                null,
                delivered.correlationId,
                null,
                null,
                channelIds,
                eventId,
            );
        expect(await outbox.record(movedToDelivered(row.eventRowId))).toEqual([]);
        const before = receiver.at(path).length;
        expect(await outbox.attempt(ctx, row.id)).toBe('skipped');
        await sleep(300);
        expect(receiver.at(path)).toHaveLength(before);
        // The check is real: a move not seen before (another DeliveryEvent id) is recorded.
        const [unseenId] = await outbox.record(movedToDelivered('2147483000'));
        expect(unseenId).toBeDefined();
        // Its job early for its backoff (a job queue without the plugin's backoff): nothing is sent.
        await sql().query(
            `UPDATE delivery_webhook_message SET "nextAttemptAt" = now() + interval '1 hour' WHERE id = $1`,
            [unseenId],
        );
        expect(await outbox.attempt(ctx, unseenId)).toBe('skipped');
        await sleep(300);
        expect(receiver.at(path)).toHaveLength(before);
        await sql().query(
            `UPDATE delivery_webhook_message SET "nextAttemptAt" = now() - interval '1 second' WHERE id = $1`,
            [unseenId],
        );
        expect(await outbox.attempt(ctx, unseenId)).toBe('delivered');
        expect(receiver.at(path)).toHaveLength(before + 1);
    });
});

describe('an endpoint that answers 500 at first', () => {
    it('is retried with backoff, with the same event id and body each time, until it answers 200', async () => {
        const path = '/flaky';
        receiver.respond = (request, earlier) => (request.path === path && earlier.length < 2 ? 500 : 200);
        const endpoint = await addWebhook(path, ['CANCELLED']);
        const [delivery] = await waitingDeliveries(1);
        await adminClient.query(CANCEL_DELIVERY, { id: delivery.id, reason: 'e2e' });
        const attempts = await eventually(
            () => Promise.resolve(receiver.at(path)),
            requests => requests.length >= 3,
            20_000,
        );
        expect(attempts).toHaveLength(3);
        expect(new Set(attempts.map(request => request.headers['x-delivery-event-id'])).size).toBe(1);
        expect(new Set(attempts.map(request => request.body)).size).toBe(1);
        for (const request of attempts) {
            expect(receiverAccepts(request.headers['x-delivery-signature'], request.body, SECRET)).toBe(true);
        }
        // Exponential backoff from 1 s: about 1 s, then about 2 s (the job queue polls every 200 ms).
        const gaps = [attempts[1].at - attempts[0].at, attempts[2].at - attempts[1].at];
        expect(gaps[0]).toBeGreaterThanOrEqual(900);
        expect(gaps[1]).toBeGreaterThanOrEqual(1900);
        const after = await eventually(
            () => webhook(endpoint.id),
            value => value.lastSuccessAt != null,
        );
        expect(after).toMatchObject({ consecutiveFailures: 0, failing: false, lastError: 'HTTP 500' });
        await sleep(1500);
        expect(receiver.at(path)).toHaveLength(3);
    }, 30_000);
});

describe('a worker restart while a retry is pending', () => {
    it('sends the same event id after the restart', async () => {
        const path = '/restart';
        let restarted = false;
        receiver.respond = request => (request.path === path && !restarted ? 500 : 200);
        await addWebhook(path, ['CANCELLED']);
        const [delivery] = await waitingDeliveries(1);
        await adminClient.query(CANCEL_DELIVERY, { id: delivery.id, reason: 'e2e' });
        await eventually(
            () => Promise.resolve(receiver.at(path)),
            requests => requests.length >= 1,
        );
        const firstId = receiver.at(path)[0].headers['x-delivery-event-id'];
        // The process goes away with the retry pending in the job queue, and comes back.
        await server.destroy();
        const whileDown = receiver.at(path).length;
        restarted = true;
        await server.bootstrap();
        const after = await eventually(
            () => Promise.resolve(receiver.at(path)),
            requests => requests.length > whileDown,
            20_000,
        );
        const resent = after.slice(whileDown);
        expect(resent.length).toBeGreaterThanOrEqual(1);
        expect(resent.every(request => request.headers['x-delivery-event-id'] === firstId)).toBe(true);
        expect(receiverAccepts(resent[0].headers['x-delivery-signature'], resent[0].body, SECRET)).toBe(true);
        // The worker records the success after the receiver answered: wait for that write.
        const row = await eventually(
            async () =>
                (
                    await sql().query<Array<{ status: string; attempts: number }>>(
                        `SELECT status, attempts FROM delivery_webhook_message WHERE "eventId" = $1`,
                        [firstId],
                    )
                )[0],
            message => message?.status === 'DELIVERED',
            10_000,
        );
        expect(row).toMatchObject({ status: 'DELIVERED', attempts: after.length });
    }, 60_000);
});

describe('endpoints that fail or must not be reached', () => {
    const options = () =>
        server.app.get<symbol, ResolvedDriverDispatchOptions>(DRIVER_DISPATCH_PLUGIN_OPTIONS).webhooks;
    afterEach(() => {
        options().allowPrivateTargets = true;
    });

    it('reports an endpoint that keeps failing, with its last error', async () => {
        // A port nobody listens on.
        const closed = new WebhookReceiver();
        const closedPort = await closed.start();
        await closed.stop();
        const endpoint = await addWebhook('/down', ['CANCELLED'], `http://127.0.0.1:${closedPort}/down`);
        const [delivery] = await waitingDeliveries(1);
        await adminClient.query(CANCEL_DELIVERY, { id: delivery.id, reason: 'e2e' });
        const failing = await eventually(
            () => webhook(endpoint.id),
            value => value.failing,
            15_000,
        );
        expect(failing).toMatchObject({ failing: true, pendingEvents: 1, lastSuccessAt: null });
        expect(failing.consecutiveFailures).toBeGreaterThanOrEqual(2);
        expect(failing.lastError).toMatch(/ECONNREFUSED/);
        await adminClient.query(UPDATE_WEBHOOK, { input: { id: endpoint.id, enabled: false } });
    }, 30_000);

    it('refuses private targets without the option: when saved, and after DNS resolution when sent', async () => {
        // Saved while allowed, a host name that resolves to loopback.
        const local = await addWebhook('/local', ['CANCELLED'], `http://localhost:${port}/local`);
        options().allowPrivateTargets = false;
        for (const url of [
            `http://127.0.0.1:${port}/x`,
            `http://localhost:${port}/x`,
            `http://[::1]:${port}/x`,
            'http://169.254.169.254/latest/meta-data',
            'http://10.0.0.8/hook',
        ]) {
            const before = await sql().query(`SELECT count(*)::int AS n FROM delivery_webhook`);
            await expect(
                adminClient.query(CREATE_WEBHOOK, { input: { url, secret: SECRET, events: ['CANCELLED'] } }),
            ).rejects.toThrow(/private, loopback or link-local|local name/);
            expect(await sql().query(`SELECT count(*)::int AS n FROM delivery_webhook`)).toEqual(before);
        }
        const [delivery] = await waitingDeliveries(1);
        await adminClient.query(CANCEL_DELIVERY, { id: delivery.id, reason: 'e2e' });
        const refused = await eventually(
            () => webhook(local.id),
            value => value.lastError != null,
        );
        expect(refused.lastError).toMatch(/localhost resolves to (127\.0\.0\.1|::1).*not sent/);
        expect(receiver.at('/local')).toHaveLength(0);
        await adminClient.query(UPDATE_WEBHOOK, { input: { id: local.id, enabled: false } });
    }, 30_000);
});

describe('bad input', () => {
    const count = async () =>
        // What staff set (the failure counters of other endpoints move in the background).
        (
            await sql().query<Array<{ n: number; digest: string }>>(
                `SELECT count(*)::int AS n,
                        md5(string_agg(concat_ws(',', id, url, secret, events, enabled), '|' ORDER BY id)) AS digest
                   FROM delivery_webhook`,
            )
        )[0];

    it.each([
        ['a URL that is not one', { url: 'hooks example com' }, /not a valid absolute URL/],
        ['an ftp URL', { url: 'ftp://hooks.example.com/x' }, /https:\/\/ or http:\/\//],
        [
            'a URL of over 2 000 characters',
            { url: `https://hooks.example.com/${'a'.repeat(1980)}` },
            /too long/,
        ],
        ['a URL with a password', { url: 'https://u:p@hooks.example.com/' }, /user name or password/],
        ['a secret of 129 characters', { secret: 's'.repeat(129) }, /secret is too long/],
        ['a secret of 15 characters', { secret: 's'.repeat(15) }, /secret is too short/],
        ['a secret with NUL', { secret: `whsec_${'\u0000'}0123456789abc` }, /control characters/],
        ['no events', { events: [] }, /events is empty/],
        ['an unknown event type', { events: ['EXPLODED'] }, /EXPLODED|DeliveryWebhookEventType/],
    ])('refuses %s and changes nothing', async (_label, change, message) => {
        const before = await count();
        const input = {
            url: 'https://hooks.example.com/delivery',
            secret: SECRET,
            events: ['DELIVERED'],
            ...change,
        };
        await expect(adminClient.query(CREATE_WEBHOOK, { input })).rejects.toThrow(message);
        expect(await count()).toEqual(before);
    });

    it('refuses a bad update and keeps the endpoint as it was', async () => {
        const endpoint = await addWebhook('/kept', ['DELIVERED']);
        const before = await count();
        for (const change of [{ url: 'gopher://x.example.com' }, { secret: 'short' }, { events: [] }]) {
            await expect(
                adminClient.query(UPDATE_WEBHOOK, { input: { id: endpoint.id, ...change } }),
            ).rejects.toThrow();
        }
        expect(await count()).toEqual(before);
        expect(await webhook(endpoint.id)).toEqual(endpoint);
    });

    it('never returns the secret', async () => {
        const { createDeliveryWebhook } = await adminClient.query(CREATE_WEBHOOK, {
            input: {
                url: 'https://hooks.example.com/secret',
                secret: 'whsec_never_shown_123456',
                events: ['DELAYED'],
            },
        });
        expect(JSON.stringify(createDeliveryWebhook)).not.toContain('whsec_never_shown_123456');
        await expect(
            adminClient.query(// A field the type does not have.
            gql`
                query {
                    deliveryWebhooks {
                        items {
                            id
                            secret
                        }
                    }
                }
            `),
        ).rejects.toThrow(/Cannot query field "secret"/);
    });
});
