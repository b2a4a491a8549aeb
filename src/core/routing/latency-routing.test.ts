import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyTargets } from './latency-routing.ts';
import { defineRecordSet } from './record-set.ts';
import { RoutingQueryError } from './routing-errors.ts';

describe('latencyTargets', () => {
  const recordSet = defineRecordSet({
    name: 'app.example.com',
    policy: 'latency',
    ttlSeconds: 60,
    records: [
      { setIdentifier: 'a', targetRegion: 'us-east-1' },
      { setIdentifier: 'b', targetRegion: 'us-east-2' },
    ],
  });

  test('equal round trips keep record order', () => {
    const query = { name: 'app.example.com', rttMsByRegion: { 'us-east-1': 20, 'us-east-2': 20 } };
    assert.deepEqual(latencyTargets(recordSet, query, () => true), ['us-east-1']);
  });

  test('a query without the round trip to a record region is a typed error', () => {
    const query = { name: 'app.example.com', rttMsByRegion: { 'us-east-1': 20 } };
    assert.throws(() => latencyTargets(recordSet, query, () => true), (error: unknown) => error instanceof RoutingQueryError && error.code === 'ROUTING_QUERY_INVALID');
  });
});
