import { mixtureLatency, type LatencyComponent } from '../core/latency/latency-mixture.ts';
import type { ResolvedPopulation, ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture } from './architecture.ts';
import { dataPath } from './data-path.ts';
import { routePoint, routePopulation, type RegionShares } from './routing-model.ts';
import { otherRequestsPerSecond, populationClassRates, userRttMs, type Operation } from './traffic.ts';

export interface OperationLatency {
  readonly dataClass: string;
  readonly operation: Operation;
  readonly ratePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Inter-region round trips the operation pays beyond the user's, for most of its requests. */
  readonly interRegionRoundTrips: number;
  /** How the operation is served from each serving region. */
  readonly paths: readonly string[];
}

export interface PopulationLatency {
  readonly population: string;
  readonly requestsPerSecond: number;
  readonly servedBy: RegionShares;
  /** Round trip from the population (weighted over its places) to each region serving it, p50, ms. */
  readonly userRttMs: Readonly<Record<string, number>>;
  /** Over the population's whole request mix. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly operations: readonly OperationLatency[];
}

interface Leg {
  readonly weight: number;
  readonly region: string;
  readonly userRttMs: number;
}

/** Every (place, serving region) pair of a population with its share of the requests. */
function legsOf(architecture: Architecture, population: ResolvedPopulation): Leg[] {
  return population.points.flatMap((point) =>
    Object.entries(routePoint(architecture, population, point)).map(([region, share]) => ({
      weight: point.weight * share,
      region,
      userRttMs: userRttMs(population, point, region),
    })),
  );
}

export function estimatePopulationLatency(spec: ResolvedSpec, architecture: Architecture, population: ResolvedPopulation): PopulationLatency {
  const { appServiceTimeMs: app, networkP99OverP50: tail } = spec.assumptions;
  const legs = legsOf(architecture, population);
  const rates = populationClassRates(spec, population);
  const all: LatencyComponent[] = [];
  const operations: OperationLatency[] = [];
  for (const rate of rates) {
    const placement = architecture.placements.find((p) => p.dataClass === rate.dataClass.name)!;
    for (const [operation, perSecond] of [['read', rate.readsPerSecond], ['write', rate.writesPerSecond]] as const) {
      if (perSecond <= 0) continue;
      const paths = new Set<string>();
      let roundTrips = 0;
      const components = legs.map((leg) => {
        const path = dataPath(placement, leg.region, operation, rate.dataClass.consistentReads);
        paths.add(`${leg.region}: ${path.path}`);
        roundTrips += leg.weight * path.interRegionRoundTrips;
        return {
          weight: leg.weight * perSecond,
          p50Ms: leg.userRttMs + app.p50 + path.interRegionRttMs + path.dbLatencyMs.p50,
          p99Ms: (leg.userRttMs + path.interRegionRttMs) * tail + app.p99 + path.dbLatencyMs.p99,
        };
      });
      all.push(...components);
      operations.push({ dataClass: rate.dataClass.name, operation, ratePerSecond: perSecond, ...mixtureLatency(components), interRegionRoundTrips: Math.round(roundTrips), paths: [...paths] });
    }
  }
  // A population with no traffic still gets the latency a request of its would see.
  const other = otherRequestsPerSecond(population, rates);
  const idle = all.every((component) => component.weight === 0) && other === 0;
  for (const leg of legs) all.push({ weight: leg.weight * (idle ? 1 : other), p50Ms: leg.userRttMs + app.p50, p99Ms: leg.userRttMs * tail + app.p99 });
  const userRtt: Record<string, number> = {};
  const regionWeight: Record<string, number> = {};
  for (const leg of legs) {
    userRtt[leg.region] = (userRtt[leg.region] ?? 0) + leg.userRttMs * leg.weight;
    regionWeight[leg.region] = (regionWeight[leg.region] ?? 0) + leg.weight;
  }
  for (const region of Object.keys(userRtt)) userRtt[region]! /= regionWeight[region]!;
  return {
    population: population.name,
    requestsPerSecond: population.requestsPerSecond,
    servedBy: routePopulation(architecture, population),
    userRttMs: userRtt,
    ...mixtureLatency(all),
    operations,
  };
}
