/**
 * Fixtures of the whole-app tests: plans made from the examples the way `meridian synth` makes them, and
 * the app assembled from a plan with the feature flags the generated app has (cdk-nag off unless asked:
 * the nag tests run it over the whole app).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import type { Edge } from '../../src/spec/schema.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { RECOMMENDED_FEATURE_FLAGS } from '../../src/synth/app/cdk-app-files.ts';
import { buildSynthPlan } from '../../src/synth/build-synth-plan.ts';
import { buildMeridianApp, type MeridianStacks } from '../../src/synth/meridian-app.ts';
import type { SynthPlan } from '../../src/synth/synth-plan.ts';

export const EXPERIMENT_FILES = readdirSync('experiments').filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join('experiments', name));

export interface PlanOptions {
  readonly architecture?: string;
  readonly edge?: Edge;
  readonly experiments?: readonly string[];
}

export async function examplePlan(example: string, options: PlanOptions = {}): Promise<SynthPlan> {
  const loaded = (await loadSpec(`examples/${example}.yaml`)).spec;
  const spec = options.edge === undefined ? loaded : { ...loaded, routing: { ...loaded.routing, edge: options.edge } };
  const experiments = [];
  for (const file of options.experiments ?? []) experiments.push(await loadExperiment(file, spec));
  return buildSynthPlan(spec, chooseArchitecture(spec, options.architecture), experiments);
}

export interface AssembledApp extends MeridianStacks {
  readonly app: App;
  /** Every stack's template with its region, by stack name. */
  readonly templates: ReadonlyMap<string, { readonly region: string; readonly template: Template }>;
  readonly templateOf: (stack: Stack) => Template;
}

/** The app of a plan, its templates made (which synthesizes it, without validation plugins). */
export function assembleApp(plan: SynthPlan): AssembledApp {
  const app = new App({ context: { ...RECOMMENDED_FEATURE_FLAGS } });
  const stacks = buildMeridianApp(app, plan, { nag: false });
  const all = [...stacks.keyStacks.values(), ...stacks.regionStacks.values(), stacks.globalStack];
  const templates = new Map(all.map((stack) => [stack.stackName, { region: stack.region, template: Template.fromStack(stack) }]));
  return { ...stacks, app, templates, templateOf: (stack) => templates.get(stack.stackName)!.template };
}

/** The app of a plan with cdk-nag's AwsSolutions pack added, not yet synthesized. */
export function nagApp(plan: SynthPlan): MeridianStacks & { readonly app: App } {
  const app = new App({ context: { ...RECOMMENDED_FEATURE_FLAGS } });
  return { ...buildMeridianApp(app, plan, { nag: true }), app };
}
