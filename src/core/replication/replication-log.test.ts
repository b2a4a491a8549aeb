import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReplicationLogFullError } from './replication-errors.ts';
import {
  acknowledge,
  addPeer,
  appendEntry,
  createReplicationLog,
  entriesAfter,
  entryAt,
  isLogFull,
  markNeedsSnapshot,
  pending,
  removePeer,
  resetLog,
  retainedCount,
  slowestPeer,
  truncateThrough,
  type ReplicationLog,
} from './replication-log.ts';

interface TestEntry {
  readonly seq: number;
  readonly key: string;
}

function logWith(count: number, peers: readonly string[], capacity = 100): ReplicationLog<TestEntry> {
  const log = createReplicationLog<TestEntry>({ capacity });
  for (const peer of peers) addPeer(log, peer, 'streaming');
  for (let seq = 1; seq <= count; seq += 1) appendEntry(log, { seq, key: `k${seq}` });
  return log;
}

const seqs = (entries: readonly TestEntry[]) => entries.map((entry) => entry.seq);

describe('replication log', () => {
  test('append numbers entries without gaps and finds them by sequence', () => {
    const log = logWith(3, ['b']);
    assert.equal(log.lastSeq, 3);
    assert.equal(entryAt(log, 2)?.key, 'k2');
    assert.equal(entryAt(log, 0), undefined);
    assert.equal(entryAt(log, 4), undefined);
    assert.throws(() => appendEntry(log, { seq: 5, key: 'gap' }), /invariant/);
  });

  test('pending gives each peer the batch after its own cursor', () => {
    const log = logWith(5, ['b', 'c']);
    assert.deepEqual(seqs(pending(log, 'b', 2)), [1, 2]);
    acknowledge(log, 'b', 3);
    assert.deepEqual(seqs(pending(log, 'b', 10)), [4, 5]);
    assert.deepEqual(seqs(pending(log, 'c', 10)), [1, 2, 3, 4, 5]);
  });

  test('truncates what every peer has acknowledged, and only that', () => {
    const log = logWith(5, ['b', 'c']);
    acknowledge(log, 'b', 4);
    assert.equal(log.truncatedSeq, 0);
    acknowledge(log, 'c', 2);
    assert.equal(log.truncatedSeq, 2);
    assert.equal(retainedCount(log), 3);
    assert.equal(entryAt(log, 2), undefined);
    assert.deepEqual(seqs(entriesAfter(log, 2, 10)), [3, 4, 5]);
    assert.throws(() => entriesAfter(log, 1, 10), /truncated/);
  });

  test('acknowledgements are cumulative: repeated, stale or excessive ones are harmless', () => {
    const log = logWith(5, ['b']);
    acknowledge(log, 'b', 3);
    acknowledge(log, 'b', 1);
    acknowledge(log, 'b', 3);
    assert.equal(log.cursors.get('b')?.ackedSeq, 3);
    acknowledge(log, 'b', 99);
    assert.equal(log.cursors.get('b')?.ackedSeq, 5);
    assert.equal(retainedCount(log), 0);
  });

  test('is bounded: a full log refuses appends with a typed error until a peer catches up', () => {
    const log = logWith(3, ['b'], 3);
    assert.ok(isLogFull(log));
    assert.throws(() => appendEntry(log, { seq: 4, key: 'k4' }), (error: unknown) => error instanceof ReplicationLogFullError && error.code === 'REPLICATION_LOG_FULL');
    acknowledge(log, 'b', 1);
    appendEntry(log, { seq: 4, key: 'k4' });
    assert.equal(log.lastSeq, 4);
  });

  test('a peer that needs a snapshot stops pinning the log and rejoins at a sequence the log holds', () => {
    const log = logWith(6, ['b', 'c'], 6);
    acknowledge(log, 'b', 5);
    assert.equal(slowestPeer(log), 'c');
    markNeedsSnapshot(log, 'c');
    assert.equal(log.truncatedSeq, 5);
    assert.deepEqual(pending(log, 'c', 10), []);
    assert.equal(acknowledge(log, 'c', 2), 'needs-snapshot');
    assert.equal(acknowledge(log, 'c', 6), 'streaming');
    assert.equal(log.truncatedSeq, 5);
  });

  test('a probing peer pins the log until its first acknowledgement places it', () => {
    const log = logWith(4, []);
    truncateThrough(log, 1);
    addPeer(log, 'b', 'probing');
    appendEntry(log, { seq: 5, key: 'k5' });
    assert.deepEqual(pending(log, 'b', 10), []);
    assert.equal(acknowledge(log, 'b', 3), 'streaming');
    assert.equal(log.truncatedSeq, 3);
    addPeer(log, 'c', 'probing');
    assert.equal(acknowledge(log, 'c', 0), 'needs-snapshot');
  });

  test('removing a peer releases what only it held', () => {
    const log = logWith(3, ['b', 'c']);
    acknowledge(log, 'b', 3);
    removePeer(log, 'c');
    assert.equal(retainedCount(log), 0);
  });

  test('truncation compacts the backing array without losing entries', () => {
    const log = logWith(0, ['b'], 5000);
    for (let seq = 1; seq <= 4000; seq += 1) {
      appendEntry(log, { seq, key: `k${seq}` });
      if (seq % 7 === 0) acknowledge(log, 'b', seq - 3);
    }
    assert.ok(log.entries.length < 4000);
    assert.equal(entryAt(log, 3999)?.key, 'k3999');
    assert.deepEqual(seqs(pending(log, 'b', 3)), [log.truncatedSeq + 1, log.truncatedSeq + 2, log.truncatedSeq + 3]);
  });

  test('reset starts the log over after a snapshot', () => {
    const log = logWith(3, ['b']);
    resetLog(log, 40);
    assert.equal(retainedCount(log), 0);
    appendEntry(log, { seq: 41, key: 'k41' });
    assert.equal(entryAt(log, 41)?.key, 'k41');
  });
});
