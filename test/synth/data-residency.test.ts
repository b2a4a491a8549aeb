/**
 * Residency end to end on eu-saas: the data layer assembled as `dataStacksFor` lays it out (key stacks, then
 * region stacks) emits nothing of the resident class in us-east-1, while the global catalog still reaches it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import type { SynthDataClass } from '../../src/synth/synth-plan.ts';
import { assembleData, EU, euSaasPlan, healthRecordsAurora, healthRecordsTable } from './data-fixtures.ts';

const variants: { name: string; healthRecords: SynthDataClass }[] = [
  { name: 'health-records on an Aurora global database (as advise places it)', healthRecords: healthRecordsAurora },
  { name: 'health-records on a single-writer DynamoDB global table', healthRecords: healthRecordsTable },
];

describe('eu-saas residency in the synthesized data layer', () => {
  for (const variant of variants) {
    describe(variant.name, () => {
      const assembled = assembleData(euSaasPlan(variant.healthRecords));
      const templates = new Map(
        [...assembled.keyStacks, ...assembled.regionStacks].map(([region, stack]) => [`${stack.stackName}@${region}`, { region, template: Template.fromStack(stack) }]),
      );
      const inRegion = (region: string) => [...templates.values()].filter((entry) => entry.region === region).map((entry) => entry.template);

      it('emits no key, table, cluster, secret, log group or health-records resource in us-east-1', () => {
        const templatesOfUs = inRegion('us-east-1');
        assert.ok(templatesOfUs.length > 0, 'us-east-1 has a region stack (the catalog replica lives there)');
        for (const template of templatesOfUs) {
          for (const type of ['AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::DynamoDB::GlobalTable', 'AWS::RDS::DBCluster', 'AWS::RDS::GlobalCluster', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
            template.resourceCountIs(type, 0);
          }
          assert.ok(!JSON.stringify(template.toJSON()).includes('health-records'), 'no resource of us-east-1 mentions health-records');
        }
        assert.equal(assembled.keyStacks.has('us-east-1'), false);
      });

      it('keeps every health-records replica, key and secret replica in eu-central-1 or eu-west-1', () => {
        for (const { region, template } of templates.values()) {
          const json = JSON.stringify(template.toJSON());
          if (json.includes('health-records')) assert.ok((EU as readonly string[]).includes(region), `${region} holds health-records`);
          for (const table of Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))) {
            const regions = (table.Properties.Replicas as { Region: string }[]).map((replica) => replica.Region);
            if (table.Properties.TableName === 'eu-saas-health-records') assert.deepEqual(regions.sort(), [...EU].sort());
          }
          for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
            for (const replica of (secret.Properties.ReplicaRegions ?? []) as { Region: string }[]) assert.ok((EU as readonly string[]).includes(replica.Region));
          }
        }
        for (const region of EU) {
          const keys = inRegion(region).flatMap((template) => Object.values(template.findResources('AWS::KMS::Key')));
          assert.equal(keys.length, 1, `one health-records key in ${region}`);
          assert.equal(keys[0]!.Properties.EnableKeyRotation, true);
          assert.notEqual(keys[0]!.Properties.MultiRegion, true);
        }
      });

      it('still replicates the non-resident catalog to us-east-1, with the DynamoDB-owned key', () => {
        const owner = inRegion('eu-central-1').flatMap((template) => Object.values(template.findResources('AWS::DynamoDB::GlobalTable')));
        const catalogTable = owner.find((table) => table.Properties.TableName === 'eu-saas-catalog')!;
        assert.deepEqual((catalogTable.Properties.Replicas as { Region: string }[]).map((replica) => replica.Region).sort(), ['eu-central-1', 'eu-west-1', 'us-east-1']);
        assert.deepEqual(catalogTable.Properties.SSESpecification, { SSEEnabled: false });
      });

      it('synthesizes the whole app: key stacks first, same-region references only', () => {
        const assembly = assembled.app.synth();
        for (const stack of assembled.regionStacks.values()) {
          const artifact = assembly.getStackByName(stack.stackName);
          const keyDependencies = artifact.dependencies.map((dependency) => dependency.id).filter((id) => id.startsWith('Keys-'));
          assert.deepEqual(keyDependencies.sort(), [...assembled.keyStacks.values()].map((keyStack) => keyStack.artifactId).sort());
        }
      });
    });
  }
});
