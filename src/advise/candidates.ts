import type { ResolvedDataClass, ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture, ArchitectureRouting, DataPlacement, GeolocationPlan } from './architecture.ts';
import { allowedRegions, asyncPlacement, byDistanceFrom, singleRegionPlacement, strongPlacement } from './placement.ts';
import { userRttMs } from './traffic.ts';

const DEFAULT_HEALTH_CHECK = { intervalSeconds: 30, failureThreshold: 3, path: '/health' } as const;

export function primaryRegion(spec: ResolvedSpec): string {
  return spec.regions.find((region) => region.role === 'primary')?.code ?? spec.regions[0]!.code;
}

function residencyProblems(spec: ResolvedSpec, regionsHoldingData: (dataClass: ResolvedDataClass) => readonly string[]): string[] {
  return spec.data.flatMap((dataClass) => {
    const zone = dataClass.residency ? spec.zones[dataClass.residency] : undefined;
    const outside = zone ? regionsHoldingData(dataClass).filter((code) => !zone.includes(code)) : [];
    return outside.length > 0 ? [`${dataClass.name} must stay in zone '${dataClass.residency}' but would be stored in ${outside.join(', ')}`] : [];
  });
}

function multiRegionRouting(spec: ResolvedSpec, policy: ArchitectureRouting['policy'], geolocation?: GeolocationPlan): ArchitectureRouting {
  return {
    policy,
    healthCheck: spec.routing.healthCheck ?? DEFAULT_HEALTH_CHECK,
    ttlSeconds: spec.routing.ttlSeconds,
    edge: spec.routing.edge,
    weights: spec.routing.weights,
    geolocation,
  };
}

export function singleRegionCandidate(spec: ResolvedSpec): Architecture {
  const primary = primaryRegion(spec);
  return {
    kind: 'single-region',
    complexity: 0,
    title: `Single region (${primary})`,
    summary: `Everything runs in ${primary} across its availability zones: the baseline every multi-region design is measured against.`,
    primary,
    servingRegions: [primary],
    standbyRegions: [],
    routing: { policy: 'simple', healthCheck: undefined, ttlSeconds: spec.routing.ttlSeconds, edge: 'none', weights: {}, geolocation: undefined },
    placements: spec.data.map((dataClass) => singleRegionPlacement(dataClass, primary)),
    infeasible: residencyProblems(spec, () => [primary]),
  };
}

/** Standby regions: those the spec marks standby, else the region nearest the primary. */
function standbyRegions(spec: ResolvedSpec, primary: string): string[] {
  const marked = spec.regions.filter((region) => region.role === 'standby').map((region) => region.code);
  if (marked.length > 0) return marked;
  const others = spec.regions.map((region) => region.code).filter((code) => code !== primary);
  return byDistanceFrom(primary, others).slice(0, 1);
}

function placeAll(spec: ResolvedSpec, primary: string, regions: readonly string[], writes: 'one-region' | 'every-region'): DataPlacement[] {
  const context = { spec, primary, regions };
  return spec.data.map((dataClass) =>
    dataClass.consistency === 'strong'
      ? strongPlacement(context, dataClass)
      : asyncPlacement(context, dataClass, dataClass.consistency === 'multi-writer' ? writes : 'one-region'),
  );
}

export function activePassiveCandidate(spec: ResolvedSpec): Architecture | undefined {
  const primary = primaryRegion(spec);
  const standby = standbyRegions(spec, primary);
  if (standby.length === 0) return undefined;
  const regions = [primary, ...standby];
  const placements = placeAll(spec, primary, regions, 'one-region');
  return {
    kind: 'active-passive',
    complexity: 1,
    title: `Active-passive (${primary} → ${standby.join(', ')})`,
    summary: `${primary} serves every user; ${standby.join(', ')} ${standby.length === 1 ? 'holds' : 'hold'} replicas and warm capacity and take${standby.length === 1 ? 's' : ''} over through Route 53 failover routing.`,
    primary,
    servingRegions: [primary],
    standbyRegions: standby,
    routing: multiRegionRouting(spec, 'failover'),
    placements,
    infeasible: residencyProblems(spec, (dataClass) => placements.find((p) => p.dataClass === dataClass.name)!.replicas),
  };
}

export function activeActiveCandidate(spec: ResolvedSpec): Architecture | undefined {
  if (spec.regions.length < 2) return undefined;
  const primary = primaryRegion(spec);
  const regions = [primary, ...spec.regions.map((region) => region.code).filter((code) => code !== primary)];
  const policy = ['latency', 'weighted', 'multivalue'].includes(spec.routing.policy) ? spec.routing.policy : 'latency';
  const placements = placeAll(spec, primary, regions, 'every-region');
  return {
    kind: 'active-active',
    complexity: 2,
    title: `Active-active (${regions.join(', ')})`,
    summary: `Every region serves the users nearest to it (${policy} routing); multi-writer data is written everywhere, single-writer data in ${primary}, strong data on a quorum.`,
    primary,
    servingRegions: regions,
    standbyRegions: [],
    routing: multiRegionRouting(spec, policy),
    placements,
    infeasible: residencyProblems(spec, (dataClass) => placements.find((p) => p.dataClass === dataClass.name)!.replicas),
  };
}

/**
 * Active-active partitioned by zone: geolocation keeps the users of resident data inside its zone,
 * including on failover, and resident classes replicate only there.
 */
export function partitionedCandidate(spec: ResolvedSpec): Architecture | undefined {
  const residentClasses = spec.data.filter((dataClass) => dataClass.residency && spec.zones[dataClass.residency]);
  if (residentClasses.length === 0 || spec.regions.length < 2) return undefined;
  const primary = primaryRegion(spec);
  const regions = [primary, ...spec.regions.map((region) => region.code).filter((code) => code !== primary)];
  const geolocation = spec.routing.policy === 'geolocation' ? specGeolocationPlan(spec, regions) : generatedGeolocationPlan(spec, regions, residentClasses);
  const placements = placeAll(spec, primary, regions, 'every-region');
  return {
    kind: 'partitioned-active-active',
    complexity: 3,
    title: `Zone-partitioned active-active (${regions.join(', ')})`,
    summary: `Geolocation routing pins the users of resident data (${residentClasses.map((c) => c.name).join(', ')}) to their zone, failing over only within it; other data is global.`,
    primary,
    servingRegions: regions,
    standbyRegions: [],
    routing: multiRegionRouting(spec, 'geolocation', geolocation),
    placements,
    infeasible: residencyProblems(spec, (dataClass) => placements.find((p) => p.dataClass === dataClass.name)!.replicas),
  };
}

function zoneFailover(spec: ResolvedSpec, regions: readonly string[]): Record<string, string[]> {
  const failoverWithin: Record<string, string[]> = {};
  for (const region of regions) {
    const zone = Object.values(spec.zones).find((members) => members.includes(region));
    const peers = regions.filter((code) => code !== region && (!zone || zone.includes(code)));
    failoverWithin[region] = byDistanceFrom(region, peers);
  }
  return failoverWithin;
}

function specGeolocationPlan(spec: ResolvedSpec, regions: readonly string[]): GeolocationPlan {
  const rules = spec.routing.geolocation;
  return { countries: rules.countries, continents: rules.continents, default: rules.default ?? regions[0], failoverWithin: zoneFailover(spec, regions) };
}

function generatedGeolocationPlan(spec: ResolvedSpec, regions: readonly string[], residentClasses: readonly ResolvedDataClass[]): GeolocationPlan {
  const countries: Record<string, string> = {};
  for (const population of spec.populations) {
    const resident = residentClasses.find((dataClass) => (population.mix[dataClass.name] ?? 1) > 0);
    const allowed = resident ? allowedRegions(spec, resident, regions) : [...regions];
    for (const point of population.points) {
      if (!point.country) continue;
      countries[point.country] = [...allowed].sort((a, b) => userRttMs(population, point, a) - userRttMs(population, point, b))[0]!;
    }
  }
  return { countries, continents: {}, default: regions[0], failoverWithin: zoneFailover(spec, regions) };
}

/** Every candidate that fits the spec, simplest first. */
export function candidateArchitectures(spec: ResolvedSpec): Architecture[] {
  return [singleRegionCandidate(spec), activePassiveCandidate(spec), activeActiveCandidate(spec), partitionedCandidate(spec)].filter(
    (candidate): candidate is Architecture => candidate !== undefined,
  );
}
