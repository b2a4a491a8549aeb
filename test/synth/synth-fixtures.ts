import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { RegionalEndpoint } from '../../src/synth/regional-endpoint.ts';
import type { SynthRouting } from '../../src/synth/synth-plan.ts';

export const ACCOUNT = '123456789012';

/** A stack with an explicit environment, so nothing is looked up. */
export function stackIn(region: string, id = `Stack-${region}`, app = new App()): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region } });
}

/** Load balancer endpoints as plain strings, as the assembler will pass them across regions. */
export function endpointFor(region: string): RegionalEndpoint {
  return {
    region,
    dnsName: `meridian-alb-${region}.${region}.elb.amazonaws.com`,
    canonicalHostedZoneId: `ZONE${region.replace(/-/g, '').toUpperCase()}`,
    loadBalancerArn: `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/app/meridian/${region.length}abc`,
    loadBalancerFullName: `app/meridian-${region}/0123456789abcdef`,
  };
}

export function routingFixture(overrides: Partial<SynthRouting>): SynthRouting {
  return {
    policy: 'latency',
    ttlSeconds: 60,
    healthCheck: { intervalSeconds: 10, failureThreshold: 3, path: '/health' },
    evaluateTargetHealth: true,
    records: [],
    edge: 'none',
    ...overrides,
  };
}

/** cdk-nag's AwsSolutions findings (errors and warnings) left after the constructs' acknowledgments. */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath ?? ''}`));
}
