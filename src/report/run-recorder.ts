import { createLatencyHistogram, type LatencyHistogram } from './latency-histogram.ts';
import type { DataClassOutcome, FaultRecovery, LatencySummary, MinuteAvailability, RoutingMinute, RunPrediction, RunReport, TimelineEvent } from './run-report.ts';

/** What the recorder needs to know of the run before the first request. */
export interface RecorderLayout {
  readonly populations: readonly string[];
  /** Operation names other than `all`, e.g. `profiles.read`, `other`. */
  readonly operations: readonly string[];
  readonly regions: readonly string[];
  readonly durationMs: number;
}

export interface FaultWindow {
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** How a request ended: failures are split so that traffic recovery and data recovery are measured apart. */
export const enum RequestOutcome {
  Ok = 0,
  /** The user could not reach a working region: no DNS answer, a dead region, app errors. */
  TrafficFailure = 1,
  /** The region answered but the data call failed: writer down, no quorum, timeouts. */
  DataFailure = 2,
}

/** A population counts as recovered once its error ratio stays at or under this for RECOVERY_WINDOW_SECONDS. */
const RECOVERED_ERROR_RATIO = 0.01;
const RECOVERY_WINDOW_SECONDS = 10;

/**
 * Collects every request of a run on a hot path (indices and typed arrays, no allocation per request)
 * and builds the RunReport at the end. The simulator and the lab both feed it.
 */
export class RunRecorder {
  private histograms: LatencyHistogram[][];
  private readonly failures: number[][];
  private readonly secondAttempts: Uint32Array;
  private readonly secondFailures: Uint32Array;
  private readonly secondTrafficFailures: Uint32Array;
  private readonly secondOperationAttempts: Uint32Array;
  private readonly secondOperationFailures: Uint32Array;
  private readonly minuteRouted: Uint32Array;
  private readonly seconds: number;
  private readonly minutes: number;
  private readonly timeline: TimelineEvent[] = [];
  private total = 0;
  private failed = 0;

  constructor(private readonly layout: RecorderLayout) {
    const operationCount = layout.operations.length + 1;
    this.histograms = layout.populations.map(() => Array.from({ length: operationCount }, () => createLatencyHistogram()));
    this.failures = layout.populations.map(() => new Array<number>(operationCount).fill(0));
    this.seconds = Math.max(1, Math.ceil(layout.durationMs / 1000));
    this.minutes = Math.max(1, Math.ceil(layout.durationMs / 60_000));
    this.secondAttempts = new Uint32Array(this.seconds * layout.populations.length);
    this.secondFailures = new Uint32Array(this.seconds * layout.populations.length);
    this.secondTrafficFailures = new Uint32Array(this.seconds * layout.populations.length);
    this.secondOperationAttempts = new Uint32Array(this.seconds * layout.operations.length);
    this.secondOperationFailures = new Uint32Array(this.seconds * layout.operations.length);
    this.minuteRouted = new Uint32Array(this.minutes * layout.regions.length);
  }

  /**
   * One request, bucketed by the time it was sent. `operation` indexes layout.operations; `region` is
   * the region that answered (or -1 when none did); failed requests keep their latency (time to fail).
   */
  recordRequest(sentAtMs: number, population: number, operation: number, region: number, latencyMs: number, outcome: RequestOutcome): void {
    const second = Math.min(this.seconds - 1, Math.floor(sentAtMs / 1000));
    const bucket = second * this.layout.populations.length + population;
    const operationBucket = second * this.layout.operations.length + operation;
    this.secondAttempts[bucket]! += 1;
    this.secondOperationAttempts[operationBucket]! += 1;
    this.total += 1;
    const ok = outcome === RequestOutcome.Ok;
    if (!ok) this.secondOperationFailures[operationBucket]! += 1;
    if (outcome === RequestOutcome.TrafficFailure) this.secondTrafficFailures[bucket]! += 1;
    if (ok) {
      // Only per operation: the population's total is added up once, at the end.
      this.histograms[population]![operation + 1]!.record(latencyMs);
    } else {
      this.secondFailures[bucket]! += 1;
      this.failures[population]![operation + 1]! += 1;
      this.failures[population]![0]! += 1;
      this.failed += 1;
    }
    if (region >= 0) this.minuteRouted[Math.min(this.minutes - 1, Math.floor(sentAtMs / 60_000)) * this.layout.regions.length + region]! += 1;
  }

  /** Requests each region answered over the whole run. */
  routedByRegion(): Record<string, number> {
    const regions = this.layout.regions;
    const totals: Record<string, number> = Object.fromEntries(regions.map((region) => [region, 0]));
    for (let minute = 0; minute < this.minutes; minute++) {
      regions.forEach((region, r) => (totals[region]! += this.minuteRouted[minute * regions.length + r]!));
    }
    return totals;
  }

  event(atMs: number, event: string): void {
    this.timeline.push({ atSeconds: round(atMs / 1000, 3), event });
  }

  /** Availability over [fromMs, toMs) for one population, or all when population is undefined (1 with no traffic). */
  windowAvailability(fromMs: number, toMs: number, population?: number): number {
    let attempts = 0;
    let failures = 0;
    const count = this.layout.populations.length;
    for (let second = Math.max(0, Math.floor(fromMs / 1000)); second < Math.min(this.seconds, Math.ceil(toMs / 1000)); second++) {
      for (let p = 0; p < count; p++) {
        if (population !== undefined && p !== population) continue;
        attempts += this.secondAttempts[second * count + p]!;
        failures += this.secondFailures[second * count + p]!;
      }
    }
    return attempts === 0 ? 1 : 1 - failures / attempts;
  }

  private latencySummaries(): LatencySummary[] {
    const names = ['all', ...this.layout.operations];
    for (const histograms of this.histograms) {
      const total = createLatencyHistogram();
      for (const histogram of histograms.slice(1)) total.add(histogram);
      histograms[0] = total;
    }
    return this.layout.populations.flatMap((population, p) =>
      names.flatMap((operation, o) => {
        const histogram = this.histograms[p]![o]!;
        const failed = this.failures[p]![o]!;
        if (histogram.count + failed === 0) return [];
        return [{
          population,
          operation,
          count: histogram.count + failed,
          failed,
          meanMs: round(histogram.meanMs(), 3),
          p50Ms: histogram.percentileMs(50),
          p90Ms: histogram.percentileMs(90),
          p99Ms: histogram.percentileMs(99),
          p999Ms: histogram.percentileMs(99.9),
        }];
      }),
    );
  }

  private perMinute(): MinuteAvailability[] {
    return Array.from({ length: this.minutes }, (_, minute) => ({
      minute,
      overall: round(this.windowAvailability(minute * 60_000, (minute + 1) * 60_000), 6),
      byPopulation: Object.fromEntries(this.layout.populations.map((name, p) => [name, round(this.windowAvailability(minute * 60_000, (minute + 1) * 60_000, p), 6)])),
    }));
  }

  private routing(): RoutingMinute[] {
    const regions = this.layout.regions;
    return Array.from({ length: this.minutes }, (_, minute) => ({
      minute,
      byRegion: Object.fromEntries(regions.map((region, r) => [region, this.minuteRouted[minute * regions.length + r]!])),
    }));
  }

  /**
   * Seconds from the fault's start to the start of the first clean window (error ratio at most 1 % for
   * 10 s) after the first failure, over per-second attempt and failure counts of one series.
   */
  private recovery(fault: FaultWindow, attemptsAt: (second: number) => number, failuresAt: (second: number) => number): { rtoSeconds: number | null; failedRequests: number } {
    const startSecond = Math.floor(fault.startMs / 1000);
    const ratioAt = (second: number) => {
      const attempts = attemptsAt(second);
      return attempts === 0 ? 0 : failuresAt(second) / attempts;
    };
    let first = -1;
    for (let second = startSecond; second < this.seconds; second++) {
      if (failuresAt(second) > 0) {
        first = second;
        break;
      }
    }
    if (first < 0 || first > Math.ceil(fault.endMs / 1000) + RECOVERY_WINDOW_SECONDS) return { rtoSeconds: 0, failedRequests: 0 };
    let failedRequests = 0;
    for (let second = first; second < this.seconds; second++) {
      const end = Math.min(this.seconds, second + RECOVERY_WINDOW_SECONDS);
      let clean = true;
      for (let s = second; s < end && clean; s++) clean = ratioAt(s) <= RECOVERED_ERROR_RATIO;
      if (clean) return { rtoSeconds: second - fault.startMs / 1000, failedRequests };
      failedRequests += failuresAt(second);
    }
    return { rtoSeconds: null, failedRequests };
  }

  /** Traffic recovery of one population: failures to reach a working region, not data errors. */
  private populationRecovery(fault: FaultWindow, population: number) {
    const count = this.layout.populations.length;
    return this.recovery(fault, (second) => this.secondAttempts[second * count + population]!, (second) => this.secondTrafficFailures[second * count + population]!);
  }

  /** Recovery of one operation (a data class's reads or writes) over every population. */
  private operationRecovery(fault: FaultWindow, operation: number) {
    const count = this.layout.operations.length;
    return this.recovery(fault, (second) => this.secondOperationAttempts[second * count + operation]!, (second) => this.secondOperationFailures[second * count + operation]!);
  }

  finish(meta: RunReport['meta'], faults: readonly FaultWindow[], data: readonly DataClassOutcome[], cost: RunReport['cost'], prediction?: RunPrediction): RunReport {
    const byPopulation = Object.fromEntries(this.layout.populations.map((name, p) => [name, round(this.windowAvailability(0, this.layout.durationMs, p), 6)]));
    const recovery: FaultRecovery[] = faults.map((fault) => ({
      fault: fault.label,
      startSeconds: fault.startMs / 1000,
      endSeconds: fault.endMs / 1000,
      byPopulation: this.layout.populations.map((population, p) => ({ population, ...this.populationRecovery(fault, p) })),
      byOperation: this.layout.operations
        .map((operation, o) => ({ operation, ...this.operationRecovery(fault, o) }))
        .filter((operation) => operation.failedRequests > 0 || operation.rtoSeconds !== 0),
    }));
    return {
      meta,
      requests: { total: this.total, failed: this.failed },
      availability: { overall: round(this.total === 0 ? 1 : 1 - this.failed / this.total, 6), byPopulation, perMinute: this.perMinute() },
      latency: this.latencySummaries(),
      recovery,
      data,
      routing: { perMinute: this.routing() },
      cost,
      timeline: [...this.timeline].sort((a, b) => a.atSeconds - b.atSeconds),
      prediction,
    };
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
