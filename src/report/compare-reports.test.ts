import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareReports, RTO_ACCEPTANCE_TOLERANCE, rtoWithinTolerance, type ComparisonRow, type ReportComparison } from './compare-reports.ts';
import { renderComparisonJson, renderComparisonMarkdown, renderComparisonTerminal } from './render-comparison.ts';
import { RequestOutcome, RunRecorder } from './run-recorder.ts';
import type { DataClassOutcome, RunPrediction, RunReport } from './run-report.ts';

const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(ANSI, '');

const POPULATIONS = ['europe', 'americas'];
const OPERATIONS = ['profiles.read', 'profiles.write'];
const REGIONS = ['eu-west-1', 'us-east-1'];
const FAULT_START_MS = 20_000;
const DURATION_MS = 120_000;

interface RunOptions {
  readonly backend: 'sim' | 'lab';
  /** Seconds the europe population cannot reach a region from the fault's start; undefined = to the end of the run. */
  readonly europeFailsForSeconds: number | undefined;
  /** Requests per second per population: the lab runs at a scaled-down rate. */
  readonly requestsPerSecond: number;
  readonly withFault?: boolean;
  readonly data?: readonly DataClassOutcome[];
  readonly prediction?: RunPrediction;
  readonly populations?: readonly string[];
  /** Latency of europe's successful requests; americas' are 80 ms. */
  readonly europeLatencyMs?: number;
}

/** A real report from the recorder: europe fails (traffic) for a while after the fault starts, then recovers. */
function recordedRun(options: RunOptions): RunReport {
  const populations = options.populations ?? POPULATIONS;
  const recorder = new RunRecorder({ populations, operations: OPERATIONS, regions: REGIONS, durationMs: DURATION_MS });
  const failUntilMs = options.europeFailsForSeconds === undefined ? DURATION_MS : FAULT_START_MS + options.europeFailsForSeconds * 1000;
  const stepMs = 1000 / options.requestsPerSecond;
  for (let sentAtMs = 0; sentAtMs < DURATION_MS; sentAtMs += stepMs) {
    populations.forEach((population, p) => {
      const operation = Math.floor(sentAtMs / stepMs) % 2;
      const failing = population === 'europe' && sentAtMs >= FAULT_START_MS && sentAtMs < failUntilMs;
      const latencyMs = population === 'europe' ? (options.europeLatencyMs ?? 20) : 80;
      recorder.recordRequest(sentAtMs, p, operation, failing ? -1 : p, failing ? 5 : latencyMs, failing ? RequestOutcome.TrafficFailure : RequestOutcome.Ok);
    });
  }
  const faults = options.withFault === false ? [] : [{ label: 'region-outage eu-west-1', startMs: FAULT_START_MS, endMs: 80_000 }];
  return recorder.finish(
    {
      backend: options.backend,
      spec: 'examples/two-regions.yaml',
      experiment: 'region-outage',
      architecture: 'active-passive',
      architectureTitle: 'Active-passive, DNS failover',
      seed: options.backend === 'sim' ? 42 : undefined,
      durationSeconds: options.backend === 'sim' ? 120 : 121.4,
      stoppedEarly: undefined,
    },
    faults,
    options.data ?? [],
    { runUsd: 0, monthlyUsdAtThisRate: 0, byCategory: {} },
    options.prediction,
  );
}

function dataClass(overrides: Partial<DataClassOutcome>): DataClassOutcome {
  return {
    dataClass: 'profiles',
    consistency: 'eventual',
    acknowledgedWrites: 10_000,
    acknowledgedWritesLost: 0,
    secondsOfDataLost: 0,
    conflictsResolvedByLastWriterWins: 0,
    writesRejectedAsConflicts: 0,
    reads: 100_000,
    staleReads: 0,
    replicasConverged: true,
    ...overrides,
  };
}

const DNS_PREDICTION: RunPrediction = {
  trafficFailoverSeconds: 30,
  trafficFailoverExplanation: 'Route 53 failover routing: health check every 10 s × threshold 3 = 30 s to detect, + TTL 0 s for resolvers = 30 s',
  dataClasses: [{ dataClass: 'profiles', rpoSeconds: 1, rtoSeconds: 30, writeRtoSeconds: 30, explanation: 'other replicas keep serving' }],
  latency: [{ population: 'europe', p50Ms: 18, p99Ms: 25 }],
};

function europeRto(comparison: ReportComparison): ComparisonRow {
  const row = comparison.recovery[0]?.rows.find((candidate) => candidate.figure === 'users: europe');
  assert.ok(row, 'a row for the europe population');
  return row;
}

function compareFailures(simulatedSeconds: number | undefined, measuredSeconds: number | undefined): ReportComparison {
  return compareReports(
    recordedRun({ backend: 'sim', europeFailsForSeconds: simulatedSeconds, requestsPerSecond: 20, prediction: DNS_PREDICTION }),
    recordedRun({ backend: 'lab', europeFailsForSeconds: measuredSeconds, requestsPerSecond: 4, prediction: DNS_PREDICTION }),
  );
}

describe('compareReports: RTO per fault and population', () => {
  test('30 s simulated and 33 s measured are within tolerance, with the difference in seconds and percent', () => {
    const row = europeRto(compareFailures(30, 33));
    assert.deepEqual(
      { predicted: row.predicted, simulated: row.simulated, measured: row.measured, difference: row.difference, percent: row.differencePercent, within: row.withinTolerance },
      { predicted: 30, simulated: 30, measured: 33, difference: 3, percent: 10, within: true },
    );
  });

  test('30 s simulated and 45 s measured are not', () => {
    const row = europeRto(compareFailures(30, 45));
    assert.equal(row.difference, 15);
    assert.equal(row.differencePercent, 50);
    assert.equal(row.withinTolerance, false);
  });

  test('the boundaries: exactly 25 % of the simulated RTO, and exactly the 2-second floor, are within', () => {
    assert.equal(europeRto(compareFailures(40, 50)).withinTolerance, true, '10 s = 25 % of 40 s');
    assert.equal(europeRto(compareFailures(40, 30)).withinTolerance, true, '−10 s = 25 % of 40 s');
    assert.equal(europeRto(compareFailures(40, 51)).withinTolerance, false, '11 s > 25 % of 40 s');
    assert.equal(europeRto(compareFailures(4, 6)).withinTolerance, true, '2 s floor above 25 % of 4 s');
    assert.equal(europeRto(compareFailures(4, 7)).withinTolerance, false, '3 s > max(2 s, 1 s)');
  });

  test('rtoWithinTolerance at fractional boundaries, and the named constant', () => {
    assert.deepEqual(RTO_ACCEPTANCE_TOLERANCE, { minimumSeconds: 2, fractionOfSimulated: 0.25 });
    assert.equal(rtoWithinTolerance(30, 37.5), true);
    assert.equal(rtoWithinTolerance(30, 37.51), false);
    assert.equal(rtoWithinTolerance(0.3, 2.3), true);
    assert.equal(rtoWithinTolerance(0.3, 2.31), false);
    assert.equal(rtoWithinTolerance(0, 0), true);
  });

  test('an unaffected population recovers at once in both runs and carries no prediction', () => {
    const row = compareFailures(30, 33).recovery[0]!.rows.find((candidate) => candidate.figure === 'users: americas')!;
    assert.deepEqual([row.simulated, row.measured, row.difference, row.withinTolerance, 'predicted' in row], [0, 0, 0, true, false]);
  });

  test('a run that never recovers gives a null RTO, no difference, and is not within tolerance', () => {
    const row = europeRto(compareFailures(30, undefined));
    assert.deepEqual([row.simulated, row.measured, row.difference, row.differencePercent, row.withinTolerance, row.note], [30, null, null, null, false, 'not recovered in the measured run']);
    const neither = europeRto(compareFailures(undefined, undefined));
    assert.deepEqual([neither.simulated, neither.measured, neither.difference, neither.withinTolerance, neither.note], [null, null, null, undefined, 'recovered in neither run']);
  });

  test('a fault only in the simulated report: measured cells empty, no difference, an explanation', () => {
    const comparison = compareReports(
      recordedRun({ backend: 'sim', europeFailsForSeconds: 30, requestsPerSecond: 20 }),
      recordedRun({ backend: 'lab', europeFailsForSeconds: 30, requestsPerSecond: 4, withFault: false }),
    );
    assert.equal(comparison.recovery.length, 1);
    assert.equal(comparison.recovery[0]!.measuredWindow, null);
    const row = europeRto(comparison);
    assert.deepEqual([row.simulated, row.measured, row.difference, row.withinTolerance, row.note], [30, null, null, undefined, 'fault only in the simulated report']);
    assert.ok(comparison.explanations.includes('The measured report records no fault windows, so its RTO cells are empty.'));
  });
});

describe('compareReports: availability, requests, latency', () => {
  test('availability overall and per population, with a population missing from one side', () => {
    const comparison = compareReports(
      recordedRun({ backend: 'sim', europeFailsForSeconds: 30, requestsPerSecond: 20 }),
      recordedRun({ backend: 'lab', europeFailsForSeconds: 45, requestsPerSecond: 4, populations: ['europe', 'asia'] }),
    );
    const byFigure = new Map(comparison.availability.map((row) => [row.figure, row]));
    assert.deepEqual([...byFigure.keys()], ['overall', 'europe', 'americas', 'asia']);
    assert.equal(byFigure.get('europe')!.simulated, 0.75);
    assert.equal(byFigure.get('europe')!.measured, 0.625);
    assert.equal(byFigure.get('europe')!.difference, -0.125);
    assert.deepEqual([byFigure.get('americas')!.measured, byFigure.get('americas')!.difference, byFigure.get('americas')!.note], [null, null, 'population only in the simulated report']);
    assert.deepEqual([byFigure.get('asia')!.simulated, byFigure.get('asia')!.note], [null, 'population only in the measured report']);
  });

  test('requests: counts carry no difference; failed per 1000 requests does', () => {
    const [total, failed, rate] = compareFailures(30, 45).requests;
    assert.deepEqual([total!.simulated, total!.measured, total!.difference], [4800, 960, null]);
    assert.deepEqual([failed!.simulated, failed!.measured, failed!.difference], [600, 180, null]);
    assert.deepEqual([rate!.simulated, rate!.measured, rate!.difference], [125, 187.5, 62.5]);
  });

  test('latency p50 / p90 / p99 per population, predicted p50 and p99 from advise', () => {
    const comparison = compareReports(
      recordedRun({ backend: 'sim', europeFailsForSeconds: 30, requestsPerSecond: 20, prediction: DNS_PREDICTION }),
      recordedRun({ backend: 'lab', europeFailsForSeconds: 30, requestsPerSecond: 4, prediction: DNS_PREDICTION, europeLatencyMs: 30 }),
    );
    const europe = comparison.latency.find((row) => row.population === 'europe')!;
    assert.deepEqual(europe.rows.map((row) => [row.figure, row.predicted]), [['p50', 18], ['p90', undefined], ['p99', 25]]);
    for (const row of europe.rows) {
      // HDR histograms keep three significant digits: 20 ms reads back as about 20.015 ms.
      assert.ok(Math.abs((row.simulated as number) - 20) < 0.05 && Math.abs((row.measured as number) - 30) < 0.05, row.figure);
      assert.ok(Math.abs(row.difference! - 10) < 0.05, row.figure);
    }
    assert.equal(comparison.latency.find((row) => row.population === 'americas')!.rows[0]!.difference, 0);
  });
});

describe('compareReports: data per class', () => {
  const comparison = compareReports(
    recordedRun({
      backend: 'sim',
      europeFailsForSeconds: 30,
      requestsPerSecond: 20,
      prediction: DNS_PREDICTION,
      data: [dataClass({ acknowledgedWritesLost: 20, secondsOfDataLost: 0.8, conflictsResolvedByLastWriterWins: 5, reads: 100_000, staleReads: 50 })],
    }),
    recordedRun({
      backend: 'lab',
      europeFailsForSeconds: 33,
      requestsPerSecond: 4,
      data: [
        dataClass({ acknowledgedWrites: 500, acknowledgedWritesLost: 2, secondsOfDataLost: 1.2, writesRejectedAsConflicts: 1, reads: 2000, staleReads: 3, replicasConverged: false }),
        dataClass({ dataClass: 'orders', consistency: 'strong' }),
      ],
    }),
  );
  const profiles = new Map(comparison.data.find((row) => row.dataClass === 'profiles')!.rows.map((row) => [row.figure, row]));

  test('RPO with predicted, simulated, measured and the difference', () => {
    const rpo = profiles.get('RPO: seconds of data lost')!;
    assert.deepEqual([rpo.predicted, rpo.simulated, rpo.measured, rpo.difference], [1, 0.8, 1.2, 0.4]);
  });

  test('stale reads and conflicts as counts without difference and as rates per 1000', () => {
    const stale = profiles.get('stale reads')!;
    assert.deepEqual([stale.simulated, stale.measured, stale.difference], [50, 3, null]);
    const staleRate = profiles.get('stale reads per 1000 reads')!;
    assert.deepEqual([staleRate.simulated, staleRate.measured, staleRate.difference], [0.5, 1.5, 1]);
    const lostRate = profiles.get('lost per 1000 acknowledged writes')!;
    assert.deepEqual([lostRate.simulated, lostRate.measured, lostRate.difference], [2, 4, 2]);
    const lww = profiles.get('last-writer-wins conflicts per 1000 acknowledged writes')!;
    assert.deepEqual([lww.simulated, lww.measured, lww.difference], [0.5, 0, -0.5]);
    const rejected = profiles.get('rejected writes per 1000 acknowledged writes')!;
    assert.deepEqual([rejected.simulated, rejected.measured, rejected.difference], [0, 2, 2]);
  });

  test('replicas converged, and a class only in the measured report', () => {
    const converged = profiles.get('replicas converged')!;
    assert.deepEqual([converged.simulated, converged.measured, converged.note], [true, false, 'the runs disagree']);
    const orders = comparison.data.find((row) => row.dataClass === 'orders')!;
    assert.equal(orders.consistency, 'strong');
    for (const row of orders.rows) {
      assert.equal(row.simulated, null, row.figure);
      assert.equal(row.difference, null, row.figure);
      assert.equal(row.note, 'data class only in the measured report', row.figure);
    }
  });

  test('a rate over no reads is missing, not zero', () => {
    const empty = compareReports(
      recordedRun({ backend: 'sim', europeFailsForSeconds: 30, requestsPerSecond: 20, data: [dataClass({ reads: 0 })] }),
      recordedRun({ backend: 'lab', europeFailsForSeconds: 30, requestsPerSecond: 4, data: [dataClass({ reads: 10 })] }),
    );
    const rate = empty.data[0]!.rows.find((row) => row.figure === 'stale reads per 1000 reads')!;
    assert.deepEqual([rate.simulated, rate.measured, rate.difference], [null, 0, null]);
  });

  test('the write RTO per operation carries advise\'s writes-back-after as its prediction', () => {
    const write = compareFailures(30, 33).recovery[0]!.rows.find((row) => row.figure === 'operation: profiles.write')!;
    assert.deepEqual([write.predicted, write.simulated, write.measured, 'withinTolerance' in write], [30, 30, 33, false]);
  });
});

describe('compareReports: explanations', () => {
  test('advise\'s failover explanation, per-class explanations and the volume ratio', () => {
    const { explanations } = compareFailures(30, 33);
    assert.ok(explanations.includes(`Predicted traffic failover 30 s: ${DNS_PREDICTION.trafficFailoverExplanation}.`), explanations.join('\n'));
    assert.ok(explanations.includes('profiles: predicted RPO 1 s, writes back after 30 s: other replicas keep serving.'));
    assert.ok(explanations.some((line) => line.startsWith('Request volumes differ by design (simulated 4,800, measured 960: 0.2×)')));
  });

  test('a different edge in the measured run is explained, as is a different architecture', () => {
    const accelerator: RunPrediction = { ...DNS_PREDICTION, trafficFailoverSeconds: 20, trafficFailoverExplanation: 'Global Accelerator: accelerator health check every 10 s × threshold 2 = 20 s; traffic moves at once (no DNS TTL in the path)' };
    const measured = recordedRun({ backend: 'lab', europeFailsForSeconds: 20, requestsPerSecond: 4, prediction: accelerator });
    const comparison = compareReports(
      recordedRun({ backend: 'sim', europeFailsForSeconds: 30, requestsPerSecond: 20, prediction: DNS_PREDICTION }),
      { ...measured, meta: { ...measured.meta, architecture: 'active-active', architectureTitle: 'Active-active, accelerator' } },
    );
    assert.ok(comparison.explanations.includes(`The measured run's architecture fails over differently, 20 s: ${accelerator.trafficFailoverExplanation}.`));
    assert.ok(comparison.explanations.includes('The reports are of different architectures: Active-passive, DNS failover (simulated) and Active-active, accelerator (measured).'));
  });

  test('no prediction, no invented explanation', () => {
    const comparison = compareReports(
      recordedRun({ backend: 'sim', europeFailsForSeconds: 30, requestsPerSecond: 20 }),
      recordedRun({ backend: 'lab', europeFailsForSeconds: 30, requestsPerSecond: 4 }),
    );
    assert.equal(comparison.explanations.filter((line) => line.includes('failover')).length, 0);
    const row = europeRto(comparison);
    assert.equal('predicted' in row, false);
  });
});

describe('renderers', () => {
  const comparison = compareFailures(30, 45);

  test('terminal: header, the four sections, key figures and the tolerance', () => {
    const text = plain(renderComparisonTerminal(comparison));
    for (const expected of [
      'meridian compare: examples/two-regions.yaml',
      'region-outage',
      'Active-passive, DNS failover (active-passive)',
      'sim: seed 42, 120 s simulated',
      'lab: 121.4 s measured',
      'Availability',
      'Recovery (RTO) per population',
      'Data (RPO, conflicts, stale reads) per class',
      'Latency per population',
      'within tolerance',
      'max(2 s, 25 % of simulated)',
      '+15 s (+50 %)',
      'Explanations',
      DNS_PREDICTION.trafficFailoverExplanation,
    ]) {
      assert.ok(text.includes(expected), `missing ${expected}\n${text}`);
    }
    const europeLine = text.split('\n').find((line) => line.includes('users: europe'))!;
    assert.match(europeLine, /users: europe\s+30 s\s+30 s\s+45 s\s+\+15 s \(\+50 %\)\s+no/);
  });

  test('a null RTO renders as — with no difference', () => {
    const text = plain(renderComparisonTerminal(compareFailures(30, undefined)));
    const europeLine = text.split('\n').find((line) => line.includes('users: europe'))!;
    assert.match(europeLine, /users: europe\s+30 s\s+30 s\s+—\s+—\s+no\s+not recovered in the measured run/);
  });

  test('markdown: tables and explanations', () => {
    const markdown = renderComparisonMarkdown(comparison);
    assert.ok(markdown.startsWith('# meridian compare: examples/two-regions.yaml\n'));
    for (const expected of ['## Runs', '## Recovery (RTO) per population', '| figure | predicted | simulated | measured | difference | within tolerance |', '|   users: europe | 30 s | 30 s | 45 s | +15 s (+50 %) | no |', '## Explanations']) {
      assert.ok(markdown.includes(expected), `missing ${expected}\n${markdown}`);
    }
  });

  test('json: both metas with every key, the rows, stable bytes', () => {
    const json = renderComparisonJson(comparison);
    const parsed = JSON.parse(json) as { simulated: RunReport['meta']; measured: RunReport['meta']; recovery: { rows: ComparisonRow[] }[] };
    assert.equal(parsed.simulated.seed, 42);
    assert.equal(parsed.measured.seed, null);
    assert.equal(parsed.measured.durationSeconds, 121.4);
    assert.equal(parsed.recovery[0]!.rows[0]!.withinTolerance, false);
    assert.equal(renderComparisonJson(compareFailures(30, 45)), json);
  });

  test('no faults, no data classes, no requests, no prediction: every renderer still draws', () => {
    const recorder = () => new RunRecorder({ populations: [], operations: [], regions: [], durationMs: 1000 });
    const meta = (backend: 'sim' | 'lab'): RunReport['meta'] => ({
      backend,
      spec: 'empty.yaml',
      experiment: undefined,
      architecture: 'single-region',
      architectureTitle: 'Single region',
      seed: backend === 'sim' ? 1 : undefined,
      durationSeconds: 1,
      stoppedEarly: undefined,
    });
    const cost = { runUsd: 0, monthlyUsdAtThisRate: 0, byCategory: {} };
    const empty = compareReports(recorder().finish(meta('sim'), [], [], cost), recorder().finish(meta('lab'), [], [], cost));
    assert.deepEqual([empty.recovery, empty.data, empty.latency, empty.explanations], [[], [], [], []]);
    const terminal = plain(renderComparisonTerminal(empty));
    assert.ok(terminal.includes('(none: steady state)'));
    assert.ok(terminal.includes('nothing to compare'));
    assert.ok(renderComparisonMarkdown(empty).includes('## Latency per population'));
    assert.equal(JSON.parse(renderComparisonJson(empty)).measured.experiment, null);
  });
});
