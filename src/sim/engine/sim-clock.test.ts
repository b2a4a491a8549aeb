import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueueFullError } from './event-queue.ts';
import { SimClock } from './sim-clock.ts';

/** Records each delivery as `name@timeMs`, the clock reading included, so order and time are checked together. */
function recorder(clock: SimClock<string>): { log: string[]; onEvent: (event: string, nowMs: number) => void } {
  const log: string[] = [];
  return {
    log,
    onEvent: (event, nowMs) => {
      assert.equal(clock.nowMs(), nowMs);
      log.push(`${event}@${nowMs}`);
    },
  };
}

test('delivers in time order and moves the clock to each event', () => {
  const clock = new SimClock<string>();
  clock.schedule(20, 'b');
  clock.scheduleIn(10, 'a');
  clock.schedule(30, 'c');
  const { log, onEvent } = recorder(clock);
  assert.equal(clock.runUntil(Infinity, onEvent), 3);
  assert.deepEqual(log, ['a@10', 'b@20', 'c@30']);
  assert.equal(clock.nowMs(), 30);
  assert.equal(clock.deliveredTotal, 3);
});

test('equal-time events run in scheduling order, and one scheduled now runs after those already due', () => {
  const clock = new SimClock<string>();
  for (const name of ['first', 'second', 'third']) clock.schedule(5, name);
  const log: string[] = [];
  clock.runUntil(Infinity, (event, nowMs) => {
    log.push(event);
    if (event === 'first') clock.scheduleIn(0, 'scheduled-by-first');
    if (event === 'second') clock.schedule(nowMs, 'scheduled-by-second');
  });
  assert.deepEqual(log, ['first', 'second', 'third', 'scheduled-by-first', 'scheduled-by-second']);
});

test('runUntil delivers events due at or before its end, leaves the rest, and stops the clock at the end', () => {
  const clock = new SimClock<string>();
  for (const timeMs of [5, 10, 15]) clock.schedule(timeMs, `t${timeMs}`);
  const { log, onEvent } = recorder(clock);
  assert.equal(clock.runUntil(10, onEvent), 2);
  assert.deepEqual(log, ['t5@5', 't10@10']);
  assert.equal(clock.nowMs(), 10);
  assert.equal(clock.runUntil(12, onEvent), 0);
  assert.equal(clock.nowMs(), 12);
  assert.equal(clock.pendingCount, 1);
  assert.equal(clock.nextEventMs(), 15);
  clock.runUntil(100, onEvent);
  assert.deepEqual(log, ['t5@5', 't10@10', 't15@15']);
  assert.equal(clock.nowMs(), 100);
});

test('runUntil Infinity leaves the clock at the last event', () => {
  const clock = new SimClock<string>({ startMs: 1000 });
  clock.scheduleIn(250, 'only');
  clock.runUntil(Infinity, () => {});
  assert.equal(clock.nowMs(), 1250);
});

test('time never runs backwards: past, NaN and infinite times are refused', () => {
  const clock = new SimClock<string>();
  clock.runUntil(50, () => {});
  assert.throws(() => clock.schedule(49, 'past'), RangeError);
  assert.throws(() => clock.scheduleIn(-1, 'past'), RangeError);
  assert.throws(() => clock.schedule(Number.NaN, 'nan'), RangeError);
  assert.throws(() => clock.schedule(Infinity, 'never'), RangeError);
  assert.throws(() => clock.runUntil(10, () => {}), RangeError);
  assert.throws(() => new SimClock({ startMs: Number.NaN }), RangeError);
  assert.equal(clock.pendingCount, 0);
});

test('a cancelled event is not delivered; cancelling after delivery is harmless', () => {
  const clock = new SimClock<string>();
  const timeout = clock.schedule(100, 'timeout');
  const reply = clock.schedule(40, 'reply');
  const log: string[] = [];
  clock.runUntil(Infinity, (event) => {
    log.push(event);
    // The usual pattern: the reply arrives first and withdraws the timeout.
    if (event === 'reply') assert.equal(clock.cancel(timeout), true);
  });
  assert.deepEqual(log, ['reply']);
  assert.equal(clock.cancel(reply), false);
  assert.equal(clock.isPending(timeout), false);
});

test('eventsMax bounds a model that schedules at the same instant without end, and the run resumes', () => {
  const clock = new SimClock<string>();
  clock.schedule(0, 'spin');
  clock.schedule(10, 'later');
  const onEvent = (event: string): void => {
    if (event === 'spin') clock.scheduleIn(0, 'spin');
  };
  assert.equal(clock.runUntil(20, onEvent, 1000), 1000);
  // Events due by the end were left undelivered, so time must not have jumped past them.
  assert.equal(clock.nowMs(), 0);
  assert.equal(clock.pendingCount, 2);
});

test('stop() ends runUntil after the current event, with time left at that event', () => {
  const clock = new SimClock<number>();
  for (let timeMs = 1; timeMs <= 10; timeMs++) clock.schedule(timeMs, timeMs);
  const seen: number[] = [];
  const delivered = clock.runUntil(100, (event) => {
    seen.push(event);
    if (event === 4) clock.stop();
  });
  assert.equal(delivered, 4);
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(clock.nowMs(), 4);
  // A new run clears the stop request.
  assert.equal(clock.runUntil(100, () => {}), 6);
});

test('step delivers one event at a time and says when nothing is left', () => {
  const clock = new SimClock<string>();
  clock.schedule(3, 'a');
  clock.schedule(7, 'b');
  const { log, onEvent } = recorder(clock);
  assert.equal(clock.step(onEvent), true);
  assert.equal(clock.nowMs(), 3);
  assert.equal(clock.step(onEvent), true);
  assert.equal(clock.step(onEvent), false);
  assert.deepEqual(log, ['a@3', 'b@7']);
});

test('the number of pending events is bounded', () => {
  const clock = new SimClock<string>({ pendingEventsMax: 2 });
  clock.schedule(1, 'a');
  clock.schedule(2, 'b');
  assert.throws(() => clock.schedule(3, 'c'), EventQueueFullError);
});
