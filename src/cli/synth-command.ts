import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadExperiment } from '../experiments/load-experiment.ts';
import type { ResolvedExperiment } from '../experiments/resolved-experiment.ts';
import { CLOUD_ASSEMBLY_DIR, type SynthSummary } from '../synth/app/cdk-app-files.ts';
import { SynthNagError, SynthOutputError, writeCdkApp } from '../synth/app/write-cdk-app.ts';
import { buildSynthPlan, SynthPlanError } from '../synth/build-synth-plan.ts';
import { DataResidencyError, DataShapeError } from '../synth/data-errors.ts';
import { SynthRefusal } from '../synth/synth-errors.ts';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { DEFAULT_SPEC_LABEL } from './default-spec.ts';
import { commandArchitecture, loadCommandSpec } from './load-command-spec.ts';

interface SynthOptions {
  out: string;
  architecture?: string;
  experiment?: string[];
  experiments?: boolean;
  natGateways?: string;
  force?: boolean;
  json?: boolean;
  progress?: boolean;
}

/** Where experiments are found when none is named: `./experiments`, as in this repository. */
export const DEFAULT_EXPERIMENTS_DIR = 'experiments';

function experimentFiles(options: SynthOptions): string[] {
  if (options.experiments === false) {
    if (options.experiment !== undefined) throw new UsageError('choose one of --experiment and --no-experiments');
    return [];
  }
  if (options.experiment !== undefined) return options.experiment;
  if (!existsSync(DEFAULT_EXPERIMENTS_DIR)) return [];
  return readdirSync(DEFAULT_EXPERIMENTS_DIR)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => join(DEFAULT_EXPERIMENTS_DIR, name));
}

function natGatewaysOf(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) > 2) throw new UsageError(`--nat-gateways: '${value}' is not 0, 1 or 2`);
  return Number(value);
}

export function registerSynth(program: Command, context: CommandContext): void {
  program
    .command('synth')
    .description('write an AWS CDK app (and its CloudFormation templates) that deploys the architecture on AWS; needs no AWS account')
    .argument('[spec]', `the spec (default: ${DEFAULT_SPEC_LABEL})`)
    .requiredOption('-o, --out <dir>', 'folder of the CDK app (created; a folder written by an earlier synth is rewritten)')
    .option('--architecture <name>', 'candidate of `meridian advise` to build: single-region, active-passive, active-active, partitioned-active-active')
    .option('--experiment <file>', `experiment to translate into AWS FIS templates; repeat for several (default: every file in ./${DEFAULT_EXPERIMENTS_DIR})`, (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--no-experiments', 'translate no experiment')
    .option('--nat-gateways <n>', 'NAT gateways per region: 1 (tasks in private subnets), 0 (public subnets, for trials) or 2', '1')
    .option('--force', 'write into a non-empty folder that meridian synth did not write')
    .option('--json', 'print what was written as JSON')
    .option('--no-progress', 'no progress output on stderr')
    .action(async (file: string | undefined, options: SynthOptions) => {
      const natGateways = natGatewaysOf(options.natGateways);
      const files = experimentFiles(options);
      const { spec, label } = await loadCommandSpec(context, file);
      const architecture = commandArchitecture(spec, options.architecture);
      const experiments: ResolvedExperiment[] = [];
      for (const experimentFile of files) experiments.push(await loadExperiment(experimentFile, spec));
      const phase = (text: string) => options.progress !== false && context.err(`meridian synth: ${text}\n`);
      let summary: SynthSummary;
      try {
        phase(`planning ${architecture.title} from ${label}`);
        const plan = buildSynthPlan(spec, architecture, experiments);
        summary = await writeCdkApp({ plan, outDir: options.out, specLabel: label, experimentFiles: files, natGateways, force: options.force ?? false, onPhase: phase });
      } catch (error) {
        const exitCode = reportSynthError(error, context);
        if (exitCode === undefined) throw error;
        context.setExitCode(exitCode);
        return;
      }
      context.out(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
      context.setExitCode(EXIT_OK);
    });
}

/** The exit code of a refusal, after printing it; undefined for errors that are not the user's. */
function reportSynthError(error: unknown, context: CommandContext): number | undefined {
  if (error instanceof SynthPlanError) {
    context.err(`meridian synth: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof SynthRefusal || error instanceof DataResidencyError || error instanceof DataShapeError) {
    context.err(`meridian synth: cannot build this on AWS as specified: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof SynthOutputError) {
    context.err(`meridian synth: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof SynthNagError) {
    context.err(`meridian synth: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  return undefined;
}

function renderSummary(summary: SynthSummary): string {
  const lines: string[] = [];
  const out = summary.outDir;
  lines.push(`${pc.green('wrote')} ${out}: an AWS CDK app for ${summary.architecture.title}, ${summary.stacks.length} stacks, templates in ${join(out, CLOUD_ASSEMBLY_DIR)}`);
  lines.push('');
  lines.push('deploy in this order (see README.md there):');
  let step = 1;
  const keys = summary.stacks.filter((stack) => stack.kind === 'keys');
  if (keys.length > 0) lines.push(`  ${step++}. ${keys.map((stack) => stack.stackName).join(', ')} (keys of resident data)`);
  for (const entry of summary.rollout) lines.push(`  ${step++}. ${entry.stackName} (${entry.role})${entry.moved === undefined ? '' : pc.dim(` — ${entry.moved}`)}`);
  const global = summary.stacks.find((stack) => stack.kind === 'global');
  if (global !== undefined) lines.push(`  ${step++}. ${global.stackName} (DNS, edge, dashboard, budget)`);
  lines.push('');
  if (summary.recordStyle !== undefined) lines.push(`Route 53: ${summary.recordStyle.style} records, TTL ${summary.recordStyle.ttlSeconds} s (${summary.recordStyle.reason})`);
  const templates = summary.fisTemplates.length;
  lines.push(`AWS FIS: ${templates} template${templates === 1 ? '' : 's'} from ${summary.experiments.length} experiment${summary.experiments.length === 1 ? '' : 's'}`);
  for (const fault of summary.fisUnmapped) lines.push(`  ${pc.yellow('not mapped')}: ${fault.experiment}${fault.faultIndex >= 0 ? ` fault ${fault.faultIndex}` : ''} (${fault.action}${fault.region === undefined ? '' : ` in ${fault.region}`}): ${fault.reason}`);
  const acknowledged = summary.nagAcknowledgments.filter((entry) => entry.rule.startsWith('AwsSolutions')).length;
  lines.push(`cdk-nag AwsSolutions: ${pc.green('passed')}; ${acknowledged} finding${acknowledged === 1 ? '' : 's'} acknowledged with reasons (listed in README.md)`);
  lines.push('');
  lines.push(`next: cd ${out} && npm install && npx cdk synth --no-notices`);
  return `${lines.join('\n')}\n`;
}
