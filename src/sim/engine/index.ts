/** The discrete-event engine: virtual time, the event queue, seeded streams and distributions. */
export { EventQueue, EventQueueFullError, PENDING_EVENTS_MAX, type EventHandle } from './event-queue.ts';
export { SimClock, type EventHandler, type SimClockOptions } from './sim-clock.ts';
export { SEED_MAX, SeedFormatError, SeededRandom, isSeed, parseSeed, randomSeed } from './seeded-random.ts';
export {
  Bernoulli,
  Exponential,
  Lognormal,
  Normal,
  STANDARD_NORMAL_P99,
  Uniform,
  standardNormal,
  uniformIndex,
  type Distribution,
} from './distributions.ts';
export { mm1Theory, runMm1, type Mm1Options, type Mm1Result, type Mm1Theory } from './mm1-queue.ts';
