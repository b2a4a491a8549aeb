import { SERVICE_LEVELS } from '../catalog/service-levels.ts';
import { downtimeMinutesPerYear, incidentsPerYear, SECONDS_PER_YEAR, seriesAvailability } from '../core/slo/availability.ts';
import type { ResolvedPopulation, ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture } from './architecture.ts';
import { readOutageSeconds, writeOutageSeconds } from './recovery-estimate.ts';
import { routePoint, routePopulation, trafficFailover } from './routing-model.ts';
import { otherRequestsPerSecond, populationClassRates, type Operation } from './traffic.ts';

export interface AvailabilityEstimate {
  /** Request-weighted over all populations. */
  readonly availability: number;
  readonly downtimeMinutesPerYear: number;
  readonly byPopulation: Readonly<Record<string, number>>;
  /** Availability of one region's stack (compute and regional database SLAs in series). */
  readonly regionAvailability: number;
  readonly regionIncidentsPerYear: number;
  readonly incidentMinutes: number;
  readonly explanation: string;
}

interface RequestCategory {
  readonly share: number;
  readonly region: string;
  readonly dataClass: string | undefined;
  readonly operation: Operation | undefined;
}

function categoriesOf(spec: ResolvedSpec, architecture: Architecture, population: ResolvedPopulation): RequestCategory[] {
  const rates = populationClassRates(spec, population);
  const kinds: { dataClass: string | undefined; operation: Operation | undefined; perSecond: number }[] = [
    ...rates.flatMap((rate) => [
      { dataClass: rate.dataClass.name, operation: 'read' as const, perSecond: rate.readsPerSecond },
      { dataClass: rate.dataClass.name, operation: 'write' as const, perSecond: rate.writesPerSecond },
    ]),
    { dataClass: undefined, operation: undefined, perSecond: otherRequestsPerSecond(population, rates) },
  ];
  const total = kinds.reduce((sum, kind) => sum + kind.perSecond, 0);
  if (total <= 0) return [];
  return population.points.flatMap((point) =>
    Object.entries(routePoint(architecture, population, point)).flatMap(([region, regionShare]) =>
      kinds.map((kind) => ({ share: (point.weight * regionShare * kind.perSecond) / total, region, dataClass: kind.dataClass, operation: kind.operation })),
    ),
  );
}

/** Seconds one category of requests fails when `failed` goes down, per incident. */
function outageSeconds(architecture: Architecture, population: ResolvedPopulation, category: RequestCategory, failed: string, incidentSeconds: number): number {
  const traffic = trafficFailover(architecture);
  let trafficOutage = 0;
  if (category.region === failed) {
    const rerouted = Object.keys(routePopulation(architecture, population, failed)).length > 0;
    trafficOutage = rerouted && traffic.seconds !== undefined ? Math.min(traffic.seconds, incidentSeconds) : incidentSeconds;
  }
  const placement = architecture.placements.find((p) => p.dataClass === category.dataClass);
  let dataOutage = 0;
  if (placement && category.operation === 'write') dataOutage = writeOutageSeconds(placement, failed, traffic, incidentSeconds) ?? 0;
  if (placement && category.operation === 'read') dataOutage = readOutageSeconds(placement, failed, incidentSeconds) ?? 0;
  return Math.max(trafficOutage, dataOutage);
}

/**
 * Expected availability from regional incidents: each region fails at the rate its SLA implies, for
 * the assumed incident duration; each share of requests is down for as long as its failover path takes
 * (traffic failover, writer promotion, or the whole incident when nothing can take over).
 */
export function estimateAvailability(spec: ResolvedSpec, architecture: Architecture): AvailabilityEstimate {
  const levels = SERVICE_LEVELS;
  const regionAvailability = seriesAvailability([levels.compute_region_availability.value, levels.dynamodb_table_availability.value]);
  const incidentMinutes = spec.assumptions.regionalIncidentMinutes;
  const incidentSeconds = incidentMinutes * 60;
  const rate = incidentsPerYear(regionAvailability, incidentMinutes);
  const regions = [...new Set([...architecture.servingRegions, ...architecture.standbyRegions, ...architecture.placements.flatMap((p) => p.replicas)])];
  const byPopulation: Record<string, number> = {};
  let weighted = 0;
  let totalRequests = 0;
  for (const population of spec.populations) {
    const categories = categoriesOf(spec, architecture, population);
    let downSecondsPerYear = 0;
    for (const failed of regions) {
      const perIncident = categories.reduce((sum, category) => sum + category.share * outageSeconds(architecture, population, category, failed, incidentSeconds), 0);
      downSecondsPerYear += rate * perIncident;
    }
    const availability = 1 - downSecondsPerYear / SECONDS_PER_YEAR;
    byPopulation[population.name] = availability;
    weighted += availability * population.requestsPerSecond;
    totalRequests += population.requestsPerSecond;
  }
  const availability = totalRequests > 0 ? weighted / totalRequests : regionAvailability;
  return {
    availability,
    downtimeMinutesPerYear: downtimeMinutesPerYear(availability),
    byPopulation,
    regionAvailability,
    regionIncidentsPerYear: rate,
    incidentMinutes,
    explanation: `each region: compute ${levels.compute_region_availability.value} × database ${levels.dynamodb_table_availability.value} (SLAs) = ${regionAvailability.toFixed(6)}, i.e. ${rate.toFixed(2)} incidents/year of ${incidentMinutes} min; a request is down for its failover time per incident`,
  };
}
