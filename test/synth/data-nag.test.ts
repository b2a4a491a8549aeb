/**
 * The data constructs pass cdk-nag's AwsSolutions pack. The fixtures' VPC (the compute layer owns the real
 * one, with its flow logs) and the data-less us-east-1 stack are acknowledged here, not in the constructs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { assembleData, euSaasPlan, healthRecordsAurora, healthRecordsTable } from './data-fixtures.ts';

describe('data constructs under cdk-nag AwsSolutions', () => {
  for (const healthRecords of [healthRecordsAurora, healthRecordsTable]) {
    it(`eu-saas with health-records on ${healthRecords.engine} synthesizes without findings`, () => {
      const assembled = assembleData(euSaasPlan(healthRecords));
      for (const stack of assembled.regionStacks.values()) {
        const vpc = stack.node.tryFindChild('Vpc');
        if (vpc) Validations.of(vpc).acknowledge({ id: 'AwsSolutions::AwsSolutions-VPC7', reason: 'test fixture VPC; the compute layer owns the real VPC and its flow logs' });
        if (stack.node.children.every((child) => child.node.id === 'Vpc' || child.node.id.startsWith('CDK'))) {
          Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: 'a data-less region stack in the fixture; the real one holds compute' });
        }
      }
      Validations.of(assembled.app).addPlugins(new AwsSolutionsChecks(assembled.app));
      assert.doesNotThrow(() => assembled.app.synth());
    });
  }
});
