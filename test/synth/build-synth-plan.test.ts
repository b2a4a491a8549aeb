import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import type { ResolvedExperiment } from '../../src/experiments/resolved-experiment.ts';
import { buildSynthPlan, PLACEHOLDER_IMAGE, PLACEHOLDER_SERVER, SynthPlanError } from '../../src/synth/build-synth-plan.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

test('the global shop: regions in deploy order, one latency record per serving region with its health check, every data class', async () => {
  const { spec } = await loadSpec('examples/global-shop.yaml');
  const architecture = chooseArchitecture(spec, undefined);
  const plan = buildSynthPlan(spec, architecture, [await loadExperiment('experiments/region-outage.yaml', spec)]);
  assert.deepEqual(plan.regions.map((region) => region.region), ['us-east-2', 'us-west-2', 'us-east-1', 'eu-west-1', 'ap-northeast-1']);
  assert.deepEqual(plan.regions.map((region) => region.deployOrder), [1, 2, 3, 4, 5]);
  assert.equal(plan.routing.policy, 'latency');
  assert.deepEqual(plan.routing.healthCheck, { intervalSeconds: 10, failureThreshold: 3, path: '/health' });
  assert.deepEqual(plan.routing.records.map((record) => record.region).sort(), [...architecture.servingRegions].sort());
  assert.deepEqual(plan.dataClasses.map((dataClass) => [dataClass.name, dataClass.consistency]), [['profiles', 'multi-writer'], ['orders', 'single-writer'], ['payments', 'strong']]);
  assert.equal(plan.experiments[0]!.faults[0]!.region, architecture.primary, 'the role is resolved');
  assert.equal(plan.monthlyBudgetUsd, 25000);
});

test('residency: a resident class carries its zone', async () => {
  const { spec } = await loadSpec('examples/eu-saas.yaml');
  const plan = buildSynthPlan(spec, chooseArchitecture(spec, 'active-passive'));
  const records = plan.dataClasses.find((dataClass) => dataClass.name === 'health-records')!;
  assert.deepEqual(records.residency, { zone: 'eu', regions: ['eu-central-1', 'eu-west-1'] });
  assert.ok(records.replicas.every((region) => region.startsWith('eu-')));
});

test('non-AWS settings are refused with the reason', async () => {
  const { spec } = await loadSpec('examples/fast-failover.yaml');
  assert.throws(() => buildSynthPlan(spec, chooseArchitecture(spec, undefined)), (error: unknown) => error instanceof SynthPlanError && error.reasons.some((reason) => /intervalSeconds 1: Route 53 and Global Accelerator health checks run every 10 or 30 seconds/.test(reason)));
});

test('a partition between two roles resolves both to regions, one-way kept', async () => {
  const { spec } = await loadSpec('examples/ledger.yaml');
  const experiment: ResolvedExperiment = {
    name: 'cut',
    description: undefined,
    durationMs: 600_000,
    loadScale: 1,
    stop: [],
    faults: [{ index: 0, note: undefined, action: 'partition', startMs: 60_000, endMs: 360_000, between: ['primary', 'secondary'], isolate: undefined, oneWay: true }],
  };
  const plan = buildSynthPlan(spec, chooseArchitecture(spec, undefined), [experiment]);
  const fault = plan.experiments[0]!.faults[0]!;
  assert.deepEqual(fault.between, ['us-east-1', 'us-east-2']);
  assert.equal(fault.oneWay, true);
  assert.equal(fault.region, undefined);
});

test('the service runs the spec image as it is, or the placeholder server when the spec names none', async () => {
  const { spec } = await loadSpec('examples/ledger.yaml');
  const architecture = chooseArchitecture(spec, undefined);
  const placeholder = buildSynthPlan(spec, architecture).service;
  assert.equal(placeholder.image, PLACEHOLDER_IMAGE);
  assert.deepEqual(placeholder.command, ['node', '-e', PLACEHOLDER_SERVER]);
  const withImage = { ...spec, services: spec.services.map((service) => ({ ...service, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ledger:1.4.2' })) };
  const own = buildSynthPlan(withImage, architecture).service;
  assert.equal(own.image, '123456789012.dkr.ecr.us-east-1.amazonaws.com/ledger:1.4.2');
  assert.equal(own.command, undefined);
});

test('a name that makes stack names longer than CloudFormation takes is refused, with the length', async () => {
  const { spec } = await loadSpec('examples/ledger.yaml');
  const long = { ...spec, name: 'a'.repeat(120) };
  assert.throws(() => buildSynthPlan(long, chooseArchitecture(long, undefined)), (error: unknown) => error instanceof SynthPlanError && error.reasons.some((reason) => /stack names are at most 128 characters, and this name makes 1[23]\d/.test(reason)));
  assert.doesNotThrow(() => buildSynthPlan({ ...spec, name: 'a'.repeat(60) }, chooseArchitecture(spec, undefined)));
});
