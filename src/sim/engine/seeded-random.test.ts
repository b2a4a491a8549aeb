import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_MAX, SeedFormatError, SeededRandom, isSeed, parseSeed, randomSeed } from './seeded-random.ts';

function draw(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.nextFloat());
}

test('the same seed gives the same sequence, bit for bit', () => {
  const first = draw(SeededRandom.fromSeed(123456789), 10_000);
  const second = draw(SeededRandom.fromSeed(123456789), 10_000);
  // deepEqual compares with Object.is, so this is equality of every bit of every float.
  assert.deepEqual(first, second);
});

test('a seed replays the numbers it gave when this engine was written', () => {
  // A seed printed by an old run must replay the same run: a change in how streams are derived breaks that.
  assert.deepEqual(draw(SeededRandom.fromSeed(42), 3), [0.18541093785119633, 0.09855456584748645, 0.7606139015930075]);
  assert.deepEqual(draw(SeededRandom.fromSeed(42).fork('network'), 3), [0.9046998281881267, 0.0057782343205564635, 0.3599438556590374]);
});

test('different seeds, even neighbours and the extremes, give different sequences', () => {
  const seeds = [0, 1, 2, 42, 2 ** 32, 2 ** 32 + 1, SEED_MAX];
  const prefixes = seeds.map((seed) => draw(SeededRandom.fromSeed(seed), 4).join(','));
  assert.equal(new Set(prefixes).size, seeds.length);
});

test('floats are in [0, 1) and fill it evenly', () => {
  const random = SeededRandom.fromSeed(5);
  const buckets = new Array<number>(10).fill(0);
  const count = 100_000;
  for (let index = 0; index < count; index++) {
    const value = random.nextFloat();
    assert.ok(value >= 0 && value < 1, `${value} is outside [0, 1)`);
    buckets[Math.floor(value * 10)]!++;
  }
  // Each bucket expects 10 000 with a standard deviation of 95; 600 is more than 6 of them.
  for (const bucket of buckets) assert.ok(Math.abs(bucket - count / 10) < 600, `bucket of ${bucket}`);
});

test('a fork does not change when other streams are forked or drawn from', () => {
  const alone = draw(SeededRandom.fromSeed(99).fork('network'), 1000);
  const root = SeededRandom.fromSeed(99);
  draw(root, 17);
  draw(root.fork('chaos'), 5);
  const network = root.fork('network');
  draw(root.fork('load'), 5);
  draw(root, 3);
  assert.deepEqual(draw(network, 1000), alone);
});

test('forking does not consume the parent stream', () => {
  const untouched = draw(SeededRandom.fromSeed(3), 100);
  const parent = SeededRandom.fromSeed(3);
  parent.fork('a');
  parent.fork('b').fork('c');
  assert.deepEqual(draw(parent, 100), untouched);
});

test('labels name streams: the same label twice is the same stream, others differ from it and from the root', () => {
  const root = SeededRandom.fromSeed(11);
  const streams = [root, root.fork('network'), root.fork('Network'), root.fork('network-eu'), root.fork('network').fork('eu'), root.fork('eu').fork('network')];
  const prefixes = streams.map((stream) => draw(stream, 4).join(','));
  assert.equal(new Set(prefixes).size, streams.length);
  assert.deepEqual(draw(SeededRandom.fromSeed(11).fork('network'), 4).join(','), prefixes[1]);
});

test('a stream carries its seed and label path for failure messages', () => {
  const stream = SeededRandom.fromSeed(77).fork('network').fork('eu-west-1');
  assert.equal(stream.seed, 77);
  assert.equal(stream.path, 'network/eu-west-1');
  assert.equal(stream.describe(), 'seed 77, stream network/eu-west-1');
  assert.equal(SeededRandom.fromSeed(77).describe(), 'seed 77, stream (root)');
  assert.throws(() => stream.fork(''), RangeError);
  assert.throws(() => stream.fork('a/b'), RangeError);
});

test('nextUint32 gives unsigned 32-bit integers', () => {
  const random = SeededRandom.fromSeed(8);
  for (let index = 0; index < 1000; index++) {
    const value = random.nextUint32();
    assert.ok(Number.isInteger(value) && value >= 0 && value < 2 ** 32);
  }
});

test('seeds parse from decimal text and nothing else', () => {
  assert.equal(parseSeed('0'), 0);
  assert.equal(parseSeed(' 42 '), 42);
  assert.equal(parseSeed(String(SEED_MAX)), SEED_MAX);
  for (const bad of ['', '-1', '1.5', '1e3', '0x10', 'abc', String(SEED_MAX + 1), '99999999999999999']) {
    assert.throws(() => parseSeed(bad), (error: unknown) => error instanceof SeedFormatError && error.code === 'SEED_FORMAT', bad);
  }
  assert.throws(() => SeededRandom.fromSeed(1.5), SeedFormatError);
  assert.throws(() => SeededRandom.fromSeed(-1), SeedFormatError);
});

test('a fresh seed is a valid seed that prints and parses back', () => {
  const seed = randomSeed();
  assert.ok(isSeed(seed));
  assert.equal(parseSeed(String(seed)), seed);
});
