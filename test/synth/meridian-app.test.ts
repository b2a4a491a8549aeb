/**
 * The whole app of a plan (`buildMeridianApp`): which stacks exist, in which regions and order, and what
 * the global stack routes to, per example, routing policy and edge; checked with Template.fromStack.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { dataStacksFor } from '../../src/synth/data-placement.ts';
import { computeRegionsOf, GLOBAL_REGION_TAG_VALUE, rolloutOf, stackNameBase } from '../../src/synth/meridian-app.ts';
import type { SynthPlan } from '../../src/synth/synth-plan.ts';
import { assembleApp, EXPERIMENT_FILES, examplePlan } from './app-fixtures.ts';
import { euSaasPlan, healthRecordsAurora } from './data-fixtures.ts';

type Properties = Record<string, unknown>;
const tagsOf = (properties: Properties, field = 'Tags') => new Map(((properties[field] ?? []) as { Key: string; Value: string }[]).map((tag) => [tag.Key, tag.Value]));
const dependencyNames = (stack: Stack) => stack.dependencies.map((dependency) => dependency.stackName).sort();

describe('the global-shop app', async () => {
  const plan = await examplePlan('global-shop', { experiments: EXPERIMENT_FILES });
  const assembled = assembleApp(plan);
  const regionStack = (region: string) => assembled.regionStacks.get(region)!;
  const global = assembled.templateOf(assembled.globalStack);

  it('has one region stack per region, in rollout order, each after the previous, and the global stack in the primary region after all', () => {
    assert.deepEqual([...assembled.regionStacks.keys()], ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'ap-northeast-1']);
    assert.equal(assembled.keyStacks.size, 0, 'no resident data, no key stacks');
    const order = [...assembled.regionStacks.values()];
    order.forEach((stack, index) => {
      assert.equal(stack.stackName, `global-shop-${stack.region}`);
      assert.deepEqual(dependencyNames(stack), index === 0 ? [] : [order[index - 1]!.stackName]);
    });
    assert.equal(assembled.globalStack.region, 'us-east-1');
    for (const stack of order) assert.ok(dependencyNames(assembled.globalStack).includes(stack.stackName), `global waits for ${stack.stackName}`);
  });

  it('moves the Aurora writer region ahead of the spec deploy order, and says why', () => {
    const steps = assembled.rollout;
    assert.deepEqual(steps.map((step) => [step.region, step.deployOrder]), [['us-east-1', 3], ['us-east-2', 1], ['us-west-2', 2], ['eu-west-1', 4], ['ap-northeast-1', 5]]);
    assert.match(steps[0]!.moved ?? '', /ahead of us-east-2, us-west-2: their Aurora secondary clusters/);
    assert.ok(steps.slice(1).every((step) => step.moved === undefined));
    for (const stack of assembled.regionStacks.values()) assert.match(stack.templateOptions.description ?? '', /rollout step \d of 5/);
  });

  it('routes api.<domain> by latency to every region through alias records and 10 s / 3-failure health checks', () => {
    global.resourceCountIs('AWS::Route53::RecordSet', 5);
    global.resourceCountIs('AWS::Route53::HealthCheck', 5);
    for (const region of assembled.regionStacks.keys()) {
      global.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.shop.meridian.test',
        Type: 'A',
        Region: region,
        SetIdentifier: region,
        AliasTarget: { DNSName: Match.anyValue(), HostedZoneId: Match.anyValue(), EvaluateTargetHealth: true },
        HealthCheckId: Match.anyValue(),
      });
    }
    global.allResourcesProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTP', Port: 80, ResourcePath: '/health', RequestInterval: 10, FailureThreshold: 3, FullyQualifiedDomainName: Match.anyValue() },
    });
  });

  it('reads each load balancer through a stack reference, not a literal: an import in its own region, a cross-region reader elsewhere', () => {
    assert.equal(Object.keys(global.findResources('Custom::CrossRegionExportReader')).length, 1);
    for (const record of Object.values(global.findResources('AWS::Route53::RecordSet'))) {
      const region = record.Properties.Region as string;
      const dnsName = JSON.stringify(record.Properties.AliasTarget.DNSName);
      // The reference names the region's own stack: global-shop-<region> (an export) or globalshop<region> (a reader attribute).
      const own = region === 'us-east-1' ? /"Fn::ImportValue":"global-shop-us-east-1:/ : new RegExp(`ExportsReader.*/globalshop${region.replace(/-/g, '')}FnGetAttComputeLoadBalancer`);
      assert.match(dnsName, own, `${region}: ${dnsName}`);
      assert.match(JSON.stringify(record.Properties.HealthCheckId), new RegExp(`RoutingHealthCheck${region.replace(/-/g, '')}`), `${region}'s record uses ${region}'s health check`);
    }
    for (const region of assembled.regionStacks.keys()) {
      const writers = Object.keys(assembled.templateOf(regionStack(region)).findResources('Custom::CrossRegionExportWriter')).length;
      assert.equal(writers, region === 'us-east-1' ? 0 : 1, `${region} exports its load balancer to us-east-1`);
    }
  });

  it('has a monthly USD budget of the spec amount, a dashboard with a widget row per region, in the global stack', () => {
    global.hasResourceProperties('AWS::Budgets::Budget', { Budget: Match.objectLike({ BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 25000, Unit: 'USD' } }) });
    const dashboard = Object.values(global.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const region of assembled.regionStacks.keys()) assert.ok(body.includes(`\\"region\\":\\"${region}\\"`), `a widget reads ${region}`);
  });

  it('tags every region stack\'s resources with its region, data with its class, and global resources with "global"', () => {
    for (const [region, stack] of assembled.regionStacks) {
      const template = assembled.templateOf(stack);
      template.allResourcesProperties('AWS::ECS::Cluster', { Tags: Match.arrayWith([{ Key: 'meridian:region', Value: region }]) });
      template.allResourcesProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Tags: Match.arrayWith([{ Key: 'meridian:region', Value: region }]) });
    }
    const owner = assembled.templateOf(regionStack('us-east-1'));
    for (const table of Object.values(owner.findResources('AWS::DynamoDB::GlobalTable'))) {
      for (const replica of table.Properties.Replicas as Properties[]) {
        const tags = tagsOf(replica);
        assert.equal(tags.get('meridian:region'), replica.Region);
        assert.ok(['profiles', 'payments'].includes(tags.get('meridian:data-class') ?? ''), `replica of ${table.Properties.TableName} tagged with its class`);
      }
    }
    global.hasResourceProperties('AWS::Route53::HostedZone', { HostedZoneTags: Match.arrayWith([{ Key: 'meridian:region', Value: GLOBAL_REGION_TAG_VALUE }]) });
  });

  it('gives each region\'s tasks its own replica of each class: table names, Aurora host, IAM on the local table only', () => {
    const cases = [
      { region: 'us-east-2', tables: ['PROFILES', 'PAYMENTS'], db: 'reader' },
      { region: 'eu-west-1', tables: ['PROFILES'], db: 'reader' },
      { region: 'us-east-1', tables: ['PROFILES', 'PAYMENTS'], db: 'writer' },
    ];
    for (const testCase of cases) {
      const template = assembled.templateOf(regionStack(testCase.region));
      const task = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!;
      const environment = new Map(((task.Properties.ContainerDefinitions as Properties[])[0]!.Environment as { Name: string; Value: unknown }[]).map((entry) => [entry.Name, entry.Value]));
      for (const name of testCase.tables) assert.equal(environment.get(`MERIDIAN_${name}_TABLE`), `global-shop-${name.toLowerCase()}`, `${testCase.region} ${name}`);
      assert.equal(environment.has('MERIDIAN_PAYMENTS_TABLE'), testCase.tables.includes('PAYMENTS'));
      assert.match(JSON.stringify(environment.get('MERIDIAN_ORDERS_DB_HOST')), testCase.db === 'writer' ? /Endpoint\.Address/ : /ReadEndpoint\.Address/);
      // The task role's own policy (not the FIS roles'): the local replica of each class, by name, and no other region.
      const taskRole = task.Properties.TaskRoleArn['Fn::GetAtt'][0] as string;
      const taskPolicies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(taskRole));
      assert.equal(taskPolicies.length, 1);
      const statements = JSON.stringify(taskPolicies[0]!.Properties.PolicyDocument);
      for (const name of testCase.tables) assert.ok(statements.includes(`:dynamodb:${testCase.region}:`) && statements.includes(`:table/global-shop-${name.toLowerCase()}`), `${testCase.region}: access to its ${name} replica`);
      assert.ok(!statements.includes('table/*'), 'no wildcard table');
      for (const other of assembled.regionStacks.keys()) if (other !== testCase.region) assert.ok(!statements.includes(`:dynamodb:${other}:`), `${testCase.region}: no access to ${other}'s tables`);
      assert.match(statements, /rds-db:connect/);
      assert.match(statements, /:dbuser:.*\/app/);
      assert.equal(environment.get('MERIDIAN_ORDERS_DB_USER'), 'app');
      // No image in the spec: the placeholder server, told its port, service and region.
      const container = (task.Properties.ContainerDefinitions as Properties[])[0]!;
      assert.deepEqual((container.Command as string[]).slice(0, 2), ['node', '-e']);
      assert.equal(environment.get('PORT'), '8080');
      assert.equal(environment.get('MERIDIAN_REGION'), testCase.region);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: Match.anyValue(), Description: 'tasks of shop reach orders' });
    }
  });

  it('joins every secondary region\'s Aurora cluster to the writer\'s global cluster, in isolated subnets', () => {
    const writer = assembled.templateOf(regionStack('us-east-1'));
    writer.hasResourceProperties('AWS::RDS::GlobalCluster', { GlobalClusterIdentifier: 'global-shop-orders' });
    for (const region of ['us-east-2', 'us-west-2', 'eu-west-1', 'ap-northeast-1']) {
      const template = assembled.templateOf(regionStack(region));
      template.hasResourceProperties('AWS::RDS::DBCluster', { GlobalClusterIdentifier: 'global-shop-orders' });
      template.hasResourceProperties('AWS::EC2::Subnet', { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]) });
    }
  });

  it('puts the FIS templates where their faults act: the primary region, one per mapped experiment', () => {
    const templates = assembled.templateOf(regionStack('us-east-1')).findResources('AWS::FIS::ExperimentTemplate');
    const names = Object.values(templates).map((template) => template.Properties.Tags['meridian:experiment']).sort();
    assert.deepEqual(names, ['demo-region-outage', 'partition', 'region-outage']);
    for (const region of ['us-east-2', 'us-west-2', 'eu-west-1', 'ap-northeast-1']) assembled.templateOf(regionStack(region)).resourceCountIs('AWS::FIS::ExperimentTemplate', 0);
    assert.deepEqual(assembled.fisUnmapped.map((fault) => `${fault.experiment}/${fault.action}`).sort(), ['error-injection/error-injection', 'latency-spike/link-latency', 'partition/partition']);
  });
});

describe('routing policies and edges in the global stack', () => {
  const cases: { name: string; example: string; architecture?: string; edge?: 'accelerator' | 'cdn'; check: (assembled: ReturnType<typeof assembleApp>) => void }[] = [
    {
      name: 'ledger: failover records, PRIMARY us-east-1 and SECONDARY us-east-2, each with its health check',
      example: 'ledger',
      check: (assembled) => {
        const global = assembled.templateOf(assembled.globalStack);
        global.resourceCountIs('AWS::Route53::RecordSet', 2);
        global.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', SetIdentifier: 'us-east-1', HealthCheckId: Match.anyValue() });
        global.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', SetIdentifier: 'us-east-2-secondary', HealthCheckId: Match.anyValue() });
        global.resourceCountIs('AWS::Route53::HealthCheck', 2);
      },
    },
    {
      name: 'eu-saas: geolocation records by continent and a default, health checks every 30 s',
      example: 'eu-saas',
      check: (assembled) => {
        const global = assembled.templateOf(assembled.globalStack);
        global.hasResourceProperties('AWS::Route53::RecordSet', { GeoLocation: { ContinentCode: 'EU' }, SetIdentifier: 'continent-EU' });
        global.hasResourceProperties('AWS::Route53::RecordSet', { GeoLocation: { ContinentCode: 'NA' } });
        global.hasResourceProperties('AWS::Route53::RecordSet', { GeoLocation: { CountryCode: '*' }, SetIdentifier: 'default' });
        global.allResourcesProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ RequestInterval: 30, FailureThreshold: 3 }) });
        assert.equal(assembled.globalStack.region, 'eu-central-1', 'the global stack stays in the zone of the primary');
      },
    },
    {
      name: 'global-shop with an accelerator: api.<domain> an alias to it, an endpoint group per region on its own load balancer, dial 100, the plan interval and threshold',
      example: 'global-shop',
      edge: 'accelerator',
      check: (assembled) => {
        const global = assembled.templateOf(assembled.globalStack);
        global.resourceCountIs('AWS::GlobalAccelerator::Accelerator', 1);
        global.resourceCountIs('AWS::GlobalAccelerator::EndpointGroup', 5);
        for (const region of assembled.regionStacks.keys()) {
          global.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
            EndpointGroupRegion: region,
            TrafficDialPercentage: 100,
            HealthCheckIntervalSeconds: 10,
            ThresholdCount: 3,
            HealthCheckPath: '/health',
            EndpointConfigurations: [Match.objectLike({ EndpointId: Match.anyValue() })],
          });
        }
        for (const group of Object.values(global.findResources('AWS::GlobalAccelerator::EndpointGroup'))) {
          const region = group.Properties.EndpointGroupRegion as string;
          const own = region === 'us-east-1' ? /global-shop-us-east-1:/ : new RegExp(`/globalshop${region.replace(/-/g, '')}RefComputeLoadBalancer`);
          assert.match(JSON.stringify(group.Properties.EndpointConfigurations), own, `${region}'s group holds ${region}'s load balancer`);
        }
        // The accelerator routes and checks health: one alias record, no Route 53 health checks.
        global.resourceCountIs('AWS::Route53::RecordSet', 1);
        global.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.shop.meridian.test.', Type: 'A', AliasTarget: Match.objectLike({ HostedZoneId: 'Z2BJ6XQ5FK7U4H' }) });
        global.resourceCountIs('AWS::Route53::HealthCheck', 0);
        global.hasOutput('AcceleratorDnsName', {});
        assert.equal(assembled.edgeEntry?.edge, 'accelerator');
        assert.equal(assembled.recordStyle, undefined);
      },
    },
    {
      name: 'global-shop active-passive with a CDN: one distribution, origin group us-east-1 then the standby, failing over on 5xx',
      example: 'global-shop',
      architecture: 'active-passive',
      edge: 'cdn',
      check: (assembled) => {
        const global = assembled.templateOf(assembled.globalStack);
        global.resourceCountIs('AWS::CloudFront::Distribution', 1);
        global.hasResourceProperties('AWS::CloudFront::Distribution', {
          DistributionConfig: Match.objectLike({
            OriginGroups: { Quantity: 1, Items: [Match.objectLike({ FailoverCriteria: { StatusCodes: { Items: [500, 502, 503, 504], Quantity: 4 } } })] },
          }),
        });
        const config = Object.values(global.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
        const members = (config.OriginGroups.Items[0].Members.Items as { OriginId: string }[]).map((member) => member.OriginId);
        const standby = assembled.rollout.find((step) => step.role === 'standby')!.region;
        assert.deepEqual(members, ['alb-us-east-1', `alb-${standby}`], 'the primary first, then the standby');
        // Writes cannot fail over through CloudFront: api.<domain> stays routed by Route 53.
        global.resourceCountIs('AWS::Route53::RecordSet', 2);
        assert.match(assembled.edgeEntry?.serves ?? '', /writes go to api\.shop\.meridian\.test/);
      },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const plan = await examplePlan(testCase.example, { architecture: testCase.architecture, edge: testCase.edge });
      testCase.check(assembleApp(plan));
    });
  }
});

describe('rollout order and data-only regions', () => {
  const base: SynthPlan = euSaasPlan(healthRecordsAurora);
  const rollout = (plan: SynthPlan) => rolloutOf(plan, dataStacksFor(plan), computeRegionsOf(plan)).map((step) => `${step.region}:${step.role}${step.moved ? ':moved' : ''}`);
  const cases: { name: string; plan: SynthPlan; expected: string[] }[] = [
    { name: 'writer first in the deploy order: the deploy order as is', plan: base, expected: ['eu-central-1:serving', 'eu-west-1:serving', 'us-east-1:serving'] },
    {
      name: 'writer deployed last by the spec: the writer moves ahead',
      plan: { ...base, regions: [...base.regions].reverse().map((region, index) => ({ ...region, deployOrder: index + 1 })) },
      expected: ['us-east-1:serving', 'eu-central-1:serving:moved', 'eu-west-1:serving'],
    },
    {
      name: 'a region holding only an Aurora secondary: a data-only stack after its writer',
      plan: { ...base, regions: base.regions.map((region) => (region.region === 'eu-west-1' ? { ...region, instances: 0 } : region)) },
      expected: ['eu-central-1:serving', 'eu-west-1:data-only', 'us-east-1:serving'],
    },
  ];
  for (const testCase of cases) it(testCase.name, () => assert.deepEqual(rollout(testCase.plan), testCase.expected));

  it('a data-only region gets an isolated VPC with flow logs for its Aurora secondary, and no compute', () => {
    const plan = cases[2]!.plan;
    const assembled = assembleApp(plan);
    const template = assembled.templateOf(assembled.regionStacks.get('eu-west-1')!);
    template.resourceCountIs('AWS::ECS::Service', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::RDS::DBCluster', { GlobalClusterIdentifier: 'eu-saas-health-records' });
    assert.equal(assembled.computes.has('eu-west-1'), false);
  });

  it('a region with only a replica gets a stack for its FIS templates; actions on absent tasks are listed, not dropped', () => {
    const fault = { startSeconds: 0, durationSeconds: 300, scope: undefined, dataClass: undefined, errorRate: undefined };
    const plan: SynthPlan = {
      ...base,
      regions: base.regions.map((region) => (region.region === 'us-east-1' ? { ...region, instances: 0 } : region)),
      experiments: [{
        name: 'game-day',
        description: undefined,
        durationSeconds: 600,
        faults: [
          { ...fault, action: 'replication-pause', region: undefined, dataClass: 'catalog' },
          { ...fault, action: 'region-outage', region: 'us-east-1', scope: 'all' },
        ],
      }],
    };
    const assembled = assembleApp(plan);
    const step = assembled.rollout.find((candidate) => candidate.region === 'us-east-1');
    assert.equal(step?.role, 'data-only');
    const template = assembled.templateOf(assembled.regionStacks.get('us-east-1')!);
    template.resourceCountIs('AWS::ECS::Service', 0);
    const [experiment] = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'));
    const actionIds = Object.values(experiment!.Properties.Actions as Record<string, { ActionId: string }>).map((action) => action.ActionId).sort();
    assert.deepEqual(actionIds, ['aws:dynamodb:global-table-pause-replication', 'aws:dynamodb:global-table-pause-replication']);
    const leftOut = assembled.fisUnmapped.filter((entry) => entry.region === 'us-east-1');
    assert.deepEqual(leftOut.map((entry) => [entry.faultIndex, entry.action]), [[1, 'region-outage']]);
    assert.match(leftOut[0]!.reason, /runs no tasks of the service .*aws:ecs:stop-task, aws:network:disrupt-connectivity/);
  });

  it('stack names start with the spec name, cleaned to letters, digits and hyphens', () => {
    assert.equal(stackNameBase('global-shop'), 'global-shop');
    assert.equal(stackNameBase('my shop_v2!'), 'my-shop-v2');
    assert.equal(stackNameBase('2fast'), 'fast');
    assert.equal(stackNameBase('***'), 'meridian');
  });
});
