import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conflictingRegion, recordWrite } from './write-history.ts';

describe('write history', () => {
  test('no history, no conflict', () => {
    assert.equal(conflictingRegion(undefined, 'us-east-1', 0), undefined);
  });

  test('a newer write from another Region that the proposer had not seen is a conflict', () => {
    const history = recordWrite(undefined, 5, 'us-east-2');
    assert.equal(conflictingRegion(history, 'us-east-1', 0), 'us-east-2');
    assert.equal(conflictingRegion(history, 'us-east-1', 5), undefined, 'seen: no conflict');
  });

  test('writes from the same Region serialize', () => {
    const history = recordWrite(recordWrite(undefined, 3, 'us-east-1'), 7, 'us-east-1');
    assert.deepEqual(history, { version: 7, region: 'us-east-1', otherVersion: 0, otherRegion: undefined });
    assert.equal(conflictingRegion(history, 'us-east-1', 0), undefined);
  });

  test('an older write from another Region still conflicts when the proposer had not seen it', () => {
    const history = recordWrite(recordWrite(undefined, 4, 'us-west-2'), 6, 'us-east-1');
    assert.equal(conflictingRegion(history, 'us-east-1', 3), 'us-west-2');
    assert.equal(conflictingRegion(history, 'us-east-1', 4), undefined);
    assert.equal(conflictingRegion(history, 'us-west-2', 4), 'us-east-1');
  });
});
