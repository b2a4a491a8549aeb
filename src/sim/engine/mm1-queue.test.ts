import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mm1Theory, runMm1 } from './mm1-queue.ts';
import { SeededRandom } from './seeded-random.ts';

/**
 * The M/M/1 queue checks the clock, the event order and the random source together against closed
 * forms. Waits in a busy queue are strongly correlated, so a mean over n customers is far noisier than
 * n independent draws: its standard error is √(ρ(2 + 5ρ − 4ρ² + ρ³) / (μ²(1 − ρ)⁴) / n) (Daley 1968),
 * 2.4 % of Wq for 50 000 customers at ρ = 0.5 but 9.4 % at ρ = 0.9. The tolerances below are each about
 * four standard errors, so a fixed seed makes them reproducible without having been chosen to pass.
 */

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual / expected - 1);
}

test('the closed forms: Wq = ρ/(μ−λ) and W = 1/(μ−λ)', () => {
  const theory = mm1Theory(0.9, 1);
  assert.equal(theory.utilisation, 0.9);
  assert.ok(Math.abs(theory.meanWaitInQueueMs - 9) < 1e-12);
  assert.ok(Math.abs(theory.meanTimeInSystemMs - 10) < 1e-12);
  assert.throws(() => mm1Theory(1, 1), RangeError);
});

test('50 000 customers at ρ = 0.5: mean wait and time in system within 10 % of theory', () => {
  const result = runMm1({ arrivalRatePerMs: 0.5, serviceRatePerMs: 1, customers: 50_000, random: SeededRandom.fromSeed(1) });
  const theory = mm1Theory(0.5, 1);
  assert.equal(result.customers, 50_000);
  assert.equal(result.eventsDelivered, 100_000);
  assert.ok(relativeError(result.meanWaitInQueueMs, theory.meanWaitInQueueMs) <= 0.1, `Wq ${result.meanWaitInQueueMs}`);
  assert.ok(relativeError(result.meanTimeInSystemMs, theory.meanTimeInSystemMs) <= 0.1, `W ${result.meanTimeInSystemMs}`);
});

test('ρ = 0.9, sixteen runs of 50 000 customers: the mean wait is within 10 % of 9', () => {
  // One run of 50 000 would pin Wq only to ±9.4 % (1 σ); sixteen independent seeds bring that to ±2.4 %.
  let waitSum = 0;
  let systemSum = 0;
  const runs = 16;
  for (let seed = 1; seed <= runs; seed++) {
    const result = runMm1({ arrivalRatePerMs: 0.9, serviceRatePerMs: 1, customers: 50_000, random: SeededRandom.fromSeed(seed) });
    waitSum += result.meanWaitInQueueMs;
    systemSum += result.meanTimeInSystemMs;
  }
  assert.ok(relativeError(waitSum / runs, 9) <= 0.1, `Wq ${waitSum / runs}`);
  assert.ok(relativeError(systemSum / runs, 10) <= 0.1, `W ${systemSum / runs}`);
});

test('time in system minus wait is the mean service time 1/μ', () => {
  // Service times are independent draws, so this difference is precise: ±0.45 % (1 σ) over 50 000 customers.
  const result = runMm1({ arrivalRatePerMs: 0.8, serviceRatePerMs: 2, customers: 50_000, random: SeededRandom.fromSeed(4) });
  assert.ok(relativeError(result.meanTimeInSystemMs - result.meanWaitInQueueMs, 0.5) <= 0.02);
});

test('the same seed replays the same run; another seed gives another', () => {
  const run = (seed: number) => runMm1({ arrivalRatePerMs: 0.9, serviceRatePerMs: 1, customers: 5_000, random: SeededRandom.fromSeed(seed) });
  assert.deepEqual(run(10), run(10));
  assert.notEqual(run(10).meanWaitInQueueMs, run(11).meanWaitInQueueMs);
});

test('bad parameters are refused', () => {
  const random = SeededRandom.fromSeed(1);
  assert.throws(() => runMm1({ arrivalRatePerMs: 1.2, serviceRatePerMs: 1, customers: 10, random }), RangeError);
  assert.throws(() => runMm1({ arrivalRatePerMs: 0.5, serviceRatePerMs: 1, customers: 0, random }), RangeError);
});
