/**
 * The report of a run, from the simulator or the live lab: the same model, so the two can be printed
 * side by side figure by figure. Plain data, JSON-serialisable, with no wall-clock fields, so that a
 * seeded simulation gives a byte-identical report.
 */
export interface LatencySummary {
  readonly population: string;
  /** `all`, or `<dataClass>.<read|write>`, or `other` for requests that touch no data class. */
  readonly operation: string;
  readonly count: number;
  readonly failed: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

export interface MinuteAvailability {
  readonly minute: number;
  readonly overall: number;
  readonly byPopulation: Readonly<Record<string, number>>;
}

export interface PopulationRecovery {
  readonly population: string;
  /** Requests of the population that could not reach a working region between the fault's start and its recovery. */
  readonly failedRequests: number;
  /** Seconds from the fault's start until the population's requests succeed again; null if never in the run. */
  readonly rtoSeconds: number | null;
}

export interface OperationRecovery {
  /** `<dataClass>.<read|write>` or `other`. */
  readonly operation: string;
  readonly failedRequests: number;
  /** Seconds from the fault's start until the operation succeeds again everywhere; null if never in the run. */
  readonly rtoSeconds: number | null;
}

export interface FaultRecovery {
  readonly fault: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** Traffic recovery: users reaching a working region again. */
  readonly byPopulation: readonly PopulationRecovery[];
  /** Data recovery: operations that failed during the fault, until they succeed again (e.g. writes until a new writer). */
  readonly byOperation: readonly OperationRecovery[];
}

export interface DataClassOutcome {
  readonly dataClass: string;
  readonly consistency: string;
  readonly acknowledgedWrites: number;
  /** Acknowledged writes that no surviving replica holds at the end of the run. */
  readonly acknowledgedWritesLost: number;
  /** Age of the oldest lost write when the region holding it failed: the measured RPO. */
  readonly secondsOfDataLost: number;
  readonly conflictsResolvedByLastWriterWins: number;
  readonly writesRejectedAsConflicts: number;
  readonly reads: number;
  /** Reads that returned an older version than the latest acknowledged before the read began. */
  readonly staleReads: number;
  /** Whether every replica held the same items once the run quiesced. */
  readonly replicasConverged: boolean;
}

export interface RoutingMinute {
  readonly minute: number;
  readonly byRegion: Readonly<Record<string, number>>;
}

export interface TimelineEvent {
  readonly atSeconds: number;
  readonly event: string;
}

/** What `meridian advise` predicts analytically for the same architecture, printed beside the measurements. */
export interface RunPrediction {
  readonly trafficFailoverSeconds: number | null;
  readonly trafficFailoverExplanation: string;
  readonly dataClasses: readonly {
    readonly dataClass: string;
    readonly rpoSeconds: number;
    readonly rtoSeconds: number;
    readonly writeRtoSeconds: number;
    readonly explanation: string;
  }[];
  readonly latency: readonly { readonly population: string; readonly p50Ms: number; readonly p99Ms: number }[];
}

export interface RunReport {
  readonly meta: {
    readonly backend: 'sim' | 'lab';
    readonly spec: string;
    readonly experiment: string | undefined;
    readonly architecture: string;
    readonly architectureTitle: string;
    readonly seed: number | undefined;
    readonly durationSeconds: number;
    readonly stoppedEarly: { readonly atSeconds: number; readonly reason: string } | undefined;
  };
  readonly requests: { readonly total: number; readonly failed: number };
  readonly availability: {
    readonly overall: number;
    readonly byPopulation: Readonly<Record<string, number>>;
    readonly perMinute: readonly MinuteAvailability[];
  };
  readonly latency: readonly LatencySummary[];
  readonly recovery: readonly FaultRecovery[];
  readonly data: readonly DataClassOutcome[];
  readonly routing: { readonly perMinute: readonly RoutingMinute[] };
  readonly cost: { readonly runUsd: number; readonly monthlyUsdAtThisRate: number; readonly byCategory: Readonly<Record<string, number>> };
  readonly timeline: readonly TimelineEvent[];
  readonly prediction: RunPrediction | undefined;
}
