import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicationPipelineMs, retransmitAfterMs } from './replication-lag.ts';

test('a batch waits the lag minus the one-way delay, never a negative time; resends wait three lags, at least 1 s', () => {
  assert.equal(replicationPipelineMs(1000, 34.8), 965.2);
  assert.equal(replicationPipelineMs(20, 34.8), 0);
  assert.equal(replicationPipelineMs(0, 6), 0);
  assert.equal(retransmitAfterMs(0), 1000);
  assert.equal(retransmitAfterMs(2000), 6000);
});
