import { estimateCandidate } from '../advise/advise.ts';
import type { Architecture } from '../advise/architecture.ts';
import type { RunPrediction } from '../report/run-report.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';

/** advise's analytic figures for the same architecture, so the report can put them beside the measured ones. */
export function predict(spec: ResolvedSpec, architecture: Architecture): RunPrediction {
  const estimate = estimateCandidate(spec, architecture);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    trafficFailoverSeconds: estimate.recovery.traffic.seconds ?? null,
    trafficFailoverExplanation: `${estimate.recovery.traffic.mechanism}: ${estimate.recovery.traffic.explanation}`,
    dataClasses: estimate.recovery.dataClasses.map((c) => ({ dataClass: c.dataClass, rpoSeconds: c.rpoSeconds, rtoSeconds: c.rtoSeconds, writeRtoSeconds: c.writeRtoSeconds, explanation: c.explanation })),
    latency: estimate.latency.map((population) => ({ population: population.population, p50Ms: round(population.p50Ms), p99Ms: round(population.p99Ms) })),
  };
}
