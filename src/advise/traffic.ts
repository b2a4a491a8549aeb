import { pointToRegionRtt } from '../catalog/latency.ts';
import type { PopulationPoint, ResolvedDataClass, ResolvedPopulation, ResolvedSpec } from '../spec/resolved-spec.ts';

export type Operation = 'read' | 'write';

/** A population's reads and writes of one data class, per second. */
export interface ClassRates {
  readonly dataClass: ResolvedDataClass;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
}

/**
 * Splits every data class's total rates over the populations, in proportion to each population's
 * requests times its mix weight for the class; totals stay those the spec declares.
 */
export function populationClassRates(spec: ResolvedSpec, population: ResolvedPopulation): ClassRates[] {
  return spec.data.map((dataClass) => {
    const weightOf = (p: ResolvedPopulation) => p.requestsPerSecond * (p.mix[dataClass.name] ?? 1);
    const total = spec.populations.reduce((sum, p) => sum + weightOf(p), 0);
    const share = total > 0 ? weightOf(population) / total : 0;
    return { dataClass, readsPerSecond: dataClass.readsPerSecond * share, writesPerSecond: dataClass.writesPerSecond * share };
  });
}

/** Requests of a population that touch no data class (pages, static content), per second. */
export function otherRequestsPerSecond(population: ResolvedPopulation, rates: readonly ClassRates[]): number {
  const dataOps = rates.reduce((sum, rate) => sum + rate.readsPerSecond + rate.writesPerSecond, 0);
  return Math.max(0, population.requestsPerSecond - dataOps);
}

/** Round trip from a population point to a region, including the users' access network. */
export function userRttMs(population: ResolvedPopulation, point: PopulationPoint, region: string): number {
  return population.accessRttMs + pointToRegionRtt(point, region).rttMs;
}
