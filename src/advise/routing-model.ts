import { SERVICE_LEVELS } from '../catalog/service-levels.ts';
import { dnsFailoverSeconds } from '../core/slo/availability.ts';
import type { PopulationPoint, ResolvedPopulation } from '../spec/resolved-spec.ts';
import type { Architecture } from './architecture.ts';
import { userRttMs } from './traffic.ts';

/** Share of a point's requests per region; empty when no healthy region answers. */
export type RegionShares = Readonly<Record<string, number>>;

function nearestHealthy(population: ResolvedPopulation, point: PopulationPoint, regions: readonly string[], failed: string | undefined): RegionShares {
  let best: string | undefined;
  let bestRtt = Number.POSITIVE_INFINITY;
  for (const region of regions) {
    if (region === failed) continue;
    const rtt = userRttMs(population, point, region);
    if (rtt < bestRtt) {
      bestRtt = rtt;
      best = region;
    }
  }
  return best ? { [best]: 1 } : {};
}

function spread(regions: readonly string[], weightOf: (region: string) => number): RegionShares {
  const total = regions.reduce((sum, region) => sum + weightOf(region), 0);
  if (total <= 0) return {};
  return Object.fromEntries(regions.filter((region) => weightOf(region) > 0).map((region) => [region, weightOf(region) / total]));
}

function geolocationTarget(architecture: Architecture, point: PopulationPoint, failed: string | undefined): RegionShares {
  const plan = architecture.routing.geolocation!;
  const chain = [point.country && plan.countries[point.country], point.continent && plan.continents[point.continent], plan.default].filter(
    (region): region is string => typeof region === 'string' && region !== '',
  );
  const first = chain[0];
  if (!first) return {};
  if (first !== failed) return { [first]: 1 };
  const fallback = [...(plan.failoverWithin[first] ?? []), ...chain.slice(1)].find((region) => region !== failed);
  return fallback ? { [fallback]: 1 } : {};
}

/**
 * Where the requests of one population point go, in steady state or with one region failed and
 * detected unhealthy. The edge, when there is one, decides instead of DNS: an accelerator sends each
 * client to the nearest healthy endpoint group.
 */
export function routePoint(architecture: Architecture, population: ResolvedPopulation, point: PopulationPoint, failed?: string): RegionShares {
  const { routing, servingRegions, standbyRegions, primary } = architecture;
  const healthy = (regions: readonly string[]) => regions.filter((region) => region !== failed);
  if (routing.edge === 'accelerator') {
    const serving = healthy(servingRegions);
    return nearestHealthy(population, point, serving.length > 0 ? serving : standbyRegions, failed);
  }
  switch (routing.policy) {
    case 'simple':
      return primary === failed ? {} : { [primary]: 1 };
    case 'failover': {
      const target = [primary, ...standbyRegions].find((region) => region !== failed);
      return target ? { [target]: 1 } : {};
    }
    case 'latency':
      return nearestHealthy(population, point, servingRegions, failed);
    case 'weighted':
      return spread(healthy(servingRegions), (region) => routing.weights[region] ?? 1);
    case 'multivalue':
      return spread(healthy(servingRegions).slice(0, SERVICE_LEVELS.route53_multivalue_answers_max.value), () => 1);
    case 'geolocation':
      return geolocationTarget(architecture, point, failed);
  }
}

/** A population's requests per region: the weighted sum over its points. */
export function routePopulation(architecture: Architecture, population: ResolvedPopulation, failed?: string): RegionShares {
  const shares: Record<string, number> = {};
  for (const point of population.points) {
    for (const [region, share] of Object.entries(routePoint(architecture, population, point, failed))) {
      shares[region] = (shares[region] ?? 0) + share * point.weight;
    }
  }
  return shares;
}

/** How long users of a failed region wait before their traffic lands elsewhere. */
export interface TrafficFailover {
  readonly mechanism: string;
  /** Seconds from the failure until traffic reaches a healthy region; undefined when nothing fails over. */
  readonly seconds: number | undefined;
  /** Seconds until the failure is detected (health checks), when automation such as a writer promotion can start. */
  readonly detectionSeconds: number | undefined;
  readonly explanation: string;
}

export function trafficFailover(architecture: Architecture): TrafficFailover {
  const { routing } = architecture;
  if (architecture.servingRegions.length + architecture.standbyRegions.length <= 1) {
    return { mechanism: 'none', seconds: undefined, detectionSeconds: undefined, explanation: 'one region: nothing to fail over to' };
  }
  if (routing.edge === 'accelerator') {
    // Endpoint-group health checks take the spec's interval and threshold; traffic moves as soon as they trip.
    const accelerator = SERVICE_LEVELS.global_accelerator_failover_seconds;
    const interval = routing.healthCheck?.intervalSeconds ?? accelerator.health_check_interval_default_seconds;
    const threshold = routing.healthCheck?.failureThreshold ?? accelerator.failure_threshold_default;
    const seconds = interval * threshold;
    return {
      mechanism: 'Global Accelerator',
      seconds,
      detectionSeconds: seconds,
      explanation: `accelerator health check every ${interval} s × threshold ${threshold} = ${seconds} s; traffic moves at once (no DNS TTL in the path)`,
    };
  }
  const check = routing.healthCheck;
  if (!check) return { mechanism: 'Route 53 without health checks', seconds: undefined, detectionSeconds: undefined, explanation: 'records are not health-checked: DNS keeps answering with the failed region' };
  const seconds = dnsFailoverSeconds(check.intervalSeconds, check.failureThreshold, routing.ttlSeconds);
  return {
    mechanism: `Route 53 ${routing.policy} routing`,
    seconds,
    detectionSeconds: check.intervalSeconds * check.failureThreshold,
    explanation: `health check every ${check.intervalSeconds} s × threshold ${check.failureThreshold} = ${check.intervalSeconds * check.failureThreshold} s to detect, + TTL ${routing.ttlSeconds} s for resolvers = ${seconds} s`,
  };
}
