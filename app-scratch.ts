import { App } from 'aws-cdk-lib';
import { loadExperiment } from './src/experiments/load-experiment.ts';
import { buildSynthPlan } from './src/synth/build-synth-plan.ts';
import { chooseArchitecture } from './src/sim/simulate.ts';
import { loadSpec } from './src/spec/load-spec.ts';
import { buildMeridianApp } from './src/synth/meridian-app.ts';
import { readdirSync } from 'node:fs';
const file = process.argv[2] ?? 'global-shop';
const { spec } = await loadSpec(`examples/${file}.yaml`);
const exps = [];
for (const e of readdirSync('experiments').filter(f=>f.endsWith('.yaml'))) exps.push(await loadExperiment(`experiments/${e}`, spec));
const plan = buildSynthPlan(spec, chooseArchitecture(spec, process.argv[3]), exps);
const app = new App({ outdir: '/tmp/scratch/app-out' });
const t0 = Date.now();
const built = buildMeridianApp(app, plan);
console.log(built.rollout);
try { const asm = app.synth(); for (const s of asm.stacks) console.log(s.stackName, Object.keys(s.template.Resources).length); } catch (e) { console.log(String(e.message).slice(0, 6000)); }
console.log('ms', Date.now() - t0);
