import { invariant } from '../replication-errors.ts';

/**
 * Test support, not product code: decides whether a recorded history of concurrent reads and writes on a
 * key-value store is linearizable, each key being a read/write register (a value, or absent).
 *
 * Linearizability is compositional (Herlihy & Wing 1990): a history is linearizable exactly when the
 * history of every key is, so each key is checked on its own. Each key is searched with the algorithm of
 * Wing & Gong (1993) and Lowe's memoization (2017), as Porcupine and Knossos do: the calls and returns of
 * the key's operations form one list sorted by time; the search repeatedly takes a call that comes before
 * every pending return, applies it to the register if the register allows it, and backtracks when it
 * reaches a return whose operation it has not yet placed. A cache of (operations placed, register value)
 * keeps it from exploring the same configuration twice. The search is bounded by a step count and answers
 * 'search-too-long' rather than running for hours on a pathological history.
 *
 * Time semantics: an operation A precedes B only when A completed strictly before B was invoked
 * (`A.completeMs < B.invokeMs`); equal times count as concurrent, which is the lenient reading.
 */

export interface RegisterOperation {
  /** Unique within the history; it names the operation in explanations. */
  readonly id: number;
  readonly client: string;
  readonly key: string;
  readonly kind: 'read' | 'write';
  /** The value written (undefined deletes the key), or the value the read returned (undefined = absent). */
  readonly value: string | undefined;
  readonly invokeMs: number;
  /** When the answer arrived; ignored when the outcome is 'unknown' (the effect may come at any later time). */
  readonly completeMs: number;
  /** 'failed' had no effect and is dropped; an 'unknown' write may or may not take effect; an unknown read is dropped. */
  readonly outcome: 'ok' | 'failed' | 'unknown';
}

export interface LinearizabilityOptions {
  /** Value of each key before the history starts. @default every key absent (undefined) */
  readonly initial?: ReadonlyMap<string, string | undefined>;
  /** Search steps allowed per key before the answer is 'search-too-long'. @default 5_000_000 */
  readonly stepsMax?: number;
}

export type LinearizabilityResult =
  | { readonly ok: true; readonly keysChecked: number; readonly operationsChecked: number }
  | {
      readonly ok: false;
      readonly key: string;
      readonly reason: 'not-linearizable' | 'search-too-long';
      readonly explanation: string;
      readonly operations: readonly RegisterOperation[];
    };

const STEPS_MAX_DEFAULT = 5_000_000;
/** A witness is for a human to read: beyond this many operations it stops helping. */
const WITNESS_OPERATIONS_MAX = 16;
/** Reads completing at the same instant that are tried one by one to name the culprit. */
const CULPRIT_CANDIDATES_MAX = 8;
/** How many operations an explanation names in each of its lists. */
const EXPLANATION_NAMES_MAX = 3;

interface ResolvedOptions {
  readonly initial: ReadonlyMap<string, string | undefined>;
  readonly stepsMax: number;
}

function resolveOptions(options: LinearizabilityOptions): ResolvedOptions {
  const stepsMax = options.stepsMax ?? STEPS_MAX_DEFAULT;
  invariant(Number.isInteger(stepsMax) && stepsMax > 0, `stepsMax must be a positive integer, got ${stepsMax}`);
  return { initial: options.initial ?? new Map(), stepsMax };
}

/**
 * Checks the whole history. Keys are checked in the order they first appear; a key that is definitely not
 * linearizable is reported before a key whose search merely ran out of steps. `operationsChecked` counts
 * the operations that carry information: successful ones and writes of unknown outcome.
 */
export function checkLinearizability(history: readonly RegisterOperation[], options: LinearizabilityOptions = {}): LinearizabilityResult {
  const resolved = resolveOptions(options);
  validateHistory(history);
  const byKey = informativeOperationsByKey(history);
  let firstTooLong: LinearizabilityResult | undefined;
  let operationsChecked = 0;
  for (const [key, operations] of byKey) {
    const initialValue = resolved.initial.get(key);
    const prepared = prepareKey(operations, initialValue, Infinity);
    const outcome = searchKey(prepared, resolved.stepsMax);
    operationsChecked += operations.length;
    if (outcome.kind === 'linearizable') continue;
    if (outcome.kind === 'not-linearizable') return notLinearizable(key, operations, initialValue, resolved.stepsMax);
    firstTooLong ??= searchTooLong(key, prepared, outcome, resolved.stepsMax);
  }
  return firstTooLong ?? { ok: true, keysChecked: byKey.size, operationsChecked };
}

function validateHistory(history: readonly RegisterOperation[]): void {
  const ids = new Set<number>();
  for (const operation of history) {
    invariant(!ids.has(operation.id), `operation id ${operation.id} appears twice in the history`);
    ids.add(operation.id);
    invariant(Number.isFinite(operation.invokeMs), `operation #${operation.id} has no finite invokeMs`);
    if (operation.outcome !== 'ok') continue;
    invariant(
      Number.isFinite(operation.completeMs) && operation.completeMs >= operation.invokeMs,
      `operation #${operation.id} completes at ${operation.completeMs} ms, before its invocation at ${operation.invokeMs} ms`,
    );
  }
}

/** Failed operations had no effect, and a read without an answer says nothing: neither constrains anything. */
function informativeOperationsByKey(history: readonly RegisterOperation[]): Map<string, RegisterOperation[]> {
  const byKey = new Map<string, RegisterOperation[]>();
  for (const operation of history) {
    if (operation.outcome === 'failed') continue;
    if (operation.outcome === 'unknown' && operation.kind === 'read') continue;
    const operations = byKey.get(operation.key) ?? [];
    operations.push(operation);
    byKey.set(operation.key, operations);
  }
  return byKey;
}

/** One operation as the search sees it: values are small integers, and every operation has a deadline. */
interface SearchOperation {
  readonly source: RegisterOperation;
  readonly isWrite: boolean;
  readonly value: number;
  readonly invokeMs: number;
  /** The operation must be placed by then: its completion, or for an omittable write see `prepareKey`. */
  readonly deadlineMs: number;
  /** A write of unknown outcome: at its deadline the search may leave it out instead of backtracking. */
  readonly omittable: boolean;
}

interface PreparedKey {
  readonly operations: readonly SearchOperation[];
  readonly initialState: number;
  readonly initialValue: string | undefined;
  /** Distinct values among the initial one and the operations', coded 0 (the initial one) to valueCount - 1. */
  readonly valueCount: number;
}

/**
 * Turns a key's operations, as they stood at `cutoffMs`, into search operations. An operation invoked
 * later is left out; one still running then is a read that tells nothing yet, or a write of unknown
 * outcome (the whole history has Infinity as its cutoff).
 *
 * A write of unknown outcome could take effect at any time after its invocation, which would leave it
 * pending for the whole search and let the search try every subset of such writes at every point. It
 * need not: once every read that returned its value has completed, taking effect later or never changes
 * no read's answer, because the operation right after it would have to be a read returning its value, or
 * a write, or nothing. So its deadline is the last completion of a read that returned its value, at
 * which the search may leave it out; and a write no read could have observed is dropped outright.
 */
function prepareKey(operations: readonly RegisterOperation[], initialValue: string | undefined, cutoffMs: number): PreparedKey {
  const codes = new Map<string | undefined, number>([[initialValue, 0]]);
  const code = (value: string | undefined): number => {
    if (!codes.has(value)) codes.set(value, codes.size);
    return codes.get(value)!;
  };
  const visible = operations.filter((operation) => operation.invokeMs <= cutoffMs && (operation.kind === 'write' || operation.completeMs <= cutoffMs));
  const lastReadMsByValue = new Map<string | undefined, number>();
  for (const operation of visible) {
    if (operation.kind !== 'read') continue;
    lastReadMsByValue.set(operation.value, Math.max(lastReadMsByValue.get(operation.value) ?? -Infinity, operation.completeMs));
  }
  const prepared: SearchOperation[] = [];
  for (const operation of visible) {
    const isWrite = operation.kind === 'write';
    const omittable = operation.outcome === 'unknown' || operation.completeMs > cutoffMs;
    const deadlineMs = omittable ? (lastReadMsByValue.get(operation.value) ?? -Infinity) : operation.completeMs;
    if (omittable && deadlineMs < operation.invokeMs) continue;
    prepared.push({ source: operation, isWrite, value: code(operation.value), invokeMs: operation.invokeMs, deadlineMs, omittable });
  }
  return { operations: prepared, initialState: 0, initialValue, valueCount: codes.size };
}

/**
 * The calls and returns of one key as a doubly linked list over arrays. Entry 0 is the head and entry
 * 2n + 1 the tail; entries in between are events sorted by time, calls before returns at equal times (the
 * lenient reading of ties). Placing an operation unlinks its call and return; undoing it relinks them,
 * which is exact because undoing happens in reverse order (Knuth's dancing links).
 */
interface EventList {
  readonly tail: number;
  readonly next: Int32Array;
  readonly previous: Int32Array;
  readonly isCall: Uint8Array;
  readonly operationOf: Int32Array;
  /** For each operation, the entries of its call and of its return. */
  readonly callOf: Int32Array;
  readonly returnOf: Int32Array;
}

function buildEventList(operations: readonly SearchOperation[]): EventList {
  const events = operations.flatMap((operation, index) => [
    { timeMs: operation.invokeMs, isCall: true, index },
    { timeMs: operation.deadlineMs, isCall: false, index },
  ]);
  events.sort((a, b) => {
    if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs ? -1 : 1;
    if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
    return a.index - b.index;
  });
  const tail = events.length + 1;
  const list: EventList = {
    tail,
    next: new Int32Array(tail + 1),
    previous: new Int32Array(tail + 1),
    isCall: new Uint8Array(tail + 1),
    operationOf: new Int32Array(tail + 1).fill(-1),
    callOf: new Int32Array(operations.length),
    returnOf: new Int32Array(operations.length),
  };
  for (let entry = 0; entry <= tail; entry += 1) {
    list.next[entry] = Math.min(entry + 1, tail);
    list.previous[entry] = Math.max(entry - 1, 0);
  }
  events.forEach((event, position) => {
    const entry = position + 1;
    list.isCall[entry] = event.isCall ? 1 : 0;
    list.operationOf[entry] = event.index;
    if (event.isCall) list.callOf[event.index] = entry;
    else list.returnOf[event.index] = entry;
  });
  return list;
}

function unlink(list: EventList, entry: number): void {
  list.next[list.previous[entry]!] = list.next[entry]!;
  list.previous[list.next[entry]!] = list.previous[entry]!;
}

function relink(list: EventList, entry: number): void {
  list.next[list.previous[entry]!] = entry;
  list.previous[list.next[entry]!] = entry;
}

const ILLEGAL = -1;

/**
 * The register's step: a read succeeds only if it returned the current value; a write succeeds, except
 * that the search refuses a write that would strand reads. Once the value changes it comes back only
 * through another write of it, so leaving a value that unplaced reads still return, with no unplaced write
 * of it left, leads nowhere; refusing early spares the search from finding that out the long way.
 */
function nextState(search: SearchState, operation: SearchOperation, omitted: boolean): number {
  if (omitted) return search.state;
  if (!operation.isWrite) return operation.value === search.state ? search.state : ILLEGAL;
  if (operation.value === search.state) return search.state;
  const strands = search.unplacedReads[search.state]! > 0 && search.unplacedWrites[search.state] === 0;
  return strands ? ILLEGAL : operation.value;
}

/** Keeps the counts `nextState` relies on: `change` is -1 when the operation is placed, +1 when undone. */
function countUnplaced(search: SearchState, operation: SearchOperation, change: number): void {
  if (operation.isWrite) search.unplacedWrites[operation.value] += change;
  else search.unplacedReads[operation.value] += change;
}

type SearchOutcome =
  | { readonly kind: 'linearizable' }
  | { readonly kind: 'not-linearizable'; readonly deepest: DeepestPoint }
  | { readonly kind: 'too-long'; readonly deepest: DeepestPoint };

/** Where the search got furthest: how many operations it had placed, and whose return stopped it there. */
interface DeepestPoint {
  placed: number;
  blocking: number;
}

interface Placement {
  readonly operation: number;
  readonly stateBefore: number;
  /** A read, or a write left out at its deadline: there is no other choice to try in its place (see `tryPlace`). */
  readonly forced: boolean;
}

interface SearchState {
  readonly operations: readonly SearchOperation[];
  readonly list: EventList;
  readonly placed: Uint32Array;
  readonly seen: Set<string>;
  /** Per value: reads returning it and writes writing it that are not placed yet. */
  readonly unplacedReads: Int32Array;
  readonly unplacedWrites: Int32Array;
  readonly stack: Placement[];
  readonly deepest: DeepestPoint;
  state: number;
}

function searchKey(prepared: PreparedKey, stepsMax: number): SearchOutcome {
  const search: SearchState = {
    operations: prepared.operations,
    list: buildEventList(prepared.operations),
    placed: new Uint32Array(Math.ceil(prepared.operations.length / 32)),
    seen: new Set(),
    unplacedReads: new Int32Array(prepared.valueCount),
    unplacedWrites: new Int32Array(prepared.valueCount),
    stack: [],
    deepest: { placed: -1, blocking: -1 },
    state: prepared.initialState,
  };
  for (const operation of prepared.operations) countUnplaced(search, operation, 1);
  const { list } = search;
  let entry = list.next[0]!;
  for (let steps = 1; list.next[0] !== list.tail; steps += 1) {
    if (steps > stepsMax) return { kind: 'too-long', deepest: search.deepest };
    invariant(entry !== list.tail, 'the search ran past the last return of a non-empty list');
    const operation = list.operationOf[entry]!;
    if (list.isCall[entry] === 1) {
      const placed = tryPlace(search, operation, false);
      if (placed === 'placed') {
        entry = list.next[0]!;
        continue;
      }
      // A legal read whose configuration was already explored fails here too (see `tryPlace`): backtrack.
      if (placed === 'illegal' || search.operations[operation]!.isWrite) {
        entry = list.next[entry]!;
        continue;
      }
    } else if (search.operations[operation]!.omittable && tryPlace(search, operation, true) === 'placed') {
      // A return whose operation is not placed yet, which may be left out.
      entry = list.next[0]!;
      continue;
    } else {
      noteDeepest(search, operation);
    }
    const resumeEntry = backtrack(search);
    if (resumeEntry === undefined) return { kind: 'not-linearizable', deepest: search.deepest };
    entry = resumeEntry;
  }
  return { kind: 'linearizable' };
}

/**
 * Remembers where the search got furthest, to explain a failure. There the operation whose return was
 * reached unplaced is a read the register refused, or a write refused because it would strand reads of
 * the current value; then the first of those reads is the one that no linearization explains.
 */
function noteDeepest(search: SearchState, operation: number): void {
  if (search.stack.length <= search.deepest.placed) return;
  search.deepest.placed = search.stack.length;
  search.deepest.blocking = operation;
  if (!search.operations[operation]!.isWrite) return;
  let strandedInvokeMs = Infinity;
  search.operations.forEach((candidate, index) => {
    const placed = (search.placed[index >>> 5]! & (1 << (index & 31))) !== 0;
    if (placed || candidate.isWrite || candidate.value !== search.state || candidate.invokeMs >= strandedInvokeMs) return;
    strandedInvokeMs = candidate.invokeMs;
    search.deepest.blocking = index;
  });
}

/**
 * Places an operation (applied, or left out) if the register allows it and the result is new to the cache.
 * A read the register allows is placed for good: it changes nothing, and it is a minimal call (invoked
 * before every pending return), so if any linearization follows from here, one follows with the read
 * first. Backtracking therefore never tries the alternatives to it, which keeps concurrent reads from
 * multiplying the configurations; the same holds for a write left out at its deadline.
 */
function tryPlace(search: SearchState, operation: number, omitted: boolean): 'placed' | 'illegal' | 'seen' {
  const placing = search.operations[operation]!;
  const stateAfter = nextState(search, placing, omitted);
  if (stateAfter === ILLEGAL) return 'illegal';
  const word = operation >>> 5;
  const bit = 1 << (operation & 31);
  search.placed[word] |= bit;
  const key = cacheKey(search.placed, stateAfter);
  if (search.seen.has(key)) {
    search.placed[word] &= ~bit;
    return 'seen';
  }
  search.seen.add(key);
  search.stack.push({ operation, stateBefore: search.state, forced: omitted || !placing.isWrite });
  search.state = stateAfter;
  countUnplaced(search, placing, -1);
  unlink(search.list, search.list.callOf[operation]!);
  unlink(search.list, search.list.returnOf[operation]!);
  return 'placed';
}

/** Undoes placements until one leaves another choice; answers the entry to go on from, or undefined when none is left. */
function backtrack(search: SearchState): number | undefined {
  for (;;) {
    const placement = search.stack.pop();
    if (placement === undefined) return undefined;
    search.state = placement.stateBefore;
    countUnplaced(search, search.operations[placement.operation]!, 1);
    search.placed[placement.operation >>> 5] &= ~(1 << (placement.operation & 31));
    relink(search.list, search.list.returnOf[placement.operation]!);
    relink(search.list, search.list.callOf[placement.operation]!);
    if (!placement.forced) return search.list.next[search.list.callOf[placement.operation]!]!;
  }
}

/** The set of placed operations (two characters per 32 of them) followed by the register's value. */
function cacheKey(placed: Uint32Array, state: number): string {
  let key = '';
  for (const word of placed) key += String.fromCharCode(word & 0xffff, word >>> 16);
  return key + state.toString(36);
}

/**
 * The read that breaks the cut at `cutoffMs`: the last to complete in it (when the cut is the first bad
 * one, it completes at `cutoffMs`); when several complete together, the first that breaks the cut alone.
 */
function culpritAt(operations: readonly RegisterOperation[], initialValue: string | undefined, stepsMax: number, cutoffMs: number): RegisterOperation {
  const reads = operations.filter((operation) => operation.kind === 'read' && operation.completeMs <= cutoffMs);
  const lastMs = reads.reduce((latestMs, read) => Math.max(latestMs, read.completeMs), -Infinity);
  const completing = reads.filter((read) => read.completeMs === lastMs);
  invariant(completing.length > 0, `the bad cut at ${cutoffMs} ms holds no read, and writes alone are always linearizable`);
  const candidates = completing.slice(0, CULPRIT_CANDIDATES_MAX);
  const breaksAlone = (read: RegisterOperation): boolean => {
    const withoutOthers = operations.filter((operation) => operation === read || !completing.includes(operation));
    return searchKey(prepareKey(withoutOthers, initialValue, cutoffMs), stepsMax).kind === 'not-linearizable';
  };
  return candidates.length === 1 ? candidates[0]! : (candidates.find(breaksAlone) ?? candidates[0]!);
}

/**
 * Names the read at which the key's history stops being linearizable: the history cut at a completion
 * time, with what was still running as of unknown outcome, is linearizable up to some cut and not from
 * it on (a linearization of a later cut, restricted, is one of an earlier cut), so a binary search over
 * completion times finds the first bad cut. A write completing never breaks a cut, since it can be placed
 * last, so the cut ends with a read. Each probe is a bounded search; a probe that runs out of steps
 * counts as linearizable, which can only move the cut later.
 */
function notLinearizable(key: string, operations: readonly RegisterOperation[], initialValue: string | undefined, stepsMax: number): LinearizabilityResult {
  const completions = [...new Set(operations.filter((operation) => operation.outcome === 'ok').map((operation) => operation.completeMs))].sort((a, b) => a - b);
  invariant(completions.length > 0, `key '${key}' failed without any completed operation`);
  const failsAt = (cutoffMs: number): boolean => searchKey(prepareKey(operations, initialValue, cutoffMs), stepsMax).kind === 'not-linearizable';
  let low = 0;
  let high = completions.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (failsAt(completions[middle]!)) high = middle;
    else low = middle + 1;
  }
  const culprit = culpritAt(operations, initialValue, stepsMax, completions[high]!);
  const context = witnessContext(operations, culprit);
  const explanation =
    `${describe(culprit)} on key '${key}', but no linearization of the key's operations up to its completion allows it; ` +
    explainContext(culprit, context, initialValue);
  return { ok: false, key, reason: 'not-linearizable', explanation, operations: witness(culprit, context) };
}

function searchTooLong(key: string, prepared: PreparedKey, outcome: { readonly deepest: DeepestPoint }, stepsMax: number): LinearizabilityResult {
  const keyOperations = prepared.operations.map((operation) => operation.source);
  const blocking = prepared.operations[outcome.deepest.blocking]?.source;
  const furthest = blocking === undefined ? '' : `; the deepest search placed ${outcome.deepest.placed} operations before ${describe(blocking)}`;
  return {
    ok: false,
    key,
    reason: 'search-too-long',
    explanation: `the search of key '${key}' gave up after stepsMax = ${stepsMax} steps over ${keyOperations.length} operations${furthest}`,
    operations: blocking === undefined ? keyOperations.slice(0, WITNESS_OPERATIONS_MAX) : witness(blocking, witnessContext(keyOperations, blocking)),
  };
}

/** When an operation's effect may come at the latest: its completion, or never known for an unknown outcome. */
function latestEffectMs(operation: RegisterOperation): number {
  return operation.outcome === 'unknown' ? Infinity : operation.completeMs;
}

interface WitnessContext {
  /** Writes completed before the read began and not certainly overwritten before it began. */
  readonly lastWrites: readonly RegisterOperation[];
  /** Writes invoked before the read completed that may have taken effect while it ran. */
  readonly concurrentWrites: readonly RegisterOperation[];
  /** Writes of the value the read returned, invoked before it completed. */
  readonly sources: readonly RegisterOperation[];
  /** Every operation overlapping the window from the earliest of those writes to the read's end. */
  readonly window: readonly RegisterOperation[];
}

/** The writes that could explain `read`, from the key's informative operations (failed ones are gone). */
function witnessContext(operations: readonly RegisterOperation[], read: RegisterOperation): WitnessContext {
  const earlier = operations.filter((operation) => operation !== read && operation.invokeMs <= read.completeMs);
  const writes = earlier.filter((operation) => operation.kind === 'write');
  const completedBefore = writes.filter((write) => latestEffectMs(write) < read.invokeMs);
  // A write is certainly overwritten when another write began after it ended and ended before `read` began.
  const overwrittenBeforeMs = completedBefore.reduce((latestMs, write) => Math.max(latestMs, write.invokeMs), -Infinity);
  const lastWrites = completedBefore.filter((write) => write.completeMs >= overwrittenBeforeMs);
  const concurrentWrites = writes.filter((write) => latestEffectMs(write) >= read.invokeMs);
  const sources = writes.filter((write) => write.value === read.value);
  const windowStartMs = [...lastWrites, ...concurrentWrites].reduce((earliestMs, write) => Math.min(earliestMs, write.invokeMs), read.invokeMs);
  const window = earlier.filter((operation) => latestEffectMs(operation) >= windowStartMs);
  return { lastWrites, concurrentWrites, sources, window };
}

/** The read first, then the writes that could explain it, then the rest of its window, shown in time order. */
function witness(read: RegisterOperation, context: WitnessContext): RegisterOperation[] {
  const chosen = new Set<RegisterOperation>([read]);
  for (const operation of [...context.lastWrites, ...context.concurrentWrites, ...context.sources, ...context.window]) {
    if (chosen.size >= WITNESS_OPERATIONS_MAX) break;
    chosen.add(operation);
  }
  return [...chosen].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
}

function explainContext(read: RegisterOperation, context: WitnessContext, initialValue: string | undefined): string {
  const parts = [
    `last writes before it: ${listOperations(context.lastWrites, `none (initial value ${formatValue(initialValue)})`)}`,
    `concurrent writes: ${listOperations(context.concurrentWrites, 'none')}`,
  ];
  if (context.sources.length === 0 && read.value !== initialValue) {
    parts.push(`no write that may have taken effect by then wrote ${formatValue(read.value)}`);
  }
  return parts.join('; ');
}

function listOperations(operations: readonly RegisterOperation[], whenEmpty: string): string {
  if (operations.length === 0) return whenEmpty;
  const named = operations.slice(0, EXPLANATION_NAMES_MAX).map(describe).join(', ');
  return operations.length > EXPLANATION_NAMES_MAX ? `${named} and ${operations.length - EXPLANATION_NAMES_MAX} more` : named;
}

function describe(operation: RegisterOperation): string {
  const verb = operation.kind === 'read' ? 'returned' : 'wrote';
  const interval = operation.outcome === 'unknown' ? `[${operation.invokeMs}, ?) ms (outcome unknown)` : `[${operation.invokeMs}, ${operation.completeMs}] ms`;
  return `${operation.kind} #${operation.id} by ${operation.client} ${verb} ${formatValue(operation.value)} at ${interval}`;
}

function formatValue(value: string | undefined): string {
  return value === undefined ? 'absent' : `'${value}'`;
}

/** What `HistoryRecorder.invoke` hands back, to be passed to `ok`, `fail` or `unknown`. */
export type OperationHandle = number;

interface PendingOperation {
  readonly client: string;
  readonly key: string;
  readonly kind: 'read' | 'write';
  readonly value: string | undefined;
  readonly invokeMs: number;
}

/**
 * Records a history as clients run it. The clock is passed in (the simulator's, or the lab's
 * `performance.now`) so that this stays pure. Operations still pending when the history is taken count as
 * of unknown outcome: their answer never came.
 */
export class HistoryRecorder {
  readonly #nowMs: () => number;
  readonly #operationsMax: number;
  readonly #pending = new Map<OperationHandle, PendingOperation>();
  readonly #completed: RegisterOperation[] = [];
  #nextId = 1;

  /** @param operationsMax bound on operations recorded, pending or completed. @default 1_000_000 */
  constructor(nowMs: () => number, operationsMax = 1_000_000) {
    this.#nowMs = nowMs;
    this.#operationsMax = operationsMax;
  }

  /** `value` is the value to write (undefined deletes); reads pass nothing. */
  invoke(client: string, key: string, kind: 'read' | 'write', value?: string): OperationHandle {
    invariant(this.#nextId <= this.#operationsMax, `the history recorder holds at most ${this.#operationsMax} operations`);
    invariant(kind === 'write' || value === undefined, `read #${this.#nextId} is invoked with a value`);
    const handle = this.#nextId;
    this.#nextId += 1;
    this.#pending.set(handle, { client, key, kind, value, invokeMs: this.#nowMs() });
    return handle;
  }

  /** `value` is what a read returned (undefined = absent); a write passes nothing. */
  ok(handle: OperationHandle, value?: string): void {
    const pending = this.#pending.get(handle);
    invariant(pending === undefined || pending.kind === 'read' || value === undefined, `write #${handle} completes with a value`);
    this.#complete(handle, 'ok', pending?.kind === 'read' ? value : pending?.value);
  }

  fail(handle: OperationHandle): void {
    this.#complete(handle, 'failed', this.#pending.get(handle)?.value);
  }

  unknown(handle: OperationHandle): void {
    this.#complete(handle, 'unknown', this.#pending.get(handle)?.value);
  }

  /** Every operation invoked so far, by id; pending ones as of unknown outcome. */
  operations(): RegisterOperation[] {
    const pending = [...this.#pending].map(([id, operation]): RegisterOperation => ({ id, ...operation, completeMs: Infinity, outcome: 'unknown' }));
    return [...this.#completed, ...pending].sort((a, b) => a.id - b.id);
  }

  #complete(handle: OperationHandle, outcome: RegisterOperation['outcome'], value: string | undefined): void {
    const pending = this.#pending.get(handle);
    invariant(pending !== undefined, `operation #${handle} is not pending (never invoked, or already completed)`);
    this.#pending.delete(handle);
    this.#completed.push({ id: handle, ...pending, value, completeMs: this.#nowMs(), outcome });
  }
}
