import 'leaflet/dist/leaflet.css';

import L from 'leaflet';
import { useEffect, useRef } from 'react';

import { DeliveryAssignment, Driver, MapTiles, StorePoint } from './dispatch-api';
import { STATUS_COLOURS } from './status-badge';

export interface DispatchMapProps {
    tiles: MapTiles;
    drivers: Array<Pick<Driver, 'id' | 'name' | 'status' | 'latitude' | 'longitude'>>;
    stores: StorePoint[];
    deliveries: DeliveryAssignment[];
    height?: number;
}

const NO_ANIMATION = { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false };

/** Chicago, where the demo lives: the view before any data has arrived. */
const DEFAULT_CENTER: L.LatLngTuple = [41.8781, -87.6298];

/**
 * A Leaflet map with DOM markers (no WebGL, so it renders in any browser, headless included):
 * drivers as dots coloured by status, stores as squares, open deliveries as lines from the pickup
 * store to the drop-off. Tiles are decoration: without a reachable tile server the markers and
 * lines still show.
 */
export function DispatchMap({
    tiles,
    drivers,
    stores,
    deliveries,
    height = 560,
}: Readonly<DispatchMapProps>) {
    const container = useRef<HTMLDivElement>(null);
    const map = useRef<L.Map | null>(null);
    const layers = useRef<L.LayerGroup | null>(null);
    const fitted = useRef(false);

    useEffect(() => {
        if (!container.current) return;
        // No animations: a page left during a zoom animation would make Leaflet throw on removed panes.
        const instance = L.map(container.current, { center: DEFAULT_CENTER, zoom: 12, ...NO_ANIMATION });
        L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(instance);
        map.current = instance;
        layers.current = L.layerGroup().addTo(instance);
        return () => {
            instance.remove();
            map.current = null;
            layers.current = null;
            fitted.current = false;
        };
    }, [tiles.url, tiles.attribution]);

    useEffect(() => {
        const group = layers.current;
        const instance = map.current;
        if (!group || !instance) return;
        group.clearLayers();
        const bounds: L.LatLngTuple[] = [];
        for (const store of stores) {
            const { latitude, longitude } = store.customFields ?? {};
            if (latitude == null || longitude == null) continue;
            bounds.push([latitude, longitude]);
            L.marker([latitude, longitude], {
                icon: L.divIcon({
                    className: 'vqd-store-marker',
                    html: '<span style="display:block;width:14px;height:14px;background:#0f172a;border:2px solid #fff;border-radius:3px"></span>',
                    iconSize: [14, 14],
                }),
                title: store.name,
            })
                .bindTooltip(plainText(store.name))
                .addTo(group);
        }
        for (const delivery of deliveries) {
            const pickup = delivery.pickupStockLocation?.customFields;
            if (pickup?.latitude == null || pickup.longitude == null) continue;
            if (delivery.dropoffLatitude == null || delivery.dropoffLongitude == null) continue;
            L.polyline(
                [
                    [pickup.latitude, pickup.longitude],
                    [delivery.dropoffLatitude, delivery.dropoffLongitude],
                ],
                {
                    color: STATUS_COLOURS[delivery.status],
                    weight: 3,
                    dashArray: delivery.status === 'PENDING' ? '6 6' : undefined,
                    className: 'vqd-delivery-line',
                },
            )
                .bindTooltip(
                    plainText(`${delivery.order?.code ?? `Delivery ${delivery.id}`}: ${delivery.status}`),
                )
                .addTo(group);
            L.circleMarker([delivery.dropoffLatitude, delivery.dropoffLongitude], {
                radius: 4,
                color: STATUS_COLOURS[delivery.status],
            }).addTo(group);
        }
        for (const driver of drivers) {
            if (driver.latitude == null || driver.longitude == null) continue;
            bounds.push([driver.latitude, driver.longitude]);
            const colour = STATUS_COLOURS[driver.status];
            L.marker([driver.latitude, driver.longitude], {
                icon: L.divIcon({
                    className: `vqd-driver-marker vqd-driver-${driver.status.toLowerCase()}`,
                    html: `<span data-driver-id="${driver.id}" style="display:block;width:14px;height:14px;background:${colour};border:2px solid #fff;border-radius:50%;box-shadow:0 0 2px #000"></span>`,
                    iconSize: [14, 14],
                }),
                title: driver.name,
                zIndexOffset: 1000,
            })
                .bindTooltip(plainText(`${driver.name} (${driver.status})`))
                .addTo(group);
        }
        if (!fitted.current && bounds.length) {
            instance.fitBounds(L.latLngBounds(bounds), { padding: [30, 30], maxZoom: 15, animate: false });
            fitted.current = true;
        }
    }, [drivers, stores, deliveries, tiles.url]);

    return (
        <div
            ref={container}
            style={{ height, width: '100%' }}
            className="rounded-md border"
            data-testid="dispatch-map"
        />
    );
}

/**
 * A tooltip's content as text: Leaflet puts a string tooltip in as HTML, and store and driver names
 * are typed by seller staff and drivers.
 */
function plainText(text: string): HTMLElement {
    const label = document.createElement('span');
    label.textContent = text;
    return label;
}
