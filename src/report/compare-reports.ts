import type { DataClassOutcome, FaultRecovery, LatencySummary, RunPrediction, RunReport } from './run-report.ts';

/**
 * A simulated run and a measured (lab) run of the same spec and experiment, figure by figure. Pure data,
 * JSON-serialisable: the renderers in render-comparison.ts only format it.
 *
 * Request volumes differ by design (the simulator runs at full scale, the lab at a scaled-down rate), so
 * raw counts carry no difference; rates per 1000 are compared instead.
 */

/**
 * The acceptance tolerance for RTO: a measured RTO agrees with the simulated one when
 * |measured − simulated| ≤ max(minimumSeconds, fractionOfSimulated × simulated).
 */
export const RTO_ACCEPTANCE_TOLERANCE: RtoTolerance = { minimumSeconds: 2, fractionOfSimulated: 0.25 };

export interface RtoTolerance {
  readonly minimumSeconds: number;
  readonly fractionOfSimulated: number;
}

/** Floating-point slack, so that a difference of exactly the tolerance (e.g. 37.5 − 30) counts as within. */
const TOLERANCE_EPSILON_SECONDS = 1e-9;

export function rtoWithinTolerance(simulatedSeconds: number, measuredSeconds: number, tolerance: RtoTolerance = RTO_ACCEPTANCE_TOLERANCE): boolean {
  const allowedSeconds = Math.max(tolerance.minimumSeconds, tolerance.fractionOfSimulated * simulatedSeconds);
  return Math.abs(measuredSeconds - simulatedSeconds) <= allowedSeconds + TOLERANCE_EPSILON_SECONDS;
}

export function describeRtoTolerance(tolerance: RtoTolerance = RTO_ACCEPTANCE_TOLERANCE): string {
  return `within tolerance: |measured − simulated| ≤ max(${tolerance.minimumSeconds} s, ${tolerance.fractionOfSimulated * 100} % of simulated), the issue's acceptance tolerance for RTO`;
}

/** How a figure is formatted: availability as a fraction, RTO and RPO in seconds, rates per 1000. */
export type FigureUnit = 'fraction' | 'seconds' | 'count' | 'perThousand' | 'milliseconds' | 'yesNo';

/** A figure's value; null when the report lacks it (or, for an RTO, when the run never recovered). */
export type FigureValue = number | boolean | null;

export interface ComparisonRow {
  readonly figure: string;
  readonly unit: FigureUnit;
  /** advise's figure, only on rows it predicts (RTO, RPO, latency p50 / p99); null when it predicts none. */
  readonly predicted?: number | null;
  readonly simulated: FigureValue;
  readonly measured: FigureValue;
  /** measured − simulated in the figure's unit; null when either is missing or the figure is a volume-dependent count. */
  readonly difference: number | null;
  /** RTO rows: the difference as a percentage of the simulated RTO; null when that is missing or 0. */
  readonly differencePercent?: number | null;
  /** Only on rows with an agreed tolerance (traffic RTO per population). */
  readonly withinTolerance?: boolean;
  readonly note?: string;
}

export interface FaultComparison {
  readonly fault: string;
  readonly simulatedWindow: FaultWindowSeconds | null;
  readonly measuredWindow: FaultWindowSeconds | null;
  readonly rows: readonly ComparisonRow[];
}

export interface FaultWindowSeconds {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface DataClassComparison {
  readonly dataClass: string;
  readonly consistency: string;
  readonly rows: readonly ComparisonRow[];
}

export interface PopulationLatencyComparison {
  readonly population: string;
  readonly rows: readonly ComparisonRow[];
}

export interface ReportComparison {
  readonly simulated: RunReport['meta'];
  readonly measured: RunReport['meta'];
  readonly rtoTolerance: RtoTolerance;
  /** Overall, then per population. */
  readonly availability: readonly ComparisonRow[];
  /** Informational: totals, failed, and failed per 1000 requests. */
  readonly requests: readonly ComparisonRow[];
  readonly recovery: readonly FaultComparison[];
  readonly data: readonly DataClassComparison[];
  readonly latency: readonly PopulationLatencyComparison[];
  /** Short sentences printed under the tables, derived from the reports (never invented). */
  readonly explanations: readonly string[];
}

export function compareReports(simulated: RunReport, measured: RunReport): ReportComparison {
  return {
    simulated: simulated.meta,
    measured: measured.meta,
    rtoTolerance: RTO_ACCEPTANCE_TOLERANCE,
    availability: availabilityRows(simulated, measured),
    requests: requestRows(simulated, measured),
    recovery: recoveryComparisons(simulated, measured),
    data: dataComparisons(simulated, measured),
    latency: latencyComparisons(simulated, measured),
    explanations: explanations(simulated, measured),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Keys of both sides, the simulated order first, then what only the measured side has. */
function unionInOrder(simulated: readonly string[], measured: readonly string[]): string[] {
  return [...new Set([...simulated, ...measured])];
}

function sideNote(simulated: unknown, measured: unknown, what: string): string | undefined {
  if (simulated === undefined && measured !== undefined) return `${what} only in the measured report`;
  if (measured === undefined && simulated !== undefined) return `${what} only in the simulated report`;
  return undefined;
}

/** A row without a tolerance: the difference when both sides hold a number. */
function plainRow(figure: string, unit: FigureUnit, simulated: number | undefined, measured: number | undefined, digits: number, note?: string): ComparisonRow {
  const both = simulated !== undefined && measured !== undefined;
  return {
    figure,
    unit,
    simulated: simulated ?? null,
    measured: measured ?? null,
    difference: both ? round(measured - simulated, digits) : null,
    ...(note ? { note } : {}),
  };
}

function perThousand(count: number | undefined, total: number | undefined): number | undefined {
  if (count === undefined || total === undefined || total === 0) return undefined;
  return round((count / total) * 1000, 3);
}

function availabilityRows(simulated: RunReport, measured: RunReport): ComparisonRow[] {
  const populations = unionInOrder(Object.keys(simulated.availability.byPopulation), Object.keys(measured.availability.byPopulation));
  return [
    plainRow('overall', 'fraction', simulated.availability.overall, measured.availability.overall, 6),
    ...populations.map((population) => {
      const simulatedValue = simulated.availability.byPopulation[population];
      const measuredValue = measured.availability.byPopulation[population];
      return plainRow(population, 'fraction', simulatedValue, measuredValue, 6, sideNote(simulatedValue, measuredValue, 'population'));
    }),
  ];
}

const VOLUME_NOTE = 'volumes differ by design';

function requestRows(simulated: RunReport, measured: RunReport): ComparisonRow[] {
  const count = (figure: string, simulatedValue: number, measuredValue: number): ComparisonRow => ({ ...plainRow(figure, 'count', simulatedValue, measuredValue, 0, VOLUME_NOTE), difference: null });
  return [
    count('requests', simulated.requests.total, measured.requests.total),
    count('failed requests', simulated.requests.failed, measured.requests.failed),
    plainRow('failed per 1000 requests', 'perThousand', perThousand(simulated.requests.failed, simulated.requests.total), perThousand(measured.requests.failed, measured.requests.total), 3),
  ];
}

/** Faults keyed by label and occurrence, so that the same fault injected twice pairs up in order. */
function faultsByKey(report: RunReport): Map<string, FaultRecovery> {
  const seen = new Map<string, number>();
  return new Map(
    report.recovery.map((fault) => {
      const occurrence = (seen.get(fault.fault) ?? 0) + 1;
      seen.set(fault.fault, occurrence);
      return [occurrence === 1 ? fault.fault : `${fault.fault} #${occurrence}`, fault];
    }),
  );
}

function recoveryComparisons(simulated: RunReport, measured: RunReport): FaultComparison[] {
  const simulatedFaults = faultsByKey(simulated);
  const measuredFaults = faultsByKey(measured);
  return unionInOrder([...simulatedFaults.keys()], [...measuredFaults.keys()]).map((key) => {
    const simulatedFault = simulatedFaults.get(key);
    const measuredFault = measuredFaults.get(key);
    const window = (fault: FaultRecovery | undefined) => (fault ? { startSeconds: fault.startSeconds, endSeconds: fault.endSeconds } : null);
    return {
      fault: key,
      simulatedWindow: window(simulatedFault),
      measuredWindow: window(measuredFault),
      rows: [...populationRtoRows(simulatedFault, measuredFault, simulated.prediction), ...operationRtoRows(simulatedFault, measuredFault, simulated.prediction)],
    };
  });
}

interface RecoverySide {
  readonly rtoSeconds: number | null;
  readonly failedRequests: number;
}

/** Why an RTO cell is empty: the side lacks the fault or the population, or never recovered in the run. */
function rtoNote(simulated: RecoverySide | undefined, measured: RecoverySide | undefined, what: string): string | undefined {
  const missing = sideNote(simulated, measured, what);
  if (missing) return missing;
  const neverSimulated = simulated?.rtoSeconds === null;
  const neverMeasured = measured?.rtoSeconds === null;
  if (neverSimulated && neverMeasured) return 'recovered in neither run';
  if (neverSimulated) return 'not recovered in the simulated run';
  if (neverMeasured) return 'not recovered in the measured run';
  return undefined;
}

/**
 * One RTO row. The tolerance applies only where asked (traffic RTO per population); when exactly one side
 * never recovered, the two clearly disagree, so the row is not within tolerance.
 */
function rtoRow(figure: string, simulated: RecoverySide | undefined, measured: RecoverySide | undefined, predicted: number | null | undefined, what: string, checkTolerance: boolean): ComparisonRow {
  const simulatedSeconds = simulated?.rtoSeconds ?? null;
  const measuredSeconds = measured?.rtoSeconds ?? null;
  const both = simulatedSeconds !== null && measuredSeconds !== null;
  const difference = both ? round(measuredSeconds - simulatedSeconds, 3) : null;
  const onlyOneRecovered = simulated !== undefined && measured !== undefined && (simulatedSeconds === null) !== (measuredSeconds === null);
  const withinTolerance = both ? rtoWithinTolerance(simulatedSeconds, measuredSeconds) : onlyOneRecovered ? false : undefined;
  const note = rtoNote(simulated, measured, what);
  return {
    figure,
    unit: 'seconds',
    ...(predicted !== undefined ? { predicted } : {}),
    simulated: simulatedSeconds,
    measured: measuredSeconds,
    difference,
    differencePercent: difference !== null && simulatedSeconds !== null && simulatedSeconds !== 0 ? round((difference / simulatedSeconds) * 100, 1) : null,
    ...(checkTolerance && withinTolerance !== undefined ? { withinTolerance } : {}),
    ...(note ? { note } : {}),
  };
}

/** Users of a population were affected when either run saw them fail; only then does the traffic failover prediction apply. */
function populationRtoRows(simulated: FaultRecovery | undefined, measured: FaultRecovery | undefined, prediction: RunPrediction | undefined): ComparisonRow[] {
  const populations = unionInOrder(simulated?.byPopulation.map((row) => row.population) ?? [], measured?.byPopulation.map((row) => row.population) ?? []);
  return populations.map((population) => {
    const simulatedRow = simulated?.byPopulation.find((row) => row.population === population);
    const measuredRow = measured?.byPopulation.find((row) => row.population === population);
    const affected = (simulatedRow?.failedRequests ?? 0) + (measuredRow?.failedRequests ?? 0) > 0;
    const predicted = prediction && affected ? prediction.trafficFailoverSeconds : undefined;
    const what = simulated && measured ? 'population' : 'fault';
    return rtoRow(`users: ${population}`, simulatedRow, measuredRow, predicted, what, true);
  });
}

/** Data recovery per operation; a class's writes are predicted to come back after advise's write RTO. */
function operationRtoRows(simulated: FaultRecovery | undefined, measured: FaultRecovery | undefined, prediction: RunPrediction | undefined): ComparisonRow[] {
  const operations = unionInOrder(simulated?.byOperation.map((row) => row.operation) ?? [], measured?.byOperation.map((row) => row.operation) ?? []);
  return operations.map((operation) => {
    const simulatedRow = simulated?.byOperation.find((row) => row.operation === operation);
    const measuredRow = measured?.byOperation.find((row) => row.operation === operation);
    const predictedClass = operation.endsWith('.write') ? prediction?.dataClasses.find((row) => `${row.dataClass}.write` === operation) : undefined;
    // A report leaves out operations that never failed: their RTO is 0, not missing, when the fault is present.
    const side = (fault: FaultRecovery | undefined, row: RecoverySide | undefined): RecoverySide | undefined => row ?? (fault ? { rtoSeconds: 0, failedRequests: 0 } : undefined);
    return rtoRow(`operation: ${operation}`, side(simulated, simulatedRow), side(measured, measuredRow), predictedClass?.writeRtoSeconds, 'fault', false);
  });
}

function dataComparisons(simulated: RunReport, measured: RunReport): DataClassComparison[] {
  const classes = unionInOrder(simulated.data.map((row) => row.dataClass), measured.data.map((row) => row.dataClass));
  return classes.map((dataClass) => {
    const simulatedClass = simulated.data.find((row) => row.dataClass === dataClass);
    const measuredClass = measured.data.find((row) => row.dataClass === dataClass);
    const predicted = (simulated.prediction ?? measured.prediction)?.dataClasses.find((row) => row.dataClass === dataClass);
    return {
      dataClass,
      consistency: simulatedClass?.consistency ?? measuredClass!.consistency,
      rows: dataRows(simulatedClass, measuredClass, predicted?.rpoSeconds ?? null),
    };
  });
}

function dataRows(simulated: DataClassOutcome | undefined, measured: DataClassOutcome | undefined, predictedRpoSeconds: number | null): ComparisonRow[] {
  const missing = sideNote(simulated, measured, 'data class');
  const count = (figure: string, pick: (row: DataClassOutcome) => number): ComparisonRow => ({
    ...plainRow(figure, 'count', simulated && pick(simulated), measured && pick(measured), 0, missing ?? VOLUME_NOTE),
    difference: null,
  });
  const rate = (figure: string, pick: (row: DataClassOutcome) => number, per: (row: DataClassOutcome) => number): ComparisonRow =>
    plainRow(figure, 'perThousand', simulated && perThousand(pick(simulated), per(simulated)), measured && perThousand(pick(measured), per(measured)), 3, missing);
  const acknowledged = (row: DataClassOutcome) => row.acknowledgedWrites;
  const rpo = plainRow('RPO: seconds of data lost', 'seconds', simulated?.secondsOfDataLost, measured?.secondsOfDataLost, 3, missing);
  const converged = convergedRow(simulated, measured, missing);
  return [
    { ...rpo, predicted: predictedRpoSeconds },
    count('acknowledged writes', acknowledged),
    count('acknowledged writes lost', (row) => row.acknowledgedWritesLost),
    rate('lost per 1000 acknowledged writes', (row) => row.acknowledgedWritesLost, acknowledged),
    count('conflicts resolved by last writer wins', (row) => row.conflictsResolvedByLastWriterWins),
    rate('last-writer-wins conflicts per 1000 acknowledged writes', (row) => row.conflictsResolvedByLastWriterWins, acknowledged),
    count('writes rejected as conflicts', (row) => row.writesRejectedAsConflicts),
    rate('rejected writes per 1000 acknowledged writes', (row) => row.writesRejectedAsConflicts, acknowledged),
    count('reads', (row) => row.reads),
    count('stale reads', (row) => row.staleReads),
    rate('stale reads per 1000 reads', (row) => row.staleReads, (row) => row.reads),
    converged,
  ];
}

function convergedRow(simulated: DataClassOutcome | undefined, measured: DataClassOutcome | undefined, missing: string | undefined): ComparisonRow {
  const disagree = simulated !== undefined && measured !== undefined && simulated.replicasConverged !== measured.replicasConverged;
  const note = missing ?? (disagree ? 'the runs disagree' : undefined);
  return {
    figure: 'replicas converged',
    unit: 'yesNo',
    simulated: simulated?.replicasConverged ?? null,
    measured: measured?.replicasConverged ?? null,
    difference: null,
    ...(note ? { note } : {}),
  };
}

function latencyComparisons(simulated: RunReport, measured: RunReport): PopulationLatencyComparison[] {
  const totals = (report: RunReport) => report.latency.filter((row) => row.operation === 'all');
  const simulatedRows = totals(simulated);
  const measuredRows = totals(measured);
  const populations = unionInOrder(simulatedRows.map((row) => row.population), measuredRows.map((row) => row.population));
  return populations.map((population) => {
    const simulatedRow = simulatedRows.find((row) => row.population === population);
    const measuredRow = measuredRows.find((row) => row.population === population);
    const predicted = (simulated.prediction ?? measured.prediction)?.latency.find((row) => row.population === population);
    const missing = sideNote(simulatedRow, measuredRow, 'population');
    const percentile = (figure: string, pick: (row: LatencySummary) => number, predictedMs?: number): ComparisonRow => {
      const row = plainRow(figure, 'milliseconds', simulatedRow && pick(simulatedRow), measuredRow && pick(measuredRow), 3, missing);
      return predictedMs === undefined ? row : { ...row, predicted: predictedMs };
    };
    return {
      population,
      rows: [percentile('p50', (row) => row.p50Ms, predicted?.p50Ms), percentile('p90', (row) => row.p90Ms), percentile('p99', (row) => row.p99Ms, predicted?.p99Ms)],
    };
  });
}

function explanations(simulated: RunReport, measured: RunReport): string[] {
  return [...mismatchExplanations(simulated, measured), ...predictionExplanations(simulated.prediction, measured.prediction), ...coverageExplanations(simulated, measured)];
}

/** The two reports should describe the same spec, experiment and architecture; say so plainly when they do not. */
function mismatchExplanations(simulated: RunReport, measured: RunReport): string[] {
  const lines: string[] = [];
  const { meta: simulatedMeta } = simulated;
  const { meta: measuredMeta } = measured;
  if (simulatedMeta.backend !== 'sim') lines.push(`The "simulated" report comes from the ${simulatedMeta.backend} backend.`);
  if (measuredMeta.backend !== 'lab') lines.push(`The "measured" report comes from the ${measuredMeta.backend} backend.`);
  if (simulatedMeta.spec !== measuredMeta.spec) lines.push(`The reports are of different specs: ${simulatedMeta.spec} (simulated) and ${measuredMeta.spec} (measured).`);
  if (simulatedMeta.experiment !== measuredMeta.experiment) {
    lines.push(`The reports are of different experiments: ${simulatedMeta.experiment ?? 'steady state'} (simulated) and ${measuredMeta.experiment ?? 'steady state'} (measured).`);
  }
  if (simulatedMeta.architecture !== measuredMeta.architecture) {
    lines.push(`The reports are of different architectures: ${simulatedMeta.architectureTitle} (simulated) and ${measuredMeta.architectureTitle} (measured).`);
  }
  for (const [side, meta] of [['simulated', simulatedMeta], ['measured', measuredMeta]] as const) {
    if (meta.stoppedEarly) lines.push(`The ${side} run stopped early at ${meta.stoppedEarly.atSeconds} s: ${meta.stoppedEarly.reason}.`);
  }
  return lines;
}

/** advise's own explanations: how traffic fails over (DNS health check + TTL, or an accelerator) and each class's RPO. */
function predictionExplanations(simulated: RunPrediction | undefined, measured: RunPrediction | undefined): string[] {
  const prediction = simulated ?? measured;
  if (!prediction) return [];
  const failover = (value: RunPrediction) => (value.trafficFailoverSeconds === null ? 'none (the users wait for the region)' : `${value.trafficFailoverSeconds} s`);
  const lines = [`Predicted traffic failover ${failover(prediction)}: ${prediction.trafficFailoverExplanation}.`];
  if (simulated && measured && simulated.trafficFailoverExplanation !== measured.trafficFailoverExplanation) {
    lines.push(`The measured run's architecture fails over differently, ${failover(measured)}: ${measured.trafficFailoverExplanation}.`);
  }
  for (const row of prediction.dataClasses) {
    lines.push(`${row.dataClass}: predicted RPO ${row.rpoSeconds} s, writes back after ${row.writeRtoSeconds} s: ${row.explanation}.`);
  }
  return lines;
}

/** What one side lacks, and why counts are compared as rates. */
function coverageExplanations(simulated: RunReport, measured: RunReport): string[] {
  const lines: string[] = [];
  if (simulated.recovery.length > 0 && measured.recovery.length === 0) lines.push('The measured report records no fault windows, so its RTO cells are empty.');
  if (measured.recovery.length > 0 && simulated.recovery.length === 0) lines.push('The simulated report records no fault windows, so its RTO cells are empty.');
  if (simulated.requests.total > 0 && measured.requests.total > 0) {
    const ratio = measured.requests.total / simulated.requests.total;
    lines.push(
      `Request volumes differ by design (simulated ${simulated.requests.total.toLocaleString('en-US')}, measured ${measured.requests.total.toLocaleString('en-US')}: ${Number(ratio.toPrecision(3))}×), so counts show no difference; rates per 1000 are compared instead.`,
    );
  }
  return lines;
}
