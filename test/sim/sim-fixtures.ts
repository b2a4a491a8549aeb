import type { Architecture } from '../../src/advise/architecture.ts';
import type { ResolvedExperiment, ResolvedFault } from '../../src/experiments/resolved-experiment.ts';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import type { RunReport } from '../../src/report/run-report.ts';
import { chooseArchitecture, simulate } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import type { ResolvedSpec } from '../../src/spec/resolved-spec.ts';

export async function example(name: string): Promise<ResolvedSpec> {
  return (await loadSpec(`examples/${name}.yaml`)).spec;
}

export async function experiment(name: string, spec: ResolvedSpec): Promise<ResolvedExperiment> {
  return loadExperiment(`experiments/${name}.yaml`, spec);
}

/** The same experiment, shortened and lighter, for tests: the fault keeps its length, the run ends `tailMs` after it. */
export function compressed(original: ResolvedExperiment, options: { startMs: number; tailMs: number; loadScale: number }): ResolvedExperiment {
  const shift = original.faults.length === 0 ? 0 : Math.min(...original.faults.map((fault) => fault.startMs)) - options.startMs;
  const faults = original.faults.map((fault): ResolvedFault => ({ ...fault, startMs: fault.startMs - shift, endMs: fault.endMs - shift }));
  const lastEndMs = Math.max(options.startMs, ...faults.map((fault) => fault.endMs));
  return { ...original, faults, durationMs: lastEndMs + options.tailMs, loadScale: options.loadScale };
}

export function run(spec: ResolvedSpec, architecture: Architecture | string, experiment: ResolvedExperiment, seed: number): RunReport {
  const chosen = typeof architecture === 'string' ? chooseArchitecture(spec, architecture) : architecture;
  return simulate(spec, chosen, experiment, { specLabel: 'test', experimentLabel: experiment.name, seed });
}

export function replayCommand(spec: string, architecture: string, seed: number): string {
  return `meridian simulate examples/${spec}.yaml --architecture ${architecture} --seed ${seed} (the schedule is derived from the seed in test/sim/invariants.test.ts)`;
}
