import type { Random } from '../../core/random.ts';

/**
 * The distributions a simulation draws from: exponential gaps between Poisson arrivals, lognormal
 * service times and network jitter, normal, uniform and Bernoulli.
 *
 * Each is a small immutable object whose parameters are checked and derived once (a lognormal's mu and
 * sigma from a median and a p99), and which takes the stream to draw from at each call. Taking the
 * stream per call lets one distribution serve several subsystems without coupling their streams; and
 * no distribution caches a spare draw (Box–Muller's second normal, say), because a cache shared between
 * two streams would leak numbers from one into the other.
 *
 * Values come out in the unit the parameters went in: a mean in milliseconds gives milliseconds.
 */

export interface Distribution {
  /** The analytic mean, for reports and for checking a run against theory. */
  readonly mean: number;
  sample(random: Random): number;
}

/** z such that P(Z ≤ z) = 0.99 for a standard normal Z. */
export const STANDARD_NORMAL_P99 = 2.3263478740408408;

function requireFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}

function requirePositive(value: number, what: string): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${what} must be a positive finite number, got ${value}`);
}

/** A standard normal draw by Box–Muller; `1 - u` keeps the logarithm away from zero. */
export function standardNormal(random: Random): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random.nextFloat()));
  return radius * Math.cos(2 * Math.PI * random.nextFloat());
}

/** Gaps between events of a Poisson process of rate 1 / mean: the memoryless arrival. */
export class Exponential implements Distribution {
  constructor(readonly mean: number) {
    requirePositive(mean, 'Exponential mean');
  }

  static fromRate(ratePerUnit: number): Exponential {
    requirePositive(ratePerUnit, 'Exponential rate');
    return new Exponential(1 / ratePerUnit);
  }

  sample(random: Random): number {
    return -this.mean * Math.log(1 - random.nextFloat());
  }
}

/** exp(N(mu, sigma²)): right-skewed and positive, the usual shape of service and network times. */
export class Lognormal implements Distribution {
  readonly mean: number;

  constructor(
    readonly mu: number,
    readonly sigma: number,
  ) {
    requireFinite(mu, 'Lognormal mu');
    if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`Lognormal sigma must be finite and not negative, got ${sigma}`);
    this.mean = Math.exp(mu + (sigma * sigma) / 2);
  }

  /** From the two figures people quote for a latency: its median and its 99th percentile. */
  static fromMedianP99(median: number, p99: number): Lognormal {
    requirePositive(median, 'Lognormal median');
    if (!(p99 >= median) || !Number.isFinite(p99)) throw new RangeError(`Lognormal p99 must be finite and at least the median ${median}, got ${p99}`);
    return new Lognormal(Math.log(median), Math.log(p99 / median) / STANDARD_NORMAL_P99);
  }

  get median(): number {
    return Math.exp(this.mu);
  }

  get p99(): number {
    return Math.exp(this.mu + this.sigma * STANDARD_NORMAL_P99);
  }

  sample(random: Random): number {
    return Math.exp(this.mu + this.sigma * standardNormal(random));
  }
}

/** N(mean, standardDeviation²); unbounded, so clamp it where a negative value means nothing. */
export class Normal implements Distribution {
  constructor(
    readonly mean: number,
    readonly standardDeviation: number,
  ) {
    requireFinite(mean, 'Normal mean');
    if (!(standardDeviation >= 0) || !Number.isFinite(standardDeviation)) {
      throw new RangeError(`Normal standardDeviation must be finite and not negative, got ${standardDeviation}`);
    }
  }

  sample(random: Random): number {
    return this.mean + this.standardDeviation * standardNormal(random);
  }
}

/** Uniform on [min, max). */
export class Uniform implements Distribution {
  readonly mean: number;

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    requireFinite(min, 'Uniform min');
    requireFinite(max, 'Uniform max');
    if (!(max >= min)) throw new RangeError(`Uniform max ${max} must be at least min ${min}`);
    this.mean = (min + max) / 2;
  }

  sample(random: Random): number {
    return this.min + (this.max - this.min) * random.nextFloat();
  }
}

/** True with the given probability: a packet lost, a request that fails. */
export class Bernoulli {
  constructor(readonly probability: number) {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`Bernoulli probability must be in [0, 1], got ${probability}`);
  }

  get mean(): number {
    return this.probability;
  }

  sample(random: Random): boolean {
    // Strict, so that probability 0 is never true and probability 1 always is, as nextFloat() < 1.
    return random.nextFloat() < this.probability;
  }
}

/** An integer in [0, count), for picking one of `count` things (a region, a replica). */
export function uniformIndex(random: Random, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`uniformIndex count must be a positive integer, got ${count}`);
  // With 53 random bits the bias of flooring is below 2^-53 × count: far under anything a run could see.
  return Math.floor(random.nextFloat() * count);
}
