import type { Architecture } from '../../advise/architecture.ts';
import type { DataClassOutcome, RunReport } from '../../report/run-report.ts';
import type { FaultWindow } from '../../report/run-recorder.ts';
import { runCost } from '../../workload/run-cost.ts';
import { predict } from '../../workload/run-prediction.ts';
import type { ResolvedSpec } from '../../spec/resolved-spec.ts';
import type { LoadResult } from './load-run.ts';

/**
 * The report of a load run: the same RunReport `meridian simulate` produces, with the lab's data outcomes.
 * Lost writes, stale reads and convergence are judged from what the load client saw and from the final
 * state of every replica (read from each region's data node once replication has quiesced).
 */
export interface FinalState {
  /** finalValues[class][region]: each key's value in that region's copy ('k12' → write id, or undefined). */
  readonly finalValues: Readonly<Record<string, Readonly<Record<string, ReadonlyMap<number, string | undefined>>>>>;
  /** Per class: conflicts resolved by last writer wins, and writes rejected as conflicts, summed over regions. */
  readonly conflicts: Readonly<Record<string, { readonly resolved: number; readonly rejected: number }>>;
}

export interface LoadReportLabels {
  readonly spec: string;
  readonly experiment: string | undefined;
  /** The experiment's faults as they were applied, for the recovery (RTO) per fault. */
  readonly faults?: readonly FaultWindow[];
  readonly stoppedEarly?: { readonly atSeconds: number; readonly reason: string };
}

export function loadReport(spec: ResolvedSpec, architecture: Architecture, result: LoadResult, final: FinalState, labels: LoadReportLabels): RunReport {
  const data = result.plan.dataClasses.map((dataClass, index) => dataOutcome(dataClass.name, dataClass.consistency, result, index, final));
  const cost = runCost(
    spec,
    architecture,
    { requestsByRegion: result.recorder.routedByRegion(), readsByClassRegion: result.readsByClassRegion, writesByClassRegion: result.writesByClassRegion },
    result.elapsedMs,
  );
  return result.recorder.finish(
    {
      backend: 'lab',
      spec: labels.spec,
      experiment: labels.experiment,
      architecture: architecture.kind,
      architectureTitle: architecture.title,
      seed: undefined,
      durationSeconds: Math.round(result.elapsedMs) / 1000,
      stoppedEarly: labels.stoppedEarly,
    },
    labels.faults ?? [],
    data,
    cost,
    predict(spec, architecture),
  );
}

function dataOutcome(name: string, consistency: string, result: LoadResult, index: number, final: FinalState): DataClassOutcome {
  const oracle = result.oracles[index]!;
  const issuedMs = result.writeIssuedMs[index]!;
  const ackMsById = new Map(oracle.acknowledged.map((write) => [write.id, write.ackMs]));
  const byRegion = final.finalValues[name] ?? {};
  const copies = Object.values(byRegion);
  // What survived of each key: the value most replicas hold (they agree once converged).
  const survivor = (key: number): string | undefined => copies.map((copy) => copy.get(key)).find((value) => value !== undefined);
  const lost = oracle.acknowledged.filter((write) => {
    const kept = survivor(write.key);
    if (kept === String(write.id)) return false;
    // Lost when what survived was acknowledged before this write began (not a concurrent overwrite).
    const keptAckMs = kept === undefined ? Number.NEGATIVE_INFINITY : (ackMsById.get(Number(kept)) ?? Number.NEGATIVE_INFINITY);
    return keptAckMs < (issuedMs.get(write.id) ?? write.ackMs);
  });
  const ackTimes = lost.map((write) => write.ackMs);
  const keys = new Set(copies.flatMap((copy) => [...copy.keys()]));
  const converged = copies.every((copy) => [...keys].every((key) => copy.get(key) === copies[0]!.get(key)));
  return {
    dataClass: name,
    consistency,
    acknowledgedWrites: oracle.acknowledged.length,
    acknowledgedWritesLost: lost.length,
    secondsOfDataLost: lost.length === 0 ? 0 : Math.round(Math.max(...ackTimes) - Math.min(...ackTimes)) / 1000,
    conflictsResolvedByLastWriterWins: final.conflicts[name]?.resolved ?? 0,
    writesRejectedAsConflicts: final.conflicts[name]?.rejected ?? 0,
    reads: oracle.reads,
    staleReads: oracle.staleReads,
    replicasConverged: converged,
  };
}
