import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createOutboundStream, onAcknowledged, resolveOutboundStreamOptions, takeBatches } from './outbound-stream.ts';
import { addPeer, appendEntry, createReplicationLog } from './replication-log.ts';

function setup(count: number) {
  const log = createReplicationLog<{ seq: number }>();
  addPeer(log, 'b', 'streaming');
  for (let seq = 1; seq <= count; seq += 1) appendEntry(log, { seq });
  return { log, stream: createOutboundStream(), options: resolveOutboundStreamOptions({ batchEntriesMax: 2, inFlightEntriesMax: 5, retransmitAfterMs: 100 }) };
}

const shape = (batches: { seq: number }[][]) => batches.map((batch) => batch.map((entry) => entry.seq));

describe('outbound stream', () => {
  test('sends batches back to back up to the in-flight window', () => {
    const { log, stream, options } = setup(9);
    assert.deepEqual(shape(takeBatches(log, 'b', stream, 0, options)), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(takeBatches(log, 'b', stream, 10, options), []);
  });

  test('an acknowledgement opens the window for more', () => {
    const { log, stream, options } = setup(9);
    takeBatches(log, 'b', stream, 0, options);
    onAcknowledged(log, 'b', stream, 4, false, 20);
    assert.deepEqual(shape(takeBatches(log, 'b', stream, 20, options)), [[6, 7], [8, 9]]);
  });

  test('resends from the cursor when nothing is acknowledged in time', () => {
    const { log, stream, options } = setup(3);
    takeBatches(log, 'b', stream, 0, options);
    assert.deepEqual(takeBatches(log, 'b', stream, 99, options), []);
    assert.deepEqual(shape(takeBatches(log, 'b', stream, 100, options)), [[1, 2], [3]]);
  });

  test('a gap reported by the peer resends at once', () => {
    const { log, stream, options } = setup(4);
    takeBatches(log, 'b', stream, 0, options);
    onAcknowledged(log, 'b', stream, 0, true, 5);
    assert.deepEqual(shape(takeBatches(log, 'b', stream, 5, options)), [[1, 2], [3, 4]]);
  });

  test('sends nothing to a peer that is not streaming', () => {
    const { log, stream, options } = setup(3);
    addPeer(log, 'b', 'probing');
    assert.deepEqual(takeBatches(log, 'b', stream, 0, options), []);
  });
});
