import { App } from 'aws-cdk-lib';
import { readFileSync, writeFileSync } from 'node:fs';
import { buildSynthPlan, SynthPlanError } from './src/synth/build-synth-plan.ts';
import { candidateArchitectures } from './src/advise/candidates.ts';
import { loadSpec } from './src/spec/load-spec.ts';
import { buildMeridianApp } from './src/synth/meridian-app.ts';
for (const edge of ['accelerator', 'cdn']) for (const file of ['global-shop', 'ledger']) {
  const path = `/tmp/scratch/${file}-${edge}.yaml`;
  writeFileSync(path, readFileSync(`examples/${file}.yaml`, 'utf8').replace(/edge: none/, `edge: ${edge}`));
  const { spec } = await loadSpec(path);
  for (const arch of candidateArchitectures(spec)) {
    let plan;
    try { plan = buildSynthPlan(spec, arch, []); } catch (e) { console.log(file, arch.kind, 'REFUSED', e instanceof SynthPlanError ? e.reasons : e); continue; }
    const app = new App({ outdir: `/tmp/scratch/all/${file}-${arch.kind}-${edge}` });
    try { buildMeridianApp(app, plan); app.synth(); console.log(file, arch.kind, arch.routing.edge, 'ok'); } catch (e) { console.log(file, arch.kind, arch.routing.edge, 'FAIL', String(e.message).slice(0, 600)); }
  }
}
