import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { GlobalAcceleratorEdge, trafficDialFor, type AcceleratorRegion } from '../../src/synth/accelerator-edge.ts';
import { SynthRefusal } from '../../src/synth/synth-errors.ts';
import type { SynthRouting } from '../../src/synth/synth-plan.ts';
import { endpointFor, nagFindings, stackIn } from './synth-fixtures.ts';

const REGIONS: readonly AcceleratorRegion[] = [
  { region: 'us-east-1', role: 'serving', loadBalancerArn: endpointFor('us-east-1').loadBalancerArn },
  { region: 'us-west-2', role: 'serving', loadBalancerArn: endpointFor('us-west-2').loadBalancerArn },
  { region: 'eu-west-1', role: 'standby', loadBalancerArn: endpointFor('eu-west-1').loadBalancerArn },
];

function synth(healthCheck: SynthRouting['healthCheck']) {
  const stack = stackIn('us-east-1', 'Global');
  new GlobalAcceleratorEdge(stack, 'Edge', { regions: REGIONS, healthCheck, servicePath: '/health', acceleratorName: 'meridian-shop' });
  return { stack, template: Template.fromStack(stack) };
}

describe('GlobalAcceleratorEdge', () => {
  const { stack, template } = synth({ intervalSeconds: 10, failureThreshold: 2, path: '/ready' });

  it('one standard accelerator with a TCP listener on port 80', () => {
    template.resourceCountIs('AWS::GlobalAccelerator::Accelerator', 1);
    template.hasResourceProperties('AWS::GlobalAccelerator::Accelerator', { Name: 'meridian-shop', Enabled: true });
    template.hasResourceProperties('AWS::GlobalAccelerator::Listener', { Protocol: 'TCP', PortRanges: [{ FromPort: 80, ToPort: 80 }], ClientAffinity: 'NONE' });
  });

  const groups: readonly [string, number][] = [
    ['us-east-1', 100],
    ['us-west-2', 100],
    ['eu-west-1', 0],
  ];
  for (const [region, dial] of groups) {
    it(`endpoint group ${region}: dial ${dial} %, HTTP check of the plan (10 s, threshold 2, /ready), the ALB by ARN`, () => {
      template.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
        EndpointGroupRegion: region,
        TrafficDialPercentage: dial,
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: 80,
        HealthCheckPath: '/ready',
        HealthCheckIntervalSeconds: 10,
        ThresholdCount: 2,
        EndpointConfigurations: [{ EndpointId: endpointFor(region).loadBalancerArn, ClientIPPreservationEnabled: true }],
      });
    });
  }

  it('makes exactly one endpoint group per region', () => {
    template.resourceCountIs('AWS::GlobalAccelerator::EndpointGroup', REGIONS.length);
  });

  it('without a plan health check: every 30 s, threshold 3, on the service path', () => {
    synth(undefined).template.allResourcesProperties('AWS::GlobalAccelerator::EndpointGroup', { HealthCheckIntervalSeconds: 30, ThresholdCount: 3, HealthCheckPath: '/health' });
  });

  it('refuses an interval Global Accelerator does not offer', () => {
    assert.throws(() => synth({ intervalSeconds: 5, failureThreshold: 3, path: '/' }), (error: unknown) => error instanceof SynthRefusal && error.code === 'health-check-interval');
  });

  it('traffic dial by role', () => {
    assert.equal(trafficDialFor('serving'), 100);
    assert.equal(trafficDialFor('standby'), 0);
  });

  it('uses the typed ALB endpoint when the load balancer is in the same stack', () => {
    const local = stackIn('eu-west-1', 'Local');
    const vpc = new ec2.Vpc(local, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(local, 'Alb', { vpc, internetFacing: true });
    new GlobalAcceleratorEdge(local, 'Edge', { regions: [{ region: 'eu-west-1', role: 'serving', loadBalancer }], healthCheck: undefined, servicePath: '/health' });
    const endpointId = Template.fromStack(local).findResources('AWS::GlobalAccelerator::EndpointGroup');
    const configuration = (Object.values(endpointId)[0]!['Properties'] as { EndpointConfigurations: { EndpointId: unknown }[] }).EndpointConfigurations[0]!;
    assert.deepEqual(configuration.EndpointId, { Ref: local.getLogicalId(loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer) });
  });

  it('leaves no AwsSolutions finding', () => {
    assert.deepEqual(nagFindings(stack), []);
  });
});
