import { MODEL_ASSUMPTIONS, SERVICE_LEVELS } from '../catalog/service-levels.ts';
import type { CostInput, DataClassLoad, InterRegionFlow, PopulationLoad, RegionLoad } from '../core/cost/cost-model.ts';
import type { ResolvedPopulation, ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture, DataPlacement } from './architecture.ts';
import { dataPath } from './data-path.ts';
import { routePoint, routePopulation } from './routing-model.ts';
import { populationClassRates } from './traffic.ts';

/** Bytes of a request or answer that carries no item (a key, a status). */
const SMALL_MESSAGE_BYTES = 256;
/** Route 53's standard health-check interval (30 s); the shorter one it offers is billed on top. */
const STANDARD_INTERVAL_SECONDS = Math.max(...SERVICE_LEVELS.route53_health_check.intervals_seconds);

function add(record: Record<string, number>, key: string, amount: number): void {
  record[key] = (record[key] ?? 0) + amount;
}

/** Requests each region serves in steady state, or with one region failed. */
export function regionRequests(spec: ResolvedSpec, architecture: Architecture, failed?: string): Record<string, number> {
  const perRegion: Record<string, number> = {};
  for (const population of spec.populations) {
    for (const [region, share] of Object.entries(routePopulation(architecture, population, failed))) add(perRegion, region, population.requestsPerSecond * share);
  }
  return perRegion;
}

/**
 * Instances per region: as declared, else enough for the steady load plus headroom and for the load
 * the region inherits when any one other serving region fails; standbys match the largest region.
 */
export function regionLoads(spec: ResolvedSpec, architecture: Architecture): RegionLoad[] {
  const requests = regionRequests(spec, architecture);
  const failovers = architecture.servingRegions.length > 1 ? architecture.servingRegions.map((failed) => regionRequests(spec, architecture, failed)) : [];
  const minimum = MODEL_ASSUMPTIONS.application_instances_min.value;
  const sized = (code: string, load: number) => {
    const region = spec.regions.find((candidate) => candidate.code === code)!;
    const needed = Math.max(load * (1 + spec.assumptions.capacityHeadroom), ...failovers.map((perRegion) => perRegion[code] ?? 0));
    return region.instances ?? Math.max(minimum, Math.ceil(needed / region.requestsPerSecondPerInstance));
  };
  const serving = architecture.servingRegions.map((code) => ({ code, instances: sized(code, requests[code] ?? 0), requestsPerSecond: requests[code] ?? 0 }));
  const takeover = Math.max(...serving.map((region) => region.instances));
  const standby = architecture.standbyRegions.map((code) => ({ code, instances: spec.regions.find((r) => r.code === code)!.instances ?? takeover, requestsPerSecond: 0 }));
  return [...serving, ...standby];
}

function deployedLoad(spec: ResolvedSpec, architecture: Architecture, placement: DataPlacement, flows: Map<string, InterRegionFlow>): DataClassLoad {
  const dataClass = spec.data.find((candidate) => candidate.name === placement.dataClass)!;
  const reads: Record<string, number> = {};
  const writes: Record<string, number> = {};
  for (const population of spec.populations) {
    const rate = populationClassRates(spec, population).find((r) => r.dataClass.name === dataClass.name)!;
    for (const point of population.points) {
      for (const [region, share] of Object.entries(routePoint(architecture, population, point))) {
        const weight = point.weight * share;
        const read = dataPath(placement, region, 'read', dataClass.consistentReads);
        const write = dataPath(placement, region, 'write', dataClass.consistentReads);
        add(reads, read.answeredIn, rate.readsPerSecond * weight);
        add(writes, write.answeredIn, rate.writesPerSecond * weight);
        addFlow(flows, region, read.answeredIn, rate.readsPerSecond * weight, SMALL_MESSAGE_BYTES, dataClass.itemSizeBytes, `${dataClass.name} reads`);
        addFlow(flows, region, write.answeredIn, rate.writesPerSecond * weight, dataClass.itemSizeBytes, SMALL_MESSAGE_BYTES, `${dataClass.name} writes`);
      }
    }
  }
  return {
    name: dataClass.name,
    engine: placement.engine,
    itemSizeBytes: dataClass.itemSizeBytes,
    storageGb: dataClass.storageGb,
    replicas: placement.replicas,
    writer: placement.writer,
    witness: placement.witness,
    readsPerSecondByRegion: reads,
    writesPerSecondByRegion: writes,
    consistentReads: dataClass.consistency === 'strong' && dataClass.consistentReads,
  };
}

/** A forwarded operation sends its request one way and its answer back. */
function addFlow(flows: Map<string, InterRegionFlow>, from: string, to: string, perSecond: number, requestBytes: number, answerBytes: number, reason: string): void {
  if (from === to || perSecond <= 0) return;
  for (const [source, target, bytes] of [[from, to, requestBytes], [to, from, answerBytes]] as const) {
    const key = `${source}>${target}>${reason}`;
    const previous = flows.get(key)?.bytesPerSecond ?? 0;
    flows.set(key, { from: source, to: target, bytesPerSecond: previous + perSecond * bytes, reason: `forwarded ${reason}` });
  }
}

function populationLoad(population: ResolvedPopulation): PopulationLoad {
  const byContinent: Record<string, number> = {};
  for (const point of population.points) if (point.continent) add(byContinent, point.continent, point.weight);
  const continent = Object.entries(byContinent).sort((a, b) => b[1] - a[1])[0]?.[0];
  return { name: population.name, continent, requestsPerSecond: population.requestsPerSecond, dnsResolvers: population.dnsResolvers };
}

/** Everything the cost model prices for one architecture. */
export function costPlan(spec: ResolvedSpec, architecture: Architecture): CostInput {
  const flows = new Map<string, InterRegionFlow>();
  const dataClasses = architecture.placements.map((placement) => deployedLoad(spec, architecture, placement, flows));
  const check = architecture.routing.healthCheck;
  const checkedRegions = architecture.servingRegions.length + architecture.standbyRegions.length;
  const aurora = MODEL_ASSUMPTIONS.aurora_instances;
  return {
    regions: regionLoads(spec, architecture),
    populations: spec.populations.map(populationLoad),
    dataClasses,
    flows: [...flows.values()],
    responseBytes: spec.assumptions.responseBytes,
    routing: {
      policy: architecture.routing.policy,
      healthChecks: check && checkedRegions > 1 ? checkedRegions : 0,
      // Any interval below the standard 30 s (10 s, or a non-AWS lab interval such as 1 s) is priced as
      // Route 53's fast-interval option, the nearest setting AWS sells.
      fastInterval: check !== undefined && check.intervalSeconds < STANDARD_INTERVAL_SECONDS,
      ttlSeconds: architecture.routing.ttlSeconds,
    },
    edge: architecture.routing.edge,
    aurora: {
      instancesPerWriterRegion: aurora.writer_region,
      instancesPerSecondaryRegion: aurora.secondary_region,
      ioPerWrite: spec.assumptions.auroraIoPerWrite,
      ioPerRead: spec.assumptions.auroraIoPerRead,
    },
  };
}
