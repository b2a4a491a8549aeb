import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './answer-query.ts';
import { defineRecordSet } from './record-set.ts';
import { ROUTING_POLICY_CASES } from './routing-policy-cases.ts';
import { scriptedRandom } from './scripted-random.ts';

describe('answer (Route 53 routing policies)', () => {
  for (const routingCase of ROUTING_POLICY_CASES) {
    test(routingCase.name, () => {
      const unhealthy = new Set(routingCase.unhealthyHealthCheckIds);
      const result = answer(
        defineRecordSet(routingCase.recordSet),
        routingCase.query,
        (healthCheckId) => !unhealthy.has(healthCheckId),
        scriptedRandom(routingCase.draws),
      );
      assert.deepEqual(result, routingCase.expected);
    });
  }

  test('latency and failover answers take no random draws', () => {
    for (const routingCase of ROUTING_POLICY_CASES.filter((c) => c.recordSet.policy === 'latency' || c.recordSet.policy === 'failover')) {
      const random = scriptedRandom([0]);
      answer(defineRecordSet(routingCase.recordSet), routingCase.query, () => true, random);
      assert.equal(random.drawsTaken(), 0, routingCase.name);
    }
  });
});
