/**
 * cdk-nag's AwsSolutions pack over whole apps, as `meridian synth` runs it: every example's app, and each
 * edge, synthesizes with no finding left, and every acknowledged finding carries a written reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acknowledgmentsOf } from '../../src/synth/app/write-cdk-app.ts';
import { EXPERIMENT_FILES, examplePlan, nagApp, type PlanOptions } from './app-fixtures.ts';

const cases: { example: string; options: PlanOptions }[] = [
  { example: 'eu-saas', options: { experiments: EXPERIMENT_FILES } },
  { example: 'ledger', options: { experiments: EXPERIMENT_FILES } },
  { example: 'global-shop', options: { edge: 'accelerator' } },
  { example: 'global-shop', options: { architecture: 'active-passive', edge: 'cdn' } },
];

describe('whole apps under cdk-nag AwsSolutions', () => {
  for (const testCase of cases) {
    const label = `${testCase.example}${testCase.options.architecture ? ` ${testCase.options.architecture}` : ''}${testCase.options.edge ? ` with ${testCase.options.edge}` : ''}`;
    it(`${label}: no finding left, every acknowledgment with its reason`, async () => {
      const assembled = nagApp(await examplePlan(testCase.example, testCase.options));
      assert.doesNotThrow(() => assembled.app.synth());
      const acknowledgments = acknowledgmentsOf(assembled.app).filter((entry) => entry.rule.startsWith('AwsSolutions'));
      assert.ok(acknowledgments.length > 0);
      for (const entry of acknowledgments) assert.ok(entry.reason.trim().length >= 30, `${entry.rule} at ${entry.path}: "${entry.reason}" is not a reason`);
    });
  }

  it('fails synthesis on a finding nobody acknowledged', async () => {
    const assembled = nagApp(await examplePlan('ledger'));
    const compute = assembled.computes.get('us-east-1')!;
    // An unencrypted, unlogged bucket that no construct of the app acknowledges.
    const { Bucket } = await import('aws-cdk-lib/aws-s3');
    new Bucket(compute, 'Stray');
    assert.throws(() => assembled.app.synth(), /Validation failed/);
  });
});
