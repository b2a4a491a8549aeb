/**
 * Data events against closure events, on the same SimClock: does the engine's choice of plain data
 * events (one handler, a switch on the kind) pay for itself over the obvious `scheduleIn(d, () => ...)`?
 *
 * The workload is the classic "hold" model: `--timers` timers are always pending, and each one, when it
 * fires, re-arms itself after an exponential delay. The data variant re-schedules the timer's own object;
 * the closure variant allocates a closure per event, as callback-style code does. Both draw the same
 * numbers from the same seed, so they do the same work, and both stop after `--events` events.
 *
 *   node --import tsx bench/sim/event-dispatch.ts [--timers 1000] [--events 2000000] [--seed 2]
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Exponential } from '../../src/sim/engine/distributions.ts';
import { SeededRandom, parseSeed } from '../../src/sim/engine/seeded-random.ts';
import { SimClock } from '../../src/sim/engine/sim-clock.ts';
import { EXIT_BAD_USAGE, errorMessage, formatRate, positiveInteger } from './bench-args.ts';

interface Timer {
  readonly id: number;
  fired: number;
}

interface Outcome {
  readonly eventsPerSecond: number;
  /** Sum of fire counts weighted by id: equal in both variants when they did the same work. */
  readonly checksum: number;
}

function makeTimers(count: number): Timer[] {
  return Array.from({ length: count }, (_, id) => ({ id, fired: 0 }));
}

function checksumOf(timers: readonly Timer[]): number {
  return timers.reduce((sum, timer) => sum + timer.fired * (timer.id + 1), 0);
}

function runDataEvents(timerCount: number, eventsMax: number, seed: number): Outcome {
  const clock = new SimClock<Timer>();
  const random = SeededRandom.fromSeed(seed).fork('timers');
  const delay = new Exponential(1);
  const timers = makeTimers(timerCount);
  for (const timer of timers) clock.scheduleIn(delay.sample(random), timer);
  const started = performance.now();
  clock.runUntil(Infinity, (timer) => {
    timer.fired++;
    clock.scheduleIn(delay.sample(random), timer);
  }, eventsMax);
  return { eventsPerSecond: eventsMax / ((performance.now() - started) / 1000), checksum: checksumOf(timers) };
}

function runClosureEvents(timerCount: number, eventsMax: number, seed: number): Outcome {
  const clock = new SimClock<() => void>();
  const random = SeededRandom.fromSeed(seed).fork('timers');
  const delay = new Exponential(1);
  const timers = makeTimers(timerCount);
  const arm = (timer: Timer): void => {
    clock.scheduleIn(delay.sample(random), () => {
      timer.fired++;
      arm(timer);
    });
  };
  for (const timer of timers) arm(timer);
  const started = performance.now();
  clock.runUntil(Infinity, (callback) => callback(), eventsMax);
  return { eventsPerSecond: eventsMax / ((performance.now() - started) / 1000), checksum: checksumOf(timers) };
}

interface DispatchOptions {
  readonly timerCount: number;
  readonly eventsMax: number;
  readonly seed: number;
}

function readOptions(): DispatchOptions {
  const { values } = parseArgs({
    options: { timers: { type: 'string', default: '1000' }, events: { type: 'string', default: '2000000' }, seed: { type: 'string', default: '2' } },
  });
  return {
    timerCount: positiveInteger(values.timers, '--timers', 1_000_000),
    eventsMax: positiveInteger(values.events, '--events', 50_000_000),
    seed: parseSeed(values.seed),
  };
}

function main({ timerCount, eventsMax, seed }: DispatchOptions): void {
  // Alternate the variants so that neither always runs on a colder or hotter JIT.
  const data: Outcome[] = [];
  const closures: Outcome[] = [];
  for (let round = 0; round < 3; round++) {
    data.push(runDataEvents(timerCount, eventsMax, seed));
    closures.push(runClosureEvents(timerCount, eventsMax, seed));
  }
  const best = (outcomes: Outcome[]): number => Math.max(...outcomes.map((outcome) => outcome.eventsPerSecond));
  console.log(`hold model, ${timerCount} pending timers, ${eventsMax} events, seed ${seed}, best of 3`);
  console.log(`  data events     ${formatRate(best(data))} events/s`);
  console.log(`  closure events  ${formatRate(best(closures))} events/s`);
  console.log(`  data / closure  ${(best(data) / best(closures)).toFixed(2)}x`);
  if (data[0]!.checksum !== closures[0]!.checksum) {
    console.error('the two variants did different work: checksums differ');
    process.exitCode = 1;
  }
}

function optionsOrExit(): DispatchOptions {
  try {
    return readOptions();
  } catch (error) {
    console.error(`event-dispatch bench: ${errorMessage(error)}`);
    process.exit(EXIT_BAD_USAGE);
  }
}

main(optionsOrExit());
