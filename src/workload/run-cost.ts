import type { Architecture } from '../advise/architecture.ts';
import { costPlan } from '../advise/cost-plan.ts';
import { defaultPriceBook } from '../catalog/prices.ts';
import type { CostInput } from '../core/cost/cost-model.ts';
import { SECONDS_PER_MONTH, estimateMonthlyCost } from '../core/cost/monthly-cost.ts';
import type { RunReport } from '../report/run-report.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';

/** What a run counted, per region and per data class and region. */
export interface CostCounters {
  readonly requestsByRegion: Readonly<Record<string, number>>;
  readonly readsByClassRegion: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly writesByClassRegion: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

function perSecond(counts: Readonly<Record<string, number>>, seconds: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([key, count]) => [key, count / seconds]));
}

/**
 * The cost of a run's traffic (simulated or measured live): the advise cost plan of the same architecture
 * with the run's request and data-operation rates in place of the spec's, priced by the same model and book.
 */
export function runCost(spec: ResolvedSpec, architecture: Architecture, counters: CostCounters, durationMs: number): RunReport['cost'] {
  const seconds = Math.max(1, durationMs / 1000);
  const planned = costPlan(spec, architecture);
  const requests = perSecond(counters.requestsByRegion, seconds);
  const measured: CostInput = {
    ...planned,
    regions: planned.regions.map((region) => ({ ...region, requestsPerSecond: requests[region.code] ?? 0 })),
    dataClasses: planned.dataClasses.map((dataClass) => ({
      ...dataClass,
      readsPerSecondByRegion: perSecond(counters.readsByClassRegion[dataClass.name] ?? {}, seconds),
      writesPerSecondByRegion: perSecond(counters.writesByClassRegion[dataClass.name] ?? {}, seconds),
    })),
  };
  const breakdown = estimateMonthlyCost(measured, defaultPriceBook());
  const round = (usd: number) => Math.round(usd * 100) / 100;
  return {
    runUsd: round((breakdown.totalMonthlyUsd * seconds) / SECONDS_PER_MONTH),
    monthlyUsdAtThisRate: round(breakdown.totalMonthlyUsd),
    byCategory: Object.fromEntries(Object.entries(breakdown.byCategory).map(([category, usd]) => [category, round(usd)])),
  };
}
