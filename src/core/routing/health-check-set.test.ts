import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './answer-query.ts';
import { createHealthCheck, resolveHealthCheckConfig } from './health-check.ts';
import { createHealthCheckSet, healthLookup, nextProbeDueAtMs, recordHealthCheckProbe, tickHealthChecks, type HealthCheckSet } from './health-check-set.ts';
import { defineRecordSet } from './record-set.ts';
import { RoutingConfigError } from './routing-errors.ts';
import { scriptedRandom } from './scripted-random.ts';

describe('health check set', () => {
  const config = resolveHealthCheckConfig({ requestIntervalSeconds: 10, failureThreshold: 2, checkerCount: 2 });
  const initial = createHealthCheckSet([createHealthCheck('hc-primary', 'us-east-1', config, 0), createHealthCheck('hc-secondary', 'us-west-2', config, 0)]);
  const failover = defineRecordSet({
    name: 'ledger.example.com',
    policy: 'failover',
    ttlSeconds: 60,
    records: [
      { setIdentifier: 'primary', targetRegion: 'us-east-1', healthCheckId: 'hc-primary', failoverRole: 'primary' },
      { setIdentifier: 'secondary', targetRegion: 'us-west-2', healthCheckId: 'hc-secondary', failoverRole: 'secondary' },
    ],
  });

  test('drives Route 53 failover end to end: probes, detection, then the secondary is answered', () => {
    const regionUp = (region: string, atMs: number) => region !== 'us-east-1' || atMs < 30_000;
    let set: HealthCheckSet = initial;
    const changes: string[] = [];
    for (let nowMs = nextProbeDueAtMs(set)!; nowMs <= 60_000; nowMs = nextProbeDueAtMs(set)!) {
      const ticked = tickHealthChecks(set, nowMs);
      set = ticked.state;
      for (const probe of ticked.effects) {
        const recorded = recordHealthCheckProbe(set, probe.healthCheckId, probe.checkerId, regionUp(probe.target, probe.atMs), probe.atMs);
        set = recorded.state;
        changes.push(...recorded.effects.map((effect) => `${effect.atMs} ${effect.target} ${effect.healthy ? 'healthy' : 'unhealthy'}`));
      }
    }
    // Checkers probe at 0 and 5 s past each 10 s; the second failure of the second checker is at 45 s.
    assert.deepEqual(changes, ['45000 us-east-1 unhealthy']);
    assert.deepEqual(answer(failover, { name: 'ledger.example.com' }, healthLookup(set), scriptedRandom([0])).targets, ['us-west-2']);
  });

  test('duplicate ids and unknown ids are rejected', () => {
    assert.throws(() => createHealthCheckSet([createHealthCheck('a', 'x', config, 0), createHealthCheck('a', 'y', config, 0)]), RoutingConfigError);
    assert.throws(() => healthLookup(initial)('hc-missing'), RoutingConfigError);
    assert.throws(() => recordHealthCheckProbe(initial, 'hc-missing', 0, true, 0), /invariant/);
  });

  test('an empty set has no due probe', () => {
    assert.equal(nextProbeDueAtMs(createHealthCheckSet([])), undefined);
  });
});
