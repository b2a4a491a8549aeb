/** A point on the Earth in decimal degrees (WGS84). */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** Mean Earth radius (IUGG), the usual sphere for great-circle distances. */
const EARTH_RADIUS_KM = 6371.0088;

function toRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/** Great-circle distance by the haversine formula, which stays accurate for short distances. */
export function greatCircleKm(from: GeoPoint, to: GeoPoint): number {
  const latDelta = toRadians(to.lat - from.lat);
  const lonDelta = toRadians(to.lon - from.lon);
  const a =
    Math.sin(latDelta / 2) ** 2 +
    Math.cos(toRadians(from.lat)) * Math.cos(toRadians(to.lat)) * Math.sin(lonDelta / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Speed of light in fibre, about 2/3 c, in km per millisecond. */
export const FIBRE_KM_PER_MS = 199.86;

/** The physical lower bound on a round trip over fibre laid along the great circle. */
export function fibreRttLowerBoundMs(distanceKm: number): number {
  return (2 * distanceKm) / FIBRE_KM_PER_MS;
}
