import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { FisExperiments } from '../../src/synth/fis-experiments.ts';
import type { SynthDataClass, SynthExperiment } from '../../src/synth/synth-plan.ts';
import { nagFindings, stackIn } from './synth-fixtures.ts';

const REGIONS = ['us-east-1', 'eu-west-1'];
const DATA_CLASSES: readonly SynthDataClass[] = [
  { name: 'orders', consistency: 'multi-writer', engine: 'dynamodb-global-table', replicas: REGIONS, writer: undefined, witness: undefined, residency: undefined },
];
const fault = { durationSeconds: 600, scope: undefined, dataClass: undefined, errorRate: undefined } as const;
const EXPERIMENTS: readonly SynthExperiment[] = [
  { name: 'region-outage', description: 'primary down', durationSeconds: 1200, faults: [{ ...fault, action: 'region-outage', startSeconds: 120, region: 'us-east-1', scope: 'all' }] },
  { name: 'partition', description: undefined, durationSeconds: 720, faults: [{ ...fault, action: 'partition', startSeconds: 0, region: 'us-east-1' }] },
  { name: 'standby-outage', description: undefined, durationSeconds: 720, faults: [{ ...fault, action: 'region-outage', startSeconds: 0, region: 'eu-west-1', scope: 'app' }] },
  { name: 'latency', description: undefined, durationSeconds: 720, faults: [{ ...fault, action: 'link-latency', startSeconds: 0, region: undefined }] },
];

describe('FisExperiments in us-east-1', () => {
  const stack = stackIn('us-east-1', 'Regional');
  const experiments = new FisExperiments(stack, 'Fis', {
    experiments: EXPERIMENTS,
    region: 'us-east-1',
    regions: REGIONS,
    dataClasses: DATA_CLASSES,
    ecsService: { clusterName: 'meridian-cluster', serviceName: 'meridian-service' },
    appName: 'shop',
  });
  const template = Template.fromStack(stack);
  const byName: Record<string, Record<string, any>> = Object.fromEntries(
    Object.values(template.findResources('AWS::FIS::ExperimentTemplate')).map((resource) => {
      const properties = resource['Properties'] as Record<string, any>;
      return [properties['Tags']['meridian:experiment'] as string, properties];
    }),
  );

  it('one template per experiment acting in this region (the standby\'s outage is in eu-west-1)', () => {
    assert.deepEqual(Object.keys(byName).sort(), ['partition', 'region-outage']);
    assert.deepEqual([...experiments.templates.keys()].sort(), ['partition', 'region-outage']);
  });

  it('lists the unmapped faults that concern this region or no region', () => {
    assert.deepEqual(experiments.unmapped.map((entry) => [entry.experiment, entry.action]), [['latency', 'link-latency']]);
  });

  it('every template: stop condition none, single account, skips targets it cannot find, its own role', () => {
    for (const properties of Object.values(byName)) {
      assert.deepEqual(properties['StopConditions'], [{ Source: 'none' }]);
      assert.deepEqual(properties['ExperimentOptions'], { AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'skip' });
      assert.ok('Fn::GetAtt' in properties['RoleArn']);
    }
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  const actions: readonly [string, string, Record<string, unknown>][] = [
    ['f0-wait', 'region-outage', { ActionId: 'aws:fis:wait', Parameters: { duration: 'PT2M' } }],
    ['f0-stop-tasks', 'region-outage', { ActionId: 'aws:ecs:stop-task', Targets: { Tasks: 'appTasks' }, StartAfter: ['f0-wait'] }],
    ['f0-cut-app-subnets', 'region-outage', { ActionId: 'aws:network:disrupt-connectivity', Parameters: { scope: 'all', duration: 'PT10M' }, Targets: { Subnets: 'appSubnets' }, StartAfter: ['f0-wait'] }],
    ['f0-pause-orders', 'region-outage', { ActionId: 'aws:dynamodb:global-table-pause-replication', Parameters: { duration: 'PT10M' }, Targets: { Tables: 'tables-orders' }, StartAfter: ['f0-wait'] }],
    ['f0-cut-to-eu-west-1', 'partition', { ActionId: 'aws:network:route-table-disrupt-cross-region-connectivity', Parameters: { region: 'eu-west-1', duration: 'PT10M' }, Targets: { Subnets: 'appSubnets' } }],
  ];
  for (const [name, experiment, expected] of actions) {
    it(`${experiment}: action ${name}`, () => {
      const action = byName[experiment]['Actions'][name];
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(action[key], value, key);
    });
  }

  const targets: readonly [string, Record<string, unknown>][] = [
    ['appTasks', { ResourceType: 'aws:ecs:task', Parameters: { cluster: 'meridian-cluster', service: 'meridian-service' }, SelectionMode: 'ALL' }],
    ['appSubnets', { ResourceType: 'aws:ec2:subnet', ResourceTags: { 'meridian:app-subnets': 'shop' }, SelectionMode: 'ALL' }],
    ['tables-orders', { ResourceType: 'aws:dynamodb:global-table', ResourceTags: { 'meridian:data-class': 'orders' }, SelectionMode: 'ALL' }],
  ];
  for (const [name, expected] of targets) {
    it(`target ${name}`, () => assert.deepEqual(byName['region-outage']['Targets'][name], expected));
  }

  it('roles: the FIS managed policies of the action families used, DynamoDB statements written out', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'fis.amazonaws.com' } }] },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSFaultInjectionSimulatorECSAccess']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSFaultInjectionSimulatorNetworkAccess']] },
      ],
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as { Action: unknown }[]);
    const actionsGranted = statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
    for (const action of ['tag:GetResources', 'dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy', 'dynamodb:InjectError']) assert.ok(actionsGranted.includes(action), action);
  });

  it('leaves no AwsSolutions finding', () => {
    assert.deepEqual(nagFindings(stack), []);
  });
});
