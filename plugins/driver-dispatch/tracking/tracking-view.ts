/**
 * What the tracking page shows of one delivery, and how it shows it. Pure and DOM-free: the server
 * renders the page's first paint with it and the page's script (built by vite from
 * `tracking-page/`) renders every update with it, so both always agree.
 */

/** The delivery statuses, as the page receives them. */
export type TrackingStatus = 'PENDING' | 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED' | 'FAILED' | 'CANCELLED';

/**
 * The JSON of `GET /track/<token>/status`, and all the page knows: no order code, no ids, no
 * customer details, the driver's first name only, positions only while the driver is on the way.
 */
export interface TrackingView {
    status: TrackingStatus;
    /** Every move of the delivery, oldest first (ISO 8601 times). */
    timeline: Array<{ status: TrackingStatus; at: string }>;
    /** Minutes until the driver is expected at the door; null without a driver's position. */
    etaMinutes: number | null;
    store: { name: string; address: string | null; latitude: number | null; longitude: number | null } | null;
    /** Only while ASSIGNED or PICKED_UP; the position only when the driver shared one. */
    driver: { firstName: string; latitude: number | null; longitude: number | null } | null;
    /** Only while the driver still needs it at the door. */
    deliveryCode: string | null;
    /** The store's time zone: times are shown in it (the customer is a few km from the store). */
    timeZone: string;
    /** When to ask again; null once nothing can change any more (DELIVERED, CANCELLED). */
    pollAfterSeconds: number | null;
}

const FINAL: TrackingStatus[] = ['DELIVERED', 'CANCELLED'];

/** Whether the delivery can still change (the page keeps polling). */
export function isFinal(status: TrackingStatus): boolean {
    return FINAL.includes(status);
}

export function escapeHtml(text: string): string {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
}

/** The headline and the line under it, for the delivery as it is now. */
export function headlineOf(view: TrackingView): { title: string; detail: string } {
    const name = view.driver?.firstName ?? 'Your driver';
    const store = view.store?.name ?? 'the store';
    switch (view.status) {
        case 'PENDING': {
            const again = view.timeline.some(entry => entry.status === 'ASSIGNED');
            return {
                title: again ? 'Finding you another driver' : 'Your order is ready',
                detail: again ? 'Your first driver could not take it.' : 'We are finding a driver for it.',
            };
        }
        case 'ASSIGNED':
            return { title: `${name} is on the way to the store`, detail: `Picking up at ${store}.` };
        case 'PICKED_UP':
            return { title: `${name} is bringing your order`, detail: `Picked up at ${store}.` };
        case 'DELIVERED':
            return { title: 'Delivered', detail: 'Enjoy your order.' };
        case 'FAILED':
            return {
                title: 'The delivery could not be completed',
                detail: 'The shop has been told and will get in touch about what happens next.',
            };
        case 'CANCELLED':
            return {
                title: 'This delivery was cancelled',
                detail: 'Contact the shop if you have questions.',
            };
    }
}

const STEP_LABELS: Record<TrackingStatus, string> = {
    PENDING: 'Ready, waiting for a driver',
    ASSIGNED: 'Driver on the way to the store',
    PICKED_UP: 'Picked up',
    DELIVERED: 'Delivered',
    FAILED: 'Not delivered',
    CANCELLED: 'Cancelled',
};

/** One timeline entry's label: a return to PENDING means a new driver is being found. */
export function stepLabel(status: TrackingStatus, index: number): string {
    return status === 'PENDING' && index > 0 ? 'Looking for another driver' : STEP_LABELS[status];
}

/** A time of day in the store's zone (the same text on the server and in the browser). */
export function clockTime(iso: string, timeZone: string): string {
    const options: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
    try {
        return new Intl.DateTimeFormat('en-US', { ...options, timeZone }).format(new Date(iso));
    } catch {
        return new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' }).format(new Date(iso));
    }
}

/**
 * The page's content, escaped, in two parts around the map: the headline (status, ETA) and the
 * details (code, timeline, store). The server's first paint and each update of the script.
 * `data-*` attributes let tests and styles read the state.
 */
export function renderTrackingContent(view: TrackingView): { headline: string; details: string } {
    const { title, detail } = headlineOf(view);
    const headline = [
        `<section class="headline" data-status="${view.status}">`,
        `<h1 id="tracking-title">${escapeHtml(title)}</h1>`,
        `<p>${escapeHtml(detail)}</p>`,
        view.etaMinutes != null && view.driver
            ? `<p class="eta" data-testid="eta">Arriving in about <strong>${view.etaMinutes} min</strong></p>`
            : '',
        '</section>',
    ];
    const details: string[] = [];
    if (view.deliveryCode) {
        details.push(
            '<section class="code" data-testid="delivery-code">',
            '<h2>Your delivery code</h2>',
            `<p class="code-digits">${escapeHtml(view.deliveryCode)}</p>`,
            '<p>Give it to the driver when they hand you the order.</p>',
            '</section>',
        );
    }
    details.push('<section class="timeline"><h2>Progress</h2><ol>');
    view.timeline.forEach((entry, index) => {
        const current = index === view.timeline.length - 1 ? ' class="current"' : '';
        details.push(
            `<li${current} data-status="${entry.status}"><time datetime="${escapeHtml(entry.at)}">`,
            `${escapeHtml(clockTime(entry.at, view.timeZone))}</time> `,
            `<span>${escapeHtml(stepLabel(entry.status, index))}</span></li>`,
        );
    });
    details.push('</ol></section>');
    if (view.store) {
        details.push(
            '<section class="store" data-testid="store"><h2>From</h2>',
            `<p><strong>${escapeHtml(view.store.name)}</strong></p>`,
            view.store.address ? `<p>${escapeHtml(view.store.address)}</p>` : '',
            '</section>',
        );
    }
    return { headline: headline.join(''), details: details.join('') };
}
