/**
 * `writeCdkApp`: writes the generated CDK app into a folder and synthesizes its templates in this process
 * (the same constructs the app's `lib/` carries, so `npx cdk synth` there writes the same templates).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { buildMeridianApp, type MeridianStacks } from '../meridian-app.ts';
import type { SynthPlan } from '../synth-plan.ts';
import {
  type AppPackageVersions,
  binAppText,
  CLI_EQUIVALENT_CONTEXT,
  CLOUD_ASSEMBLY_DIR,
  cdkJsonText,
  GENERATED_PATHS,
  type NagAcknowledgment,
  PLAN_FILE,
  packageJsonText,
  readmeText,
  RECOMMENDED_FEATURE_FLAGS,
  type StackSummary,
  SUMMARY_FILE,
  type SynthSummary,
  tsconfigJsonText,
} from './cdk-app-files.ts';

const SYNTH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Files of `src/synth/` that are not part of the generated app: they read the spec, or write the app. */
const NOT_COPIED = new Set(['build-synth-plan.ts']);

/** The output folder holds something `meridian synth` did not write; nothing was changed. */
export class SynthOutputError extends Error {
  readonly code = 'SYNTH_OUTPUT';
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'SynthOutputError';
  }
}

/** cdk-nag found what no construct acknowledges: the app is not written as passing. */
export class SynthNagError extends Error {
  readonly code = 'SYNTH_NAG';
  constructor(readonly findings: readonly string[]) {
    super(`cdk-nag AwsSolutions: ${findings.length} finding${findings.length === 1 ? '' : 's'} not acknowledged; nothing was written:\n${findings.map((finding) => `  - ${finding}`).join('\n')}`);
    this.name = 'SynthNagError';
  }
}

export interface WriteCdkAppOptions {
  readonly plan: SynthPlan;
  readonly outDir: string;
  /** How the spec was named on the command line, for the README. */
  readonly specLabel: string;
  /** The experiment files translated, for the README. */
  readonly experimentFiles: readonly string[];
  /** @default 1 */
  readonly natGateways?: number;
  /** Write into a non-empty folder that `meridian synth` did not write. @default false */
  readonly force?: boolean;
  readonly onPhase?: (phase: string) => void;
}

/** The files of the generated app's `lib/`: every construct and helper of `src/synth/`. */
export function libraryFiles(): string[] {
  return readdirSync(SYNTH_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !NOT_COPIED.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Imports of a library file that the generated app could not resolve (anything outside `lib/` and its packages). */
export function foreignImports(source: string): string[] {
  const allowed = /^(aws-cdk-lib(\/.*)?|constructs|cdk-nag|node:.*|\.\/[A-Za-z0-9-]+\.ts)$/;
  const specifiers = [...source.matchAll(/(?:import|export)\s[^'";]*?from\s+'([^']+)'/g), ...source.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]!);
  return specifiers.filter((specifier) => !allowed.test(specifier));
}

/**
 * Exact versions of the packages Meridian synthesized with, so the generated app installs the same
 * aws-cdk-lib, constructs and cdk-nag and writes the same templates.
 */
export function appPackageVersions(): AppPackageVersions {
  const require = createRequire(import.meta.url);
  const version = (name: keyof AppPackageVersions) => (require(`${name}/package.json`) as { version: string }).version;
  return {
    'aws-cdk-lib': version('aws-cdk-lib'),
    constructs: version('constructs'),
    'cdk-nag': version('cdk-nag'),
    tsx: version('tsx'),
    'aws-cdk': version('aws-cdk'),
    typescript: version('typescript'),
    '@types/node': version('@types/node'),
  };
}

/**
 * Builds the whole app in a staging folder beside `outDir`, and moves it in only when everything (plan,
 * constructs, cdk-nag, files) succeeded: a refusal or a failure leaves `outDir` as it was.
 */
export async function writeCdkApp(options: WriteCdkAppOptions): Promise<SynthSummary> {
  const { outDir } = options;
  const phase = options.onPhase ?? (() => {});
  await checkOutDir(outDir, options.force ?? false);
  const staging = await makeStaging(outDir);
  try {
    const summary = await writeApp(options, staging, phase);
    await moveInto(staging, outDir);
    return summary;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function writeApp(options: WriteCdkAppOptions, dir: string, phase: (text: string) => void): Promise<SynthSummary> {
  const { plan, outDir } = options;
  const natGateways = options.natGateways ?? 1;
  phase('synthesizing the CloudFormation templates, with cdk-nag AwsSolutions');
  const assemblyDir = join(dir, CLOUD_ASSEMBLY_DIR);
  const app = new App({ outdir: assemblyDir, context: { ...RECOMMENDED_FEATURE_FLAGS, ...CLI_EQUIVALENT_CONTEXT } });
  const built = buildMeridianApp(app, plan, { natGateways });
  let assembly;
  try {
    assembly = app.synth();
  } catch (error) {
    throw nagErrorOf(error, assemblyDir) ?? error;
  }
  const stacks: StackSummary[] = assembly.stacks.map((artifact) => ({
    stackName: artifact.stackName,
    region: artifact.environment.region,
    kind: kindOf(built, artifact.stackName),
    resources: Object.keys((artifact.template as { Resources?: object }).Resources ?? {}).length,
  }));
  const kindOrder = { keys: 0, region: 1, global: 2 } as const;
  const rolloutIndex = (name: string) => built.rollout.findIndex((step) => step.stackName === name);
  stacks.sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || rolloutIndex(a.stackName) - rolloutIndex(b.stackName));

  phase('writing the CDK app');
  const summary: SynthSummary = {
    spec: options.specLabel,
    architecture: plan.architecture,
    outDir,
    stacks,
    rollout: built.rollout,
    recordStyle: built.recordStyle,
    edgeEntry: built.edgeEntry,
    fisTemplates: built.fisTemplates.map((template) => ({ experiment: template.experiment, region: template.region, notes: template.notes })),
    fisUnmapped: built.fisUnmapped,
    experiments: options.experimentFiles,
    nagAcknowledgments: acknowledgmentsOf(app),
  };
  await copyLibrary(join(dir, 'lib'));
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'bin', 'app.ts'), binAppText({ natGateways }));
  await writeFile(join(dir, 'package.json'), packageJsonText(plan, appPackageVersions()));
  await writeFile(join(dir, 'cdk.json'), cdkJsonText());
  await writeFile(join(dir, 'tsconfig.json'), tsconfigJsonText());
  await writeFile(join(dir, '.gitignore'), 'node_modules/\ncdk.out/\n');
  await writeFile(join(dir, PLAN_FILE), `${JSON.stringify(plan, null, 2)}\n`);
  await writeFile(join(dir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(dir, 'README.md'), readmeText(plan, summary));
  return summary;
}

/**
 * The output folder may be missing, empty, or one `meridian synth` wrote before (it has the plan file).
 * `force` also allows a folder with other files, as long as none of them is a path this command writes.
 */
async function checkOutDir(outDir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new SynthOutputError(outDir, 'is not a folder (it is a file, or lies inside one)');
    throw new SynthOutputError(outDir, `cannot be read (${code ?? String(error)})`);
  }
  if (entries.length === 0 || entries.includes(PLAN_FILE)) return;
  if (!force) throw new SynthOutputError(outDir, `is not empty and was not written by meridian synth (no ${PLAN_FILE}); choose an empty folder, or pass --force to write beside its files`);
  const clashes = GENERATED_PATHS.filter((path) => entries.includes(path));
  if (clashes.length > 0) throw new SynthOutputError(outDir, `--force writes beside your files, never over them, and ${clashes.join(', ')} ${clashes.length === 1 ? 'is' : 'are'} already there; move ${clashes.length === 1 ? 'it' : 'them'} away first`);
}

/** A fresh folder beside `outDir` (same file system, so the final moves are renames). */
async function makeStaging(outDir: string): Promise<string> {
  const parent = dirname(resolve(outDir));
  try {
    await mkdir(parent, { recursive: true });
    return await mkdtemp(join(parent, `.${basename(resolve(outDir))}.meridian-synth-`));
  } catch (error) {
    throw new SynthOutputError(outDir, `cannot create a folder beside it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Replaces the generated paths of `outDir` with the staged ones; everything else in `outDir` stays. */
async function moveInto(staging: string, outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const path of GENERATED_PATHS) {
    await rm(join(outDir, path), { recursive: true, force: true });
    await rename(join(staging, path), join(outDir, path));
  }
}

async function copyLibrary(libDir: string): Promise<void> {
  await mkdir(libDir, { recursive: true });
  for (const file of libraryFiles()) {
    const source = await readFile(join(SYNTH_DIR, file), 'utf8');
    const foreign = foreignImports(source);
    if (foreign.length > 0) throw new Error(`src/synth/${file} imports ${foreign.join(', ')}, which the generated app does not have`);
    await cp(join(SYNTH_DIR, file), join(libDir, file));
  }
}

function kindOf(built: MeridianStacks, stackName: string): StackSummary['kind'] {
  if ([...built.keyStacks.values()].some((stack) => stack.stackName === stackName)) return 'keys';
  if (built.globalStack.stackName === stackName) return 'global';
  return 'region';
}

/** Every acknowledgment in the app (`Validations.acknowledge`), once per rule and construct path. */
export function acknowledgmentsOf(app: App): NagAcknowledgment[] {
  const found: NagAcknowledgment[] = [];
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        const acknowledgment = { rule: rule.replace(/^Annotation::/, ''), path: construct.node.path, reason };
        if (!found.some((other) => other.rule === acknowledgment.rule && other.path === acknowledgment.path)) found.push(acknowledgment);
      }
    }
  }
  return found;
}

/** The findings of a failed validation, from the report CDK writes next to the assembly. */
function nagErrorOf(error: unknown, assemblyDir: string): SynthNagError | undefined {
  const reportPath = join(assemblyDir, 'validation-report.json');
  if (!(error instanceof Error) || !/Validation failed/.test(error.message) || !existsSync(reportPath)) return undefined;
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { pluginReports: { violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[] }[] };
  const findings = report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}: ${violation.description}`)),
  );
  return new SynthNagError(findings);
}

