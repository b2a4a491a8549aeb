import { defaultPriceBook, PRICES_RETRIEVED } from '../catalog/prices.ts';
import { RTT_SOURCE } from '../catalog/rtt-matrix.ts';
import type { CostBreakdown } from '../core/cost/cost-model.ts';
import { estimateMonthlyCost } from '../core/cost/monthly-cost.ts';
import type { ResolvedAssumptions, ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture, ArchitectureKind } from './architecture.ts';
import { estimateAvailability, type AvailabilityEstimate } from './availability-estimate.ts';
import { candidateArchitectures } from './candidates.ts';
import { costPlan, regionLoads } from './cost-plan.ts';
import { estimatePopulationLatency, type PopulationLatency } from './latency-estimate.ts';
import { estimateRecovery, type RecoveryEstimate } from './recovery-estimate.ts';
import { judgeCandidate, type Verdict } from './verdicts.ts';

export interface CandidateEstimate {
  readonly architecture: Architecture;
  readonly instances: Readonly<Record<string, number>>;
  readonly latency: readonly PopulationLatency[];
  readonly availability: AvailabilityEstimate;
  readonly recovery: RecoveryEstimate;
  readonly cost: CostBreakdown;
  readonly verdicts: readonly Verdict[];
  readonly meetsAll: boolean;
}

export interface Rejection {
  readonly kind: ArchitectureKind;
  readonly title: string;
  /** The failed verdicts' details, each with the number that fails it. */
  readonly reasons: readonly string[];
}

export interface Recommendation {
  /** Undefined when no candidate meets every requirement. */
  readonly kind: ArchitectureKind | undefined;
  readonly title: string;
  readonly reason: string;
  readonly rejectedSimpler: readonly Rejection[];
}

/** Where the figures come from, so a reader of the JSON can trace them. */
export interface CatalogProvenance {
  readonly roundTrips: string;
  readonly prices: string;
  readonly serviceLevels: string;
  readonly assumptions: string;
}

export interface Advice {
  readonly spec: string;
  readonly catalog: CatalogProvenance;
  readonly candidates: readonly CandidateEstimate[];
  readonly recommendation: Recommendation;
  readonly assumptions: ResolvedAssumptions;
}

const CATALOG_PROVENANCE: CatalogProvenance = {
  roundTrips: `${RTT_SOURCE.description}, captured ${RTT_SOURCE.captured} (src/catalog/data/aws-inter-region-rtt-ms.json)`,
  prices: `USD list prices retrieved ${PRICES_RETRIEVED}, each with its evidence and date (src/catalog/data/aws-pricing.json)`,
  serviceLevels: 'AWS SLAs and documented behaviour (src/catalog/data/service-levels.json)',
  assumptions: 'model parameters that are not published facts, overridable under assumptions: (src/catalog/data/model-assumptions.json)',
};

export function estimateCandidate(spec: ResolvedSpec, architecture: Architecture): CandidateEstimate {
  const latency = spec.populations.map((population) => estimatePopulationLatency(spec, architecture, population));
  const availability = estimateAvailability(spec, architecture);
  const recovery = estimateRecovery(spec, architecture);
  const cost = estimateMonthlyCost(costPlan(spec, architecture), defaultPriceBook());
  const verdicts = judgeCandidate(spec, { architecture, latency, availability, recovery, monthlyCostUsd: cost.totalMonthlyUsd });
  const instances = Object.fromEntries(regionLoads(spec, architecture).map((region) => [region.code, region.instances]));
  return { architecture, instances, latency, availability, recovery, cost, verdicts, meetsAll: verdicts.every((verdict) => verdict.pass) };
}

function failures(candidate: CandidateEstimate): string[] {
  return candidate.verdicts.filter((verdict) => !verdict.pass).map((verdict) => verdict.detail);
}

/** The simplest candidate that meets every requirement, and why each simpler one does not. */
export function recommend(candidates: readonly CandidateEstimate[]): Recommendation {
  const ordered = [...candidates].sort((a, b) => a.architecture.complexity - b.architecture.complexity);
  const chosen = ordered.find((candidate) => candidate.meetsAll);
  const simpler = chosen ? ordered.filter((candidate) => candidate.architecture.complexity < chosen.architecture.complexity) : ordered;
  const rejectedSimpler = simpler.map((candidate) => ({ kind: candidate.architecture.kind, title: candidate.architecture.title, reasons: failures(candidate) }));
  if (!chosen) {
    const closest = [...ordered].sort((a, b) => failures(a).length - failures(b).length || a.architecture.complexity - b.architecture.complexity)[0]!;
    return {
      kind: undefined,
      title: 'no candidate meets every requirement',
      reason: `closest: ${closest.architecture.title}, which still fails: ${failures(closest).join('; ')}`,
      rejectedSimpler,
    };
  }
  const met = chosen.verdicts.map((verdict) => `${verdict.requirement} ${verdict.estimate}`).join(', ');
  const why = rejectedSimpler.length === 0 ? 'it is the simplest candidate and meets every requirement' : `it is the simplest candidate that meets every requirement (${met})`;
  return { kind: chosen.architecture.kind, title: chosen.architecture.title, reason: why, rejectedSimpler };
}

export function advise(spec: ResolvedSpec, file: string): Advice {
  const candidates = candidateArchitectures(spec).map((architecture) => estimateCandidate(spec, architecture));
  return { spec: file, catalog: CATALOG_PROVENANCE, candidates, recommendation: recommend(candidates), assumptions: spec.assumptions };
}
