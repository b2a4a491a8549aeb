/**
 * Residency over the whole eu-saas app, as `meridian synth examples/eu-saas.yaml` builds it (every stack,
 * every candidate architecture that can be built): nothing of the resident class — table, replica,
 * cluster, secret, key — is emitted outside the EU zone, no log leaves the region it is written in, and
 * us-east-1's stacks do not even name the class.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import { assembleApp, EXPERIMENT_FILES, examplePlan } from './app-fixtures.ts';

const EU = ['eu-central-1', 'eu-west-1'];
const RESIDENT = 'health-records';
type Resource = { Type: string; Properties?: Record<string, unknown> };

const resourcesOf = (template: Template) => Object.entries((template.toJSON() as { Resources: Record<string, Resource> }).Resources);
const mentionsResident = (value: unknown) => JSON.stringify(value ?? null).includes(RESIDENT);

describe('eu-saas: no resident data, key or log outside the EU zone in the whole app', () => {
  for (const architecture of ['partitioned-active-active', 'active-active', 'active-passive', 'single-region']) {
    it(`${architecture}`, async () => {
      const plan = await examplePlan('eu-saas', { architecture, experiments: EXPERIMENT_FILES });
      const assembled = assembleApp(plan);
      let residentResources = 0;
      let euKeys = 0;
      for (const [stackName, { region, template }] of assembled.templates) {
        const inZone = EU.includes(region);
        for (const [logicalId, resource] of resourcesOf(template)) {
          const where = `${stackName} (${region}) ${logicalId} ${resource.Type}`;
          if (mentionsResident(resource)) {
            residentResources += 1;
            assert.ok(inZone, `${where} names ${RESIDENT} outside the EU zone`);
          }
          switch (resource.Type) {
            case 'AWS::KMS::Key':
              // Only resident classes get customer-managed keys, one per EU region, never multi-Region.
              assert.ok(inZone, `${where}: a key outside the zone`);
              assert.notEqual(resource.Properties?.MultiRegion, true, `${where}: a multi-Region key`);
              euKeys += 1;
              break;
            case 'AWS::DynamoDB::GlobalTable':
              if (mentionsResident(resource.Properties?.TableName)) {
                for (const replica of resource.Properties?.Replicas as { Region: string }[]) assert.ok(EU.includes(replica.Region), `${where}: replica in ${replica.Region}`);
              }
              break;
            case 'AWS::SecretsManager::Secret':
              for (const replica of (resource.Properties?.ReplicaRegions ?? []) as { Region: string }[]) {
                if (mentionsResident(resource)) assert.ok(EU.includes(replica.Region), `${where}: secret replica in ${replica.Region}`);
              }
              break;
            case 'AWS::Logs::SubscriptionFilter':
            case 'AWS::Logs::Destination':
            case 'AWS::Logs::DeliveryDestination':
              assert.fail(`${where}: logs are shipped somewhere; every log stays in its region`);
              break;
            case 'AWS::S3::Bucket':
              assert.equal(resource.Properties?.ReplicationConfiguration, undefined, `${where}: a log bucket replicates to another region`);
              break;
            case 'AWS::EC2::FlowLog':
              assert.notEqual(resource.Properties?.LogDestinationType, 'kinesis-data-firehose', `${where}: flow logs leave the region`);
              break;
          }
        }
      }
      const residentClass = plan.dataClasses.find((dataClass) => dataClass.name === RESIDENT)!;
      assert.ok(residentResources > 0, 'the resident class is built somewhere');
      assert.ok(euKeys >= residentClass.replicas.length, `one key per EU region holding ${RESIDENT}`);
      for (const [stackName, { region, template }] of assembled.templates) {
        if (!EU.includes(region)) assert.ok(!mentionsResident(template.toJSON()), `${stackName} (${region}) mentions ${RESIDENT}`);
      }
    });
  }
});
