import type { RunReport } from './run-report.ts';
import type { Section } from './section.ts';
import { formatPercent, formatUsd } from './text-table.ts';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

export function summarySection(report: RunReport): Section {
  const { meta } = report;
  const rows: string[][] = [
    ['architecture', meta.architectureTitle],
    ['experiment', meta.experiment ?? '(none: steady state)'],
    [meta.backend === 'lab' ? 'measured time' : 'simulated time', `${meta.durationSeconds} s${meta.stoppedEarly ? ` (stopped early at ${meta.stoppedEarly.atSeconds} s: ${meta.stoppedEarly.reason})` : ''}`],
    ['requests', `${report.requests.total.toLocaleString('en-US')} (${report.requests.failed.toLocaleString('en-US')} failed)`],
    ['availability', formatPercent(report.availability.overall, 4)],
    ...Object.entries(report.availability.byPopulation).map(([population, value]) => [`  ${population}`, formatPercent(value, 4)]),
  ];
  if (meta.seed !== undefined) rows.push(['seed', String(meta.seed)]);
  return { title: `meridian ${meta.backend === 'sim' ? 'simulate' : 'lab'}: ${meta.spec}`, notes: [], header: ['figure', 'value'], rows, align: ['left', 'left'] };
}

export function latencySection(report: RunReport): Section {
  const predicted = (population: string) => report.prediction?.latency.find((row) => row.population === population);
  return {
    title: 'Latency per population and operation (successful requests)',
    notes: report.prediction ? ['predicted: what `meridian advise` estimates for the same architecture (p50 / p99)'] : [],
    header: ['population', 'operation', 'requests', 'failed', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'predicted'],
    rows: report.latency.map((row) => {
      const prediction = row.operation === 'all' ? predicted(row.population) : undefined;
      return [
        row.operation === 'all' ? row.population : '',
        row.operation,
        String(row.count),
        String(row.failed),
        ms(row.p50Ms),
        ms(row.p90Ms),
        ms(row.p99Ms),
        ms(row.p999Ms),
        prediction ? `${ms(prediction.p50Ms)} / ${ms(prediction.p99Ms)}` : '',
      ];
    }),
  };
}

export function recoverySection(report: RunReport): Section {
  const rows = report.recovery.flatMap((fault) => {
    const window = `${fault.startSeconds}–${fault.endSeconds} s`;
    const rto = (seconds: number | null) => (seconds === null ? 'not recovered' : `${seconds} s`);
    return [
      ...fault.byPopulation.map((population, index) => [index === 0 ? fault.fault : '', index === 0 ? window : '', `users: ${population.population}`, String(population.failedRequests), rto(population.rtoSeconds)]),
      ...fault.byOperation.map((operation) => ['', '', `operation: ${operation.operation}`, String(operation.failedRequests), rto(operation.rtoSeconds)]),
    ];
  });
  const prediction = report.prediction;
  const predicted = prediction ? [`predicted traffic failover: ${prediction.trafficFailoverSeconds === null ? 'none (the users wait for the region)' : `${prediction.trafficFailoverSeconds} s`} (${prediction.trafficFailoverExplanation})`] : [];
  return {
    title: 'Recovery per fault (RTO: fault start to requests succeeding again)',
    notes: [
      ...predicted,'users: requests that could not reach a working region (traffic); operation: every failure of that operation, until it succeeds again (e.g. writes until a new writer is promoted)', 'measured on 1-second buckets: recovered = error ratio ≤ 1 % for 10 s in a row'],
    header: ['fault', 'window', 'who', 'failed requests', 'RTO'],
    rows,
  };
}

export function dataSection(report: RunReport): Section {
  const predicted = (dataClass: string) => report.prediction?.dataClasses.find((row) => row.dataClass === dataClass);
  return {
    title: 'Data per class (RPO: acknowledged writes lost)',
    notes: (report.prediction?.dataClasses ?? []).map((row) => `${row.dataClass}, predicted: RPO ${row.rpoSeconds} s, writes back after ${row.writeRtoSeconds} s: ${row.explanation}`),
    header: ['class', 'consistency', 'acked writes', 'lost', 'RPO s', 'predicted RPO s', 'LWW conflicts', 'conflict errors', 'reads', 'stale reads', 'converged'],
    rows: report.data.map((row) => [
      row.dataClass,
      row.consistency,
      String(row.acknowledgedWrites),
      String(row.acknowledgedWritesLost),
      row.secondsOfDataLost.toFixed(2),
      predicted(row.dataClass)?.rpoSeconds.toFixed(2) ?? '',
      String(row.conflictsResolvedByLastWriterWins),
      String(row.writesRejectedAsConflicts),
      String(row.reads),
      String(row.staleReads),
      row.replicasConverged ? 'yes' : 'NO',
    ]),
  };
}

/** Minutes where something changed, so a long steady run stays short. */
function interestingMinutes(report: RunReport): number[] {
  const minutes = report.availability.perMinute;
  return minutes
    .map((minute, index) => ({ minute, index }))
    .filter(({ minute, index }) => index === 0 || index === minutes.length - 1 || minute.overall < 0.9999 || minutes[index - 1]!.overall < 0.9999)
    .map(({ index }) => index);
}

export function minutesSection(report: RunReport): Section {
  const regions = Object.keys(report.routing.perMinute[0]?.byRegion ?? {});
  const populations = Object.keys(report.availability.byPopulation);
  return {
    title: 'Per minute: availability and requests routed per region',
    notes: ['minutes with full availability are left out except the first and the last'],
    header: ['minute', 'overall', ...populations, ...regions],
    rows: interestingMinutes(report).map((index) => {
      const availability = report.availability.perMinute[index]!;
      const routing = report.routing.perMinute[index]!;
      return [
        String(availability.minute),
        formatPercent(availability.overall, 2),
        ...populations.map((population) => formatPercent(availability.byPopulation[population] ?? 1, 2)),
        ...regions.map((region) => String(routing.byRegion[region] ?? 0)),
      ];
    }),
  };
}

export function costAndTimelineSection(report: RunReport): Section {
  return {
    title: `Timeline (cost of the ${report.meta.backend === 'lab' ? 'measured' : 'simulated'} traffic: ${formatUsd(report.cost.runUsd)}; ${formatUsd(report.cost.monthlyUsdAtThisRate)}/month at this rate)`,
    notes: [],
    header: ['at', 'event'],
    rows: report.timeline.map((event) => [`${event.atSeconds.toFixed(1)} s`, event.event]),
  };
}

export function runReportSections(report: RunReport): Section[] {
  return [summarySection(report), latencySection(report), recoverySection(report), dataSection(report), minutesSection(report), costAndTimelineSection(report)];
}
