import type { ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture } from './architecture.ts';
import type { AvailabilityEstimate } from './availability-estimate.ts';
import type { PopulationLatency } from './latency-estimate.ts';
import type { RecoveryEstimate } from './recovery-estimate.ts';
import { routePopulation } from './routing-model.ts';

export type Requirement = 'buildable' | 'residency' | 'availability' | 'latency-p99' | 'rpo' | 'rto' | 'budget';

/** Whether a candidate meets one requirement, with the figures that decide it. */
export interface Verdict {
  readonly requirement: Requirement;
  readonly target: string;
  readonly estimate: string;
  readonly pass: boolean;
  /** The sentence a rejection quotes. */
  readonly detail: string;
}

export interface CandidateFigures {
  readonly architecture: Architecture;
  readonly latency: readonly PopulationLatency[];
  readonly availability: AvailabilityEstimate;
  readonly recovery: RecoveryEstimate;
  readonly monthlyCostUsd: number;
}

const percent = (value: number) => `${(value * 100).toFixed(4).replace(/0+$/, '').replace(/\.$/, '')} %`;

/** Regions that would serve users of resident data outside its zone, in steady state or after one region fails. */
function residencyBreaches(spec: ResolvedSpec, architecture: Architecture): string[] {
  const breaches: string[] = [];
  for (const dataClass of spec.data) {
    const zone = dataClass.residency ? spec.zones[dataClass.residency] : undefined;
    if (!zone) continue;
    for (const population of spec.populations) {
      if ((population.mix[dataClass.name] ?? 1) <= 0) continue;
      const scenarios = [undefined, ...architecture.servingRegions];
      const outside = new Set(scenarios.flatMap((failed) => Object.keys(routePopulation(architecture, population, failed)).filter((region) => !zone.includes(region))));
      if (outside.size > 0) breaches.push(`${population.name} would have ${dataClass.name} served from ${[...outside].join(', ')}, outside zone '${dataClass.residency}'`);
    }
  }
  return breaches;
}

function latencyVerdict(target: number, latency: readonly PopulationLatency[]): Verdict {
  const failing = latency.filter((population) => population.p99Ms > target);
  const worst = latency.reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a));
  return {
    requirement: 'latency-p99',
    target: `≤ ${target} ms for every population`,
    estimate: `${worst.p99Ms.toFixed(0)} ms (${worst.population})`,
    pass: failing.length === 0,
    detail: failing.length === 0 ? `worst p99 ${worst.p99Ms.toFixed(0)} ms (${worst.population})` : `p99 ${failing.map((p) => `${p.population} ${p.p99Ms.toFixed(0)} ms`).join(', ')} > ${target} ms`,
  };
}

export function judgeCandidate(spec: ResolvedSpec, figures: CandidateFigures): Verdict[] {
  const { architecture, availability, recovery } = figures;
  const verdicts: Verdict[] = [];
  const infeasible = architecture.infeasible;
  verdicts.push({ requirement: 'buildable', target: 'residency of stored data', estimate: infeasible.length === 0 ? 'yes' : 'no', pass: infeasible.length === 0, detail: infeasible.join('; ') || 'every class stored only where allowed' });
  const breaches = residencyBreaches(spec, architecture);
  verdicts.push({ requirement: 'residency', target: 'resident data served only in its zone', estimate: breaches.length === 0 ? 'held' : 'broken', pass: breaches.length === 0, detail: breaches.join('; ') || 'held in steady state and after any one region fails' });
  const slo = spec.slo;
  if (slo.availability !== undefined) {
    verdicts.push({
      requirement: 'availability',
      target: `≥ ${percent(slo.availability)}`,
      estimate: percent(availability.availability),
      pass: availability.availability >= slo.availability,
      detail: `availability ${percent(availability.availability)} (${availability.downtimeMinutesPerYear.toFixed(1)} min/year down) vs ${percent(slo.availability)}`,
    });
  }
  if (slo.latencyP99Ms !== undefined) verdicts.push(latencyVerdict(slo.latencyP99Ms, figures.latency));
  if (slo.rpoSeconds !== undefined) {
    const worst = recovery.dataClasses.filter((c) => c.rpoSeconds > slo.rpoSeconds!);
    verdicts.push({
      requirement: 'rpo',
      target: `≤ ${slo.rpoSeconds} s`,
      estimate: `${recovery.rpoSeconds} s`,
      pass: worst.length === 0,
      detail: worst.length === 0 ? `worst RPO ${recovery.rpoSeconds} s` : `RPO ${worst.map((c) => `${c.dataClass} ${c.rpoSeconds} s`).join(', ')} > ${slo.rpoSeconds} s`,
    });
  }
  if (slo.rtoSeconds !== undefined) {
    const slow = recovery.dataClasses.filter((c) => c.rtoSeconds > slo.rtoSeconds!);
    const trafficSeconds = recovery.traffic.seconds ?? recovery.incidentSeconds;
    const parts = [...(trafficSeconds > slo.rtoSeconds ? [`traffic ${trafficSeconds} s (${recovery.traffic.explanation})`] : []), ...slow.map((c) => `${c.dataClass} ${c.rtoSeconds} s`)];
    verdicts.push({
      requirement: 'rto',
      target: `≤ ${slo.rtoSeconds} s`,
      estimate: `${recovery.rtoSeconds} s`,
      pass: recovery.rtoSeconds <= slo.rtoSeconds,
      detail: parts.length === 0 ? `worst RTO ${recovery.rtoSeconds} s` : `RTO ${parts.join(', ')} > ${slo.rtoSeconds} s`,
    });
  }
  const budget = spec.budget.monthlyUsd;
  if (budget !== undefined) {
    verdicts.push({
      requirement: 'budget',
      target: `≤ $${budget.toLocaleString('en-US')}/month`,
      estimate: `$${Math.round(figures.monthlyCostUsd).toLocaleString('en-US')}/month`,
      pass: figures.monthlyCostUsd <= budget,
      detail: `cost $${Math.round(figures.monthlyCostUsd).toLocaleString('en-US')}/month vs budget $${budget.toLocaleString('en-US')}`,
    });
  }
  return verdicts;
}
