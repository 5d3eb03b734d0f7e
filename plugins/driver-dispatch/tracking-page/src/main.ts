// The tracking page's script: the server paints the delivery as it is; this keeps it live by
// polling `<page>/status` (the same view the first paint came from) and shows the driver on a map
// while they are on the way. No inline script or style anywhere: the page's CSP forbids both.
import 'leaflet/dist/leaflet.css';
import './styles.css';

import L from 'leaflet';

import { renderTrackingContent, TrackingView } from '../../tracking/tracking-view';

const MAX_BACKOFF_SECONDS = 30;
const NO_ANIMATION = { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false };

const main = document.querySelector<HTMLElement>('main.tracking');
const headline = document.getElementById('tracking-headline');
const details = document.getElementById('tracking-details');
const mapElement = document.getElementById('tracking-map');
const connection = document.getElementById('tracking-connection');
const statusUrl = `${location.pathname.replace(/\/+$/, '')}/status`;

let map: L.Map | undefined;
let driverMarker: L.CircleMarker | undefined;
let failures = 0;
let timer: number | undefined;
let stopped = false;

/**
 * A tooltip's content as text: Leaflet puts a string tooltip in as HTML, and store and driver names
 * are typed by seller staff and drivers.
 */
function plainText(text: string): HTMLElement {
    const label = document.createElement('span');
    label.textContent = text;
    return label;
}

function replace(element: HTMLElement | null, html: string): void {
    // Unchanged content is left alone: the live region is not announced again.
    if (element && element.innerHTML !== html) element.innerHTML = html;
}

function render(view: TrackingView): void {
    const { headline: top, details: rest } = renderTrackingContent(view);
    replace(headline, top);
    replace(details, rest);
    if (main) main.dataset.status = view.status;
    showMap(view);
}

function removeMap(): void {
    map?.remove();
    map = undefined;
    driverMarker = undefined;
    if (!mapElement) return;
    mapElement.hidden = true;
    delete mapElement.dataset.driverLatitude;
    delete mapElement.dataset.driverLongitude;
}

/** The driver (and the store) on a map, only while the view has the driver's position. */
function showMap(view: TrackingView): void {
    const driver = view.driver;
    if (!mapElement || !driver || driver.latitude == null || driver.longitude == null) {
        removeMap();
        return;
    }
    const at: L.LatLngTuple = [driver.latitude, driver.longitude];
    mapElement.hidden = false;
    if (!map) {
        map = L.map(mapElement, { ...NO_ANIMATION, center: at, zoom: 14 });
        const { tileUrl, tileAttribution } = mapElement.dataset;
        // Tiles are decoration: unreachable, the markers still show on a plain background.
        if (tileUrl) L.tileLayer(tileUrl, { attribution: tileAttribution ?? '', maxZoom: 19 }).addTo(map);
        const store = view.store;
        const points: L.LatLngTuple[] = [at];
        if (store?.latitude != null && store.longitude != null) {
            points.push([store.latitude, store.longitude]);
            L.circleMarker([store.latitude, store.longitude], {
                radius: 8,
                color: '#ffffff',
                weight: 2,
                fillColor: '#0f172a',
                fillOpacity: 1,
                className: 'store-marker',
            })
                .bindTooltip(plainText(store.name))
                .addTo(map);
        }
        driverMarker = L.circleMarker(at, {
            radius: 10,
            color: '#ffffff',
            weight: 3,
            fillColor: '#2563eb',
            fillOpacity: 1,
            className: 'driver-marker',
        })
            .bindTooltip(plainText(driver.firstName))
            .addTo(map);
        if (points.length > 1) map.fitBounds(points, { padding: [32, 32], maxZoom: 16 });
    } else {
        driverMarker?.setLatLng(at);
        if (!map.getBounds().contains(at)) map.panTo(at);
    }
    mapElement.dataset.driverLatitude = String(driver.latitude);
    mapElement.dataset.driverLongitude = String(driver.longitude);
}

/** The link stopped working while the page was open (expired): the same words as the 404 page. */
function showGone(): void {
    stopped = true;
    replace(
        headline,
        '<section class="headline" data-status="GONE"><h1>Not found</h1>' +
            '<p>This tracking link does not work any more: the delivery ended a while ago.</p></section>',
    );
    replace(details, '');
    removeMap();
    if (connection) connection.hidden = true;
}

function schedule(seconds: number): void {
    window.clearTimeout(timer);
    if (stopped || document.hidden) return;
    timer = window.setTimeout(() => void poll(), seconds * 1000);
}

async function poll(): Promise<void> {
    const interval = Number(main?.dataset.pollSeconds) || 5;
    let next = interval;
    try {
        const response = await fetch(statusUrl, {
            cache: 'no-store',
            headers: { accept: 'application/json' },
        });
        if (response.status === 404) {
            showGone();
            return;
        }
        if (response.status === 429) {
            next = Number(response.headers.get('retry-after')) || MAX_BACKOFF_SECONDS;
        } else if (!response.ok) {
            throw new Error(`status ${response.status}`);
        } else {
            const view = (await response.json()) as TrackingView;
            failures = 0;
            if (connection) connection.hidden = true;
            render(view);
            if (view.pollAfterSeconds == null) {
                stopped = true;
                return;
            }
            next = view.pollAfterSeconds;
            if (main) main.dataset.pollSeconds = String(next);
        }
    } catch {
        failures += 1;
        if (connection) connection.hidden = false;
        next = Math.min(MAX_BACKOFF_SECONDS, interval * 2 ** failures);
    }
    schedule(next);
}

// A hidden tab does not poll; it catches up at once when it is shown again.
document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !stopped) void poll();
});
void poll();
