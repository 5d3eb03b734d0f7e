/** A WGS84 point. Always by name: latitude is latitude (never a bare [lng, lat] pair). */
export interface LatLng {
    latitude: number;
    longitude: number;
}
