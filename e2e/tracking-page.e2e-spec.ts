/**
 * The tracking page over plain HTTP (the browser test is tracking-page-browser.e2e-spec.ts): the
 * headers that keep the link a secret, one not-found answer for every link that does not work,
 * expiry after the delivery ended, the per-token and per-address request limits (and their Redis
 * counters shared by processes), the link kept through a retry, and a JSON that never holds the order code, ids, the driver's last name or the
 * customer's details.
 */
import http from 'node:http';

import { ConfigService, TransactionalConnection } from '@vendure/core';
import { createTestEnvironment } from '@vendure/testing';

import { TrackingRateLimiter } from '../plugins/driver-dispatch';
import { loadDemoCity } from '../src/demo/demo-data';
import { demoInitialData, populateDemoMarketplace } from '../src/demo/populate-demo';
import { e2eConfig } from './config/e2e-config';
import { e2eEnv } from './config/e2e-env';
import { asDemoDriver, asSuperadmin } from './fixtures/logins';
import {
    assignmentOf,
    readyDelivery,
    TrackedDelivery,
    trackedDelivery,
    TrackingWorld,
} from './fixtures/tracking';
import {
    CANCEL_DELIVERY,
    CONFIRM_DELIVERY,
    CONFIRM_PICKUP,
    REPORT_FAILED,
    RETRY_DELIVERY,
} from './graphql/dispatch-documents';

const REQUESTS_PER_MINUTE = 12;
/** Above what the other tests ask from 127.0.0.1 in a minute; the last test runs into it. */
const REQUESTS_PER_MINUTE_PER_ADDRESS = 250;
const VIEW_KEYS = [
    'deliveryCode',
    'driver',
    'etaMinutes',
    'pollAfterSeconds',
    'status',
    'store',
    'timeZone',
    'timeline',
];

const city = loadDemoCity();
const { server, adminClient, shopClient } = createTestEnvironment(
    e2eConfig(__filename, {
        dispatch: {
            tracking: {
                requestsPerMinute: REQUESTS_PER_MINUTE,
                requestsPerMinutePerAddress: REQUESTS_PER_MINUTE_PER_ADDRESS,
            },
        },
    }),
);
const sql = () => server.app.get(TransactionalConnection).rawConnection;
const world: TrackingWorld = { adminClient, shopClient, sql, app: () => server.app };

let base: string;
let driverId: string;

/** A well-formed token no delivery has. */
const unknownToken = () =>
    Buffer.from(`no-such-delivery-${Math.random()}`).toString('base64url').padEnd(32, 'x');

async function view(token: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${base}/track/${token}/status`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(keysOf);
    if (value && typeof value === 'object') {
        return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
    }
    return [];
}

async function staff(document: unknown, variables: Record<string, unknown>) {
    await asSuperadmin(adminClient);
    return adminClient.query(document as never, variables);
}

function expectSecretHeaders(response: Response) {
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; " +
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('set-cookie')).toBeNull();
}

beforeAll(async () => {
    await server.init({ initialData: demoInitialData, customerCount: 1 });
    await populateDemoMarketplace(server.app, { withInitialData: false });
    base = `http://127.0.0.1:${server.app.get(ConfigService).apiOptions.port}`;
    const [maria] = await sql().query(`SELECT id FROM driver WHERE name = 'Maria Gonzalez'`);
    driverId = String(maria.id);
}, 180_000);

afterAll(async () => {
    await server.destroy();
});

describe('the tracking page over HTTP', () => {
    let followed: TrackedDelivery;

    it('serves the page and its JSON with no-referrer, noindex, a strict CSP and no-store, and no cookie', async () => {
        followed = await trackedDelivery(world, city.sellers[0].code, driverId);
        const page = await fetch(`${base}/track/${followed.token}`);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(page.headers.get('cache-control')).toBe('no-store');
        expectSecretHeaders(page);
        const html = await page.text();
        expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
        expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
        expect(html).toContain('Maria is on the way to the store');
        expect(html).not.toMatch(/<script>|style=/);

        const status = await fetch(`${base}/track/${followed.token}/status`);
        expect(status.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(status.headers.get('cache-control')).toBe('no-store');
        expectSecretHeaders(status);

        const script = await fetch(`${base}/track/assets/tracking-page.js`);
        expect(script.status).toBe(200);
        expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expectSecretHeaders(script);
        const post = await fetch(`${base}/track/${followed.token}`, { method: 'POST', body: 'x' });
        expect(post.status).toBe(405);
    });

    it('gives only what the page shows: first name, position while on the way, no ids, codes or customer details', async () => {
        const [customer] = await sql().query(
            `SELECT c."emailAddress" AS email, c."lastName" AS "lastName", c."phoneNumber" AS phone,
                    o."shippingAddress" AS address
               FROM "order" o JOIN customer c ON c.id = o."customerId" WHERE o.code = $1`,
            [followed.order.code],
        );
        const street = JSON.parse(customer.address).streetLine1 as string;
        const forbidden = [...followed.secrets, 'Gonzalez', customer.email, customer.lastName, street].filter(
            Boolean,
        );

        const assigned = await view(followed.token);
        expect(Object.keys(assigned).sort()).toEqual(VIEW_KEYS);
        expect(assigned).toMatchObject({
            status: 'ASSIGNED',
            driver: { firstName: 'Maria' },
            store: { name: followed.pickup.name },
            pollAfterSeconds: 5,
        });
        expect(assigned.deliveryCode).toMatch(/^\d{6}$/);
        expect(typeof assigned.etaMinutes).toBe('number');
        expect((assigned.driver as { latitude: number }).latitude).toBeCloseTo(
            followed.pickup.customFields.latitude + 0.009,
            6,
        );

        // A move committed by any process (here straight to the database) shows at the next poll.
        await sql().query(`UPDATE driver SET latitude = latitude + 0.001 WHERE id = $1`, [driverId]);
        expect(((await view(followed.token)).driver as { latitude: number }).latitude).toBeCloseTo(
            followed.pickup.customFields.latitude + 0.01,
            6,
        );

        await staff(CONFIRM_PICKUP, { id: followed.assignmentId });
        const pickedUp = await view(followed.token);
        expect(pickedUp).toMatchObject({ status: 'PICKED_UP', driver: { firstName: 'Maria' } });
        expect(pickedUp.deliveryCode).toBe(assigned.deliveryCode);

        await staff(CONFIRM_DELIVERY, { id: followed.assignmentId });
        const delivered = await view(followed.token);
        expect(delivered).toMatchObject({
            status: 'DELIVERED',
            driver: null,
            deliveryCode: null,
            etaMinutes: null,
            pollAfterSeconds: null,
        });
        // Every move, as the delivery's events record them (a dispatch job may have raced the staff's
        // assignment: then PENDING, ASSIGNED twice), ending in the pickup and the delivery.
        const moves = (await assignmentOf(world, followed.assignmentId)).events.map(event => event.toStatus);
        const timeline = (delivered.timeline as Array<{ status: string }>).map(entry => entry.status);
        expect(timeline).toEqual(moves);
        expect(timeline.slice(0, 2)).toEqual(['PENDING', 'ASSIGNED']);
        expect(timeline.slice(-2)).toEqual(['PICKED_UP', 'DELIVERED']);
        for (const json of [assigned, pickedUp, delivered]) {
            expect(keysOf(json).filter(key => /id$/i.test(key))).toEqual([]);
            const text = JSON.stringify(json);
            for (const secret of forbidden) expect(text).not.toContain(secret);
        }
    });

    it('answers every link that does not work with the same not-found page, and expires a link 24 h after the end', async () => {
        const wrong = [
            unknownToken(),
            unknownToken(),
            'short',
            `${followed.token.slice(0, 10)}%00${followed.token.slice(13)}`,
            'a'.repeat(65),
            'b'.repeat(5000),
            `${followed.token}/elsewhere`,
        ];
        const reference = await fetch(`${base}/track/${wrong[0]}`);
        expect(reference.status).toBe(404);
        expectSecretHeaders(reference);
        expect(reference.headers.get('cache-control')).toBe('no-store');
        const notFound = await reference.text();
        expect(notFound).toContain('<meta name="robots" content="noindex, nofollow">');
        for (const path of wrong.slice(1)) {
            const response = await fetch(`${base}/track/${path}`);
            expect({ path, status: response.status, body: await response.text() }).toEqual({
                path,
                status: 404,
                body: notFound,
            });
        }
        const wrongJson = await (await fetch(`${base}/track/${wrong[0]}/status`)).text();
        // The status of a malformed token: the same JSON, refused before any lookup.
        for (const path of ['short', 'b'.repeat(5000)]) {
            const response = await fetch(`${base}/track/${path}/status`);
            expect([response.status, await response.text()]).toEqual([404, wrongJson]);
        }

        // Delivered 23 h ago: still works; 25 h ago: gone, exactly like a wrong link.
        const moveEnd = (hours: number) =>
            sql().query(
                `UPDATE delivery_event SET "createdAt" = now() - make_interval(hours => $2)
                  WHERE "assignmentId" = $1 AND "toStatus" = 'DELIVERED'`,
                [followed.assignmentId, hours],
            );
        await moveEnd(23);
        expect((await fetch(`${base}/track/${followed.token}`)).status).toBe(200);
        await moveEnd(25);
        const expired = await fetch(`${base}/track/${followed.token}`);
        expect([expired.status, await expired.text()]).toEqual([404, notFound]);
        const expiredJson = await fetch(`${base}/track/${followed.token}/status`);
        expect([expiredJson.status, await expiredJson.text()]).toEqual([404, wrongJson]);

        // A cancelled delivery expires from its cancellation; a waiting one never does.
        const cancelled = await readyDelivery(world, city.sellers[0].code);
        await staff(CANCEL_DELIVERY, { id: cancelled.assignmentId, reason: 'test' });
        expect((await fetch(`${base}/track/${cancelled.token}/status`)).status).toBe(200);
        await sql().query(
            `UPDATE delivery_event SET "createdAt" = now() - interval '25 hours' WHERE "assignmentId" = $1`,
            [cancelled.assignmentId],
        );
        expect((await fetch(`${base}/track/${cancelled.token}`)).status).toBe(404);
        const waiting = await readyDelivery(world, city.sellers[0].code);
        await sql().query(
            `UPDATE delivery_event SET "createdAt" = now() - interval '30 days' WHERE "assignmentId" = $1`,
            [waiting.assignmentId],
        );
        expect(await view(waiting.token)).toMatchObject({ status: 'PENDING', pollAfterSeconds: 5 });
    });

    it('keeps the same link through a failed delivery and its retry', async () => {
        const failing = await trackedDelivery(world, city.sellers[0].code, driverId);
        const [{ emailAddress }] = await sql().query(`SELECT "emailAddress" FROM driver WHERE id = $1`, [
            driverId,
        ]);
        await asDemoDriver(adminClient, emailAddress);
        const { reportDeliveryFailed } = await adminClient.query(REPORT_FAILED, {
            id: failing.assignmentId,
            reasonCode: 'DELIVERY_FAILED',
        });
        expect(reportDeliveryFailed).toMatchObject({ status: 'FAILED' });
        expect(await view(failing.token)).toMatchObject({ status: 'FAILED' });
        const { retryDelivery } = await staff(RETRY_DELIVERY, { id: failing.assignmentId });
        expect(retryDelivery).toMatchObject({ __typename: 'DeliveryAssignment' });
        const [{ token }] = await sql().query(
            `SELECT "trackingToken" AS token FROM delivery_assignment WHERE id = $1`,
            [failing.assignmentId],
        );
        expect(token).toBe(failing.token);
        expect((await view(failing.token)).status).not.toBe('FAILED');
    });

    it('limits each token to its requests per minute (429 with Retry-After), wrong tokens alike, others unaffected', async () => {
        const limited = await readyDelivery(world, city.sellers[0].code);
        const other = await readyDelivery(world, city.sellers[0].code);
        for (let i = 0; i < REQUESTS_PER_MINUTE; i++) {
            const path = i % 2 ? `/track/${limited.token}` : `/track/${limited.token}/status`;
            expect((await fetch(`${base}${path}`)).status).toBe(200);
        }
        const refused = await fetch(`${base}/track/${limited.token}/status`);
        expect(refused.status).toBe(429);
        expectSecretHeaders(refused);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(await refused.json()).toEqual({
            statusCode: 429,
            message: 'Too many requests',
            retryAfterSeconds: retryAfter,
        });
        expect((await fetch(`${base}/track/${limited.token}`)).status).toBe(429);
        expect((await fetch(`${base}/track/${other.token}/status`)).status).toBe(200);

        const guessed = unknownToken();
        for (let i = 0; i < REQUESTS_PER_MINUTE; i++) {
            expect((await fetch(`${base}/track/${guessed}`)).status).toBe(404);
        }
        expect((await fetch(`${base}/track/${guessed}`)).status).toBe(429);
    });

    it('counts in Redis across processes: two limiters on one Redis share each token’s and each address’s minute', async () => {
        const options = {
            redisUrl: e2eEnv('redisUrl'),
            redisKeyPrefix: `{e2e-track-${Date.now()}}`,
            tracking: { requestsPerMinute: 3, requestsPerMinutePerAddress: 4 },
        };
        const first = new TrackingRateLimiter(options);
        const second = new TrackingRateLimiter(options);
        await first.onApplicationBootstrap();
        await second.onApplicationBootstrap();
        try {
            expect(first.store).toBe('redis');
            const token = unknownToken();
            const answers = [
                await first.take(token),
                await second.take(token),
                await first.take(token),
                await second.take(token),
                await first.take(token),
            ];
            expect(answers.map(answer => answer.allowed)).toEqual([true, true, true, false, false]);
            expect((await second.take(unknownToken())).allowed).toBe(true);
            // Per address, whatever the tokens: fresh ones from one address until its 4 are used.
            const fromOne = [];
            for (let i = 0; i < 5; i++)
                fromOne.push((await (i % 2 ? first : second).take(unknownToken(), '203.0.113.9')).allowed);
            expect(fromOne).toEqual([true, true, true, true, false]);
            expect((await first.take(unknownToken(), '203.0.113.10')).allowed).toBe(true);
        } finally {
            await first.onApplicationShutdown();
            await second.onApplicationShutdown();
        }
    });

    it('limits one address across tokens, before any lookup; another address is unaffected (runs last: it spends 127.0.0.1’s minute)', async () => {
        let refusedAt: number | undefined;
        for (let i = 1; i <= REQUESTS_PER_MINUTE_PER_ADDRESS + 1; i++) {
            const response = await fetch(`${base}/track/${unknownToken()}/status`);
            if (response.status === 429) {
                refusedAt = i;
                break;
            }
            expect(response.status).toBe(404);
        }
        // A fresh token each time: only the address's count can have refused it.
        expect(refusedAt).toBeDefined();
        expect((await fetch(`${base}/track/${unknownToken()}`)).status).toBe(429);
        // From another address of the loopback (the kernel would pick 127.0.0.1 unless told).
        const fromOther = await new Promise<number | undefined>((resolve, reject) => {
            const request = http.get(
                `${base}/track/${unknownToken()}`,
                { localAddress: '127.0.0.2' },
                response => {
                    response.resume();
                    resolve(response.statusCode);
                },
            );
            request.on('error', reject);
        });
        expect(fromOther).toBe(404);
    });
});
