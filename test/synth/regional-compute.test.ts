import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { applyCostTags } from '../../src/synth/cost-tags.ts';
import { FisExperiments } from '../../src/synth/fis-experiments.ts';
import { RegionalCompute, targetGroupHealthCheckFor } from '../../src/synth/regional-compute.ts';
import type { SynthPlan } from '../../src/synth/synth-plan.ts';
import { nagFindings, stackIn } from './synth-fixtures.ts';

const SERVICE: SynthPlan['service'] = { name: 'shop', image: 'public.ecr.aws/docker/library/nginx:1.27', healthPath: '/health', containerPort: 8080 };

function subnetsByTag(template: Template): { tagged: number; untagged: number } {
  const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
  const tagged = subnets.filter((subnet) => (subnet['Properties']['Tags'] as { Key: string; Value: string }[]).some((tag) => tag.Key === 'meridian:app-subnets' && tag.Value === 'shop'));
  return { tagged: tagged.length, untagged: subnets.length - tagged.length };
}

describe('RegionalCompute, one NAT gateway (default)', () => {
  // One stack shared by every assertion: a VPC takes a while to synthesize.
  const stack = stackIn('eu-west-1', 'Regional');
  const compute = new RegionalCompute(stack, 'Compute', {
    service: SERVICE,
    desiredCount: 2,
    region: 'eu-west-1',
    healthCheck: { intervalSeconds: 10, failureThreshold: 3, path: '/healthz' },
  });
  // The assembler's wiring in a regional stack: FIS targets the compute's service, cost tags on everything.
  new FisExperiments(stack, 'Fis', {
    experiments: [{ name: 'outage', description: undefined, durationSeconds: 900, faults: [{ action: 'region-outage', startSeconds: 0, durationSeconds: 600, region: 'eu-west-1', scope: 'app', dataClass: undefined, errorRate: undefined }] }],
    region: 'eu-west-1',
    regions: ['eu-west-1', 'us-east-1'],
    dataClasses: [],
    ecsService: { clusterName: compute.cluster.clusterName, serviceName: compute.service.serviceName },
    appName: SERVICE.name,
  });
  applyCostTags(stack, { region: 'eu-west-1' });
  const template = Template.fromStack(stack);

  const counts: readonly [string, number][] = [
    ['AWS::EC2::VPC', 1],
    ['AWS::EC2::Subnet', 4],
    ['AWS::EC2::NatGateway', 1],
    ['AWS::EC2::FlowLog', 1],
    ['AWS::ECS::Cluster', 1],
    ['AWS::ECS::Service', 1],
    ['AWS::ElasticLoadBalancingV2::LoadBalancer', 1],
    ['AWS::ElasticLoadBalancingV2::Listener', 1],
    ['AWS::Logs::LogGroup', 1],
    ['AWS::S3::Bucket', 1],
  ];
  for (const [type, count] of counts) {
    it(`${count} × ${type}`, () => template.resourceCountIs(type, count));
  }

  const properties: readonly [string, string, Record<string, unknown>][] = [
    ['cluster with Container Insights', 'AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] }],
    [
      'container: the plan image and port, logs to the regional log group',
      'AWS::ECS::TaskDefinition',
      {
        RequiresCompatibilities: ['FARGATE'],
        ContainerDefinitions: [Match.objectLike({
          Image: SERVICE.image,
          PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
          LogConfiguration: { LogDriver: 'awslogs', Options: Match.objectLike({ 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'shop' }) },
        })],
      },
    ],
    [
      'service: desired count, private subnets without public IPs, rollback on failed deployments',
      'AWS::ECS::Service',
      {
        DesiredCount: 2,
        LaunchType: 'FARGATE',
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
        DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      },
    ],
    [
      'target group: the plan path and interval, threshold 3, to the container port',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      { Port: 8080, TargetType: 'ip', HealthCheckPath: '/healthz', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3, Matcher: { HttpCode: '200-299' } },
    ],
    [
      'internet-facing ALB with access logs and invalid headers dropped',
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      {
        Scheme: 'internet-facing',
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
        ]),
      },
    ],
    ['HTTP listener on 80', 'AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' }],
    ['application log group kept 30 days', 'AWS::Logs::LogGroup', { RetentionInDays: 30 }],
    ['VPC flow logs to the regional logs bucket', 'AWS::EC2::FlowLog', { LogDestinationType: 's3', TrafficType: 'ALL' }],
    [
      'logs bucket: SSE-S3, public access blocked, objects expire with the retention',
      'AWS::S3::Bucket',
      {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
      },
    ],
    [
      'logs bucket refuses requests without TLS',
      'AWS::S3::BucketPolicy',
      { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } },
    ],
  ];
  for (const [name, type, expected] of properties) {
    it(name, () => template.hasResourceProperties(type, expected));
  }

  it('tags the task subnets (private) for FIS, not the public ones', () => {
    assert.deepEqual(subnetsByTag(template), { tagged: 2, untagged: 2 });
  });

  it('exposes the load balancer as a regional endpoint', () => {
    const resolved = stack.resolve(compute.endpoint) as Record<string, unknown>;
    const id = stack.getLogicalId(compute.loadBalancer.node.defaultChild as never);
    assert.equal(resolved['region'], 'eu-west-1');
    assert.deepEqual(resolved['dnsName'], { 'Fn::GetAtt': [id, 'DNSName'] });
    assert.deepEqual(resolved['canonicalHostedZoneId'], { 'Fn::GetAtt': [id, 'CanonicalHostedZoneID'] });
    assert.deepEqual(resolved['loadBalancerArn'], { Ref: id });
  });

  it('FIS targets the compute\'s own cluster and service, and its tagged subnets', () => {
    const targets = (Object.values(template.findResources('AWS::FIS::ExperimentTemplate'))[0]!['Properties'] as { Targets: Record<string, any> }).Targets;
    assert.deepEqual(targets['appTasks']['Parameters'], {
      cluster: { Ref: stack.getLogicalId(compute.cluster.node.defaultChild as never) },
      service: { 'Fn::GetAtt': [stack.getLogicalId(compute.service.node.defaultChild as never), 'Name'] },
    });
    assert.deepEqual(targets['appSubnets']['ResourceTags'], { 'meridian:app-subnets': SERVICE.name });
  });

  const taggedTypes = ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::NatGateway', 'AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::FIS::ExperimentTemplate'];
  it(`cost tag meridian:region=eu-west-1 on every ${taggedTypes.length} taggable type checked`, () => {
    for (const type of taggedTypes) {
      for (const resource of Object.values(template.findResources(type))) {
        const tags = resource['Properties']['Tags'] as { Key: string; Value: string }[] | Record<string, string>;
        const value = Array.isArray(tags) ? tags.find((tag) => tag.Key === 'meridian:region')?.Value : tags['meridian:region'];
        assert.equal(value, 'eu-west-1', type);
      }
    }
  });

  it('leaves no AwsSolutions finding', () => {
    assert.deepEqual(nagFindings(stack), []);
  });
});

describe('RegionalCompute without NAT gateway', () => {
  const stack = stackIn('us-west-2', 'NoNat');
  new RegionalCompute(stack, 'Compute', { service: SERVICE, desiredCount: 1, region: 'us-west-2', natGateways: 0 });
  const template = Template.fromStack(stack);

  it('public subnets only, tasks with public IPs, subnets tagged for FIS', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) } });
    assert.deepEqual(subnetsByTag(template), { tagged: 2, untagged: 0 });
  });

  it('without a plan health check: the service path every 30 s, 3 failures', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/health', HealthCheckIntervalSeconds: 30, UnhealthyThresholdCount: 3 });
  });
});

describe('RegionalCompute checks', () => {
  it('refuses a stack of another region (logs must stay in the region)', () => {
    const stack = stackIn('eu-central-1', 'Elsewhere');
    assert.throws(() => new RegionalCompute(stack, 'Compute', { service: SERVICE, desiredCount: 1, region: 'eu-west-1' }), /placed in a stack of region eu-central-1/);
  });

  it('refuses an environment-agnostic stack (access logs need the region)', () => {
    assert.throws(() => new RegionalCompute(new Stack(), 'Compute', { service: SERVICE, desiredCount: 1, region: 'eu-west-1' }), /needs a stack with an explicit env.region/);
  });

  const thresholds: readonly [number, number][] = [
    [1, 2],
    [3, 3],
    [10, 10],
  ];
  for (const [planned, alb] of thresholds) {
    it(`a plan threshold of ${planned} becomes ALB unhealthy threshold ${alb} (ALB minimum 2)`, () => {
      assert.equal(targetGroupHealthCheckFor({ intervalSeconds: 30, failureThreshold: planned, path: '/' }).unhealthyThresholdCount, alb);
    });
  }
});
