import { EventQueue, PENDING_EVENTS_MAX, type EventHandle } from './event-queue.ts';

/**
 * Virtual time and the events due in it: the loop every simulation runs on.
 *
 * Events are plain data of the model's own type `E` (a tagged object, a number), delivered to one
 * handler the caller passes to `step` or `runUntil`. Data rather than a closure per event keeps the
 * pure-step shape of the core (`(state, event, nowMs) -> effects`), lets a failing run log the event
 * it was handling, and costs less: `bench/sim/event-dispatch.ts` measures the difference.
 *
 * Time only moves forward, and only here: to the time of the event being delivered, or to the end of
 * a `runUntil`. Nothing reads the wall clock.
 */

/** Receives each event at its time; it may schedule, cancel and call `stop()`. */
export type EventHandler<E> = (event: E, nowMs: number) => void;

export interface SimClockOptions {
  /** Virtual time at which the run starts. @default 0 */
  readonly startMs?: number;
  /** Most events that may be pending at once; scheduling beyond it throws `EventQueueFullError`. @default PENDING_EVENTS_MAX (2^24) */
  readonly pendingEventsMax?: number;
}

export class SimClock<E> {
  private readonly queue: EventQueue<E>;
  private currentMs: number;
  private stopRequested = false;
  private deliveredCount = 0;

  constructor(options: SimClockOptions = {}) {
    const startMs = options.startMs ?? 0;
    if (!Number.isFinite(startMs)) throw new RangeError(`SimClock: startMs must be finite, got ${startMs}`);
    this.currentMs = startMs;
    this.queue = new EventQueue<E>(options.pendingEventsMax ?? PENDING_EVENTS_MAX);
  }

  /** The current virtual time; the shape of a `Clock` the core can be handed. */
  nowMs(): number {
    return this.currentMs;
  }

  /** Events waiting to be delivered. */
  get pendingCount(): number {
    return this.queue.size;
  }

  /** Events delivered since the clock was made. */
  get deliveredTotal(): number {
    return this.deliveredCount;
  }

  /** Time of the next pending event, or `Infinity`. */
  nextEventMs(): number {
    return this.queue.peekTimeMs();
  }

  /** Schedules `event` at the absolute time `atMs`, which may be now but not in the past. */
  schedule(atMs: number, event: E): EventHandle {
    // One comparison that also rejects NaN; a past event would make time run backwards.
    if (!(atMs >= this.currentMs) || atMs === Infinity) {
      throw new RangeError(`SimClock: cannot schedule at ${atMs} ms, now is ${this.currentMs} ms`);
    }
    return this.queue.push(atMs, event);
  }

  /** Schedules `event` `delayMs` from now; a zero delay runs after everything already due now. */
  scheduleIn(delayMs: number, event: E): EventHandle {
    return this.schedule(this.currentMs + delayMs, event);
  }

  /** Withdraws a pending event; false when it already ran or was already cancelled. */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  isPending(handle: EventHandle): boolean {
    return this.queue.isPending(handle);
  }

  /** Makes the current `runUntil` return after the event being handled; for stop conditions. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Delivers the next event, if any, moving the clock to its time. Returns false when nothing was
   * pending. Lets a caller interleave its own checks (invariants, progress) between events.
   */
  step(onEvent: EventHandler<E>): boolean {
    if (this.queue.size === 0) return false;
    this.deliver(this.queue.peekTimeMs(), onEvent);
    return true;
  }

  /**
   * Delivers every event due at or before `endMs`, in order, then leaves the clock at `endMs`; when
   * stopped early, cut short by `eventsMax`, or run to `Infinity`, the clock stays at the last event.
   * `eventsMax` bounds the work of one call so that a model that keeps scheduling at the same instant
   * cannot spin forever. Returns the number of events delivered by this call.
   */
  runUntil(endMs: number, onEvent: EventHandler<E>, eventsMax = Number.MAX_SAFE_INTEGER): number {
    if (!(endMs >= this.currentMs)) throw new RangeError(`SimClock: cannot run until ${endMs} ms, now is ${this.currentMs} ms`);
    this.stopRequested = false;
    const queue = this.queue;
    let delivered = 0;
    while (delivered < eventsMax && queue.size > 0) {
      const timeMs = queue.peekTimeMs();
      if (timeMs > endMs) break;
      this.deliver(timeMs, onEvent);
      delivered++;
      if (this.stopRequested) return delivered;
    }
    // Time reaches endMs only once nothing due by then is left, so a call cut short by eventsMax resumes cleanly.
    if (endMs !== Infinity && queue.peekTimeMs() > endMs) this.currentMs = endMs;
    return delivered;
  }

  private deliver(timeMs: number, onEvent: EventHandler<E>): void {
    const event = this.queue.pop();
    this.currentMs = timeMs;
    this.deliveredCount++;
    onEvent(event, timeMs);
  }
}
