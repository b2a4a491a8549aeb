import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { loadExperiment } from '../experiments/load-experiment.ts';
import { runLabChaos } from '../lab/chaos/chaos-run.ts';
import { compareReports } from '../report/compare-reports.ts';
import { renderComparisonJson, renderComparisonMarkdown, renderComparisonTerminal } from '../report/render-comparison.ts';
import { renderRunReportJson, renderRunReportMarkdown, renderRunReportTerminal } from '../report/render-run-report.ts';
import type { RunReport } from '../report/run-report.ts';
import { parseSeed, randomSeed, SeedFormatError } from '../sim/engine/seeded-random.ts';
import { simulate } from '../sim/simulate.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { DEFAULT_SPEC_LABEL } from './default-spec.ts';
import { commandArchitecture, loadCommandSpec } from './load-command-spec.ts';

interface ChaosOptions {
  backend: string;
  compare?: boolean;
  architecture?: string;
  rate: string;
  seed?: string;
  json?: boolean;
  markdown?: boolean;
  progress?: boolean;
}

const RATE_MAX = 2000;

function parseOptions(options: ChaosOptions): { seed: number; rate: number } {
  if (options.json && options.markdown) throw new UsageError('choose one of --json and --markdown');
  if (options.backend !== 'lab' && options.backend !== 'sim') throw new UsageError(`--backend: '${options.backend}' is not one of lab, sim`);
  if (options.compare && options.backend !== 'lab') throw new UsageError('--compare runs the experiment in the lab and in the simulator: use it with --backend lab');
  const rate = Number(options.rate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > RATE_MAX) throw new UsageError(`--rate must be a number of requests per second in (0, ${RATE_MAX}], got ${options.rate}`);
  try {
    return { seed: options.seed === undefined ? randomSeed() : parseSeed(options.seed), rate };
  } catch (error) {
    if (error instanceof SeedFormatError) throw new UsageError(`--seed: ${error.message}`);
    throw error;
  }
}

function render(context: CommandContext, options: ChaosOptions, report: RunReport): void {
  if (options.json) context.out(renderRunReportJson(report));
  else if (options.markdown) context.out(renderRunReportMarkdown(report));
  else context.out(renderRunReportTerminal(report));
}

export function registerChaos(program: Command, context: CommandContext): void {
  const chaos = program.command('chaos').description('chaos experiments: the same experiment file in the simulator and against a live lab');
  chaos
    .command('run')
    .description('run an experiment: in the simulator (--backend sim), or live on a lab of its own under load (--backend lab), optionally compared with the simulator (--compare)')
    .argument('<experiment>', 'the experiment (YAML), e.g. experiments/region-outage.yaml')
    .argument('[spec]', `the spec (default: ${DEFAULT_SPEC_LABEL})`)
    .option('--backend <backend>', 'sim or lab', 'lab')
    .option('--compare', 'also run the simulator and print both reports side by side with the difference of each figure')
    .option('--architecture <name>', 'candidate of `meridian advise` to run (default: the one the spec describes)')
    .option('--rate <n>', "lab: requests per second in all (the spec's population rates scaled to it)", '100')
    .option('--seed <n>', "the simulator's seed")
    .option('--json', 'print the report as JSON')
    .option('--markdown', 'print the report as Markdown')
    .option('--no-progress', 'no progress output on stderr')
    .action(async (experimentFile: string, file: string | undefined, options: ChaosOptions) => runChaos(context, experimentFile, file, options));
}

/** The demo: the embedded default spec, its region-outage experiment, live and simulated, compared. */
export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('the whole story in about three minutes: the global shop comes up live, load runs, the primary region fails and recovers, the simulated and measured reports print side by side, everything stops')
    .option('--rate <n>', 'requests per second in all', '100')
    .option('--seed <n>', "the simulator's seed")
    .option('--json', 'print the comparison as JSON')
    .option('--markdown', 'print the comparison as Markdown')
    .option('--no-progress', 'no progress output on stderr')
    .action(async (options: Omit<ChaosOptions, 'backend' | 'compare'>) => {
      context.err(`meridian demo: ${DEFAULT_SPEC_LABEL}, experiment ${DEMO_EXPERIMENT_LABEL}: the lab comes up (5 regions, their apps, WAN links, DNS), load runs, the primary fails for 100 s and recovers; then the simulator's prediction and the measurement side by side\n`);
      await runChaos(context, DEMO_EXPERIMENT_PATH, undefined, { ...options, backend: 'lab', compare: true }, DEMO_EXPERIMENT_LABEL);
    });
}

const DEMO_EXPERIMENT_PATH = fileURLToPath(new URL('../../experiments/demo-region-outage.yaml', import.meta.url));
const DEMO_EXPERIMENT_LABEL = 'experiments/demo-region-outage.yaml';

async function runChaos(context: CommandContext, experimentFile: string, file: string | undefined, options: ChaosOptions, experimentLabel = experimentFile): Promise<void> {
  const { seed, rate } = parseOptions(options);
  const { spec, label } = await loadCommandSpec(context, file);
  const experiment = await loadExperiment(experimentFile, spec);
  const architecture = commandArchitecture(spec, options.architecture);
  const say = (line: string) => options.progress !== false && context.err(`${line}\n`);
  const simulated = () => {
    say(`meridian chaos: simulating ${experiment.name} (seed ${seed}, replay with --seed ${seed})`);
    return simulate(spec, architecture, experiment, { specLabel: label, experimentLabel, seed });
  };
  if (options.backend === 'sim') {
    render(context, options, simulated());
    return context.setExitCode(EXIT_OK);
  }
  const simulatedReport = options.compare ? simulated() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-chaos-'));
  const abort = new AbortController();
  const onSignal = () => {
    context.err('meridian chaos: interrupted; lifting every fault and stopping the lab\n');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastTenth = -1;
  let measured: RunReport;
  try {
    measured = await runLabChaos(spec, architecture, experiment, {
      dataDir,
      specDirectory: file === undefined ? process.cwd() : dirname(resolve(file)),
      specLabel: label,
      experimentLabel,
      requestsPerSecond: rate,
      log: (line) => options.progress !== false && context.err(`${pc.dim(line)}\n`),
      onPhase: (phase) => say(`meridian chaos: ${phase}`),
      onProgress: (progress) => {
        const tenth = Math.floor((progress.elapsedMs * 10) / experiment.durationMs);
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        say(`meridian chaos: ${Math.round(progress.elapsedMs / 1000)} of ${experiment.durationMs / 1000} s, ${progress.sent} requests sent, ${progress.failed} failed`);
      },
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dataDir, { recursive: true, force: true });
  }
  // An interrupted run still prints what it measured, and fails.
  const exitCode = abort.signal.aborted ? EXIT_FAILURE : EXIT_OK;
  if (!simulatedReport) {
    render(context, options, measured);
    return context.setExitCode(exitCode);
  }
  const comparison = compareReports(simulatedReport, measured);
  if (options.json) context.out(renderComparisonJson(comparison));
  else if (options.markdown) context.out(renderComparisonMarkdown(comparison));
  else context.out(renderComparisonTerminal(comparison));
  context.setExitCode(exitCode);
}
