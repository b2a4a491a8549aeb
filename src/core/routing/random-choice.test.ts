import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pickIndexByWeight, pickIndexUniform, shuffledPrefix } from './random-choice.ts';
import { counterRandom, scriptedRandom } from './scripted-random.ts';

describe('random choices', () => {
  test('pickIndexByWeight follows cumulative weights and skips zero weights', () => {
    const weights = [1, 0, 3];
    const cases: [number, number][] = [
      [0, 0],
      [0.2499, 0],
      [0.25, 2],
      [0.9999, 2],
    ];
    for (const [draw, expected] of cases) assert.equal(pickIndexByWeight(weights, scriptedRandom([draw])), expected, `draw ${draw}`);
  });

  test('pickIndexByWeight matches the weight ratios over an even sequence of draws', () => {
    const random = counterRandom(256);
    const counts = [0, 0];
    for (let index = 0; index < 256; index++) counts[pickIndexByWeight([1, 255], random)]!++;
    assert.deepEqual(counts, [1, 255]);
  });

  test('pickIndexUniform covers every index', () => {
    const random = counterRandom(4);
    assert.deepEqual([0, 1, 2, 3].map(() => pickIndexUniform(4, random)), [0, 1, 2, 3]);
  });

  test('shuffledPrefix takes min(count, length) distinct items with that many draws', () => {
    const random = scriptedRandom([0.5]);
    const prefix = shuffledPrefix(['a', 'b', 'c', 'd'], 3, random);
    assert.equal(prefix.length, 3);
    assert.equal(new Set(prefix).size, 3);
    assert.equal(random.drawsTaken(), 3);
    assert.deepEqual(shuffledPrefix(['a', 'b'], 8, scriptedRandom([0])), ['a', 'b']);
  });

  test('a Random outside [0, 1) is a programmer error', () => {
    assert.throws(() => pickIndexUniform(2, { nextFloat: () => 1 }), /invariant/);
  });
});
