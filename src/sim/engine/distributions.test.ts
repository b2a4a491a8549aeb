import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bernoulli, Exponential, Lognormal, Normal, STANDARD_NORMAL_P99, Uniform, uniformIndex, type Distribution } from './distributions.ts';
import { SeededRandom } from './seeded-random.ts';

/**
 * Every statistical check draws from a fixed seed, so it cannot flake; and every tolerance is at least
 * four standard errors wide, so the seed was not picked to pass: any seed would.
 */
const SAMPLES = 200_000;

function samplesOf(distribution: Distribution, label: string): Float64Array {
  const random = SeededRandom.fromSeed(2024).fork(label);
  const values = new Float64Array(SAMPLES);
  for (let index = 0; index < SAMPLES; index++) values[index] = distribution.sample(random);
  return values;
}

function meanOf(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function standardDeviationOf(values: Float64Array): number {
  const mean = meanOf(values);
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

function quantileOf(values: Float64Array, quantile: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(quantile * (sorted.length - 1))]!;
}

function assertNear(actual: number, expected: number, relativeTolerance: number, what: string): void {
  const error = Math.abs(actual / expected - 1);
  assert.ok(error <= relativeTolerance, `${what}: ${actual} is ${(error * 100).toFixed(2)} % from ${expected}, more than ${relativeTolerance * 100} %`);
}

test('exponential: mean, median and p99 of a memoryless gap', () => {
  const exponential = Exponential.fromRate(0.5);
  assert.equal(exponential.mean, 2);
  const values = samplesOf(exponential, 'exponential');
  // Standard error of the mean: 2 / √200 000 = 0.22 %.
  assertNear(meanOf(values), 2, 0.01, 'mean');
  assertNear(quantileOf(values, 0.5), 2 * Math.LN2, 0.015, 'median');
  assertNear(quantileOf(values, 0.99), 2 * Math.log(100), 0.03, 'p99');
  assert.ok(values.every((value) => value >= 0 && Number.isFinite(value)));
});

test('lognormal from a median and a p99 reproduces them', () => {
  const latency = Lognormal.fromMedianP99(40, 160);
  assertNear(latency.median, 40, 1e-12, 'analytic median');
  assertNear(latency.p99, 160, 1e-12, 'analytic p99');
  assertNear(latency.sigma, Math.log(4) / STANDARD_NORMAL_P99, 1e-12, 'sigma');
  const values = samplesOf(latency, 'lognormal');
  assertNear(quantileOf(values, 0.5), 40, 0.01, 'median');
  assertNear(quantileOf(values, 0.99), 160, 0.03, 'p99');
  assertNear(meanOf(values), latency.mean, 0.01, 'mean');
  assert.ok(values.every((value) => value > 0));
});

test('lognormal from mu and sigma', () => {
  const lognormal = new Lognormal(1, 0.5);
  assertNear(lognormal.mean, Math.exp(1.125), 1e-12, 'analytic mean');
  assertNear(meanOf(samplesOf(lognormal, 'lognormal-mu-sigma')), lognormal.mean, 0.01, 'mean');
  assert.equal(new Lognormal(2, 0).sample(SeededRandom.fromSeed(1)), Math.exp(2));
});

test('normal: mean, standard deviation and p99', () => {
  const values = samplesOf(new Normal(10, 3), 'normal');
  // Standard errors: 3 / √200 000 = 0.0067 for the mean, about 0.005 for the deviation.
  assert.ok(Math.abs(meanOf(values) - 10) < 0.03, `mean ${meanOf(values)}`);
  assert.ok(Math.abs(standardDeviationOf(values) - 3) < 0.03, `standard deviation ${standardDeviationOf(values)}`);
  assertNear(quantileOf(values, 0.99), 10 + 3 * STANDARD_NORMAL_P99, 0.01, 'p99');
  assertNear(quantileOf(values, 0.5), 10, 0.005, 'median');
});

test('uniform: bounds and mean', () => {
  const uniform = new Uniform(5, 9);
  const values = samplesOf(uniform, 'uniform');
  assert.ok(values.every((value) => value >= 5 && value < 9));
  assertNear(meanOf(values), 7, 0.002, 'mean');
  assertNear(quantileOf(values, 0.25), 6, 0.005, 'first quartile');
});

test('bernoulli: the share of true draws, and the certain cases', () => {
  const random = SeededRandom.fromSeed(2024).fork('bernoulli');
  const lossy = new Bernoulli(0.3);
  let hits = 0;
  for (let index = 0; index < SAMPLES; index++) if (lossy.sample(random)) hits++;
  // Standard error: √(0.3 × 0.7 / 200 000) = 0.001.
  assert.ok(Math.abs(hits / SAMPLES - 0.3) < 0.005, `share ${hits / SAMPLES}`);
  const never = new Bernoulli(0);
  const always = new Bernoulli(1);
  for (let index = 0; index < 10_000; index++) {
    assert.equal(never.sample(random), false);
    assert.equal(always.sample(random), true);
  }
});

test('uniformIndex picks every index about equally often and never one out of range', () => {
  const random = SeededRandom.fromSeed(2024).fork('index');
  const counts = new Array<number>(7).fill(0);
  for (let index = 0; index < 70_000; index++) counts[uniformIndex(random, 7)]!++;
  // Each expects 10 000 with a standard deviation of 93.
  for (const count of counts) assert.ok(Math.abs(count - 10_000) < 500, `count ${count}`);
  assert.equal(uniformIndex(random, 1), 0);
});

test('bad parameters are refused when the distribution is made, not when it is drawn', () => {
  const bad = [
    () => new Exponential(0),
    () => Exponential.fromRate(-1),
    () => Lognormal.fromMedianP99(40, 20),
    () => Lognormal.fromMedianP99(0, 20),
    () => new Lognormal(0, -1),
    () => new Normal(0, Number.NaN),
    () => new Uniform(3, 2),
    () => new Bernoulli(1.5),
    () => uniformIndex(SeededRandom.fromSeed(1), 0),
  ];
  for (const make of bad) assert.throws(make, RangeError);
});
