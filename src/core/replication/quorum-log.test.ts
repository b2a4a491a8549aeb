import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  appendCommand,
  compactThrough,
  createQuorumLog,
  entriesFrom,
  entryAt,
  firstIndexOfTermAt,
  installSnapshotPoint,
  lastIndex,
  lastTerm,
  termAt,
  truncateFrom,
} from './quorum-log.ts';

function logWithTerms(...terms: number[]) {
  const log = createQuorumLog();
  for (const term of terms) appendCommand(log, term, { kind: 'noop' });
  return log;
}

describe('quorum log', () => {
  test('numbers entries from 1 and reports terms', () => {
    const log = logWithTerms(1, 1, 2);
    assert.equal(lastIndex(log), 3);
    assert.equal(lastTerm(log), 2);
    assert.equal(termAt(log, 0), 0);
    assert.equal(termAt(log, 2), 1);
    assert.equal(termAt(log, 4), undefined);
  });

  test('truncates a conflicting suffix', () => {
    const log = logWithTerms(1, 1, 2, 2);
    truncateFrom(log, 3);
    assert.equal(lastIndex(log), 2);
    assert.equal(lastTerm(log), 1);
  });

  test('compaction keeps the boundary term for the log-matching check', () => {
    const log = logWithTerms(1, 2, 2, 3);
    compactThrough(log, 2);
    assert.equal(log.snapshotIndex, 2);
    assert.equal(termAt(log, 2), 2);
    assert.equal(termAt(log, 1), undefined);
    assert.equal(entryAt(log, 3)?.term, 2);
    assert.deepEqual(entriesFrom(log, 3, 10).map((entry) => entry.index), [3, 4]);
    assert.throws(() => entriesFrom(log, 2, 1), /compacted/);
    assert.throws(() => truncateFrom(log, 2), /compacted/);
  });

  test('installing a snapshot keeps a matching suffix and drops a conflicting log', () => {
    const matching = logWithTerms(1, 1, 2, 2);
    installSnapshotPoint(matching, 3, 2);
    assert.deepEqual([matching.snapshotIndex, lastIndex(matching)], [3, 4]);
    const conflicting = logWithTerms(1, 1, 1);
    installSnapshotPoint(conflicting, 3, 2);
    assert.deepEqual([conflicting.snapshotIndex, lastIndex(conflicting), lastTerm(conflicting)], [3, 3, 2]);
  });

  test('finds where a term starts', () => {
    const log = logWithTerms(1, 2, 2, 2, 3);
    assert.equal(firstIndexOfTermAt(log, 4), 2);
    assert.equal(firstIndexOfTermAt(log, 5), 5);
  });
});
