import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { DurationError, parseDurationMs } from '../experiments/duration.ts';
import { readFinalState } from '../lab/load/final-state.ts';
import { loadReport } from '../lab/load/load-report.ts';
import { runLoad, type LoadProgress } from '../lab/load/load-run.ts';
import type { LoadTargets } from '../lab/load/load-targets.ts';
import { renderRunReportJson, renderRunReportMarkdown, renderRunReportTerminal } from '../report/render-run-report.ts';
import { EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { commandArchitecture, loadCommandSpec } from './load-command-spec.ts';
import { LAB_STATE_FILE } from './up-command.ts';

interface LoadCommandOptions {
  duration: string;
  rate: string;
  state?: string;
  json?: boolean;
  markdown?: boolean;
  progress?: boolean;
}

/** What `meridian up` records about the running lab (up-command.ts writes it). */
export interface LabState {
  readonly controlUrl: string;
  readonly wanControlUrl: string;
  readonly pid: number;
  readonly spec: string;
  /** The spec's file, or undefined for the embedded default. */
  readonly specPath: string | undefined;
  readonly architecture: string;
  readonly dataDir: string;
  readonly load: LoadTargets;
}

/** Requests per second at most: every request is real sockets and processes on this machine. */
const RATE_MAX = 5000;
const DURATION_MAX_MS = 60 * 60_000;
/** Time given to replication to deliver what was in flight before the final state is read. */
const QUIESCE_MS = 3000;

export function readLabState(path: string): LabState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`no running lab found (${path}); start one with \`meridian up\` or pass --state FILE`);
  }
  try {
    return JSON.parse(text) as LabState;
  } catch {
    throw new UsageError(`${path}: not a lab state file (invalid JSON)`);
  }
}

function parseOptions(options: LoadCommandOptions): { durationMs: number; rate: number } {
  if (options.json && options.markdown) throw new UsageError('choose one of --json and --markdown');
  let durationMs: number;
  try {
    durationMs = parseDurationMs(options.duration);
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(`--duration: ${error.message}`);
    throw error;
  }
  if (durationMs <= 0 || durationMs > DURATION_MAX_MS) throw new UsageError(`--duration must be between 1 s and 1 h, got ${options.duration}`);
  const rate = Number(options.rate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > RATE_MAX) throw new UsageError(`--rate must be a number of requests per second in (0, ${RATE_MAX}], got ${options.rate}`);
  return { durationMs, rate };
}

function progressReporter(context: CommandContext, enabled: boolean, durationMs: number) {
  if (!enabled) return { update(_: LoadProgress) {}, stop() {} };
  if (context.interactive) {
    const bar = new cliProgress.SingleBar({ format: 'load {bar} {percentage}% | {sent} sent | {failed} failed | {inFlight} in flight', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(durationMs, 0, { sent: 0, failed: 0, inFlight: 0 });
    return { update: (progress: LoadProgress) => bar.update(progress.elapsedMs, { ...progress }), stop: () => bar.stop() };
  }
  let nextTenth = 1;
  return {
    update(progress: LoadProgress) {
      if (progress.elapsedMs < (durationMs * nextTenth) / 10) return;
      nextTenth = Math.floor((progress.elapsedMs * 10) / durationMs) + 1;
      context.err(`load: ${Math.round(progress.elapsedMs / 1000)} of ${Math.round(durationMs / 1000)} s, ${progress.sent} sent, ${progress.failed} failed, ${progress.inFlight} in flight\n`);
    },
    stop() {},
  };
}

export function registerLoad(program: Command, context: CommandContext): void {
  program
    .command('load')
    .description("play the spec's user populations against the running `meridian up`: DNS with TTLs (or the edge), WAN paths, the request mix; report like `meridian simulate`")
    .option('--duration <duration>', 'how long to send (e.g. 60s, 5m)', '60s')
    .option('--rate <n>', "requests per second in all; the spec's population rates are scaled to add up to it", '100')
    .option('--state <file>', `the lab's state file (default: ${LAB_STATE_FILE}, written by \`meridian up\`)`)
    .option('--json', 'print the report as JSON')
    .option('--markdown', 'print the report as Markdown')
    .option('--no-progress', 'no progress output on stderr')
    .action(async (options: LoadCommandOptions) => {
      const { durationMs, rate } = parseOptions(options);
      const state = readLabState(options.state ?? LAB_STATE_FILE);
      const { spec } = await loadCommandSpec(context, state.specPath);
      const architecture = commandArchitecture(spec, state.architecture);
      context.err(`meridian load: ${rate} requests/s for ${durationMs / 1000} s against ${state.spec} (${architecture.title})\n`);
      const progress = progressReporter(context, options.progress !== false, durationMs);
      const result = await runLoad(spec, architecture, state.load, { durationMs, requestsPerSecond: rate, onProgress: (p) => progress.update(p) });
      progress.stop();
      if (result.notSent > 0) context.err(`meridian load: ${result.notSent} arrivals not sent: the load client reached its in-flight limit\n`);
      context.err(`meridian load: waiting ${QUIESCE_MS / 1000} s for replication to quiesce, then reading every replica\n`);
      const final = await readFinalState(state.load, QUIESCE_MS);
      const report = loadReport(spec, architecture, result, final, { spec: state.spec, experiment: undefined });
      if (options.json) context.out(renderRunReportJson(report));
      else if (options.markdown) context.out(renderRunReportMarkdown(report));
      else context.out(renderRunReportTerminal(report));
      context.setExitCode(EXIT_OK);
    });
}
