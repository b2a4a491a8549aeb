import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataResidencyError, DataShapeError } from '../../src/synth/data-errors.ts';
import { MeridianGlobalTable, type MeridianGlobalTableProps } from '../../src/synth/global-table.ts';
import { ResidentDataKey } from '../../src/synth/regional-keys.ts';
import type { SynthDataClass } from '../../src/synth/synth-plan.ts';
import { catalog, dataClass, healthRecordsTable, SERVICE, stackIn } from './data-fixtures.ts';

interface Replica {
  Region: string;
  PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean };
  DeletionProtectionEnabled?: boolean;
  SSESpecification?: { KMSMasterKeyId: unknown };
  Tags?: { Key: string; Value: string }[];
}

/** The one GlobalTable of a stack with a MeridianGlobalTable of `data` in `region`. */
function synthTable(region: string, data: SynthDataClass, props: Partial<MeridianGlobalTableProps> = {}) {
  const stack = stackIn(new App(), region);
  const key = data.residency === undefined ? undefined : new ResidentDataKey(stack, 'Key', { serviceName: SERVICE, dataClass: data }).key;
  new MeridianGlobalTable(stack, 'Table', { serviceName: SERVICE, dataClass: data, tableKey: key, ...props });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
  return { template, table, replicas: table.Properties.Replicas as Replica[] };
}

const tag = (replica: Replica, key: string) => replica.Tags?.find((entry) => entry.Key === key)?.Value;

describe('MeridianGlobalTable', () => {
  const cases = [
    { name: 'multi-writer catalog in three regions', region: 'eu-central-1', data: catalog, regions: ['eu-central-1', 'eu-west-1', 'us-east-1'], cmk: false },
    { name: 'single-writer resident health-records', region: 'eu-central-1', data: healthRecordsTable, regions: ['eu-central-1', 'eu-west-1'], cmk: true },
    { name: 'one-region table (dynamodb-table)', region: 'us-east-1', data: dataClass({ name: 'sessions', engine: 'dynamodb-table', replicas: ['us-east-1'], writer: 'us-east-1' }), regions: ['us-east-1'], cmk: false },
  ];
  for (const testCase of cases) {
    it(`${testCase.name}: one GlobalTable, replicas ${testCase.regions.join(', ')}, pk/sk, on demand, PITR and deletion protection everywhere`, () => {
      const { table, replicas } = synthTable(testCase.region, testCase.data);
      assert.deepEqual(replicas.map((replica) => replica.Region).sort(), [...testCase.regions].sort());
      assert.deepEqual(table.Properties.KeySchema, [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      assert.deepEqual(table.Properties.AttributeDefinitions, [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]);
      assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
      assert.equal(table.Properties.TableName, `${SERVICE}-${testCase.data.name}`);
      assert.equal(table.Properties.MultiRegionConsistency, undefined);
      assert.equal(table.DeletionPolicy, 'Retain');
      for (const replica of replicas) {
        assert.deepEqual(replica.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
        assert.equal(replica.DeletionProtectionEnabled, true);
        assert.equal(tag(replica, 'meridian:data-class'), testCase.data.name);
        assert.equal(tag(replica, 'meridian:region'), replica.Region, 'each replica carries its own region');
      }
      if (testCase.cmk) {
        assert.deepEqual(table.Properties.SSESpecification, { SSEEnabled: true, SSEType: 'KMS' });
      } else {
        assert.deepEqual(table.Properties.SSESpecification, { SSEEnabled: false });
        assert.ok(replicas.every((replica) => replica.SSESpecification === undefined));
      }
    });
  }

  it('encrypts each resident replica with its own region key: the local key by reference, the others by alias ARN', () => {
    const { template, replicas } = synthTable('eu-central-1', healthRecordsTable);
    const localKey = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const byRegion = new Map(replicas.map((replica) => [replica.Region, replica.SSESpecification?.KMSMasterKeyId]));
    assert.deepEqual(byRegion.get('eu-central-1'), { 'Fn::GetAtt': [localKey, 'Arn'] });
    assert.equal(byRegion.get('eu-west-1'), 'arn:aws:kms:eu-west-1:123456789012:alias/meridian/eu-saas/health-records');
  });

  it('takes explicit replica key ARNs (keys deployed first, ARNs read from SSM or context)', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { replicas } = synthTable('eu-central-1', healthRecordsTable, { replicaKeyArns: { 'eu-west-1': keyArn } });
    assert.equal(replicas.find((replica) => replica.Region === 'eu-west-1')?.SSESpecification?.KMSMasterKeyId, keyArn);
  });

  const refusals: { name: string; region: string; data: SynthDataClass; props?: Partial<MeridianGlobalTableProps>; error: typeof DataShapeError | typeof DataResidencyError; withKey?: boolean }[] = [
    { name: 'a resident class without its table key', region: 'eu-central-1', data: healthRecordsTable, props: { tableKey: undefined }, error: DataShapeError },
    { name: 'a table outside its first replica region', region: 'eu-west-1', data: healthRecordsTable, error: DataShapeError },
    { name: 'a resident replica outside the zone', region: 'eu-central-1', data: { ...healthRecordsTable, replicas: ['eu-central-1', 'eu-west-1', 'us-east-1'] }, error: DataResidencyError },
    { name: 'an MRSC class', region: 'eu-central-1', data: { ...catalog, engine: 'dynamodb-mrsc', consistency: 'strong' }, error: DataShapeError },
    { name: 'a replica key from another region', region: 'eu-central-1', data: healthRecordsTable, props: { replicaKeyArns: { 'eu-west-1': 'arn:aws:kms:us-east-1:123456789012:alias/x' } }, error: DataShapeError },
    { name: 'a replica key for a region without a replica', region: 'eu-central-1', data: healthRecordsTable, props: { replicaKeyArns: { 'eu-west-1': 'arn:aws:kms:eu-west-1:123456789012:alias/x', 'eu-west-2': 'arn:aws:kms:eu-west-2:123456789012:alias/x' } }, error: DataShapeError },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name}`, () => {
      assert.throws(() => synthTable(refusal.region, refusal.data, refusal.props), refusal.error);
    });
  }
});
