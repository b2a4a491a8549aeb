/**
 * The simulator's pending events, ordered by time and then by the order they were scheduled in.
 *
 * A binary min-heap kept in typed arrays, with no allocation per event: a run with a hundred thousand
 * pending timers would otherwise promote every queue entry to the old generation and spend its time in
 * the garbage collector (`bench/sim/event-dispatch.ts` shows the cost of allocating per event). The
 * heap compares keys that sit side by side in `Float64Array`s instead of chasing a pointer per compare.
 *
 * Each pending event lives in a numbered slot; the heap orders slot numbers. A handle is the slot
 * number plus the slot's generation, so cancelling is an O(log n) removal that needs no lookup table,
 * and a handle whose event already ran (its slot since reused) is recognised as stale.
 *
 * The tie-break on a per-queue sequence number is what makes a run reproducible: two events due at the
 * same millisecond always run in the order they were scheduled, whatever the heap's shape.
 */

/** Identifies one scheduled event, for `cancel`; a plain number, so scheduling allocates nothing. */
export type EventHandle = number & { readonly __brand: 'EventHandle' };

/** Slots are numbered below 2^24, and generations below 2^29, so a handle stays a safe integer. */
const SLOT_BITS = 24;
const SLOT_LIMIT = 2 ** SLOT_BITS;
const GENERATION_LIMIT = 2 ** (53 - SLOT_BITS);
/** The most events that may be pending at once unless the caller asks for less: about 640 MB of queue. */
export const PENDING_EVENTS_MAX = SLOT_LIMIT;
const CAPACITY_INITIAL = 64;
const FREE = -1;

/** More events pending than the queue's bound: almost always a model that schedules without end. */
export class EventQueueFullError extends Error {
  readonly code = 'EVENT_QUEUE_FULL';
  constructor(readonly pendingMax: number) {
    super(`more than ${pendingMax} events pending at once`);
    this.name = 'EventQueueFullError';
  }
}

export class EventQueue<E> {
  // By heap position: the key and the slot holding the event.
  private times = new Float64Array(CAPACITY_INITIAL);
  private sequences = new Float64Array(CAPACITY_INITIAL);
  private slotAt = new Int32Array(CAPACITY_INITIAL);
  // By slot: where it sits in the heap (FREE when unused), its generation, its event.
  private positionOf = new Int32Array(CAPACITY_INITIAL).fill(FREE);
  private generationOf = new Float64Array(CAPACITY_INITIAL);
  private readonly events: (E | undefined)[] = [];
  private freeSlots = new Int32Array(CAPACITY_INITIAL);
  private freeCount = 0;
  private slotsUsed = 0;
  private count = 0;
  private nextSequence = 0;
  private readonly pendingMax: number;

  constructor(pendingMax: number = PENDING_EVENTS_MAX) {
    if (!Number.isSafeInteger(pendingMax) || pendingMax < 1 || pendingMax > PENDING_EVENTS_MAX) {
      throw new RangeError(`EventQueue: pendingMax must be an integer from 1 to ${PENDING_EVENTS_MAX}, got ${pendingMax}`);
    }
    this.pendingMax = pendingMax;
  }

  get size(): number {
    return this.count;
  }

  /** The time of the next event, or `Infinity` when nothing is pending. */
  peekTimeMs(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  push(timeMs: number, event: E): EventHandle {
    const slot = this.takeSlot();
    this.events[slot] = event;
    this.siftUp(this.count++, timeMs, this.nextSequence++, slot);
    return (this.generationOf[slot]! * SLOT_LIMIT + slot) as EventHandle;
  }

  /** Removes and returns the earliest event; the caller checks `size` first. */
  pop(): E {
    const slot = this.slotAt[0]!;
    const event = this.releaseSlot(slot);
    this.removeAt(0);
    return event;
  }

  /** Removes a pending event; false when it already ran or was already cancelled, so a late cancel is harmless. */
  cancel(handle: EventHandle): boolean {
    const slot = this.pendingSlot(handle);
    if (slot === FREE) return false;
    const position = this.positionOf[slot]!;
    this.releaseSlot(slot);
    this.removeAt(position);
    return true;
  }

  /** Whether the handle's event is still waiting in this queue. */
  isPending(handle: EventHandle): boolean {
    return this.pendingSlot(handle) !== FREE;
  }

  private pendingSlot(handle: EventHandle): number {
    if (!Number.isSafeInteger(handle) || handle < 0) return FREE;
    const slot = handle % SLOT_LIMIT;
    const generation = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.slotsUsed || this.positionOf[slot] === FREE || this.generationOf[slot] !== generation) return FREE;
    return slot;
  }

  private takeSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotsUsed === this.pendingMax) throw new EventQueueFullError(this.pendingMax);
    if (this.slotsUsed === this.times.length) this.grow();
    return this.slotsUsed++;
  }

  /** Frees a slot and returns its event; a new generation makes old handles to it stale. */
  private releaseSlot(slot: number): E {
    const event = this.events[slot] as E;
    this.events[slot] = undefined;
    this.positionOf[slot] = FREE;
    this.generationOf[slot] = (this.generationOf[slot]! + 1) % GENERATION_LIMIT;
    this.freeSlots[this.freeCount++] = slot;
    return event;
  }

  /** Fills the hole at `position` with the last entry and restores the heap order around it. */
  private removeAt(position: number): void {
    const last = --this.count;
    if (position === last) return;
    const timeMs = this.times[last]!;
    const sequence = this.sequences[last]!;
    const slot = this.slotAt[last]!;
    if (position > 0 && isEarlier(timeMs, sequence, this.times[(position - 1) >> 1]!, this.sequences[(position - 1) >> 1]!)) {
      this.siftUp(position, timeMs, sequence, slot);
    } else {
      this.siftDown(position, timeMs, sequence, slot);
    }
  }

  private place(position: number, timeMs: number, sequence: number, slot: number): void {
    this.times[position] = timeMs;
    this.sequences[position] = sequence;
    this.slotAt[position] = slot;
    this.positionOf[slot] = position;
  }

  private siftUp(startPosition: number, timeMs: number, sequence: number, slot: number): void {
    const times = this.times;
    const sequences = this.sequences;
    let position = startPosition;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (!isEarlier(timeMs, sequence, times[parent]!, sequences[parent]!)) break;
      this.place(position, times[parent]!, sequences[parent]!, this.slotAt[parent]!);
      position = parent;
    }
    this.place(position, timeMs, sequence, slot);
  }

  /**
   * Moves the hole at `startPosition` down to a leaf along the earlier child, then lets the entry climb
   * back up. The entry usually comes from the end of the heap, among the latest events, so it nearly
   * always belongs near the bottom: this costs one comparison per level instead of two.
   */
  private siftDown(startPosition: number, timeMs: number, sequence: number, slot: number): void {
    const times = this.times;
    const sequences = this.sequences;
    const length = this.count;
    let position = startPosition;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && isEarlier(times[right]!, sequences[right]!, times[left]!, sequences[left]!) ? right : left;
      this.place(position, times[child]!, sequences[child]!, this.slotAt[child]!);
      position = child;
    }
    this.siftUp(position, timeMs, sequence, slot);
  }

  /** Doubles every array; amortised, and bounded by `pendingMax`. */
  private grow(): void {
    const capacity = Math.min(this.times.length * 2, this.pendingMax);
    this.times = resized(this.times, capacity);
    this.sequences = resized(this.sequences, capacity);
    this.slotAt = resized(this.slotAt, capacity);
    this.generationOf = resized(this.generationOf, capacity);
    this.freeSlots = resized(this.freeSlots, capacity);
    const positions = new Int32Array(capacity).fill(FREE);
    positions.set(this.positionOf);
    this.positionOf = positions;
  }
}

function isEarlier(timeMs: number, sequence: number, otherTimeMs: number, otherSequence: number): boolean {
  return timeMs < otherTimeMs || (timeMs === otherTimeMs && sequence < otherSequence);
}

function resized<T extends Float64Array | Int32Array>(array: T, capacity: number): T {
  const larger = new (array.constructor as new (length: number) => T)(capacity);
  larger.set(array);
  return larger;
}
