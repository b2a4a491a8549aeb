import { formatPercent, formatSeconds, formatUsd } from '../report/text-table.ts';
import type { Section } from '../report/section.ts';
import type { Advice, CandidateEstimate } from './advise.ts';

export type { Section } from '../report/section.ts';

const ms = (value: number) => `${value.toFixed(0)} ms`;

export function summarySection(advice: Advice): Section {
  const candidates = advice.candidates;
  const header = ['', ...candidates.map((c) => c.architecture.kind)];
  const row = (label: string, cell: (candidate: CandidateEstimate) => string) => [label, ...candidates.map(cell)];
  const populations = candidates[0]?.latency.map((population) => population.population) ?? [];
  const verdictCells = new Map<string, boolean>();
  const rows = [
    row('regions', (c) => [...c.architecture.servingRegions, ...c.architecture.standbyRegions.map((r) => `${r}*`)].join(' ')),
    row('routing', (c) => `${c.architecture.routing.policy}${c.architecture.routing.edge !== 'none' ? ` + ${c.architecture.routing.edge}` : ''}`),
    row('availability', (c) => formatPercent(c.availability.availability, 4)),
    row('downtime / year', (c) => `${c.availability.downtimeMinutesPerYear.toFixed(1)} min`),
    row('RTO (worst)', (c) => formatSeconds(c.recovery.rtoSeconds)),
    row('RPO (worst)', (c) => formatSeconds(c.recovery.rpoSeconds)),
    ...populations.map((name) => row(`p50 / p99 ${name}`, (c) => {
      const population = c.latency.find((p) => p.population === name)!;
      return `${population.p50Ms.toFixed(0)} / ${population.p99Ms.toFixed(0)} ms`;
    })),
    row('monthly cost', (c) => formatUsd(c.cost.totalMonthlyUsd)),
    row('meets every requirement', (c) => (c.meetsAll ? 'yes' : `no: ${c.verdicts.filter((v) => !v.pass).map((v) => v.requirement).join(', ')}`)),
  ];
  candidates.forEach((candidate, index) => verdictCells.set(`${rows.length - 1}:${index + 1}`, candidate.meetsAll));
  return { title: 'Candidates', notes: ['* standby region (takes traffic only after a failover)'], header, rows, verdictCells };
}

export function placementSection(candidate: CandidateEstimate): Section {
  const { architecture } = candidate;
  return {
    title: `${architecture.title}: where things run`,
    notes: [architecture.summary, `application instances: ${Object.entries(candidate.instances).map(([region, count]) => `${region} ${count}`).join(', ')}`],
    header: ['data class', 'consistency', 'placement'],
    rows: architecture.placements.map((placement) => [placement.dataClass, placement.consistency, placement.description]),
  };
}

export function latencySection(candidate: CandidateEstimate): Section {
  const rows: string[][] = [];
  for (const population of candidate.latency) {
    const served = Object.entries(population.servedBy).map(([region, share]) => `${region}${share < 0.999 ? ` ${(share * 100).toFixed(0)}%` : ''}`).join(', ');
    const rtt = Object.entries(population.userRttMs).map(([region, value]) => `${region} ${value.toFixed(0)} ms`).join(', ');
    rows.push([population.population, 'all requests', served, ms(population.p50Ms), ms(population.p99Ms), '', `user round trip ${rtt}`]);
    for (const operation of population.operations) {
      rows.push(['', `${operation.dataClass} ${operation.operation}`, '', ms(operation.p50Ms), ms(operation.p99Ms), String(operation.interRegionRoundTrips), operation.paths[0] ?? '']);
    }
  }
  return {
    title: `${candidate.architecture.title}: latency`,
    notes: ['p99 sums the tails of the user round trip, the app and the database (an upper bound); round trips are catalog figures (see `meridian regions --fit`)'],
    header: ['population', 'operation', 'served by', 'p50', 'p99', 'inter-region RTs', 'path'],
    rows,
  };
}

export function recoverySection(candidate: CandidateEstimate): Section {
  const { recovery, availability } = candidate;
  return {
    title: `${candidate.architecture.title}: regional failure`,
    notes: [`traffic: ${recovery.traffic.mechanism}: ${recovery.traffic.explanation}`, `availability: ${availability.explanation}`],
    header: ['data class', 'RPO', 'RTO', 'writes back after', 'why'],
    rows: recovery.dataClasses.map((c) => [c.dataClass, formatSeconds(c.rpoSeconds), formatSeconds(c.rtoSeconds), formatSeconds(c.writeRtoSeconds), c.explanation]),
  };
}

export function costSection(candidate: CandidateEstimate): Section {
  const lines = [...candidate.cost.lines].sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  return {
    title: `${candidate.architecture.title}: monthly cost ${formatUsd(candidate.cost.totalMonthlyUsd)}`,
    notes: [
      Object.entries(candidate.cost.byCategory).filter(([, usd]) => usd > 0).map(([category, usd]) => `${category} ${formatUsd(usd)}`).join(' · '),
    ],
    header: ['category', 'item', 'quantity', 'unit price', 'per month', 'price item'],
    rows: lines.map((line) => [
      line.category,
      line.description,
      `${Number(line.quantity.toPrecision(4)).toLocaleString('en-US')} ${line.unit.replace(/^USD ?(per|\/) ?/i, '')}`,
      `$${line.unitPriceUsd}`,
      formatUsd(line.monthlyUsd),
      line.priceItem,
    ]),
  };
}

export function verdictSection(candidate: CandidateEstimate): Section {
  const verdictCells = new Map<string, boolean>();
  candidate.verdicts.forEach((verdict, index) => verdictCells.set(`${index}:3`, verdict.pass));
  return {
    title: `${candidate.architecture.title}: requirements`,
    notes: [],
    header: ['requirement', 'target', 'estimate', 'met', 'detail'],
    rows: candidate.verdicts.map((verdict) => [verdict.requirement, verdict.target, verdict.estimate, verdict.pass ? 'yes' : 'no', verdict.detail]),
    verdictCells,
  };
}

export function candidateSections(candidate: CandidateEstimate): Section[] {
  return [placementSection(candidate), latencySection(candidate), recoverySection(candidate), costSection(candidate), verdictSection(candidate)];
}

export function recommendationLines(advice: Advice): string[] {
  const { recommendation } = advice;
  const lines = [recommendation.kind ? `Recommended: ${recommendation.title}` : `No recommendation: ${recommendation.title}`, `  because ${recommendation.reason}.`];
  for (const rejection of recommendation.rejectedSimpler) lines.push(`  ${rejection.title} is rejected: ${rejection.reasons.join('; ')}.`);
  return lines;
}
