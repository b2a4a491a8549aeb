import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defineRecordSet } from './record-set.ts';
import { counterRandom } from './scripted-random.ts';
import { weightedTargets } from './weighted-routing.ts';

describe('weightedTargets distribution', () => {
  const recordSet = defineRecordSet({
    name: 'app.example.com',
    policy: 'weighted',
    ttlSeconds: 60,
    records: [
      { setIdentifier: 'blue', targetRegion: 'us-east-1', weight: 3, healthCheckId: 'hc-blue' },
      { setIdentifier: 'green', targetRegion: 'eu-west-1', weight: 1, healthCheckId: 'hc-green' },
      { setIdentifier: 'drained', targetRegion: 'ap-southeast-1', weight: 0, healthCheckId: 'hc-drained' },
    ],
  });

  function shares(healthy: (id: string) => boolean): Record<string, number> {
    const random = counterRandom(400);
    const counts: Record<string, number> = {};
    for (let index = 0; index < 400; index++) {
      const [target] = weightedTargets(recordSet, healthy, random);
      counts[target!] = (counts[target!] ?? 0) + 1;
    }
    return counts;
  }

  test('traffic splits by weight / total and a drained record gets none', () => {
    assert.deepEqual(shares(() => true), { 'us-east-1': 300, 'eu-west-1': 100 });
  });

  test('an unhealthy record sheds its share to the others', () => {
    assert.deepEqual(shares((id) => id !== 'hc-blue'), { 'eu-west-1': 400 });
  });
});
