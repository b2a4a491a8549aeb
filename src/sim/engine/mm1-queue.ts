import { Exponential } from './distributions.ts';
import type { SeededRandom } from './seeded-random.ts';
import { SimClock } from './sim-clock.ts';

/**
 * The M/M/1 queue (Poisson arrivals, exponential service, one server, first come first served): the
 * engine's reference model. Its answers are known in closed form, so it checks the clock, the event
 * order and the random source together, and it is what `bench/sim/mm1.ts` races against SimPy.
 */

export interface Mm1Options {
  /** Arrivals per millisecond (λ). */
  readonly arrivalRatePerMs: number;
  /** Services per millisecond when busy (μ); must exceed the arrival rate for the queue to settle. */
  readonly serviceRatePerMs: number;
  /** Customers to simulate; the run ends when the last one leaves. */
  readonly customers: number;
  /** Streams `arrivals` and `service` are forked from it. */
  readonly random: SeededRandom;
}

export interface Mm1Result {
  readonly customers: number;
  readonly meanWaitInQueueMs: number;
  readonly meanTimeInSystemMs: number;
  readonly eventsDelivered: number;
  readonly endTimeMs: number;
}

export interface Mm1Theory {
  readonly utilisation: number;
  /** Wq = ρ / (μ − λ) */
  readonly meanWaitInQueueMs: number;
  /** W = 1 / (μ − λ) */
  readonly meanTimeInSystemMs: number;
}

export function mm1Theory(arrivalRatePerMs: number, serviceRatePerMs: number): Mm1Theory {
  if (!(arrivalRatePerMs > 0 && serviceRatePerMs > arrivalRatePerMs)) throw new RangeError(`M/M/1 needs 0 < λ < μ, got λ=${arrivalRatePerMs}, μ=${serviceRatePerMs}`);
  const utilisation = arrivalRatePerMs / serviceRatePerMs;
  return {
    utilisation,
    meanWaitInQueueMs: utilisation / (serviceRatePerMs - arrivalRatePerMs),
    meanTimeInSystemMs: 1 / (serviceRatePerMs - arrivalRatePerMs),
  };
}

/** Events carry no data: the queue's state says which customer is concerned. */
const ARRIVAL = { kind: 'arrival' } as const;
const DEPARTURE = { kind: 'departure' } as const;
type QueueEvent = typeof ARRIVAL | typeof DEPARTURE;

/** The queue's state while it runs; customers are numbered in arrival order, which is service order. */
class Mm1State {
  /** Arrival time of each customer; sized once, so memory is bounded by the customer count. */
  readonly arrivalTimes: Float64Array;
  arrived = 0;
  started = 0;
  serverBusy = false;
  waitSum = 0;
  systemSum = 0;

  constructor(customers: number) {
    this.arrivalTimes = new Float64Array(customers);
  }
}

export function runMm1(options: Mm1Options): Mm1Result {
  const { customers } = options;
  if (!Number.isSafeInteger(customers) || customers < 1) throw new RangeError(`customers must be a positive integer, got ${customers}`);
  mm1Theory(options.arrivalRatePerMs, options.serviceRatePerMs);
  const clock = new SimClock<QueueEvent>();
  const interArrival = Exponential.fromRate(options.arrivalRatePerMs);
  const service = Exponential.fromRate(options.serviceRatePerMs);
  const arrivalRandom = options.random.fork('arrivals');
  const serviceRandom = options.random.fork('service');
  const state = new Mm1State(customers);

  // Service starts for the customer at the head of the line; its whole time in system is known now.
  const startService = (nowMs: number): void => {
    const wait = nowMs - state.arrivalTimes[state.started++]!;
    const serviceTime = service.sample(serviceRandom);
    state.waitSum += wait;
    state.systemSum += wait + serviceTime;
    state.serverBusy = true;
    clock.scheduleIn(serviceTime, DEPARTURE);
  };

  const onEvent = (event: QueueEvent, nowMs: number): void => {
    if (event.kind === 'arrival') {
      state.arrivalTimes[state.arrived++] = nowMs;
      if (state.arrived < customers) clock.scheduleIn(interArrival.sample(arrivalRandom), ARRIVAL);
      if (!state.serverBusy) startService(nowMs);
    } else {
      state.serverBusy = false;
      if (state.started < state.arrived) startService(nowMs);
    }
  };

  clock.schedule(0, ARRIVAL);
  const eventsDelivered = clock.runUntil(Infinity, onEvent);
  return {
    customers: state.started,
    meanWaitInQueueMs: state.waitSum / state.started,
    meanTimeInSystemMs: state.systemSum / state.started,
    eventsDelivered,
    endTimeMs: clock.nowMs(),
  };
}
