import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue, EventQueueFullError, type EventHandle } from './event-queue.ts';
import { SeededRandom } from './seeded-random.ts';

function drain<E>(queue: EventQueue<E>): { timeMs: number; event: E }[] {
  const delivered: { timeMs: number; event: E }[] = [];
  while (queue.size > 0) {
    const timeMs = queue.peekTimeMs();
    delivered.push({ timeMs, event: queue.pop() });
  }
  return delivered;
}

test('events come out in time order', () => {
  const queue = new EventQueue<string>();
  for (const [timeMs, name] of [[30, 'c'], [10, 'a'], [40, 'd'], [20, 'b']] as const) queue.push(timeMs, name);
  assert.deepEqual(drain(queue).map((entry) => entry.event), ['a', 'b', 'c', 'd']);
  assert.equal(queue.peekTimeMs(), Infinity);
});

test('events due at the same time come out in the order they were pushed', () => {
  const queue = new EventQueue<number>();
  // Interleave two times so the heap reshuffles entries of equal time between pushes.
  for (let index = 0; index < 200; index++) queue.push(index % 2 === 0 ? 5 : 3, index);
  const delivered = drain(queue).map((entry) => entry.event);
  const odd = Array.from({ length: 100 }, (_, index) => 2 * index + 1);
  const even = Array.from({ length: 100 }, (_, index) => 2 * index);
  assert.deepEqual(delivered, [...odd, ...even]);
});

interface LiveEntry {
  readonly timeMs: number;
  readonly order: number;
  readonly handle: EventHandle;
}

function earliest(live: readonly LiveEntry[]): LiveEntry {
  return live.reduce((best, entry) => (entry.timeMs < best.timeMs || (entry.timeMs === best.timeMs && entry.order < best.order) ? entry : best));
}

test('agrees with a plain list over thousands of random pushes, pops and cancels', () => {
  const random = SeededRandom.fromSeed(7).fork('event-queue');
  const queue = new EventQueue<number>();
  let live: LiveEntry[] = [];
  for (let order = 0; order < 5000; order++) {
    // Integer times in a narrow range force many ties.
    const timeMs = Math.floor(random.nextFloat() * 50);
    live.push({ timeMs, order, handle: queue.push(timeMs, order) });
    if (random.nextFloat() < 0.2) {
      const victim = live[Math.floor(random.nextFloat() * live.length)]!;
      assert.equal(queue.cancel(victim.handle), true);
      live = live.filter((entry) => entry !== victim);
    }
    if (random.nextFloat() < 0.5 && live.length > 0) {
      const expected = earliest(live);
      assert.equal(queue.peekTimeMs(), expected.timeMs);
      assert.equal(queue.pop(), expected.order);
      live = live.filter((entry) => entry !== expected);
    }
    assert.equal(queue.size, live.length);
  }
  const rest = [...live].sort((a, b) => a.timeMs - b.timeMs || a.order - b.order).map((entry) => entry.order);
  assert.deepEqual(drain(queue).map((entry) => entry.event), rest);
});

test('a cancelled event never comes out, and cancelling twice or after delivery returns false', () => {
  const queue = new EventQueue<string>();
  const first = queue.push(1, 'first');
  const second = queue.push(2, 'second');
  const third = queue.push(3, 'third');
  assert.equal(queue.cancel(second), true);
  assert.equal(queue.cancel(second), false);
  assert.equal(queue.isPending(second), false);
  assert.equal(queue.isPending(third), true);
  assert.equal(queue.pop(), 'first');
  assert.equal(queue.cancel(first), false);
  assert.deepEqual(drain(queue).map((entry) => entry.event), ['third']);
});

test('cancelling the root, a leaf or a middle entry keeps the rest in order', () => {
  for (const cancelIndex of [0, 3, 9]) {
    const queue = new EventQueue<number>();
    const handles = Array.from({ length: 10 }, (_, index) => queue.push(index * 10, index));
    queue.cancel(handles[cancelIndex]!);
    const expected = Array.from({ length: 10 }, (_, index) => index).filter((index) => index !== cancelIndex);
    assert.deepEqual(drain(queue).map((entry) => entry.event), expected);
  }
});

test('a handle whose slot was reused by a later event is stale', () => {
  const queue = new EventQueue<string>();
  const old = queue.push(1, 'old');
  queue.pop();
  const reused = queue.push(2, 'new');
  assert.equal(queue.cancel(old), false);
  assert.equal(queue.isPending(reused), true);
  assert.equal(queue.pop(), 'new');
});

test('handles that were never issued are not pending', () => {
  const queue = new EventQueue<string>();
  queue.push(1, 'only');
  for (const bogus of [-1, 1.5, Number.NaN, 2 ** 60, 12345]) assert.equal(queue.cancel(bogus as EventHandle), false);
  assert.equal(queue.size, 1);
});

test('grows past its initial capacity', () => {
  const queue = new EventQueue<number>();
  for (let index = 9999; index >= 0; index--) queue.push(index, index);
  const delivered = drain(queue).map((entry) => entry.event);
  assert.deepEqual(delivered, Array.from({ length: 10000 }, (_, index) => index));
});

test('refuses more pending events than its bound, with a typed error', () => {
  const queue = new EventQueue<number>(3);
  for (let index = 0; index < 3; index++) queue.push(index, index);
  assert.throws(() => queue.push(4, 4), (error: unknown) => error instanceof EventQueueFullError && error.code === 'EVENT_QUEUE_FULL');
  queue.pop();
  queue.push(5, 5);
  assert.equal(queue.size, 3);
  assert.throws(() => new EventQueue(0), RangeError);
});
