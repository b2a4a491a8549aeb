import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataResidencyError, DataShapeError } from '../../src/synth/data-errors.ts';
import { ResidentDataKey } from '../../src/synth/regional-keys.ts';
import { catalog, healthRecordsTable, SERVICE, stackIn } from './data-fixtures.ts';

describe('ResidentDataKey', () => {
  for (const region of ['eu-central-1', 'eu-west-1']) {
    it(`makes a single-region, rotating, retained key and its alias in ${region}`, () => {
      const stack = stackIn(new App(), region);
      new ResidentDataKey(stack, 'Key', { serviceName: SERVICE, dataClass: healthRecordsTable });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 1);
      const key = Object.values(template.findResources('AWS::KMS::Key'))[0]!;
      assert.equal(key.Properties.EnableKeyRotation, true);
      assert.notEqual(key.Properties.MultiRegion, true);
      assert.equal(key.DeletionPolicy, 'Retain');
      assert.equal(key.UpdateReplacePolicy, 'Retain');
      template.hasResourceProperties('AWS::KMS::Key', {
        Tags: Match.arrayWith([
          { Key: 'meridian:data-class', Value: 'health-records' },
          { Key: 'meridian:region', Value: region },
        ]),
      });
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/meridian/eu-saas/health-records' });
    });
  }

  const refusals = [
    { name: 'a key outside the class zone', region: 'us-east-1', dataClass: healthRecordsTable, error: DataResidencyError },
    { name: 'a key for a non-resident class', region: 'eu-west-1', dataClass: catalog, error: DataShapeError },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name}`, () => {
      const stack = stackIn(new App(), refusal.region);
      assert.throws(() => new ResidentDataKey(stack, 'Key', { serviceName: SERVICE, dataClass: refusal.dataClass }), refusal.error);
    });
  }

  it('names class, region and zone when a key would leave the zone', () => {
    const stack = stackIn(new App(), 'us-east-1');
    assert.throws(
      () => new ResidentDataKey(stack, 'Key', { serviceName: SERVICE, dataClass: healthRecordsTable }),
      (error: unknown) => error instanceof DataResidencyError && error.dataClass === 'health-records' && error.region === 'us-east-1' && error.zone === 'eu' && error.role === 'key',
    );
  });

  it('gives the alias ARN of the class key in another region, with a literal partition', () => {
    const stack = stackIn(new App(), 'eu-central-1');
    assert.equal(ResidentDataKey.aliasArnIn(stack, 'eu-west-1', SERVICE, 'health-records'), 'arn:aws:kms:eu-west-1:123456789012:alias/meridian/eu-saas/health-records');
  });
});
