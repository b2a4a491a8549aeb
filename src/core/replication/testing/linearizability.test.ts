import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mulberry32 } from './adversarial-network.ts';
import { checkLinearizability, HistoryRecorder, type LinearizabilityResult, type RegisterOperation } from './linearizability.ts';

type Outcome = RegisterOperation['outcome'];

function write(id: number, client: string, key: string, value: string | undefined, invokeMs: number, completeMs: number, outcome: Outcome = 'ok'): RegisterOperation {
  return { id, client, key, kind: 'write', value, invokeMs, completeMs, outcome };
}

function read(id: number, client: string, key: string, value: string | undefined, invokeMs: number, completeMs: number, outcome: Outcome = 'ok'): RegisterOperation {
  return { id, client, key, kind: 'read', value, invokeMs, completeMs, outcome };
}

function assertRejected(result: LinearizabilityResult, key: string, witnessIds: readonly number[], context: string): void {
  assert.equal(result.ok, false, `${context}: the checker accepted the history`);
  if (result.ok) return;
  assert.equal(result.reason, 'not-linearizable', `${context}: ${result.explanation}`);
  assert.equal(result.key, key, context);
  const ids = result.operations.map((operation) => operation.id);
  for (const id of witnessIds) assert.ok(ids.includes(id), `${context}: witness ${JSON.stringify(ids)} lacks #${id}`);
}

describe('linearizability checker: hand-written histories', () => {
  test('a sequential history is linearizable', () => {
    const history = [write(1, 'c1', 'x', 'a', 0, 10), read(2, 'c2', 'x', 'a', 20, 30), write(3, 'c1', 'x', 'b', 40, 50), read(4, 'c2', 'x', 'b', 60, 70)];
    assert.deepEqual(checkLinearizability(history), { ok: true, keysChecked: 1, operationsChecked: 4 });
  });

  test('a read of an overwritten value after the overwrite completed is not', () => {
    const history = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c1', 'x', 'b', 20, 30), read(3, 'c2', 'x', 'a', 40, 50)];
    const result = checkLinearizability(history);
    assertRejected(result, 'x', [3, 2], 'stale read');
    assert.ok(!result.ok && result.explanation.startsWith("read #3 by c2 returned 'a' at [40, 50] ms on key 'x'"), !result.ok ? result.explanation : '');
    assert.ok(!result.ok && result.explanation.includes("write #2 by c1 wrote 'b' at [20, 30] ms"));
  });

  test('a read concurrent with a write may return the old or the new value', () => {
    for (const seen of ['a', 'b']) {
      const history = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c1', 'x', 'b', 20, 60), read(3, 'c2', 'x', seen, 30, 40)];
      assert.equal(checkLinearizability(history).ok, true, `read returning '${seen}'`);
    }
    const neither = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c1', 'x', 'b', 20, 60), read(3, 'c2', 'x', undefined, 30, 40)];
    assertRejected(checkLinearizability(neither), 'x', [3], 'read returning the initial value');
  });

  test('an operation ending at the instant another begins is concurrent with it; a millisecond earlier it precedes it', () => {
    const touching = [write(1, 'c1', 'x', 'a', 0, 10), read(2, 'c2', 'x', undefined, 10, 20)];
    assert.equal(checkLinearizability(touching).ok, true);
    const apart = [write(1, 'c1', 'x', 'a', 0, 10), read(2, 'c2', 'x', undefined, 11, 20)];
    assertRejected(checkLinearizability(apart), 'x', [1, 2], 'read after the write');
  });

  test('new-then-old across two readers during one write is not linearizable', () => {
    const history = [write(1, 'c1', 'x', 'new', 0, 100), read(2, 'c2', 'x', 'new', 10, 20), read(3, 'c3', 'x', undefined, 30, 40)];
    assertRejected(checkLinearizability(history), 'x', [1, 2, 3], 'new-old inversion');
    const overlapping = [write(1, 'c1', 'x', 'new', 0, 100), read(2, 'c2', 'x', 'new', 10, 35), read(3, 'c3', 'x', undefined, 30, 40)];
    assert.equal(checkLinearizability(overlapping).ok, true, 'the reads overlap, so the old value may come first');
  });

  test('the search backtracks when its first choice of order fails', () => {
    // Placing write #1 first (its call comes first) gives 'b' for the read; only #2 then #1 explains 'a'.
    const history = [write(1, 'c1', 'x', 'a', 0, 100), write(2, 'c2', 'x', 'b', 1, 100), read(3, 'c3', 'x', 'a', 110, 120), read(4, 'c3', 'x', 'a', 130, 140)];
    assert.equal(checkLinearizability(history).ok, true);
  });

  test('the search tells apart the same operations placed in different orders', () => {
    // #1 then #2 leaves 'b' and fails at #4; #2 then #1 places the same two writes, leaves 'a', and works.
    const history = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c2', 'x', 'b', 0, 10), write(3, 'c1', 'x', 'a', 50, 60), read(4, 'c3', 'x', 'a', 20, 30), read(5, 'c3', 'x', 'a', 70, 80)];
    assert.equal(checkLinearizability(history).ok, true);
  });

  test('a write of unknown outcome may take effect, even long after its timeout', () => {
    const history = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c2', 'x', 'b', 20, 30, 'unknown'), read(3, 'c3', 'x', 'a', 500, 510), read(4, 'c3', 'x', 'b', 600, 610)];
    assert.equal(checkLinearizability(history).ok, true);
  });

  test('a write of unknown outcome may never take effect', () => {
    const history = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c2', 'x', 'b', 20, 30, 'unknown'), read(3, 'c3', 'x', 'a', 40, 50), read(4, 'c3', 'x', 'a', 900, 910)];
    assert.deepEqual(checkLinearizability(history), { ok: true, keysChecked: 1, operationsChecked: 4 });
  });

  test('a write of unknown outcome whose value was read elsewhere is left out when it cannot have taken effect', () => {
    // Read #2 saw the 'x' of #1, not of #4: placed anywhere after its invocation, #4 would spoil #5 or #6.
    const history = [
      write(1, 'c1', 'k', 'x', 0, 4),
      read(2, 'c2', 'k', 'x', 5, 25),
      write(3, 'c1', 'k', 'y', 16, 18),
      write(4, 'c3', 'k', 'x', 19, 20, 'unknown'),
      read(5, 'c1', 'k', 'y', 21, 22),
      read(6, 'c1', 'k', 'y', 30, 40),
    ];
    assert.equal(checkLinearizability(history).ok, true);
    assertRejected(checkLinearizability(history.map((operation) => (operation.id === 4 ? { ...operation, outcome: 'ok' as const } : operation))), 'k', [4], 'the same write known to succeed');
  });

  test('a write of unknown outcome takes effect at most once and never before its invocation', () => {
    const once = [write(1, 'c1', 'x', 'a', 0, 10, 'unknown'), read(2, 'c3', 'x', 'a', 10, 15), write(3, 'c2', 'x', 'c', 20, 30), read(4, 'c3', 'x', 'c', 40, 50)];
    assert.equal(checkLinearizability(once).ok, true);
    const twice = [write(1, 'c1', 'x', 'a', 0, 10, 'unknown'), read(2, 'c3', 'x', 'a', 10, 15), write(3, 'c2', 'x', 'c', 20, 30), read(4, 'c3', 'x', 'a', 40, 50)];
    assertRejected(checkLinearizability(twice), 'x', [1, 3, 4], 'seen again after being overwritten');
    const early = [read(1, 'c3', 'x', 'a', 0, 10), write(2, 'c1', 'x', 'a', 20, 30, 'unknown')];
    assertRejected(checkLinearizability(early), 'x', [1], 'seen before it was invoked');
  });

  test('a failed write had no effect, so reading its value is not linearizable', () => {
    const history = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c2', 'x', 'b', 20, 30, 'failed'), read(3, 'c3', 'x', 'b', 40, 50)];
    const result = checkLinearizability(history);
    assertRejected(result, 'x', [3, 1], 'failed write observed');
    assert.ok(!result.ok && result.explanation.includes("no write that may have taken effect by then wrote 'b'"), !result.ok ? result.explanation : '');
    assert.ok(!result.ok && !result.operations.some((operation) => operation.id === 2), 'a failed write is no part of the witness');
  });

  test('failed reads and reads of unknown outcome tell nothing', () => {
    const history = [write(1, 'c1', 'x', 'a', 0, 10), read(2, 'c2', 'x', 'garbage', 20, 30, 'failed'), read(3, 'c2', 'x', 'junk', 40, 50, 'unknown')];
    assert.deepEqual(checkLinearizability(history), { ok: true, keysChecked: 1, operationsChecked: 1 });
  });

  test('a write of undefined deletes the key', () => {
    const deleted = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c1', 'x', undefined, 20, 30), read(3, 'c2', 'x', undefined, 40, 50)];
    assert.equal(checkLinearizability(deleted).ok, true);
    const resurrected = [write(1, 'c1', 'x', 'a', 0, 10), write(2, 'c1', 'x', undefined, 20, 30), read(3, 'c2', 'x', 'a', 40, 50)];
    assertRejected(checkLinearizability(resurrected), 'x', [2, 3], 'value read after its delete');
    const absentAgain = [write(1, 'c1', 'x', 'a', 0, 10), read(2, 'c2', 'x', undefined, 20, 30)];
    assertRejected(checkLinearizability(absentAgain), 'x', [1, 2], 'absent after a completed write');
  });

  test('keys start absent unless an initial value is given', () => {
    const history = [read(1, 'c1', 'x', 'seed', 0, 10), write(2, 'c1', 'x', undefined, 20, 30), read(3, 'c1', 'x', undefined, 40, 50)];
    assert.equal(checkLinearizability(history, { initial: new Map([['x', 'seed']]) }).ok, true);
    assertRejected(checkLinearizability(history), 'x', [1], 'no initial value');
  });

  test('with several keys, the broken key is the one reported', () => {
    const history = [
      write(1, 'c1', 'x', 'x1', 0, 10),
      write(2, 'c2', 'y', 'y1', 0, 10),
      read(3, 'c3', 'x', 'x1', 20, 30),
      write(4, 'c2', 'y', 'y2', 20, 30),
      read(5, 'c1', 'y', 'y1', 40, 50),
      write(6, 'c3', 'z', 'z1', 40, 50),
      read(7, 'c3', 'z', 'z1', 60, 70),
    ];
    const result = checkLinearizability(history);
    assertRejected(result, 'y', [4, 5], 'stale read on y');
    assert.ok(!result.ok && result.operations.every((operation) => operation.key === 'y'));
    assert.deepEqual(checkLinearizability(history.filter((operation) => operation.id !== 5)), { ok: true, keysChecked: 3, operationsChecked: 6 });
  });
});

/** Shape of a generated history; shares are probabilities per operation. */
interface HistoryShape {
  readonly clients: number;
  readonly keys: number;
  readonly operations: number;
  readonly failedShare: number;
  readonly unknownShare: number;
  readonly deleteShare: number;
  /** Writes draw their values from this many per key, so that values repeat; 0 makes every value unique. */
  readonly valuePool: number;
}

interface MutableOperation {
  id: number;
  client: string;
  key: string;
  kind: 'read' | 'write';
  value: string | undefined;
  invokeMs: number;
  completeMs: number;
  outcome: Outcome;
}

/**
 * Runs a real register: each client issues one operation at a time; an operation takes effect at a random
 * instant inside its interval (a write of unknown outcome half the time, and possibly after its timeout; a
 * failed one never). Applying the effects in time order gives the reads their true answers, so the history
 * is linearizable by construction. Reads that failed or timed out get garbage, which must be ignored.
 */
function generateHistory(seed: number, shape: HistoryShape): MutableOperation[] {
  const random = mulberry32(seed);
  const clientFreeMs = new Array<number>(shape.clients).fill(0);
  const planned: Array<{ operation: MutableOperation; effectMs: number | undefined }> = [];
  for (let id = 1; id <= shape.operations; id += 1) {
    const client = random.nextInt(shape.clients);
    const invokeMs = clientFreeMs[client]! + random.nextInt(4);
    const effectMs = invokeMs + random.nextInt(8);
    const completeMs = effectMs + random.nextInt(8);
    clientFreeMs[client] = completeMs + random.nextInt(2);
    const key = `k${random.nextInt(shape.keys)}`;
    const kind = random.chance(0.5) ? 'write' : 'read';
    const roll = random.nextFloat();
    const outcome: Outcome = roll < shape.failedShare ? 'failed' : roll < shape.failedShare + shape.unknownShare ? 'unknown' : 'ok';
    const written = shape.valuePool === 0 ? `${key}-v${id}` : `${key}-p${random.nextInt(shape.valuePool)}`;
    const value = kind === 'read' ? `garbage-${id}` : random.chance(shape.deleteShare) ? undefined : written;
    const operation: MutableOperation = { id, client: `c${client}`, key, kind, value, invokeMs, completeMs, outcome };
    if (outcome === 'ok') planned.push({ operation, effectMs });
    else if (outcome === 'unknown' && random.chance(0.5)) planned.push({ operation, effectMs: invokeMs + random.nextInt(40) });
    else planned.push({ operation, effectMs: undefined });
  }
  const register = new Map<string, string | undefined>();
  const effects = planned.filter((entry) => entry.effectMs !== undefined).sort((a, b) => a.effectMs! - b.effectMs! || a.operation.id - b.operation.id);
  for (const { operation } of effects) {
    if (operation.kind === 'write') register.set(operation.key, operation.value);
    else if (operation.outcome === 'ok') operation.value = register.get(operation.key);
  }
  return planned.map((entry) => entry.operation);
}

/** A value no one wrote: a read returning it is illegal whatever the timing. */
function mutateToUnwritten(history: MutableOperation[], seed: number): MutableOperation | undefined {
  const reads = history.filter((operation) => operation.kind === 'read' && operation.outcome === 'ok');
  const target = reads[mulberry32(seed ^ 0x5eed).nextInt(reads.length)];
  if (target !== undefined) target.value = `never-written-${seed}`;
  return target;
}

/**
 * A read made to return the value of a write W that was certainly overwritten before it began: another
 * successful write began after W ended and ended before the read began, and no one else wrote W's value.
 */
function mutateToStale(history: MutableOperation[]): MutableOperation | undefined {
  const writers = new Map<string | undefined, number>();
  for (const operation of history) if (operation.kind === 'write') writers.set(operation.value, (writers.get(operation.value) ?? 0) + 1);
  const writes = history.filter((operation) => operation.kind === 'write' && operation.outcome === 'ok');
  for (const target of history) {
    if (target.kind !== 'read' || target.outcome !== 'ok') continue;
    const stale = writes.find(
      (old) =>
        old.key === target.key &&
        old.value !== undefined &&
        writers.get(old.value) === 1 &&
        old.value !== target.value &&
        writes.some((newer) => newer.key === target.key && newer !== old && old.completeMs < newer.invokeMs && newer.completeMs < target.invokeMs),
    );
    if (stale === undefined) continue;
    target.value = stale.value;
    return target;
  }
  return undefined;
}

const RANDOM_SHAPE = (seed: number): HistoryShape => ({
  clients: 3 + (seed % 3),
  keys: 1 + (seed % 3),
  operations: 40 + (seed % 41),
  failedShare: 0.05,
  unknownShare: 0.1,
  deleteShare: 0.1,
  // Every other seed repeats values, which unique values would never make the search tell apart.
  valuePool: seed % 2 === 0 ? 0 : 3,
});

describe('linearizability checker: generated histories', () => {
  const seeds = Array.from({ length: 200 }, (_, index) => index + 1);

  test('every history of a real register is linearizable (200 seeds)', () => {
    for (const seed of seeds) {
      const history = generateHistory(seed, RANDOM_SHAPE(seed));
      const result = checkLinearizability(history);
      assert.ok(result.ok, `seed ${seed}: ${result.ok ? '' : result.explanation}`);
      assert.ok(result.operationsChecked > 0, `seed ${seed}`);
    }
  });

  test('a read returning a value no one wrote is rejected (200 seeds)', () => {
    for (const seed of seeds) {
      const history = generateHistory(seed, RANDOM_SHAPE(seed));
      const mutated = mutateToUnwritten(history, seed);
      assert.ok(mutated !== undefined, `seed ${seed} has no successful read`);
      assertRejected(checkLinearizability(history), mutated.key, [], `seed ${seed}, read #${mutated.id}`);
    }
  });

  test('a read returning a certainly overwritten value is rejected', () => {
    let mutations = 0;
    for (const seed of seeds) {
      const history = generateHistory(seed, RANDOM_SHAPE(seed));
      const mutated = mutateToStale(history);
      if (mutated === undefined) continue;
      mutations += 1;
      assertRejected(checkLinearizability(history), mutated.key, [], `seed ${seed}, read #${mutated.id}`);
    }
    assert.ok(mutations >= 100, `only ${mutations} of 200 seeds had a certainly stale value to plant`);
  });

  test('a long history (2,000 operations, 6 clients, 5 keys) is checked to the end', () => {
    const shape: HistoryShape = { clients: 6, keys: 5, operations: 2_000, failedShare: 0.05, unknownShare: 0.05, deleteShare: 0.1, valuePool: 0 };
    const history = generateHistory(424242, shape);
    const result = checkLinearizability(history);
    assert.ok(result.ok, result.ok ? '' : result.explanation);
    assert.equal(result.keysChecked, 5);
    const mutated = mutateToStale(history);
    assert.ok(mutated !== undefined);
    assertRejected(checkLinearizability(history), mutated.key, [], `read #${mutated.id}`);
  });
});

describe('linearizability checker: bounds and recording', () => {
  test('a search past stepsMax answers search-too-long instead of running on', () => {
    // Twelve concurrent writes, then reads that need both #1 and #2 to have come last: every order is ruled out.
    const writes = Array.from({ length: 12 }, (_, index) => write(index + 1, `c${index}`, 'x', `v${index + 1}`, 0, 100));
    const history = [...writes, read(13, 'r', 'x', 'v1', 200, 210), read(14, 'r', 'x', 'v2', 220, 230)];
    const bounded = checkLinearizability(history, { stepsMax: 100 });
    assert.equal(bounded.ok, false);
    assert.ok(!bounded.ok && bounded.reason === 'search-too-long' && bounded.key === 'x', JSON.stringify(bounded));
    assert.ok(!bounded.ok && bounded.explanation.includes('stepsMax = 100'));
    assertRejected(checkLinearizability(history), 'x', [1, 2, 14], 'with the default bound');
  });

  test('a key that is certainly broken is reported before a key whose search ran out of steps', () => {
    const slow = [...Array.from({ length: 12 }, (_, index) => write(index + 1, `c${index}`, 'slow', `v${index}`, 0, 100)), read(13, 'r', 'slow', 'never', 200, 210)];
    const broken = [write(14, 'c1', 'broken', 'a', 0, 10), read(15, 'c2', 'broken', undefined, 20, 30)];
    assertRejected(checkLinearizability([...slow, ...broken], { stepsMax: 100 }), 'broken', [14, 15], 'two failing keys');
  });

  test('the recorder stamps operations with the clock it is given', () => {
    let clockMs = 0;
    const recorder = new HistoryRecorder(() => (clockMs += 10));
    const first = recorder.invoke('c1', 'x', 'write', 'a');
    const second = recorder.invoke('c2', 'x', 'read');
    recorder.ok(first);
    recorder.ok(second, 'a');
    const third = recorder.invoke('c1', 'x', 'write', 'b');
    recorder.unknown(third);
    const fourth = recorder.invoke('c2', 'x', 'write', 'c');
    recorder.fail(fourth);
    const fifth = recorder.invoke('c3', 'x', 'read');
    assert.deepEqual(recorder.operations(), [
      { id: first, client: 'c1', key: 'x', kind: 'write', value: 'a', invokeMs: 10, completeMs: 30, outcome: 'ok' },
      { id: second, client: 'c2', key: 'x', kind: 'read', value: 'a', invokeMs: 20, completeMs: 40, outcome: 'ok' },
      { id: third, client: 'c1', key: 'x', kind: 'write', value: 'b', invokeMs: 50, completeMs: 60, outcome: 'unknown' },
      { id: fourth, client: 'c2', key: 'x', kind: 'write', value: 'c', invokeMs: 70, completeMs: 80, outcome: 'failed' },
      { id: fifth, client: 'c3', key: 'x', kind: 'read', value: undefined, invokeMs: 90, completeMs: Infinity, outcome: 'unknown' },
    ]);
    assert.equal(checkLinearizability(recorder.operations()).ok, true);
    assert.throws(() => recorder.ok(first), /not pending/);
    assert.throws(() => recorder.ok(recorder.invoke('c1', 'x', 'write', 'd'), 'd'), /completes with a value/);
  });

  test('the recorder is bounded', () => {
    const recorder = new HistoryRecorder(() => 0, 2);
    recorder.invoke('c1', 'x', 'read');
    recorder.invoke('c1', 'x', 'read');
    assert.throws(() => recorder.invoke('c1', 'x', 'read'), /at most 2 operations/);
  });
});
