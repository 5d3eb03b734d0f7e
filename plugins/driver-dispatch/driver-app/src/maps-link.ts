/** A place the driver goes to. */
export interface Destination {
    latitude: number;
    longitude: number;
    label: string;
}

/**
 * A link that opens the phone's maps app with directions to the destination: Apple Maps on iOS,
 * a `geo:` URI on Android (every maps app there registers for it), Google Maps on the web
 * elsewhere (which also opens its app where installed).
 */
export function mapsLink(to: Destination, userAgent: string): string {
    const at = `${to.latitude.toFixed(6)},${to.longitude.toFixed(6)}`;
    if (/iPhone|iPad|iPod/.test(userAgent)) {
        return `https://maps.apple.com/?daddr=${at}&q=${encodeURIComponent(to.label)}`;
    }
    if (/Android/.test(userAgent)) return `geo:${at}?q=${at}(${encodeURIComponent(to.label)})`;
    return `https://www.google.com/maps/dir/?api=1&destination=${at}`;
}

/** "350 m", "1.2 km", "14 km": how far, as a driver reads it at a glance. */
export function formatDistance(km: number): string {
    if (km < 1) return `${Math.max(10, Math.round((km * 1000) / 10) * 10)} m`;
    return km < 10 ? `${km.toFixed(1)} km` : `${Math.round(km)} km`;
}
