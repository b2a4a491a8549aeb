import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudFrontEdge, cdnOriginRegions } from '../../src/synth/cloudfront-edge.ts';
import { SynthRefusal } from '../../src/synth/synth-errors.ts';
import type { SynthRegion } from '../../src/synth/synth-plan.ts';
import { endpointFor, nagFindings, stackIn } from './synth-fixtures.ts';

/** CloudFront's managed CachingDisabled policy. */
const CACHING_DISABLED_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

describe('CloudFrontEdge', () => {
  const stack = stackIn('us-east-1', 'Global');
  new CloudFrontEdge(stack, 'Cdn', { primary: endpointFor('us-east-1'), fallback: endpointFor('eu-west-1') });
  const template = Template.fromStack(stack);
  const config = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!['Properties'] as { DistributionConfig: Record<string, any> }).DistributionConfig;

  it('two HTTP origins, one per region\'s ALB, fail fast (one 5 s attempt)', () => {
    const origins = config['Origins'] as Record<string, any>[];
    assert.deepEqual(
      origins.map((origin) => [origin['DomainName'], origin['CustomOriginConfig']['OriginProtocolPolicy'], origin['ConnectionAttempts'], origin['ConnectionTimeout']]),
      [
        [endpointFor('us-east-1').dnsName, 'http-only', 1, 5],
        [endpointFor('eu-west-1').dnsName, 'http-only', 1, 5],
      ],
    );
  });

  it('the default behaviour targets an origin group: primary first, fallback on 500, 502, 503, 504', () => {
    const group = config['OriginGroups']['Items'][0];
    assert.equal(config['OriginGroups']['Quantity'], 1);
    assert.deepEqual(group['FailoverCriteria']['StatusCodes'], { Items: [500, 502, 503, 504], Quantity: 4 });
    const origins = config['Origins'] as Record<string, any>[];
    assert.deepEqual(group['Members']['Items'].map((member: { OriginId: string }) => member.OriginId), origins.map((origin) => origin['Id']));
    assert.equal(config['DefaultCacheBehavior']['TargetOriginId'], group['Id']);
  });

  it('allows and caches GET, HEAD, OPTIONS only (origin failover), HTTPS for viewers, caching disabled', () => {
    const behaviour = config['DefaultCacheBehavior'];
    assert.deepEqual(behaviour['AllowedMethods'], ['GET', 'HEAD', 'OPTIONS']);
    assert.deepEqual(behaviour['CachedMethods'], ['GET', 'HEAD', 'OPTIONS']);
    assert.equal(behaviour['ViewerProtocolPolicy'], 'redirect-to-https');
    assert.equal(behaviour['CachePolicyId'], CACHING_DISABLED_ID);
  });

  it('leaves no AwsSolutions finding (the rest acknowledged with reasons)', () => {
    assert.deepEqual(nagFindings(stack), []);
  });
});

describe('cdnOriginRegions', () => {
  const region = (code: string, role: SynthRegion['role']): SynthRegion => ({ region: code, role, instances: 2, deployOrder: 1 });
  const cases: readonly [string, readonly SynthRegion[], string][] = [
    ['active-passive: the standby', [region('us-east-1', 'serving'), region('us-west-2', 'standby')], 'us-west-2'],
    ['active-active: the next serving region', [region('eu-west-1', 'serving'), region('us-east-1', 'serving')], 'eu-west-1'],
    ['a standby wins over a serving region', [region('us-east-1', 'serving'), region('eu-west-1', 'serving'), region('us-west-2', 'standby')], 'us-west-2'],
  ];
  for (const [name, regions, fallback] of cases) {
    it(name, () => assert.deepEqual(cdnOriginRegions('us-east-1', regions), { primary: 'us-east-1', fallback }));
  }

  it('refuses a single region', () => {
    assert.throws(() => cdnOriginRegions('us-east-1', [region('us-east-1', 'serving')]), (error: unknown) => error instanceof SynthRefusal && error.code === 'origin-regions');
  });
});
