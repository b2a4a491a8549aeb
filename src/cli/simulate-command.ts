import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DurationError, parseDurationMs } from '../experiments/duration.ts';
import { loadExperiment } from '../experiments/load-experiment.ts';
import type { ResolvedExperiment } from '../experiments/resolved-experiment.ts';
import { renderRunReportJson, renderRunReportMarkdown, renderRunReportTerminal } from '../report/render-run-report.ts';
import { parseSeed, randomSeed, SeedFormatError } from '../sim/engine/seeded-random.ts';
import { simulate } from '../sim/simulate.ts';
import type { SimulationProgress } from '../sim/system/simulation.ts';
import { EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { DEFAULT_SPEC_LABEL } from './default-spec.ts';
import { commandArchitecture, loadCommandSpec } from './load-command-spec.ts';

interface SimulateOptions {
  experiment?: string;
  architecture?: string;
  duration?: string;
  seed?: string;
  json?: boolean;
  markdown?: boolean;
  progress?: boolean;
  edge?: string;
}

/** A steady-state run, when no experiment is given. */
const STEADY_STATE_MS = 10 * 60_000;

function steadyState(durationMs: number): ResolvedExperiment {
  return { name: 'steady-state', description: 'no fault', durationMs, loadScale: 1, faults: [], stop: [] };
}

function parseOptions(options: SimulateOptions): { seed: number; durationMs: number | undefined } {
  if (options.json && options.markdown) throw new UsageError('choose one of --json and --markdown');
  try {
    const seed = options.seed === undefined ? randomSeed() : parseSeed(options.seed);
    const durationMs = options.duration === undefined ? undefined : parseDurationMs(options.duration);
    if (durationMs !== undefined && durationMs <= 0) throw new UsageError('--duration must be longer than 0');
    return { seed, durationMs };
  } catch (error) {
    if (error instanceof SeedFormatError) throw new UsageError(`--seed: ${error.message}`);
    if (error instanceof DurationError) throw new UsageError(`--duration: ${error.message}`);
    throw error;
  }
}

/** A progress bar on a terminal; otherwise a line every tenth of the run, on stderr either way. */
function progressReporter(context: CommandContext, enabled: boolean): { update(progress: SimulationProgress): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  const started = performance.now();
  const rate = (progress: SimulationProgress) => {
    const seconds = Math.max(1e-3, (performance.now() - started) / 1000);
    return { eventsPerSecond: Math.round(progress.events / seconds), requestsPerSecond: Math.round(progress.requests / seconds) };
  };
  if (context.interactive) {
    const bar = new cliProgress.SingleBar(
      { format: 'simulating {bar} {percentage}% | {simulated} simulated | {events} events/s | {requests} requests/s', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started_ = false;
    return {
      update(progress) {
        if (!started_) {
          bar.start(progress.durationMs, 0, { simulated: '0 s', events: 0, requests: 0 });
          started_ = true;
        }
        const rates = rate(progress);
        bar.update(progress.simulatedMs, { simulated: `${Math.round(progress.simulatedMs / 1000)} s`, events: rates.eventsPerSecond, requests: rates.requestsPerSecond });
      },
      stop: () => started_ && bar.stop(),
    };
  }
  let nextTenth = 1;
  return {
    update(progress) {
      if (progress.simulatedMs < (progress.durationMs * nextTenth) / 10) return;
      nextTenth = Math.floor((progress.simulatedMs * 10) / progress.durationMs) + 1;
      const rates = rate(progress);
      context.err(`simulating: ${Math.round(progress.simulatedMs / 1000)} of ${Math.round(progress.durationMs / 1000)} s simulated, ${rates.eventsPerSecond} events/s, ${rates.requestsPerSecond} requests/s\n`);
    },
    stop() {},
  };
}

export function registerSimulate(program: Command, context: CommandContext): void {
  program
    .command('simulate')
    .description('run the system on virtual time, at full scale, with an experiment\'s faults; deterministic per seed')
    .argument('[spec]', `the spec (default: ${DEFAULT_SPEC_LABEL})`)
    .option('--experiment <file>', 'chaos experiment (YAML); without one, a steady-state run')
    .option('--architecture <name>', 'candidate of `meridian advise` to simulate: single-region, active-passive, active-active, partitioned-active-active')
    .option('--duration <duration>', 'simulated time (e.g. 30m, 1h); overrides the experiment\'s (default 10m without an experiment)')
    .option('--seed <n>', 'seed of every random choice; the same seed replays the run bit for bit')
    .option('--edge <edge>', "override the spec's edge: none (Route 53 steers users) or accelerator (Global Accelerator)")
    .option('--json', 'print the report as JSON')
    .option('--markdown', 'print the report as Markdown')
    .option('--no-progress', 'no progress output on stderr')
    .action(async (file: string | undefined, options: SimulateOptions) => {
      const { seed, durationMs } = parseOptions(options);
      const loadedSpec = await loadCommandSpec(context, file);
      const specLabel = loadedSpec.label;
      if (options.edge !== undefined && !['none', 'accelerator'].includes(options.edge)) throw new UsageError(`--edge: '${options.edge}' is not one of none, accelerator`);
      const spec = options.edge === undefined ? loadedSpec.spec : { ...loadedSpec.spec, routing: { ...loadedSpec.spec.routing, edge: options.edge as 'none' | 'accelerator' } };
      const loaded = options.experiment === undefined ? steadyState(durationMs ?? STEADY_STATE_MS) : await loadExperiment(options.experiment, spec);
      const experiment = durationMs === undefined ? loaded : { ...loaded, durationMs, faults: loaded.faults.filter((f) => f.startMs < durationMs).map((f) => ({ ...f, endMs: Math.min(f.endMs, durationMs) })) };
      const architecture = commandArchitecture(spec, options.architecture);
      context.err(`meridian simulate: seed ${seed} (replay with --seed ${seed}), ${architecture.title}, ${experiment.name}\n`);
      const progress = progressReporter(context, options.progress !== false);
      let report;
      try {
        report = simulate(spec, architecture, experiment, { specLabel, experimentLabel: options.experiment, seed, onProgress: (p) => progress.update(p) });
      } catch (error) {
        progress.stop();
        context.err(`meridian simulate: the run with seed ${seed} failed; replay it with --seed ${seed}\n`);
        throw error;
      }
      progress.stop();
      if (options.json) context.out(renderRunReportJson(report));
      else if (options.markdown) context.out(renderRunReportMarkdown(report));
      else context.out(renderRunReportTerminal(report));
      context.setExitCode(EXIT_OK);
    });
}
