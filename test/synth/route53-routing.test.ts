import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Route53Routing, recordStyleFor } from '../../src/synth/route53-routing.ts';
import { SynthRefusal } from '../../src/synth/synth-errors.ts';
import type { SynthRecord, SynthRouting } from '../../src/synth/synth-plan.ts';
import { endpointFor, nagFindings, routingFixture, stackIn } from './synth-fixtures.ts';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
const endpoints = REGIONS.map(endpointFor);

function synth(routing: SynthRouting, extra: { hostedZoneId?: string } = {}) {
  const stack = stackIn('us-east-1', 'Global');
  const construct = new Route53Routing(stack, 'Routing', { domain: 'shop.example.com', routing, endpoints, ...extra });
  return { stack, construct, template: Template.fromStack(stack) };
}

function recordsOf(template: Template): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::Route53::RecordSet')).map((resource) => resource['Properties'] as Record<string, unknown>);
}

interface PolicyCase {
  readonly name: string;
  readonly routing: SynthRouting;
  readonly recordType: 'A' | 'CNAME';
  /** The routing fields of each record, in plan order. */
  readonly fields: readonly Record<string, unknown>[];
  readonly healthChecks: number;
  readonly ttl: string | undefined;
}

const latencyRecords: SynthRecord[] = REGIONS.map((region) => ({ setIdentifier: region, region }));

const POLICY_CASES: readonly PolicyCase[] = [
  {
    name: 'latency, TTL 60: alias A records with Region and a health check each',
    routing: routingFixture({ policy: 'latency', records: latencyRecords }),
    recordType: 'A',
    fields: REGIONS.map((region) => ({ SetIdentifier: region, Region: region })),
    healthChecks: 3,
    ttl: undefined,
  },
  {
    name: 'weighted, TTL 30: CNAME records keep the plan TTL, with Weight',
    routing: routingFixture({ policy: 'weighted', ttlSeconds: 30, records: [{ setIdentifier: 'us-east-1', region: 'us-east-1', weight: 3 }, { setIdentifier: 'eu-west-1', region: 'eu-west-1', weight: 1 }] }),
    recordType: 'CNAME',
    fields: [{ SetIdentifier: 'us-east-1', Weight: 3 }, { SetIdentifier: 'eu-west-1', Weight: 1 }],
    healthChecks: 2,
    ttl: '30',
  },
  {
    name: 'failover, TTL 60: PRIMARY and SECONDARY alias records',
    routing: routingFixture({
      policy: 'failover',
      records: [{ setIdentifier: 'us-east-1', region: 'us-east-1', failoverRole: 'PRIMARY' }, { setIdentifier: 'eu-west-1-secondary', region: 'eu-west-1', failoverRole: 'SECONDARY' }],
    }),
    recordType: 'A',
    fields: [{ SetIdentifier: 'us-east-1', Failover: 'PRIMARY' }, { SetIdentifier: 'eu-west-1-secondary', Failover: 'SECONDARY' }],
    healthChecks: 2,
    ttl: undefined,
  },
  {
    name: 'geolocation: country, continent and default (CountryCode *), one health check per region',
    routing: routingFixture({
      policy: 'geolocation',
      records: [
        { setIdentifier: 'country-JP', region: 'ap-northeast-1', country: 'JP' },
        { setIdentifier: 'continent-EU', region: 'eu-west-1', continent: 'EU' },
        { setIdentifier: 'continent-NA', region: 'us-east-1', continent: 'NA' },
        { setIdentifier: 'default', region: 'us-east-1', isDefaultLocation: true },
      ],
    }),
    recordType: 'A',
    fields: [
      { SetIdentifier: 'country-JP', GeoLocation: { CountryCode: 'JP' } },
      { SetIdentifier: 'continent-EU', GeoLocation: { ContinentCode: 'EU' } },
      { SetIdentifier: 'continent-NA', GeoLocation: { ContinentCode: 'NA' } },
      { SetIdentifier: 'default', GeoLocation: { CountryCode: '*' } },
    ],
    healthChecks: 3,
    ttl: undefined,
  },
  {
    name: 'simple: one record, no set identifier, no health check',
    routing: routingFixture({ policy: 'simple', records: [{ setIdentifier: 'us-east-1', region: 'us-east-1' }] }),
    recordType: 'A',
    fields: [{}],
    healthChecks: 0,
    ttl: undefined,
  },
];

const ROUTING_KEYS = ['SetIdentifier', 'Region', 'Weight', 'Failover', 'GeoLocation', 'MultiValueAnswer'];

describe('Route53Routing: one record set per plan record, by policy', () => {
  for (const testCase of POLICY_CASES) {
    it(testCase.name, () => {
      const { template } = synth(testCase.routing);
      const records = recordsOf(template);
      assert.equal(records.length, testCase.routing.records.length);
      records.forEach((record, index) => {
        const plan = testCase.routing.records[index]!;
        assert.equal(record['Name'], 'api.shop.example.com');
        assert.equal(record['Type'], testCase.recordType);
        assert.equal(record['TTL'], testCase.ttl);
        const routingFields = Object.fromEntries(ROUTING_KEYS.filter((key) => key in record).map((key) => [key, record[key]]));
        assert.deepEqual(routingFields, testCase.fields[index]);
        const endpoint = endpointFor(plan.region);
        if (testCase.recordType === 'A') {
          assert.deepEqual(record['AliasTarget'], { DNSName: endpoint.dnsName, HostedZoneId: endpoint.canonicalHostedZoneId, EvaluateTargetHealth: true });
          assert.equal(record['ResourceRecords'], undefined);
        } else {
          assert.deepEqual(record['ResourceRecords'], [endpoint.dnsName]);
          assert.equal(record['AliasTarget'], undefined);
        }
        assert.equal('HealthCheckId' in record, testCase.healthChecks > 0);
      });
      template.resourceCountIs('AWS::Route53::HealthCheck', testCase.healthChecks);
    });
  }

  it('health checks: HTTP on port 80 of each ALB, the plan path, interval and threshold; records point at their region\'s check', () => {
    const routing = routingFixture({ policy: 'latency', healthCheck: { intervalSeconds: 30, failureThreshold: 5, path: '/ready' }, records: latencyRecords });
    const { template } = synth(routing);
    for (const region of REGIONS) {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: { Type: 'HTTP', Port: 80, FullyQualifiedDomainName: endpointFor(region).dnsName, ResourcePath: '/ready', RequestInterval: 30, FailureThreshold: 5 },
      });
    }
    const checkIds = Object.entries(template.findResources('AWS::Route53::HealthCheck')).map(([logicalId]) => logicalId);
    const referenced = recordsOf(template).map((record) => (record['HealthCheckId'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    assert.deepEqual(new Set(referenced), new Set(checkIds));
  });

  it('no plan health checks: no health checks, records still alias with evaluate target health', () => {
    const { template } = synth(routingFixture({ policy: 'latency', healthCheck: undefined, ttlSeconds: 300, records: latencyRecords }));
    template.resourceCountIs('AWS::Route53::HealthCheck', 0);
    template.allResourcesProperties('AWS::Route53::RecordSet', { Type: 'A', AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }), TTL: Match.absent() });
  });

  it('creates a public hosted zone for the domain by default, imports one when given its id', () => {
    synth(routingFixture({ records: latencyRecords })).template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'shop.example.com.' });
    const imported = synth(routingFixture({ records: latencyRecords }), { hostedZoneId: 'Z0123456789' }).template;
    imported.resourceCountIs('AWS::Route53::HostedZone', 0);
    imported.allResourcesProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789' });
  });

  it('leaves no AwsSolutions finding', () => {
    assert.deepEqual(nagFindings(synth(routingFixture({ records: latencyRecords })).stack), []);
  });
});

describe('Route53Routing: TTL and record style', () => {
  const cases: readonly [string, Partial<SynthRouting>, 'alias' | 'cname', number][] = [
    ['TTL 60 s is the load balancer alias TTL', { ttlSeconds: 60 }, 'alias', 60],
    ['another TTL with health checks keeps the TTL on CNAME records', { ttlSeconds: 15 }, 'cname', 15],
    ['another TTL, no health checks, evaluate target health: alias, TTL 60', { ttlSeconds: 300, healthCheck: undefined, evaluateTargetHealth: true }, 'alias', 60],
    ['another TTL, no health checks, no target health: CNAME with the TTL', { ttlSeconds: 300, healthCheck: undefined, evaluateTargetHealth: false }, 'cname', 300],
  ];
  for (const [name, overrides, style, ttlSeconds] of cases) {
    it(name, () => {
      const choice = recordStyleFor(routingFixture(overrides));
      assert.equal(choice.style, style);
      assert.equal(choice.ttlSeconds, ttlSeconds);
    });
  }

  it('an explicit record style wins: CNAME with the plan TTL of 60', () => {
    const stack = stackIn('us-east-1', 'Global');
    new Route53Routing(stack, 'Routing', { domain: 'shop.example.com', routing: routingFixture({ records: latencyRecords }), endpoints, recordStyle: 'cname' });
    Template.fromStack(stack).allResourcesProperties('AWS::Route53::RecordSet', { Type: 'CNAME', TTL: '60' });
  });
});

describe('Route53Routing: refusals', () => {
  const cases: readonly [string, SynthRouting, string][] = [
    ['multivalue: alias and CNAME are not allowed, ALBs have no fixed IPs', routingFixture({ policy: 'multivalue', records: latencyRecords }), 'multivalue-needs-ip-addresses'],
    ['simple with two records', routingFixture({ policy: 'simple', records: latencyRecords.slice(0, 2) }), 'simple-routing-many-records'],
    ['a 15 s health check interval', routingFixture({ healthCheck: { intervalSeconds: 15, failureThreshold: 3, path: '/' }, records: latencyRecords }), 'health-check-interval'],
    ['a failure threshold of 11', routingFixture({ healthCheck: { intervalSeconds: 10, failureThreshold: 11, path: '/' }, records: latencyRecords }), 'health-check-threshold'],
  ];
  for (const [name, routing, code] of cases) {
    it(name, () => {
      assert.throws(() => synth(routing), (error: unknown) => error instanceof SynthRefusal && error.code === code);
    });
  }
});
