import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isConcurrentOverwrite, winsOver } from './lww-merge.ts';

const at = (wallMs: number, logical: number, nodeId: string) => ({ timestamp: { wallMs, logical, nodeId } });

describe('last writer wins', () => {
  test('the greater timestamp wins; anything wins over nothing', () => {
    assert.ok(winsOver(at(2, 0, 'a'), at(1, 9, 'b')));
    assert.ok(!winsOver(at(1, 9, 'b'), at(2, 0, 'a')));
    assert.ok(winsOver(at(1, 0, 'a'), undefined));
  });

  test('equal wall time and counter: the origin region id breaks the tie the same way everywhere', () => {
    assert.ok(winsOver(at(5, 1, 'us-east-1'), at(5, 1, 'eu-west-1')));
    assert.ok(!winsOver(at(5, 1, 'eu-west-1'), at(5, 1, 'us-east-1')));
  });

  test('the same version does not win over itself (re-delivery is a no-op)', () => {
    assert.ok(!winsOver(at(5, 1, 'a'), at(5, 1, 'a')));
  });

  test('an overwrite is concurrent when its writer had not applied the replaced write', () => {
    assert.ok(isConcurrentOverwrite({ seq: 7 }, 6));
    assert.ok(!isConcurrentOverwrite({ seq: 7 }, 7));
    assert.ok(!isConcurrentOverwrite({ seq: 7 }, 12));
  });
});
