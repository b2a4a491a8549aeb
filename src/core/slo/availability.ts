/**
 * Availability and downtime arithmetic. A region's availability A and the mean duration of an incident
 * give the incident rate; an architecture's downtime is, per incident, how long each share of requests
 * stays failed (the failover time, capped by the incident itself).
 */
export const MINUTES_PER_YEAR = 365.25 * 24 * 60;
export const SECONDS_PER_YEAR = MINUTES_PER_YEAR * 60;

/** Incidents per year implied by an availability and a mean incident duration. */
export function incidentsPerYear(availability: number, incidentMinutes: number): number {
  return ((1 - availability) * MINUTES_PER_YEAR) / incidentMinutes;
}

/** Availability of components that must all be up (series). */
export function seriesAvailability(availabilities: readonly number[]): number {
  return availabilities.reduce((product, availability) => product * availability, 1);
}

export function downtimeMinutesPerYear(availability: number): number {
  return (1 - availability) * MINUTES_PER_YEAR;
}

/** Route 53 failover: a target is declared unhealthy after threshold failed checks, then resolvers wait out the TTL. */
export function dnsFailoverSeconds(intervalSeconds: number, failureThreshold: number, ttlSeconds: number): number {
  return intervalSeconds * failureThreshold + ttlSeconds;
}

/** The number of nines, for display: 0.9995 -> 3.3. */
export function nines(availability: number): number {
  return availability >= 1 ? Number.POSITIVE_INFINITY : -Math.log10(1 - availability);
}
