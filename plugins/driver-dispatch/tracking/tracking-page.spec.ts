import { generateTrackingToken } from '../services/tracking-token';
import { DeliveryStatus } from '../types';
import { DEFAULT_TRACKING_PAGE_OPTIONS, tileOrigin, trackingPageOptionsProblem } from './tracking-options';
import { firstNameOf, isTrackingExpired, timelineOf, trackingEndedAt } from './tracking-page.service';
import {
    readTrackingRequest,
    TRACKING_NOT_FOUND_HTML,
    trackingContentSecurityPolicy,
    trackingPageHtml,
} from './tracking-page-html';
import { clockTime, renderTrackingContent, TrackingView } from './tracking-view';

const view: TrackingView = {
    status: 'ASSIGNED',
    timeline: [
        { status: 'PENDING', at: '2026-12-03T14:00:00.000Z' },
        { status: 'ASSIGNED', at: '2026-12-03T14:02:00.000Z' },
    ],
    etaMinutes: 12,
    store: {
        name: 'Corner <Shop> & Co',
        address: '1 Main St, 60601 Chicago',
        latitude: 41.9,
        longitude: -87.6,
    },
    driver: { firstName: 'Maria', latitude: 41.91, longitude: -87.61 },
    deliveryCode: '123456',
    timeZone: 'America/Chicago',
    pollAfterSeconds: 5,
};

describe('readTrackingRequest', () => {
    const token = generateTrackingToken();

    it('reads the page, its status and the built assets', () => {
        expect(readTrackingRequest(`/track/${token}`)).toEqual({ kind: 'page', token });
        expect(readTrackingRequest(`/track/${token}/status`)).toEqual({ kind: 'status', token });
        expect(readTrackingRequest('/track/assets/tracking-page.js')).toEqual({
            kind: 'asset',
            file: 'tracking-page.js',
            contentType: 'text/javascript; charset=utf-8',
        });
    });

    it.each([
        '/track/',
        '/track/short',
        `/track/${'a'.repeat(65)}`,
        `/track/${token.slice(0, 20)}!${token.slice(21)}`,
        `/track/${token}/`,
        `/track/${token}/status/more`,
        `/track/${token}/other`,
        '/track/assets/../../etc/passwd',
        '/track/assets/..',
        '/track/assets/index.html',
        '/track/assets/.env',
        '/tracking/x',
    ])('answers not-found to %s, before any lookup', urlPath => {
        expect(readTrackingRequest(urlPath)).toEqual({ kind: 'not-found' });
    });

    it.each(['/track/short/status', `/track/${'a'.repeat(65)}/status`])(
        'answers the status not-found (JSON) to %s, before any lookup',
        urlPath => {
            expect(readTrackingRequest(urlPath)).toEqual({ kind: 'not-found', json: true });
        },
    );
});

describe('the tracking page', () => {
    it('escapes what staff typed (store names) and shows the code, the ETA and the timeline', () => {
        const { headline, details } = renderTrackingContent(view);
        expect(headline).toContain('Maria is on the way to the store');
        expect(headline).toContain('Arriving in about <strong>12 min</strong>');
        expect(details).toContain('Corner &lt;Shop&gt; &amp; Co');
        expect(details).not.toContain('<Shop>');
        expect(details).toContain('123456');
        // 14:02 UTC in Chicago's winter (UTC-6), the same text wherever it is rendered.
        expect(details).toContain('8:02 AM');
        expect(clockTime('2026-12-03T14:02:00.000Z', 'Not/AZone')).toBe('2:02 PM');
    });

    it('names a return to PENDING as looking for another driver, and hides code and ETA when gone', () => {
        const again = renderTrackingContent({
            ...view,
            status: 'PENDING',
            driver: null,
            etaMinutes: null,
            timeline: [...view.timeline, { status: 'PENDING', at: '2026-12-03T14:05:00.000Z' }],
        });
        expect(again.headline).toContain('Finding you another driver');
        expect(again.headline).not.toContain('Arriving');
        expect(again.details).toContain('Looking for another driver');
        const delivered = renderTrackingContent({
            ...view,
            status: 'DELIVERED',
            driver: null,
            deliveryCode: null,
        });
        expect(delivered.details).not.toContain('delivery-code');
    });

    it('links its script and styles by relative URL, with no inline script or style', () => {
        const html = trackingPageHtml(view, DEFAULT_TRACKING_PAGE_OPTIONS);
        expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
        expect(html).toContain('<script type="module" src="assets/tracking-page.js"></script>');
        expect(html).not.toMatch(/<script>|<style|style=/);
        expect(html).toContain('data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"');
        expect(TRACKING_NOT_FOUND_HTML).not.toMatch(/<script|<style|style=/);
    });

    it('allows images from the tile server only', () => {
        expect(trackingContentSecurityPolicy(DEFAULT_TRACKING_PAGE_OPTIONS)).toBe(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; " +
                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
        expect(trackingContentSecurityPolicy({ mapTiles: false })).toContain("img-src 'self' data:;");
        expect(tileOrigin('https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png')).toBe(
            'https://*.tiles.example.org:8443',
        );
        expect(tileOrigin('javascript:alert(1)')).toBeUndefined();
    });
});

describe('tracking options', () => {
    it.each([
        [{ expiresAfterHours: 0 }, 'tracking.expiresAfterHours must be a positive number'],
        [{ pollIntervalSeconds: Number.NaN }, 'tracking.pollIntervalSeconds must be a positive number'],
        [{ requestsPerMinute: 1.5 }, 'tracking.requestsPerMinute must be a positive whole number'],
        [
            { requestsPerMinutePerAddress: 0 },
            'tracking.requestsPerMinutePerAddress must be a positive whole number',
        ],
        [
            { mapTiles: { url: 'ftp://tiles/{z}', attribution: '' } },
            'tracking.mapTiles.url must be an http or https URL template',
        ],
    ])('refuses %p', (change, problem) => {
        expect(trackingPageOptionsProblem({ ...DEFAULT_TRACKING_PAGE_OPTIONS, ...change })).toBe(problem);
    });

    it('accepts the defaults and no tiles', () => {
        expect(trackingPageOptionsProblem(DEFAULT_TRACKING_PAGE_OPTIONS)).toBeUndefined();
        expect(
            trackingPageOptionsProblem({ ...DEFAULT_TRACKING_PAGE_OPTIONS, mapTiles: false }),
        ).toBeUndefined();
    });
});

describe('link expiry', () => {
    const at = (iso: string) => new Date(iso);
    const moves = [
        { toStatus: DeliveryStatus.PENDING, createdAt: at('2026-12-01T10:00:00Z') },
        { toStatus: DeliveryStatus.CANCELLED, createdAt: at('2026-12-01T11:00:00Z') },
    ];
    const base = { deliveredAt: null, updatedAt: at('2026-12-02T00:00:00Z') };

    it('counts from the move that ended the delivery, and never while it is open', () => {
        const ended = trackingEndedAt({ ...base, status: DeliveryStatus.CANCELLED }, moves);
        expect(ended).toEqual(at('2026-12-01T11:00:00Z'));
        expect(isTrackingExpired(ended, 24, at('2026-12-02T10:59:00Z'))).toBe(false);
        expect(isTrackingExpired(ended, 24, at('2026-12-02T11:01:00Z'))).toBe(true);
        expect(trackingEndedAt({ ...base, status: DeliveryStatus.PENDING }, moves)).toBeNull();
        expect(isTrackingExpired(null, 24, at('2030-01-01T00:00:00Z'))).toBe(false);
        expect(
            trackingEndedAt(
                { ...base, status: DeliveryStatus.DELIVERED, deliveredAt: at('2026-12-01T12:00:00Z') },
                [],
            ),
        ).toEqual(at('2026-12-01T12:00:00Z'));
    });

    it('builds a timeline from the row itself when it has no events', () => {
        const timeline = timelineOf(
            {
                status: DeliveryStatus.PICKED_UP,
                createdAt: at('2026-12-01T10:00:00Z'),
                assignedAt: at('2026-12-01T10:01:00Z'),
                pickedUpAt: at('2026-12-01T10:10:00Z'),
                deliveredAt: null,
            },
            [],
        );
        expect(timeline.map(entry => entry.status)).toEqual(['PENDING', 'ASSIGNED', 'PICKED_UP']);
    });

    it('shows the first name only', () => {
        expect(firstNameOf('  Maria  Gonzalez ')).toBe('Maria');
        expect(firstNameOf('   ')).toBe('Your driver');
    });
});
