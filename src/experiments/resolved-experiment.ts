/** An experiment with durations in milliseconds and defaults filled; region references still symbolic. */
interface ResolvedFaultBase {
  /** Position in the file, for messages and reports. */
  readonly index: number;
  readonly startMs: number;
  /** Exclusive; the run's end when the fault has no duration. */
  readonly endMs: number;
  readonly note: string | undefined;
}

export type ResolvedFault = ResolvedFaultBase &
  (
    | { readonly action: 'region-outage'; readonly region: string; readonly scope: 'all' | 'app' | 'database' }
    | { readonly action: 'link-latency'; readonly between: readonly [string, string]; readonly addMs: number; readonly jitterMs: number }
    | { readonly action: 'partition'; readonly between: readonly [string, string] | undefined; readonly isolate: string | undefined; readonly oneWay: boolean }
    | { readonly action: 'error-injection'; readonly region: string; readonly errorRate: number; readonly status: number }
    | { readonly action: 'replication-pause'; readonly region: string | undefined; readonly dataClass: string | undefined }
    | { readonly action: 'health-check-failure'; readonly region: string }
  );

export type FaultAction = ResolvedFault['action'];

export interface ResolvedStopCondition {
  readonly when: 'availability-below';
  readonly threshold: number;
  readonly forMs: number;
  readonly population: string | undefined;
}

export interface ResolvedExperiment {
  readonly name: string;
  readonly description: string | undefined;
  readonly durationMs: number;
  readonly loadScale: number;
  readonly faults: readonly ResolvedFault[];
  readonly stop: readonly ResolvedStopCondition[];
}

/** Region roles an experiment may name instead of a code; resolved against the architecture under test. */
export const REGION_ROLES = ['primary', 'secondary'] as const;
