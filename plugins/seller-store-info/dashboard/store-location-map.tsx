import 'leaflet/dist/leaflet.css';

import { useQuery } from '@tanstack/react-query';
import { api, PageContextValue } from '@vendure/dashboard';
import L from 'leaflet';
import { useEffect, useRef } from 'react';

interface MapTiles {
    url: string;
    attribution: string;
}

const OPENSTREETMAP: MapTiles = {
    url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    attribution: '&copy; OpenStreetMap contributors',
};

function validPoint(latitude: unknown, longitude: unknown): [number, number] | undefined {
    const lat = typeof latitude === 'string' ? Number(latitude) : latitude;
    const lng = typeof longitude === 'string' ? Number(longitude) : longitude;
    if (typeof lat !== 'number' || typeof lng !== 'number' || Number.isNaN(lat) || Number.isNaN(lng))
        return undefined;
    if (lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat === 0 && lng === 0)) return undefined;
    return [lat, lng];
}

/**
 * The stock location's point on a small map, following the latitude/longitude custom fields of
 * the form as they are typed (before saving), so staff can check the store is where they think.
 * A click on the map writes the clicked point into the form.
 */
export function StoreLocationMap({ context }: Readonly<{ context: PageContextValue }>) {
    const form = context.form;
    const latitude: unknown = form?.watch('customFields.latitude');
    const longitude: unknown = form?.watch('customFields.longitude');
    const point = validPoint(latitude, longitude);
    const tiles = useQuery({
        queryKey: ['map-tiles'],
        queryFn: () =>
            api
                .query<{ mapTileSettings: MapTiles }>('{ mapTileSettings { url attribution } }')
                .then(result => result.mapTileSettings)
                .catch(() => OPENSTREETMAP),
        staleTime: Infinity,
    });
    const container = useRef<HTMLDivElement>(null);
    const map = useRef<L.Map | null>(null);
    const marker = useRef<L.Marker | null>(null);

    useEffect(() => {
        if (!container.current || !tiles.data) return;
        // No animations: a page left during a zoom animation would make Leaflet throw on removed panes.
        const instance = L.map(container.current, {
            center: [41.8781, -87.6298],
            zoom: 11,
            zoomAnimation: false,
            fadeAnimation: false,
            markerZoomAnimation: false,
        });
        L.tileLayer(tiles.data.url, { attribution: tiles.data.attribution, maxZoom: 19 }).addTo(instance);
        instance.on('click', (event: L.LeafletMouseEvent) => {
            if (!form) return;
            const round = (value: number) => Math.round(value * 1e6) / 1e6;
            form.setValue('customFields.latitude', round(event.latlng.lat), { shouldDirty: true });
            form.setValue('customFields.longitude', round(event.latlng.lng), { shouldDirty: true });
        });
        map.current = instance;
        return () => {
            instance.remove();
            map.current = null;
            marker.current = null;
        };
    }, [tiles.data, form]);

    const lat = point?.[0];
    const lng = point?.[1];
    useEffect(() => {
        const instance = map.current;
        if (!instance) return;
        marker.current?.remove();
        marker.current = null;
        if (lat === undefined || lng === undefined) return;
        marker.current = L.marker([lat, lng], {
            icon: L.divIcon({
                className: 'vqd-store-point',
                html: '<span style="display:block;width:16px;height:16px;background:#0f172a;border:2px solid #fff;border-radius:3px;box-shadow:0 0 2px #000"></span>',
                iconSize: [16, 16],
            }),
        }).addTo(instance);
        instance.setView([lat, lng], Math.max(instance.getZoom(), 14), { animate: false });
    }, [lat, lng, tiles.data]);

    return (
        <div className="space-y-2" data-testid="store-location-map">
            <div className="text-sm text-muted-foreground">
                {point
                    ? `${point[0].toFixed(5)}, ${point[1].toFixed(5)}`
                    : 'No valid coordinates yet: fill in latitude and longitude, or click the map.'}
            </div>
            <div ref={container} style={{ height: 240, width: '100%' }} className="rounded-md border" />
        </div>
    );
}
