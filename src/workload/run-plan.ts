import type { Architecture, DataPlacement } from '../advise/architecture.ts';
import { regionLoads } from '../advise/cost-plan.ts';
import { otherRequestsPerSecond, populationClassRates, userRttMs } from '../advise/traffic.ts';
import { regionRtt } from '../catalog/latency.ts';
import { SERVICE_LEVELS } from '../catalog/service-levels.ts';
import type { Consistency } from '../spec/schema.ts';
import type { PopulationPoint, ResolvedDataClass, ResolvedSpec } from '../spec/resolved-spec.ts';

/**
 * The spec and one architecture compiled into indexed tables, so the simulator's hot path does array
 * lookups instead of string maps. Every figure comes from the same catalog and assumptions advise uses.
 */
export interface PlanOperation {
  readonly name: string;
  /** Index into `dataClasses`, or -1 for requests that touch no data class. */
  readonly dataClass: number;
  readonly isWrite: boolean;
}

export interface PlanPopulation {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly points: readonly PopulationPoint[];
  /** Cumulative point weights, for drawing a point. */
  readonly pointCumulative: Float64Array;
  /** Cumulative operation shares (over `operations`), for drawing an operation. */
  readonly operationCumulative: Float64Array;
  /** userRttMs[point][region]: access network plus the catalog estimate, p50. */
  readonly userRttMs: readonly Float64Array[];
}

export interface PlanDataClass {
  readonly name: string;
  readonly consistency: Consistency;
  readonly spec: ResolvedDataClass;
  readonly placement: DataPlacement;
  /** Region indices holding a replica. */
  readonly replicas: readonly number[];
  /** Region index of the writer for single-writer engines and single copies; -1 otherwise. */
  readonly writer: number;
  readonly witness: number;
  /** Allowed regions (zone) as indices, or undefined when the class may live anywhere. */
  readonly zone: readonly number[] | undefined;
  readonly dbLatencyMs: { readonly p50: number; readonly p99: number };
}

export interface RunPlan {
  readonly spec: ResolvedSpec;
  readonly architecture: Architecture;
  readonly regions: readonly string[];
  readonly primary: number;
  readonly serving: readonly number[];
  readonly standby: readonly number[];
  readonly operations: readonly PlanOperation[];
  readonly populations: readonly PlanPopulation[];
  readonly dataClasses: readonly PlanDataClass[];
  /** regionRttMs[a][b], p50 from the catalog (the diagonal is 0). */
  readonly regionRttMs: readonly Float64Array[];
  readonly instances: readonly number[];
  readonly requestsPerSecondPerInstance: readonly number[];
}

function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const result = new Float64Array(weights.length);
  let running = 0;
  weights.forEach((weight, index) => {
    running += total > 0 ? weight / total : 1 / weights.length;
    result[index] = running;
  });
  if (weights.length > 0) result[weights.length - 1] = 1;
  return result;
}

function dbLatency(placement: DataPlacement): { p50: number; p99: number } {
  const aurora = placement.engine === 'aurora-cluster' || placement.engine === 'aurora-global-database';
  const figures = aurora ? SERVICE_LEVELS.aurora_request_latency_ms : SERVICE_LEVELS.dynamodb_request_latency_ms;
  return { p50: figures.p50, p99: figures.p99 };
}

export function buildRunPlan(spec: ResolvedSpec, architecture: Architecture, loadScale = 1): RunPlan {
  const regionSet = new Set([
    ...architecture.servingRegions,
    ...architecture.standbyRegions,
    ...architecture.placements.flatMap((p) => [...p.replicas, ...(p.witness ? [p.witness] : [])]),
  ]);
  const regions = [...regionSet];
  const index = (code: string) => regions.indexOf(code);
  const operations: PlanOperation[] = [
    ...spec.data.flatMap((dataClass, i) => [
      { name: `${dataClass.name}.read`, dataClass: i, isWrite: false },
      { name: `${dataClass.name}.write`, dataClass: i, isWrite: true },
    ]),
    { name: 'other', dataClass: -1, isWrite: false },
  ];
  const populations = spec.populations.map((population) => {
    const rates = populationClassRates(spec, population);
    const shares = [...rates.flatMap((rate) => [rate.readsPerSecond, rate.writesPerSecond]), otherRequestsPerSecond(population, rates)];
    return {
      name: population.name,
      requestsPerSecond: shares.reduce((sum, share) => sum + share, 0) * loadScale,
      points: population.points,
      pointCumulative: cumulative(population.points.map((point) => point.weight)),
      operationCumulative: cumulative(shares),
      userRttMs: population.points.map((point) => Float64Array.from(regions, (region) => userRttMs(population, point, region))),
    };
  });
  const dataClasses = architecture.placements.map((placement) => {
    const dataClass = spec.data.find((candidate) => candidate.name === placement.dataClass)!;
    const zone = dataClass.residency ? spec.zones[dataClass.residency] : undefined;
    return {
      name: dataClass.name,
      consistency: dataClass.consistency,
      spec: dataClass,
      placement,
      replicas: placement.replicas.map(index),
      writer: placement.writer ? index(placement.writer) : -1,
      witness: placement.witness ? index(placement.witness) : -1,
      zone: zone?.map(index).filter((i) => i >= 0),
      dbLatencyMs: dbLatency(placement),
    };
  });
  const loads = regionLoads(spec, architecture);
  return {
    spec,
    architecture,
    regions,
    primary: index(architecture.primary),
    serving: architecture.servingRegions.map(index),
    standby: architecture.standbyRegions.map(index),
    operations,
    populations,
    dataClasses,
    regionRttMs: regions.map((a) => Float64Array.from(regions, (b) => (a === b ? 0 : regionRtt(a, b).rttMs))),
    instances: regions.map((code) => loads.find((load) => load.code === code)?.instances ?? 0),
    requestsPerSecondPerInstance: regions.map((code) => spec.regions.find((region) => region.code === code)?.requestsPerSecondPerInstance ?? spec.assumptions.requestsPerSecondPerInstance),
  };
}
