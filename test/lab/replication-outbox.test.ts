/**
 * What leaves a region for one table: replicate messages after the class's lag (minus the link's one-way
 * delay), everything else at once; a pause drops replicate messages only (when produced and when their
 * delay ends), so acknowledgements and the other direction keep flowing; pauses stack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regionRtt } from '../../src/catalog/latency.ts';
import type { RegionTable } from '../../src/lab/region/region-messages.ts';
import { ReplicationOutbox, replicationPipelineMs } from '../../src/lab/region/replication-pipeline.ts';

const TABLE: RegionTable = { name: 'profiles', dataClass: 'profiles', replication: 'multi-writer', replicas: ['us-east-1', 'us-east-2'], replicationLagMs: 1000 };

function outbox() {
  const sent: string[] = [];
  const timers: { run: () => void; delayMs: number }[] = [];
  const box = new ReplicationOutbox({ region: 'us-east-1', table: TABLE, send: (to, message) => sent.push(`${to}:${(message as { kind: string }).kind}`), schedule: (run, delayMs) => timers.push({ run, delayMs }) });
  return { box, sent, timers };
}

test('replicate messages wait the lag minus the one-way delay; other kinds leave at once; no lag, no wait', () => {
  const { box, sent, timers } = outbox();
  box.push('us-east-2', { kind: 'replicate' });
  box.push('us-east-2', { kind: 'replicate-ack' });
  assert.deepEqual(sent, ['us-east-2:replicate-ack']);
  assert.equal(timers.length, 1);
  assert.equal(timers[0]!.delayMs, 1000 - regionRtt('us-east-1', 'us-east-2').rttMs / 2);
  timers[0]!.run();
  assert.deepEqual(sent, ['us-east-2:replicate-ack', 'us-east-2:replicate']);
  assert.equal(replicationPipelineMs('us-east-1', 'us-east-2', { ...TABLE, replicationLagMs: 0 }, { kind: 'replicate' }), 0);
  assert.equal(replicationPipelineMs('us-east-1', 'us-east-2', { ...TABLE, replicationLagMs: undefined }, { kind: 'replicate' }), 0);
});

test('a pause drops replicate messages, produced or due, lets the rest through, and pauses stack', () => {
  const { box, sent, timers } = outbox();
  box.push('us-east-2', { kind: 'replicate' });
  box.pause();
  box.pause();
  box.push('us-east-2', { kind: 'replicate' });
  box.push('us-east-2', { kind: 'replicate-ack' });
  timers[0]!.run();
  assert.deepEqual(sent, ['us-east-2:replicate-ack']);
  assert.equal(box.dropped, 2);
  box.resume();
  assert.equal(box.paused, true, 'one pause still holds');
  box.resume();
  box.push('us-east-2', { kind: 'replicate' });
  timers.at(-1)!.run();
  assert.deepEqual(sent, ['us-east-2:replicate-ack', 'us-east-2:replicate']);
  box.resume();
  assert.equal(box.paused, false, 'an extra resume does not go below zero');
});
