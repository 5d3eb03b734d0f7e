/**
 * Great-circle distance on the mean Earth radius (IUGG), written for the tests rather than imported
 * from plugins/shared/geo: the suites check the code under test against an independent computation.
 */
export function haversineKm(
    a: { latitude: number; longitude: number },
    b: { latitude: number; longitude: number },
): number {
    const radians = (degrees: number) => (degrees * Math.PI) / 180;
    const dLat = radians(b.latitude - a.latitude);
    const dLng = radians(b.longitude - a.longitude);
    const h =
        Math.sin(dLat / 2) ** 2 +
        Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLng / 2) ** 2;
    return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}
