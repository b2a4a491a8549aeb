import type { Architecture } from '../../advise/architecture.ts';
import { faultLabel } from '../../experiments/fault-references.ts';
import type { ResolvedExperiment } from '../../experiments/resolved-experiment.ts';
import type { RunRecorder } from '../../report/run-recorder.ts';
import type { RunReport } from '../../report/run-report.ts';
import type { ResolvedSpec } from '../../spec/resolved-spec.ts';
import { readFinalState } from '../load/final-state.ts';
import { loadReport } from '../load/load-report.ts';
import { runLoad, type LoadProgress } from '../load/load-run.ts';
import { startLab, type Lab } from '../supervisor/lab.ts';
import { tableStatus } from '../supervisor/table-control.ts';
import { ManagedFailover } from '../supervisor/managed-failover.ts';
import { TrafficPlane } from '../supervisor/traffic-plane.ts';
import { LabFaults } from './lab-faults.ts';

/**
 * `meridian chaos run --backend lab`: the experiment's timeline on a live lab of its own, under load.
 * The lab comes up (regions, links, apps, health checks, DNS, edges), load starts, each fault is applied
 * and lifted at its time, stop conditions are watched every second, and whatever happens — the end, a
 * stop condition, an error, Ctrl-C — every fault is lifted and every process stopped. The report is the
 * one `meridian simulate` prints for the same experiment.
 */
export interface LabChaosOptions {
  readonly dataDir: string;
  readonly specDirectory: string;
  readonly specLabel: string;
  readonly experimentLabel: string | undefined;
  /** Requests per second in all. */
  readonly requestsPerSecond: number;
  readonly log: (line: string) => void;
  readonly onPhase?: (phase: string) => void;
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Aborts the run from outside (Ctrl-C): faults are lifted and the lab stopped. */
  readonly signal?: AbortSignal;
  /** Told what each single-writer table's members reported losing in failovers (keys of the lost writes). */
  readonly onLostWritesReported?: (lost: Readonly<Record<string, readonly string[]>>) => void;
}

/** Time given to replication after the run before every replica is read. */
const QUIESCE_MS = 3000;
const STOP_CHECK_MS = 1000;

export async function runLabChaos(spec: ResolvedSpec, architecture: Architecture, experiment: ResolvedExperiment, options: LabChaosOptions): Promise<RunReport> {
  options.onPhase?.('starting the lab');
  const lab = await startLab(spec, architecture, { dataDir: options.dataDir, log: options.log });
  const injectsErrors = experiment.faults.some((fault) => fault.action === 'error-injection');
  const traffic = new TrafficPlane(lab, { specDirectory: options.specDirectory, log: options.log, ingressGates: injectsErrors });
  const managed = new ManagedFailover(lab, traffic, options.log);
  const faults = new LabFaults(lab, traffic);
  const timers: ReturnType<typeof setTimeout>[] = [];
  const stop = new AbortController();
  let stoppedEarly: { atSeconds: number; reason: string } | undefined;
  let runStartedAtMs: number | undefined;
  const onOuterAbort = () => {
    if (runStartedAtMs !== undefined) stoppedEarly ??= { atSeconds: Math.round(performance.now() - runStartedAtMs) / 1000, reason: 'interrupted' };
    stop.abort();
  };
  options.signal?.addEventListener('abort', onOuterAbort);
  try {
    await traffic.start();
    options.onPhase?.(`running ${experiment.name} for ${experiment.durationMs / 1000} s`);
    const timeline: { atMs: number; event: string }[] = [];
    let startedAtMs = 0;
    let recorder: RunRecorder | undefined;
    const elapsedMs = () => performance.now() - startedAtMs;
    const schedule = (atMs: number, work: () => Promise<void>) => timers.push(setTimeout(() => void work().catch((error: unknown) => timeline.push({ atMs: elapsedMs(), event: `error: ${error instanceof Error ? error.message : String(error)}` })), atMs));
    const result = await runLoad(spec, architecture, traffic.loadTargets(), {
      durationMs: experiment.durationMs,
      requestsPerSecond: options.requestsPerSecond * experiment.loadScale,
      signal: stop.signal,
      onProgress: options.onProgress,
      onStart: (started, atMs) => {
        recorder = started;
        startedAtMs = atMs;
        runStartedAtMs = atMs;
        for (const fault of experiment.faults) {
          schedule(fault.startMs, async () => {
            timeline.push({ atMs: elapsedMs(), event: `fault: ${await faults.apply(fault)}` });
          });
          if (fault.endMs < experiment.durationMs) {
            schedule(fault.endMs, async () => {
              timeline.push({ atMs: elapsedMs(), event: `lifted: ${(await faults.revert(fault.index)) ?? fault.action}` });
            });
          }
        }
        const watcher = setInterval(() => {
          const reason = firedStopCondition(experiment, recorder!, elapsedMs(), spec);
          if (reason === undefined || stop.signal.aborted) return;
          stoppedEarly = { atSeconds: Math.round(elapsedMs()) / 1000, reason };
          timeline.push({ atMs: elapsedMs(), event: `stopped: ${reason}` });
          stop.abort();
        }, STOP_CHECK_MS);
        timers.push(watcher as unknown as ReturnType<typeof setTimeout>);
      },
    });
    for (const timer of timers) clearTimeout(timer);
    options.onPhase?.('lifting faults');
    for (const problem of await faults.revertAll()) timeline.push({ atMs: elapsedMs(), event: `could not lift ${problem}` });
    for (const event of [...timeline, ...traffic.events.map((e) => ({ atMs: e.atMs - startedAtMs, event: e.event })), ...managed.events.map((e) => ({ atMs: e.atMs - startedAtMs, event: e.event }))]) {
      result.recorder.event(Math.max(0, event.atMs), event.event);
    }
    options.onPhase?.('reading every replica');
    const final = await readFinalState(traffic.loadTargets(), QUIESCE_MS);
    const reported = await lostWritesReported(lab);
    for (const [table, keys] of Object.entries(reported)) {
      if (keys.length > 0) result.recorder.event(result.elapsedMs, `${table}: the fenced writer reported ${keys.length} acknowledged writes lost in the failover`);
    }
    options.onLostWritesReported?.(reported);
    const endMs = Math.min(experiment.durationMs, result.elapsedMs);
    const windows = experiment.faults
      .filter((fault) => fault.startMs < endMs)
      .map((fault) => ({ label: faultLabel(fault), startMs: fault.startMs, endMs: Math.min(fault.endMs, endMs) }));
    return loadReport(spec, architecture, result, final, { spec: options.specLabel, experiment: options.experimentLabel, faults: windows, ...(stoppedEarly ? { stoppedEarly } : {}) });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    managed.close();
    await faults.revertAll();
    options.onPhase?.('stopping the lab');
    await traffic.stop();
    await lab.stop();
  }
}

/** The keys of the writes each single-writer table's members discarded on learning of a newer epoch. */
async function lostWritesReported(lab: Lab): Promise<Record<string, string[]>> {
  const lost: Record<string, string[]> = {};
  for (const placement of lab.architecture.placements) {
    const members = await tableStatus(lab, placement.dataClass).catch(() => undefined);
    if (members === undefined) continue;
    // Every member that held a lost write reports it: one write is one (epoch, sequence).
    const unique = new Map<string, string>();
    for (const member of members as unknown as { lostWrites?: { recent?: { key: { pk?: { S?: string } }; seq: number; epoch: number }[] } }[]) {
      for (const write of member.lostWrites?.recent ?? []) unique.set(`${write.epoch}/${write.seq}`, write.key.pk?.S ?? '?');
    }
    lost[placement.dataClass] = [...unique.values()];
  }
  return lost;
}

/** The first stop condition that holds now, as a sentence, or undefined. */
function firedStopCondition(experiment: ResolvedExperiment, recorder: RunRecorder, nowMs: number, spec: ResolvedSpec): string | undefined {
  for (const condition of experiment.stop) {
    if (nowMs < condition.forMs) continue;
    const population = condition.population === undefined ? undefined : spec.populations.findIndex((candidate) => candidate.name === condition.population);
    // Whole seconds only: the current second is still filling.
    const toMs = Math.floor(nowMs / 1000) * 1000;
    const availability = recorder.windowAvailability(toMs - condition.forMs, toMs, population === -1 ? undefined : population);
    if (availability < condition.threshold) {
      return `availability${condition.population ? ` of ${condition.population}` : ''} ${(availability * 100).toFixed(2)} % below ${(condition.threshold * 100).toFixed(2)} % for ${condition.forMs / 1000} s`;
    }
  }
  return undefined;
}
