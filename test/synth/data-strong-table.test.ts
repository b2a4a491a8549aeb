import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SERVICE_LEVELS } from '../../src/catalog/service-levels.ts';
import { DataResidencyError, DataShapeError } from '../../src/synth/data-errors.ts';
import { MRSC_REGION_SETS } from '../../src/synth/data-shape.ts';
import { ResidentDataKey } from '../../src/synth/regional-keys.ts';
import { MeridianStrongTable } from '../../src/synth/strong-table.ts';
import type { SynthDataClass } from '../../src/synth/synth-plan.ts';
import { dataClass, SERVICE, stackIn } from './data-fixtures.ts';

const strong = (replicas: string[], witness?: string, residency?: SynthDataClass['residency']) =>
  dataClass({ name: 'ledger', consistency: 'strong', engine: 'dynamodb-mrsc', replicas, witness, residency });

function synthStrong(data: SynthDataClass) {
  const stack = stackIn(new App(), data.replicas[0]!);
  const key = data.residency === undefined ? undefined : new ResidentDataKey(stack, 'Key', { serviceName: SERVICE, dataClass: data }).key;
  new MeridianStrongTable(stack, 'Ledger', { serviceName: SERVICE, dataClass: data, tableKey: key });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  return Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!.Properties;
}

describe('MeridianStrongTable', () => {
  const shapes = [
    { name: 'three replicas', data: strong(['us-east-1', 'us-east-2', 'us-west-2']), witnesses: undefined },
    { name: 'two replicas and a witness', data: strong(['eu-central-1', 'eu-west-1'], 'eu-west-2'), witnesses: [{ Region: 'eu-west-2' }] },
    {
      name: 'two resident replicas and a witness, all in the zone',
      data: strong(['eu-central-1', 'eu-west-1'], 'eu-west-3', { zone: 'eu', regions: ['eu-central-1', 'eu-west-1', 'eu-west-3'] }),
      witnesses: [{ Region: 'eu-west-3' }],
    },
  ];
  for (const shape of shapes) {
    it(`${shape.name}: MultiRegionConsistency STRONG, a replica per region with PITR${shape.witnesses ? ', a GlobalTableWitnesses entry' : ', no witness'}`, () => {
      const properties = synthStrong(shape.data);
      assert.equal(properties.MultiRegionConsistency, 'STRONG');
      const replicas = properties.Replicas as { Region: string; PointInTimeRecoverySpecification: unknown }[];
      assert.deepEqual(replicas.map((replica) => replica.Region).sort(), [...shape.data.replicas].sort());
      assert.ok(replicas.every((replica) => JSON.stringify(replica.PointInTimeRecoverySpecification) === '{"PointInTimeRecoveryEnabled":true}'));
      assert.deepEqual(properties.GlobalTableWitnesses, shape.witnesses);
    });
  }

  const refusals = [
    { name: 'two replicas without a witness', data: strong(['us-east-1', 'us-east-2']), error: DataShapeError, mentions: 'three replicas' },
    { name: 'four replicas', data: strong(['eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3']), error: DataShapeError, mentions: 'three replicas' },
    { name: 'three replicas and a witness', data: strong(['us-east-1', 'us-east-2', 'us-west-2'], 'us-east-2'), error: DataShapeError, mentions: 'exactly two' },
    { name: 'a witness that is also a replica', data: strong(['us-east-1', 'us-east-2'], 'us-east-2'), error: DataShapeError, mentions: 'without a replica' },
    { name: 'regions from two region sets', data: strong(['us-east-1', 'us-east-2', 'eu-west-1']), error: DataShapeError, mentions: 'not in set US' },
    { name: 'a region in no region set', data: strong(['sa-east-1', 'us-east-1', 'us-east-2']), error: DataShapeError, mentions: 'in none' },
    {
      name: 'a resident witness outside the zone',
      data: strong(['eu-central-1', 'eu-west-1'], 'eu-west-2', { zone: 'eu', regions: ['eu-central-1', 'eu-west-1'] }),
      error: DataResidencyError,
      mentions: 'witness would be in eu-west-2',
    },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name} with a typed error`, () => {
      assert.throws(() => synthStrong(refusal.data), (error: unknown) => error instanceof refusal.error && (error as Error).message.includes(refusal.mentions) && (error as Error).message.includes('ledger'));
    });
  }

  it('refuses a class that is not MRSC', () => {
    assert.throws(() => synthStrong({ ...strong(['us-east-1', 'us-east-2', 'us-west-2']), engine: 'dynamodb-global-table', consistency: 'single-writer' }), DataShapeError);
  });

  it('uses the catalog region sets', () => {
    assert.deepEqual(MRSC_REGION_SETS, SERVICE_LEVELS.dynamodb_global_tables_mrsc.region_sets);
  });
});
