import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyInOrder } from './in-order-apply.ts';

const batch = (...seqs: number[]) => seqs.map((seq) => ({ seq }));

describe('in-order apply', () => {
  test('applies entries that extend the applied sequence', () => {
    const seen: number[] = [];
    const result = applyInOrder(0, batch(1, 2, 3), (entry) => (seen.push(entry.seq), true));
    assert.deepEqual(result, { appliedSeq: 3, applied: 3, duplicates: 0, stopped: false });
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('a re-delivered batch does nothing', () => {
    const seen: number[] = [];
    const result = applyInOrder(3, batch(1, 2, 3), (entry) => (seen.push(entry.seq), true));
    assert.deepEqual(result, { appliedSeq: 3, applied: 0, duplicates: 3, stopped: false });
    assert.deepEqual(seen, []);
  });

  test('an overlapping batch applies only its new tail', () => {
    const seen: number[] = [];
    assert.equal(applyInOrder(2, batch(1, 2, 3, 4), (entry) => (seen.push(entry.seq), true)).appliedSeq, 4);
    assert.deepEqual(seen, [3, 4]);
  });

  test('a batch past a gap waits for the missing entries', () => {
    const result = applyInOrder(2, batch(5, 6), () => true);
    assert.deepEqual(result, { appliedSeq: 2, applied: 0, duplicates: 0, stopped: true });
  });

  test('a refused entry stops the batch there', () => {
    const result = applyInOrder(0, batch(1, 2, 3), (entry) => entry.seq !== 2);
    assert.deepEqual(result, { appliedSeq: 1, applied: 1, duplicates: 0, stopped: true });
  });
});
