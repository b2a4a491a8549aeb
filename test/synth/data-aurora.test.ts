import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MeridianAuroraCluster } from '../../src/synth/aurora-cluster.ts';
import { MeridianAuroraGlobalDatabase } from '../../src/synth/aurora-global-database.ts';
import { MeridianAuroraSecondaryCluster } from '../../src/synth/aurora-secondary-cluster.ts';
import { DataResidencyError, DataShapeError } from '../../src/synth/data-errors.ts';
import { ResidentDataKey } from '../../src/synth/regional-keys.ts';
import type { SynthDataClass } from '../../src/synth/synth-plan.ts';
import { dataClass, healthRecordsAurora, isolatedVpc, SERVICE, stackIn } from './data-fixtures.ts';

const orders = dataClass({ name: 'orders', engine: 'aurora-global-database', replicas: ['us-east-1', 'us-west-2', 'eu-west-1'], writer: 'us-east-1' });

function keyFor(stack: Stack, data: SynthDataClass) {
  return data.residency === undefined ? undefined : new ResidentDataKey(stack, 'Key', { serviceName: SERVICE, dataClass: data }).key;
}

function writerTemplate(data: SynthDataClass) {
  const stack = stackIn(new App(), data.writer!);
  new MeridianAuroraGlobalDatabase(stack, 'Db', { serviceName: SERVICE, dataClass: data, vpc: isolatedVpc(stack), storageEncryptionKey: keyFor(stack, data) });
  return Template.fromStack(stack);
}

function secondaryTemplate(data: SynthDataClass, region: string) {
  const stack = stackIn(new App(), region);
  new MeridianAuroraSecondaryCluster(stack, 'Db', { serviceName: SERVICE, dataClass: data, vpc: isolatedVpc(stack), storageEncryptionKey: keyFor(stack, data) });
  return Template.fromStack(stack);
}

const only = (template: Template, type: string) => {
  const resources = Object.entries(template.findResources(type));
  assert.equal(resources.length, 1, `one ${type}`);
  return { id: resources[0]![0], resource: resources[0]![1] };
};

describe('MeridianAuroraGlobalDatabase and MeridianAuroraSecondaryCluster', () => {
  const cases = [
    { name: 'resident health-records (eu-saas)', data: healthRecordsAurora, resident: true },
    { name: 'non-resident orders in three regions', data: orders, resident: false },
  ];
  for (const testCase of cases) {
    const secondaries = testCase.data.replicas.filter((region) => region !== testCase.data.writer);

    it(`${testCase.name}: the writer stack has the GlobalCluster and a primary DBCluster joined to it`, () => {
      const template = writerTemplate(testCase.data);
      const global = only(template, 'AWS::RDS::GlobalCluster');
      const primary = only(template, 'AWS::RDS::DBCluster').resource;
      assert.equal(global.resource.Properties.Engine, 'aurora-postgresql');
      assert.equal(global.resource.Properties.GlobalClusterIdentifier, `${SERVICE}-${testCase.data.name}`);
      assert.equal(global.resource.Properties.EngineVersion, primary.Properties.EngineVersion);
      assert.equal(global.resource.Properties.StorageEncrypted, true);
      assert.equal(global.resource.Properties.DeletionProtection, true);
      assert.equal(global.resource.DeletionPolicy, 'Retain');
      assert.deepEqual(primary.Properties.GlobalClusterIdentifier, { Ref: global.id });
      assert.equal(primary.Properties.Engine, 'aurora-postgresql');
      assert.equal(primary.Properties.MasterUsername, 'postgres');
      assert.equal(primary.Properties.StorageEncrypted, true);
      assert.equal(primary.Properties.DeletionProtection, true);
      assert.equal(primary.Properties.BackupRetentionPeriod, 7);
      assert.equal(primary.Properties.KmsKeyId !== undefined, testCase.resident, 'a resident cluster uses its region key');
      const secret = only(template, 'AWS::SecretsManager::Secret').resource;
      assert.deepEqual((secret.Properties.ReplicaRegions as { Region: string }[]).map((replica) => replica.Region), secondaries);
      assert.equal(secret.Properties.KmsKeyId !== undefined, testCase.resident);
      template.resourceCountIs('AWS::RDS::DBInstance', 2);
      template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.large', PubliclyAccessible: false });
    });

    for (const region of secondaries) {
      it(`${testCase.name}: the ${region} stack has a secondary DBCluster with GlobalClusterIdentifier and no credentials`, () => {
        const template = secondaryTemplate(testCase.data, region);
        template.resourceCountIs('AWS::RDS::GlobalCluster', 0);
        template.resourceCountIs('AWS::SecretsManager::Secret', 0);
        const secondary = only(template, 'AWS::RDS::DBCluster').resource;
        assert.equal(secondary.Properties.GlobalClusterIdentifier, `${SERVICE}-${testCase.data.name}`);
        for (const property of ['MasterUsername', 'MasterUserPassword', 'ManageMasterUserPassword', 'MasterUserSecret']) {
          assert.equal(secondary.Properties[property], undefined, `${property} is absent on a secondary`);
        }
        assert.equal(secondary.Properties.EngineVersion, '16.6');
        assert.equal(secondary.Properties.StorageEncrypted, true);
        assert.equal(secondary.Properties.KmsKeyId !== undefined, testCase.resident);
        assert.equal(secondary.Properties.DeletionProtection, true);
        assert.equal(secondary.DeletionPolicy, 'Retain');
        template.resourceCountIs('AWS::RDS::DBInstance', 1);
        template.hasResourceProperties('AWS::RDS::DBCluster', {
          Tags: [
            { Key: 'meridian:data-class', Value: testCase.data.name },
            { Key: 'meridian:region', Value: region },
          ],
        });
      });
    }
  }

  it('a one-region class is a plain Multi-AZ cluster without a global cluster', () => {
    const data = dataClass({ name: 'billing', engine: 'aurora-cluster', replicas: ['us-east-1'], writer: 'us-east-1' });
    const stack = stackIn(new App(), 'us-east-1');
    new MeridianAuroraCluster(stack, 'Db', { serviceName: SERVICE, dataClass: data, vpc: isolatedVpc(stack) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::GlobalCluster', 0);
    const cluster = only(template, 'AWS::RDS::DBCluster').resource;
    assert.equal(cluster.Properties.GlobalClusterIdentifier, undefined);
    assert.equal(cluster.Properties.StorageEncrypted, true);
    assert.equal(cluster.DeletionPolicy, 'Snapshot');
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  const refusals: { name: string; build: () => void; error: typeof DataShapeError | typeof DataResidencyError }[] = [
    { name: 'a secondary in the writer region', build: () => secondaryTemplate(orders, 'us-east-1'), error: DataShapeError },
    { name: 'a secondary in a region without a replica', build: () => secondaryTemplate(orders, 'ap-northeast-1'), error: DataShapeError },
    { name: 'a resident secondary outside the zone', build: () => secondaryTemplate({ ...healthRecordsAurora, replicas: ['eu-central-1', 'us-east-1'] }, 'us-east-1'), error: DataResidencyError },
    {
      name: 'a resident cluster without its key',
      build: () => {
        const stack = stackIn(new App(), 'eu-central-1');
        new MeridianAuroraGlobalDatabase(stack, 'Db', { serviceName: SERVICE, dataClass: healthRecordsAurora, vpc: isolatedVpc(stack) });
      },
      error: DataShapeError,
    },
    { name: 'multi-writer data on Aurora', build: () => writerTemplate({ ...orders, consistency: 'multi-writer' }), error: DataShapeError },
    { name: 'eleven secondaries', build: () => writerTemplate({ ...orders, replicas: ['us-east-1', ...Array.from({ length: 11 }, (_, index) => `xx-region-${index + 1}`)] }), error: DataShapeError },
    { name: 'a global database of one region', build: () => writerTemplate({ ...orders, replicas: ['us-east-1'] }), error: DataShapeError },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name}`, () => {
      assert.throws(refusal.build, refusal.error);
    });
  }
});

describe('Aurora subnets', () => {
  it('refuses a VPC with public subnets only, naming the class', () => {
    const stack = stackIn(new App(), 'us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const data = dataClass({ name: 'billing', engine: 'aurora-cluster', replicas: ['us-east-1'], writer: 'us-east-1' });
    assert.throws(() => new MeridianAuroraCluster(stack, 'Db', { serviceName: SERVICE, dataClass: data, vpc }), (error: unknown) => error instanceof DataShapeError && error.dataClass === 'billing');
  });
});
