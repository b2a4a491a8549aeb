import type { Architecture } from '../advise/architecture.ts';
import { candidateArchitectures } from '../advise/candidates.ts';
import type { ResolvedExperiment } from '../experiments/resolved-experiment.ts';
import type { FaultWindow } from '../report/run-recorder.ts';
import { RunRecorder } from '../report/run-recorder.ts';
import { faultLabel } from '../experiments/fault-references.ts';
import type { RunReport } from '../report/run-report.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';
import { SeededRandom } from './engine/seeded-random.ts';
import { createDataPlane } from './system/data-plane.ts';
import { buildRunPlan } from '../workload/run-plan.ts';
import { runCost } from '../workload/run-cost.ts';
import { predict } from '../workload/run-prediction.ts';
import { Simulation, type SimulationProgress } from './system/simulation.ts';

export class UnknownArchitectureError extends Error {
  readonly code = 'UNKNOWN_ARCHITECTURE';
  constructor(readonly architecture: string, readonly available: readonly string[]) {
    super(`no candidate architecture '${architecture}' for this spec (available: ${available.join(', ')})`);
    this.name = 'UnknownArchitectureError';
  }
}

/** The candidate of `advise` to simulate: by kind name, or the one the spec's topology and routing describe. */
export function chooseArchitecture(spec: ResolvedSpec, name: string | undefined): Architecture {
  const candidates = candidateArchitectures(spec);
  if (name !== undefined) {
    const found = candidates.find((candidate) => candidate.kind === name);
    if (!found) throw new UnknownArchitectureError(name, candidates.map((candidate) => candidate.kind));
    return found;
  }
  const preferred = spec.topology === 'active-passive' ? 'active-passive' : spec.routing.policy === 'geolocation' ? 'partitioned-active-active' : 'active-active';
  return candidates.find((candidate) => candidate.kind === preferred) ?? candidates[candidates.length - 1]!;
}

export interface SimulateOptions {
  readonly specLabel: string;
  readonly experimentLabel: string | undefined;
  readonly seed: number;
  readonly onProgress?: (progress: SimulationProgress) => void;
}

/** Runs one architecture under one experiment on virtual time and returns the report. Deterministic per seed. */
export function simulate(spec: ResolvedSpec, architecture: Architecture, experiment: ResolvedExperiment, options: SimulateOptions): RunReport {
  const plan = buildRunPlan(spec, architecture, experiment.loadScale);
  const recorder = new RunRecorder({
    populations: plan.populations.map((population) => population.name),
    operations: plan.operations.map((operation) => operation.name),
    regions: plan.regions,
    durationMs: experiment.durationMs,
  });
  const random = SeededRandom.fromSeed(options.seed);
  const simulation = new Simulation(plan, experiment, random, recorder);
  const dataPlane = createDataPlane(plan, simulation, random.fork('data'));
  simulation.attachDataPlane(dataPlane);
  const outcome = simulation.run(options.onProgress);
  const faults: FaultWindow[] = experiment.faults.map((fault, index) => ({
    label: faultLabel(experiment.faults[index]!),
    startMs: fault.startMs,
    endMs: Math.min(fault.endMs, outcome.simulatedMs),
  }));
  return recorder.finish(
    {
      backend: 'sim',
      spec: options.specLabel,
      experiment: options.experimentLabel,
      architecture: architecture.kind,
      architectureTitle: architecture.title,
      seed: options.seed,
      durationSeconds: outcome.simulatedMs / 1000,
      stoppedEarly: outcome.stoppedEarly,
    },
    faults.filter((fault) => fault.startMs < outcome.simulatedMs),
    dataPlane.outcomes(),
    runCost(spec, architecture, { ...dataPlane.costCounters(), requestsByRegion: recorder.routedByRegion() }, outcome.simulatedMs),
    predict(spec, architecture),
  );
}
