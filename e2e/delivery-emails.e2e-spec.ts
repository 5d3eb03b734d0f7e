/**
 * The customer's delivery emails through Vendure's email plugin and its dev mailbox, on a real
 * server: a delivery assigned, picked up and delivered sends three emails to the customer of the
 * order they placed (the aggregate order of a marketplace), the first with the driver's name, the
 * ETA, the tracking link and the delivery code; a failed delivery says what happens next; a
 * delivery event published again, also concurrently, sends nothing more.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';

import { ModuleRef } from '@nestjs/core';
import { EventBus, Injector, RequestContextService, TransactionalConnection } from '@vendure/core';
import { EmailSendEvent } from '@vendure/email-plugin';
import { createTestEnvironment } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    DeliveryAssignedEvent,
    DeliveryNotificationKind,
    DeliveryNotificationService,
    DeliveryStatus,
    DeliveryStatusEvent,
    runDispatchSweep,
} from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { e2eEnv } from './config/e2e-env';
import { PlacedOrder, placePaidOrder } from './fixtures/checkout';
import { dispatchWaitingNow } from './fixtures/dispatch';
import { asDemoDriver, asSuperadmin } from './fixtures/logins';
import { Mailbox, MailboxEmail } from './fixtures/mailbox';
import {
    ActionResult,
    ASSIGNMENT,
    Assignment,
    CONFIRM_DELIVERY,
    CONFIRM_PICKUP,
    DELIVERY_TRACKING,
    DeliveryTrackingEntry,
    DeliveryTrackingResult,
    DriverRow,
    DRIVERS,
    DriversResult,
    MARK_READY,
    MarkReadyResult,
    REASSIGN,
    RETRY_DELIVERY,
} from './graphql/dispatch-documents';
import { eventually } from './utils/eventually';

const REPORT_FAILED = gql`
    mutation ReportFailed($id: ID!, $reasonCode: String!) {
        reportDeliveryFailed(assignmentId: $id, reasonCode: $reasonCode) {
            __typename
            ... on DeliveryAssignment {
                status
            }
        }
    }
`;
const ORDER_CUSTOMER = gql`
    query OrderCustomer($id: ID!) {
        order(id: $id) {
            customer {
                emailAddress
            }
        }
    }
`;

const city = loadDemoCity();
const config = e2eConfig(__filename, { env: { DEV_MAILBOX: 'true' } });
const baseUrl = `http://localhost:${config.apiOptions.port}`;
const { server, adminClient, shopClient } = createTestEnvironment(config);
const sql = () => server.app.get(TransactionalConnection).rawConnection;
const mailbox = new Mailbox(baseUrl);
/** Every email the email plugin sent, from its own EmailSendEvent (files of one millisecond could share a name). */
const sent: EmailSendEvent[] = [];

let fleet: DriverRow[];

beforeAll(async () => {
    // The mailbox of an earlier run of this file (same data dir) starts empty.
    rmSync(path.join(e2eEnv('tmpDir'), path.basename(__filename), 'mailbox'), {
        recursive: true,
        force: true,
    });
    await server.init({ initialData: demoInitialData, customerCount: 1 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    await asSuperadmin(adminClient);
    await sql().query(`UPDATE driver SET status = 'OFFLINE'`);
    fleet = (await adminClient.query<DriversResult>(DRIVERS)).drivers.items;
    server.app
        .get(EventBus)
        .ofType(EmailSendEvent)
        .subscribe(event => sent.push(event));
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

async function assignment(id: string): Promise<Assignment> {
    await asSuperadmin(adminClient);
    return (await adminClient.query<{ deliveryAssignment: Assignment }>(ASSIGNMENT, { id }))
        .deliveryAssignment;
}

interface Delivery {
    order: PlacedOrder;
    customerEmail: string;
    customerToken: string;
    assignment: Assignment;
    driver: DriverRow;
}

/** A paid order of the first seller by a new guest, marked ready while nobody is on duty: PENDING. */
async function waitingDelivery(): Promise<Omit<Delivery, 'driver'>> {
    await asSuperadmin(adminClient);
    // Drivers freed by an earlier test are off duty again: the delivery waits.
    await sql().query(`UPDATE driver SET status = 'OFFLINE' WHERE status = 'AVAILABLE'`);
    const order = await placePaidOrder({ adminClient, shopClient }, [city.sellers[0].code]);
    const customerToken = shopClient.getAuthToken() ?? '';
    const { order: placed } = await adminClient.query(ORDER_CUSTOMER, { id: order.id });
    const marked = (
        await adminClient.query<MarkReadyResult>(MARK_READY, { orderId: order.sellerOrders[0].id })
    ).markOrderReadyForDispatch;
    return {
        order,
        customerEmail: placed.customer.emailAddress,
        customerToken,
        assignment: await assignment(marked.id as string),
    };
}

/** A paid order of the first seller by a new guest, marked ready and dispatched to the given driver. */
async function assignedDelivery(driver: DriverRow): Promise<Delivery> {
    const { assignment: waiting, ...delivery } = await waitingDelivery();
    const { latitude, longitude } = waiting.pickupStockLocation.customFields;
    await sql().query(
        `UPDATE driver SET status = 'AVAILABLE', latitude = $2, longitude = $3, "lastSeenAt" = now() WHERE id::text = $1`,
        [driver.id, latitude + 0.01, longitude],
    );
    // The only driver on duty: a dispatch job now, not the delivery's next retry.
    await dispatchWaitingNow(server.app, waiting);
    const assigned = await eventually(
        () => assignment(waiting.id),
        value => value.status === 'ASSIGNED',
    );
    expect(assigned).toMatchObject({ status: 'ASSIGNED', driver: { id: driver.id } });
    return { ...delivery, assignment: assigned, driver };
}

async function tracking(delivery: Delivery): Promise<DeliveryTrackingEntry> {
    shopClient.setAuthToken(delivery.customerToken);
    const { deliveryTracking } = await shopClient.query<DeliveryTrackingResult>(DELIVERY_TRACKING, {
        orderCode: delivery.order.code,
    });
    expect(deliveryTracking).toHaveLength(1);
    return deliveryTracking[0];
}

/** The customer's emails with the given subject, once there are `count` of them (or the time is up). */
async function emailsWithSubject(to: string, subject: string, count = 1): Promise<MailboxEmail[]> {
    const emails = await eventually(
        async () => (await mailbox.emailsTo(to)).filter(email => email.subject === subject),
        found => found.length >= count,
        20_000,
    );
    expect(emails).toHaveLength(count);
    return emails;
}

/** No stack traces, no unfilled values, no raw objects in what the customer reads. */
function expectCleanText(email: MailboxEmail) {
    expect(email.text).not.toMatch(/undefined|null|NaN|\[object|Error|\bat \S+ \(|{{|}}/);
    expect(email.subject).not.toMatch(/undefined|null|{{/);
}

/** Reports the delivery FAILED (as whoever is logged in) and waits for the customer's email about it. */
async function failedEmail(
    delivery: Omit<Delivery, 'driver'>,
    reasonCode: 'DELIVERY_FAILED' | 'TIMEOUT',
): Promise<MailboxEmail> {
    const { reportDeliveryFailed } = await adminClient.query(REPORT_FAILED, {
        id: delivery.assignment.id,
        reasonCode,
    });
    expect(reportDeliveryFailed).toMatchObject({ status: 'FAILED' });
    const [email] = await emailsWithSubject(
        delivery.customerEmail,
        `We could not deliver order ${delivery.order.code}`,
    );
    return email;
}

async function asDriver(delivery: Delivery) {
    await asDemoDriver(adminClient, delivery.driver.emailAddress);
}

/** Waits until no send-email job is waiting or running: every email that will be sent has been. */
async function emailQueueSettled() {
    const open = await eventually(
        async () =>
            Number(
                (
                    await sql().query(
                        `SELECT count(*) AS n FROM job_record WHERE "queueName" = 'send-email' AND state IN ('PENDING', 'RUNNING', 'RETRYING')`,
                    )
                )[0].n,
            ),
        n => n === 0,
        20_000,
    );
    expect(open).toBe(0);
}

function sentTo(to: string, subject: string): EmailSendEvent[] {
    return sent.filter(
        event => event.success && event.details.recipient === to && event.details.subject === subject,
    );
}

describe('delivery emails', () => {
    let delivery: Delivery;

    it('serves the dev mailbox at /mailbox and /mailbox/list', async () => {
        const page = await fetch(`${baseUrl}/mailbox`);
        expect(page.status).toBe(200);
        expect(await page.text()).toMatch(/<html/i);
        expect(Array.isArray(await mailbox.list())).toBe(true);
    });

    it("emails the customer that the driver is on the way: the driver's name, the ETA, the tracking link and the code", async () => {
        delivery = await assignedDelivery(fleet[0]);
        const entry = await tracking(delivery);
        expect(entry).toMatchObject({ status: 'ASSIGNED', driverName: fleet[0].name });
        expect(entry.trackingUrl).toMatch(new RegExp(`^${baseUrl}/track/[A-Za-z0-9_-]{32}$`));
        expect(entry.deliveryCode).toMatch(/^\d{6}$/);
        expect(entry.etaMinutes).toBeGreaterThan(0);
        const [email] = await emailsWithSubject(
            delivery.customerEmail,
            `Your driver is on the way with order ${delivery.order.code}`,
        );
        expect(email.text).toContain(`${fleet[0].name} is on the way with your order ${delivery.order.code}`);
        expect(email.text).toContain(`from ${delivery.assignment.pickupStockLocation.name}`);
        // The driver has not moved since: the ETA of the email is the one the customer sees.
        expect(email.text).toContain(`Expected in about ${entry.etaMinutes} minutes`);
        expect(email.text).toContain(`Your delivery code is ${entry.deliveryCode}`);
        expect(email.body).toContain(`href="${entry.trackingUrl}"`);
        // The link works: this server's tracking page for this delivery.
        const page = await fetch(entry.trackingUrl ?? 'no link');
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.headers.get('referrer-policy')).toBe('no-referrer');
        expect(email.from).toContain('noreply@example.com');
        expectCleanText(email);
        // Vendure's own emails keep working beside the delivery ones.
        await emailsWithSubject(delivery.customerEmail, `Order confirmation for #${delivery.order.code}`);
    });

    it('emails the customer when the order is picked up, and when it is delivered', async () => {
        const { deliveryCode, trackingUrl } = await tracking(delivery);
        await asDriver(delivery);
        await adminClient.query(CONFIRM_PICKUP, { id: delivery.assignment.id });
        const [pickedUp] = await emailsWithSubject(
            delivery.customerEmail,
            `Order ${delivery.order.code} has been picked up`,
        );
        expect(pickedUp.text).toContain(`${fleet[0].name} has collected your order ${delivery.order.code}`);
        expect(pickedUp.text).toContain(`Have your delivery code ready: ${deliveryCode}`);
        expect(pickedUp.body).toContain(`href="${trackingUrl}"`);
        expectCleanText(pickedUp);

        await asDriver(delivery);
        const { confirmDelivery } = await adminClient.query(CONFIRM_DELIVERY, {
            id: delivery.assignment.id,
            code: deliveryCode,
        });
        expect(confirmDelivery).toMatchObject({ status: 'DELIVERED' });
        const [delivered] = await emailsWithSubject(
            delivery.customerEmail,
            `Order ${delivery.order.code} has been delivered`,
        );
        expect(delivered.text).toContain(`has been delivered by ${fleet[0].name}`);
        // The code is spent: the delivered email does not repeat it.
        expect(delivered.text).not.toContain(deliveryCode ?? 'no code');
        expectCleanText(delivered);
        const subjects = (await mailbox.emailsTo(delivery.customerEmail)).filter(email =>
            email.subject.includes(delivery.order.code),
        );
        expect(subjects.map(email => email.subject).sort()).toEqual(
            [
                `Order confirmation for #${delivery.order.code}`,
                `Order ${delivery.order.code} has been delivered`,
                `Order ${delivery.order.code} has been picked up`,
                `Your driver is on the way with order ${delivery.order.code}`,
            ].sort(),
        );
    });

    it('emails the customer of a failed delivery what happens next', async () => {
        const failing = await assignedDelivery(fleet[1]);
        await emailsWithSubject(
            failing.customerEmail,
            `Your driver is on the way with order ${failing.order.code}`,
        );
        await asDriver(failing);
        const email = await failedEmail(failing, 'DELIVERY_FAILED');
        expect(email.text).toContain(
            `your order ${failing.order.code} from ${failing.assignment.pickupStockLocation.name} could not be delivered, because the driver could not hand your order over at your address`,
        );
        expect(email.text).toContain('What happens next: your order is not cancelled');
        expectCleanText(email);
    });

    it('emails the customer of a delivery staff gave up on while it waited for a driver', async () => {
        const waiting = await waitingDelivery();
        expect(waiting.assignment).toMatchObject({ status: 'PENDING', driver: null });
        await asSuperadmin(adminClient);
        const email = await failedEmail(waiting, 'TIMEOUT');
        expect(email.text).toContain(
            'could not be delivered, because the delivery took too long to complete',
        );
        expect(email.text).toContain('What happens next: your order is not cancelled');
        expectCleanText(email);
    });

    it('tells the customer again when a failed delivery is retried, also when staff give it to the same driver', async () => {
        const retried = await assignedDelivery(fleet[4]);
        const onTheWay = `Your driver is on the way with order ${retried.order.code}`;
        await emailsWithSubject(retried.customerEmail, onTheWay);
        await asDriver(retried);
        await failedEmail(retried, 'DELIVERY_FAILED');
        await asSuperadmin(adminClient);
        const { retryDelivery } = await adminClient.query<{ retryDelivery: ActionResult }>(RETRY_DELIVERY, {
            id: retried.assignment.id,
        });
        expect(retryDelivery).toMatchObject({ status: 'PENDING' });
        // The driver who failed it is not offered it again by dispatch: staff choose them.
        const { reassignDelivery } = await adminClient.query<{ reassignDelivery: ActionResult }>(REASSIGN, {
            id: retried.assignment.id,
            driverId: retried.driver.id,
        });
        expect(reassignDelivery).toMatchObject({ status: 'ASSIGNED' });
        const emails = await emailsWithSubject(retried.customerEmail, onTheWay, 2);
        for (const email of emails) {
            expect(email.text).toContain(retried.driver.name);
            expectCleanText(email);
        }
        // The first attempt's events handled again, after the retry: they belong to attempt 0,
        // which was told already.
        const { id, correlationId } = retried.assignment;
        const orderId = retried.order.sellerOrders[0].id;
        const ctx = await server.app.get(RequestContextService).create({ apiType: 'admin' });
        const eventBus = server.app.get(EventBus);
        await eventBus.publish(
            new DeliveryAssignedEvent(ctx, id, orderId, retried.driver.id, 1, correlationId),
        );
        await eventBus.publish(
            new DeliveryStatusEvent(
                ctx,
                id,
                orderId,
                DeliveryStatus.ASSIGNED,
                DeliveryStatus.FAILED,
                'DELIVERY_FAILED',
                correlationId,
                retried.driver.id,
            ),
        );
        await new Promise(resolve => setTimeout(resolve, 1000));
        await emailQueueSettled();
        expect(sentTo(retried.customerEmail, onTheWay)).toHaveLength(2);
        expect(
            sentTo(retried.customerEmail, `We could not deliver order ${retried.order.code}`),
        ).toHaveLength(1);
        const rows = await sql().query(
            `SELECT kind, attempt FROM delivery_notification WHERE "assignmentId"::text = $1 ORDER BY id`,
            [id],
        );
        expect(rows).toEqual([
            { kind: 'DRIVER_ASSIGNED', attempt: 0 },
            { kind: 'FAILED', attempt: 0 },
            { kind: 'DRIVER_ASSIGNED', attempt: 1 },
        ]);
        expect(
            (await sql().query(`SELECT attempt FROM delivery_assignment WHERE id::text = $1`, [id]))[0],
        ).toEqual({
            attempt: 1,
        });
    });

    it('sends nothing more when a delivery event is published again, also concurrently', async () => {
        const repeated = await assignedDelivery(fleet[2]);
        const onTheWay = `Your driver is on the way with order ${repeated.order.code}`;
        const pickedUp = `Order ${repeated.order.code} has been picked up`;
        await emailsWithSubject(repeated.customerEmail, onTheWay);
        const { id, correlationId } = repeated.assignment;
        const orderId = repeated.order.sellerOrders[0].id;
        const ctx = await server.app.get(RequestContextService).create({ apiType: 'admin' });
        const eventBus = server.app.get(EventBus);
        const assigned = () =>
            new DeliveryAssignedEvent(ctx, id, orderId, repeated.driver.id, 1, correlationId);
        const pickup = () =>
            new DeliveryStatusEvent(
                ctx,
                id,
                orderId,
                DeliveryStatus.ASSIGNED,
                DeliveryStatus.PICKED_UP,
                null,
                correlationId,
                repeated.driver.id,
            );
        // The assignment again (twice, at once), and its pickup five times at once before the
        // driver's own pickup publishes it once more.
        await Promise.all([eventBus.publish(assigned()), eventBus.publish(assigned())]);
        await Promise.all(Array.from({ length: 5 }, () => eventBus.publish(pickup())));
        await emailsWithSubject(repeated.customerEmail, pickedUp);
        await asDriver(repeated);
        await adminClient.query(CONFIRM_PICKUP, { id });
        // Called directly, at once: none of them wins a step that was told already.
        const notifications = server.app.get(DeliveryNotificationService);
        const again = await Promise.all(
            Array.from({ length: 4 }, () =>
                notifications.notify(ctx, {
                    kind: DeliveryNotificationKind.PICKED_UP,
                    assignmentId: id,
                    driverId: repeated.driver.id,
                    reasonCode: null,
                }),
            ),
        );
        expect(again).toEqual([false, false, false, false]);
        await eventually(
            () => assignment(id),
            value => value.status === 'PICKED_UP',
        );
        await new Promise(resolve => setTimeout(resolve, 1000));
        await emailQueueSettled();
        expect(sentTo(repeated.customerEmail, onTheWay)).toHaveLength(1);
        expect(sentTo(repeated.customerEmail, pickedUp)).toHaveLength(1);
        // (Vendure's order confirmations come too, one per order: the aggregate's and the seller's.)
        const deliveryEmails = (await mailbox.emailsTo(repeated.customerEmail)).filter(
            email => !email.subject.startsWith('Order confirmation'),
        );
        expect(deliveryEmails.map(email => email.subject).sort()).toEqual([pickedUp, onTheWay].sort());
        const rows = await sql().query(
            `SELECT kind, count(*)::int AS n FROM delivery_notification WHERE "assignmentId"::text = $1 GROUP BY kind ORDER BY kind`,
            [id],
        );
        expect(rows).toEqual([
            { kind: 'DRIVER_ASSIGNED', n: 1 },
            { kind: 'PICKED_UP', n: 1 },
        ]);
    });

    it('sends, from the sweep, an email whose step committed in a process that died before telling the customer, and not one the delivery has moved past', async () => {
        const lost = await assignedDelivery(fleet[3]);
        const pickedUp = `Order ${lost.order.code} has been picked up`;
        const delivered = `Order ${lost.order.code} has been delivered`;
        await emailsWithSubject(
            lost.customerEmail,
            `Your driver is on the way with order ${lost.order.code}`,
        );
        const { deliveryCode } = await tracking(lost);
        // The pickup and the delivery commit (and their rows with them), and the process dies before
        // its post-commit publication: here, that publication does nothing.
        const notifications = server.app.get(DeliveryNotificationService);
        const publish = jest.spyOn(notifications, 'publish').mockResolvedValue('taken');
        try {
            await asDriver(lost);
            await adminClient.query(CONFIRM_PICKUP, { id: lost.assignment.id });
            const { confirmDelivery } = await adminClient.query(CONFIRM_DELIVERY, {
                id: lost.assignment.id,
                code: deliveryCode,
            });
            expect(confirmDelivery).toMatchObject({ status: 'DELIVERED' });
            await eventually(
                () => Promise.resolve(publish.mock.calls.length),
                calls => calls >= 2,
            );
        } finally {
            publish.mockRestore();
        }
        const rowsOf = (): Promise<Array<{ id: string; kind: string; published: boolean }>> =>
            sql().query(
                `SELECT id::text AS id, kind, "publishedAt" IS NOT NULL AS published FROM delivery_notification
                  WHERE "assignmentId"::text = $1 AND kind IN ('PICKED_UP', 'DELIVERED') ORDER BY kind`,
                [lost.assignment.id],
            );
        const left = await rowsOf();
        expect(left.map(({ kind, published }) => ({ kind, published }))).toEqual([
            { kind: 'DELIVERED', published: false },
            { kind: 'PICKED_UP', published: false },
        ]);
        const ctx = await server.app.get(RequestContextService).create({ apiType: 'admin' });
        const sweep = () => runDispatchSweep(new Injector(server.app.get(ModuleRef)), ctx);
        // Within the grace minute the rows are not the sweep's: their own process may still publish.
        expect((await sweep()).notificationsPublished).toEqual([]);
        await sql().query(
            `UPDATE delivery_notification SET "createdAt" = "createdAt" - interval '2 minutes' WHERE "assignmentId"::text = $1`,
            [lost.assignment.id],
        );
        const swept = await sweep();
        expect(swept.notificationsPublished.map(String)).toEqual([left[0].id]);
        expect((await rowsOf()).every(row => row.published)).toBe(true);
        const [email] = await emailsWithSubject(lost.customerEmail, delivered);
        expect(email.text).toContain(`has been delivered by ${fleet[3].name}`);
        // Swept again: nothing more; and the pickup, over by the time of the sweep, was not sent.
        expect((await sweep()).notificationsPublished).toEqual([]);
        await emailQueueSettled();
        expect(sentTo(lost.customerEmail, delivered)).toHaveLength(1);
        expect(sentTo(lost.customerEmail, pickedUp)).toHaveLength(0);
    });

    it('sent every delivery email once, in the email plugin as in the mailbox', async () => {
        await emailQueueSettled();
        const deliveryEmails = sent.filter(event => event.metadata?.kind);
        const keys = deliveryEmails.map(event =>
            [
                event.metadata?.assignmentId,
                event.metadata?.kind,
                event.metadata?.attempt,
                event.metadata?.driverId,
                event.details.recipient,
            ].join(' '),
        );
        expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
        // 3 (delivered) + 2 (failed) + 1 (failed waiting) + 3 (retried) + 2 (repeated) + 2 (the
        // sweep's: on the way, delivered).
        expect(deliveryEmails).toHaveLength(13);
        expect(deliveryEmails.every(event => event.success)).toBe(true);
        // Without a driver only the failure of a delivery that waited for one.
        expect(
            deliveryEmails
                .filter(event => event.metadata?.driverId == null)
                .map(event => event.metadata?.kind),
        ).toEqual(['FAILED']);
        expect(deliveryEmails.filter(event => event.metadata?.attempt === 1)).toHaveLength(1);
    });
});
