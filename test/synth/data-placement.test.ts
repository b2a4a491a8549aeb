import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataResidencyError, DataShapeError } from '../../src/synth/data-errors.ts';
import { dataStacksFor } from '../../src/synth/data-placement.ts';
import type { SynthDataClass } from '../../src/synth/synth-plan.ts';
import { catalog, dataClass, euSaasPlan, healthRecordsAurora, healthRecordsTable } from './data-fixtures.ts';

describe('dataStacksFor', () => {
  it('lays out eu-saas (health-records on an Aurora global database): keys and clusters in the zone only', () => {
    assert.deepEqual(dataStacksFor(euSaasPlan(healthRecordsAurora)), [
      {
        region: 'eu-central-1',
        keys: [{ dataClass: 'health-records', zone: 'eu' }],
        constructs: [
          { role: 'aurora-writer', dataClass: 'health-records', construct: 'MeridianAuroraGlobalDatabase', secondaryRegions: ['eu-west-1'], globalClusterIdentifier: 'eu-saas-health-records' },
          { role: 'table-owner', dataClass: 'catalog', construct: 'MeridianGlobalTable', replicaRegions: ['eu-west-1', 'us-east-1'], witnessRegion: undefined },
        ],
        dependsOn: [],
      },
      {
        region: 'eu-west-1',
        keys: [{ dataClass: 'health-records', zone: 'eu' }],
        constructs: [
          { role: 'aurora-secondary', dataClass: 'health-records', construct: 'MeridianAuroraSecondaryCluster', writerRegion: 'eu-central-1', globalClusterIdentifier: 'eu-saas-health-records' },
          { role: 'table-replica', dataClass: 'catalog', construct: undefined, ownerRegion: 'eu-central-1' },
        ],
        dependsOn: ['eu-central-1'],
      },
      {
        region: 'us-east-1',
        keys: [],
        constructs: [{ role: 'table-replica', dataClass: 'catalog', construct: undefined, ownerRegion: 'eu-central-1' }],
        dependsOn: [],
      },
    ]);
  });

  it('lays out eu-saas with health-records on a DynamoDB global table: a key in each replica region, none in us-east-1', () => {
    const layout = dataStacksFor(euSaasPlan(healthRecordsTable));
    assert.deepEqual(
      layout.map((stack) => [stack.region, stack.keys.map((key) => key.dataClass), stack.constructs.map((placement) => `${placement.dataClass}:${placement.role}`)]),
      [
        ['eu-central-1', ['health-records'], ['health-records:table-owner', 'catalog:table-owner']],
        ['eu-west-1', ['health-records'], ['health-records:table-replica', 'catalog:table-replica']],
        ['us-east-1', [], ['catalog:table-replica']],
      ],
    );
  });

  it('lays out the single-region candidate: a regional Aurora cluster and a regional table, both in eu-central-1', () => {
    const healthRecords = { ...healthRecordsAurora, engine: 'aurora-cluster' as const, replicas: ['eu-central-1'] };
    const regionalCatalog = { ...catalog, engine: 'dynamodb-table' as const, replicas: ['eu-central-1'], writer: 'eu-central-1' };
    const plan = { ...euSaasPlan(healthRecords), dataClasses: [healthRecords, regionalCatalog] };
    assert.deepEqual(dataStacksFor(plan), [
      {
        region: 'eu-central-1',
        keys: [{ dataClass: 'health-records', zone: 'eu' }],
        constructs: [
          { role: 'aurora-writer', dataClass: 'health-records', construct: 'MeridianAuroraCluster', secondaryRegions: [], globalClusterIdentifier: undefined },
          { role: 'table-owner', dataClass: 'catalog', construct: 'MeridianGlobalTable', replicaRegions: [], witnessRegion: undefined },
        ],
        dependsOn: [],
      },
    ]);
  });

  it('places an MRSC witness without a key, and a strong table with the MeridianStrongTable construct', () => {
    const ledger = dataClass({ name: 'ledger', consistency: 'strong', engine: 'dynamodb-mrsc', replicas: ['eu-central-1', 'eu-west-1'], witness: 'eu-west-2', residency: { zone: 'eu', regions: ['eu-central-1', 'eu-west-1', 'eu-west-2'] } });
    const plan = { ...euSaasPlan(healthRecordsAurora, [ledger]), zones: { eu: ['eu-central-1', 'eu-west-1', 'eu-west-2'] } };
    const layout = dataStacksFor(plan);
    const london = layout.find((stack) => stack.region === 'eu-west-2')!;
    assert.deepEqual(london.keys, []);
    assert.deepEqual(london.constructs, [{ role: 'witness', dataClass: 'ledger', construct: undefined, ownerRegion: 'eu-central-1' }]);
    assert.equal(layout.find((stack) => stack.region === 'eu-central-1')!.constructs.find((placement) => placement.dataClass === 'ledger')?.construct, 'MeridianStrongTable');
  });

  const residencyViolations: { name: string; data: SynthDataClass; region: string; role: string }[] = [
    { name: 'a resident table replica in us-east-1', data: { ...healthRecordsTable, replicas: ['eu-central-1', 'eu-west-1', 'us-east-1'] }, region: 'us-east-1', role: 'replica' },
    { name: 'a resident Aurora secondary in us-east-1', data: { ...healthRecordsAurora, replicas: ['eu-central-1', 'us-east-1'] }, region: 'us-east-1', role: 'replica' },
    { name: 'a resident writer outside the zone', data: { ...healthRecordsAurora, replicas: ['us-east-1', 'eu-west-1'], writer: 'us-east-1' }, region: 'us-east-1', role: 'writer' },
    {
      name: 'a resident MRSC witness outside the zone',
      data: dataClass({ name: 'health-records', consistency: 'strong', engine: 'dynamodb-mrsc', replicas: ['eu-central-1', 'eu-west-1'], witness: 'eu-west-2', residency: { zone: 'eu', regions: ['eu-central-1', 'eu-west-1'] } }),
      region: 'eu-west-2',
      role: 'witness',
    },
  ];
  for (const violation of residencyViolations) {
    it(`refuses ${violation.name}, naming class, region and zone`, () => {
      assert.throws(
        () => dataStacksFor(euSaasPlan(violation.data)),
        (error: unknown) =>
          error instanceof DataResidencyError &&
          error.code === 'SYNTH_DATA_RESIDENCY' &&
          error.dataClass === 'health-records' &&
          error.region === violation.region &&
          error.zone === 'eu' &&
          error.role === violation.role &&
          error.message.includes('health-records') &&
          error.message.includes(violation.region) &&
          error.message.includes('zone eu'),
      );
    });
  }

  it('narrows a class zone to the plan zone table', () => {
    const widened: SynthDataClass = { ...healthRecordsTable, replicas: ['eu-central-1', 'eu-west-1', 'eu-west-2'], residency: { zone: 'eu', regions: ['eu-central-1', 'eu-west-1', 'eu-west-2'] } };
    assert.throws(() => dataStacksFor(euSaasPlan(widened)), (error: unknown) => error instanceof DataResidencyError && error.region === 'eu-west-2');
  });

  const shapeRefusals: { name: string; data: SynthDataClass }[] = [
    { name: 'an MRSC table of two regions without a witness', data: dataClass({ name: 'ledger', consistency: 'strong', engine: 'dynamodb-mrsc', replicas: ['eu-central-1', 'eu-west-1'] }) },
    { name: 'a regional table in two regions', data: dataClass({ name: 'sessions', engine: 'dynamodb-table', replicas: ['eu-central-1', 'eu-west-1'] }) },
    { name: 'a witness on an eventually consistent table', data: { ...catalog, name: 'feed', witness: 'eu-west-2' } },
    { name: 'a replica listed twice', data: { ...catalog, name: 'feed', replicas: ['eu-central-1', 'eu-central-1'] } },
    { name: 'strong data on an eventually consistent table', data: { ...catalog, name: 'feed', consistency: 'strong' } },
  ];
  for (const refusal of shapeRefusals) {
    it(`refuses ${refusal.name}`, () => {
      assert.throws(() => dataStacksFor(euSaasPlan(healthRecordsAurora, [refusal.data])), DataShapeError);
    });
  }

  it('refuses Aurora classes whose writers and secondaries would make region stacks wait for each other', () => {
    const a = dataClass({ name: 'a', engine: 'aurora-global-database', replicas: ['eu-central-1', 'eu-west-1'], writer: 'eu-central-1' });
    const b = dataClass({ name: 'b', engine: 'aurora-global-database', replicas: ['eu-west-1', 'eu-central-1'], writer: 'eu-west-1' });
    assert.throws(() => dataStacksFor(euSaasPlan(healthRecordsTable, [a, b])), (error: unknown) => error instanceof DataShapeError && /wait for each other/.test(error.message));
  });
});
