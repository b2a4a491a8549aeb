import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defineRecordSet, type RecordSetOptions, type RoutingRecord } from './record-set.ts';
import { RoutingConfigError } from './routing-errors.ts';

const base = (policy: RecordSetOptions['policy'], records: RoutingRecord[], extra: Partial<RecordSetOptions> = {}): RecordSetOptions => ({
  name: 'app.example.com',
  policy,
  ttlSeconds: 60,
  records,
  ...extra,
});

describe('defineRecordSet', () => {
  test('resolves defaults once: evaluate-target-health on, negative TTL 900 s', () => {
    const recordSet = defineRecordSet(base('simple', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }]));
    assert.equal(recordSet.evaluateTargetHealth, true);
    assert.equal(recordSet.negativeTtlSeconds, 900);
  });

  const invalid: [string, RecordSetOptions, string][] = [
    ['empty name', base('simple', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }], { name: ' ' }), 'name'],
    ['negative TTL', base('simple', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }], { ttlSeconds: -1 }), 'ttlSeconds'],
    ['fractional TTL', base('simple', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }], { ttlSeconds: 1.5 }), 'ttlSeconds'],
    ['no records', base('simple', []), 'records.length'],
    ['duplicate set identifier', base('latency', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }, { setIdentifier: 'a', targetRegion: 'eu-west-1' }]), 'records[1].setIdentifier'],
    ['empty target', base('latency', [{ setIdentifier: 'a', targetRegion: '' }]), 'records[0].targetRegion'],
    ['weighted without weight', base('weighted', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }]), 'records[0].weight'],
    ['weight above 255', base('weighted', [{ setIdentifier: 'a', targetRegion: 'us-east-1', weight: 256 }]), 'records[0].weight'],
    ['negative weight', base('weighted', [{ setIdentifier: 'a', targetRegion: 'us-east-1', weight: -1 }]), 'records[0].weight'],
    ['weight on a latency record', base('latency', [{ setIdentifier: 'a', targetRegion: 'us-east-1', weight: 1 }]), 'records[0].weight'],
    ['geolocation without location', base('geolocation', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }]), 'records[0].location'],
    [
      'two default geolocation records',
      base('geolocation', [
        { setIdentifier: 'a', targetRegion: 'us-east-1', location: { kind: 'default' } },
        { setIdentifier: 'b', targetRegion: 'eu-west-1', location: { kind: 'default' } },
      ]),
      'records[1].location',
    ],
    ['failover without role', base('failover', [{ setIdentifier: 'a', targetRegion: 'us-east-1' }]), 'records[0].failoverRole'],
    ['failover without primary', base('failover', [{ setIdentifier: 'a', targetRegion: 'us-east-1', failoverRole: 'secondary' }]), 'records'],
    [
      'failover with two secondaries',
      base('failover', [
        { setIdentifier: 'a', targetRegion: 'us-east-1', failoverRole: 'primary' },
        { setIdentifier: 'b', targetRegion: 'us-west-2', failoverRole: 'secondary' },
        { setIdentifier: 'c', targetRegion: 'eu-west-1', failoverRole: 'secondary' },
      ]),
      'records',
    ],
  ];
  for (const [what, options, path] of invalid) {
    test(`rejects ${what} with a typed error at ${path}`, () => {
      assert.throws(
        () => defineRecordSet(options),
        (error: unknown) => error instanceof RoutingConfigError && error.code === 'ROUTING_CONFIG_INVALID' && error.path === path,
      );
    });
  }
});
