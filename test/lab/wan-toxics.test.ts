/**
 * The pure parts of the WAN links, with no sockets: how toxics stack into a link's faults, how faults
 * are checked, and the token bucket's arithmetic (time passed in).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createToxic, faultsFromToxics, updateToxic } from '../../src/lab/wan/toxics.ts';
import { resolveLinkFaults } from '../../src/lab/wan/link-faults.ts';
import { TokenBucket } from '../../src/lab/wan/token-bucket.ts';

test('toxics stack: latencies add, the lowest bandwidth wins, drop beats hold, reset draws combine', () => {
  const faults = faultsFromToxics([
    createToxic({ name: 'a', type: 'latency', stream: 'both', attributes: { latency: 10, jitter: 2 } }),
    createToxic({ name: 'b', type: 'latency', stream: 'upstream', attributes: { latency: 5 } }),
    createToxic({ name: 'c', type: 'bandwidth', stream: 'downstream', attributes: { rate: 500 } }),
    createToxic({ name: 'd', type: 'bandwidth', stream: 'downstream', attributes: { bytesPerSecond: 200_000 } }),
    createToxic({ name: 'e', type: 'partition', stream: 'upstream' }),
    createToxic({ name: 'f', type: 'partition', stream: 'upstream', attributes: { mode: 'drop' } }),
    createToxic({ name: 'g', type: 'reset_peer', toxicity: 0.5 }),
    createToxic({ name: 'h', type: 'reset_peer', toxicity: 0.5 }),
  ]);
  assert.deepEqual(resolveLinkFaults(faults), {
    upstream: { extraLatencyMs: 15, extraJitterMs: 2, bandwidthBytesPerSecond: null, partition: 'drop' },
    downstream: { extraLatencyMs: 10, extraJitterMs: 2, bandwidthBytesPerSecond: 200_000, partition: 'none' },
    resetProbability: 0.75,
  });
  assert.deepEqual(resolveLinkFaults(faultsFromToxics([])), resolveLinkFaults({}));
});

test('a toxic defaults like Toxiproxy: downstream, toxicity 1, named <type>_<stream>; updates merge attributes', () => {
  const toxic = createToxic({ type: 'latency', attributes: { latency: 100 } });
  assert.deepEqual(toxic, { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
  assert.deepEqual(updateToxic(toxic, { attributes: { jitter: 7 } }).attributes, { latency: 100, jitter: 7 });
  assert.throws(() => updateToxic(toxic, { stream: 'upstream' }), { field: 'stream' });
});

test('faults out of range name their field', () => {
  assert.throws(() => resolveLinkFaults({ upstream: { extraLatencyMs: -1 } }), { field: 'faults.upstream.extraLatencyMs' });
  assert.throws(() => resolveLinkFaults({ downstream: { extraJitterMs: 1e9 } }), { field: 'faults.downstream.extraJitterMs' });
  assert.throws(() => resolveLinkFaults({ downstream: { partition: 'maybe' as never } }), { field: 'faults.downstream.partition' });
  assert.throws(() => resolveLinkFaults({ resetProbability: -0.1 }), { field: 'faults.resetProbability' });
});

test('the token bucket starts full, refills at its rate, caps at its capacity, and sends useful pieces', () => {
  const bucket = new TokenBucket(1000, 0, 100);
  assert.equal(bucket.take(80, 0), 80);
  // 20 tokens left: less than half the capacity is not worth a write of 80.
  assert.equal(bucket.take(80, 0), 0);
  assert.equal(bucket.msUntilAvailable(80, 0), 30);
  assert.equal(bucket.take(80, 30), 50);
  assert.equal(bucket.take(10, 30), 0);
  assert.equal(bucket.take(10, 40), 10);
  assert.equal(bucket.take(1000, 10_000), 100, 'a long idle period is worth one burst, no more');
  assert.throws(() => new TokenBucket(0, 0));
});
