import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitRttModel, measureRttFit, predictRttMs, scoreRttPredictions, type RttPrediction, type RttSample } from './rtt-model.ts';

const TOLERANCE = 1e-9;

function assertNear(actual: number, expected: number, what: string, tolerance = TOLERANCE): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

function sample(from: string, to: string, distanceKm: number, rttMs: number): RttSample {
  return { from, to, distanceKm, rttMs };
}

function prediction(from: string, to: string, measuredMs: number, predictedMs: number): RttPrediction {
  return { from, to, measuredMs, predictedMs };
}

describe('fitRttModel', () => {
  test('recovers intercept and slope from points exactly on a line', () => {
    const interceptMs = 5;
    const msPerKm = 0.016;
    const samples = [0, 350, 1200, 5500, 9000, 17_000].map((distanceKm, index) => sample(`r${index}`, `r${index + 1}`, distanceKm, interceptMs + msPerKm * distanceKm));
    const model = fitRttModel(samples);
    assertNear(model.interceptMs, interceptMs, 'interceptMs');
    assertNear(model.msPerKm, msPerKm, 'msPerKm');
    assertNear(predictRttMs(model, 10_000), 165, 'prediction at 10 000 km');
  });

  test('is the least-squares line on scattered points (hand computed)', () => {
    // Means: 1000 km, 20 ms. Covariance sum 10 000, variance sum 2 000 000 → slope 0.005, intercept 15.
    const model = fitRttModel([sample('a', 'b', 0, 10), sample('a', 'c', 1000, 30), sample('b', 'c', 2000, 20)]);
    assertNear(model.msPerKm, 0.005, 'msPerKm');
    assertNear(model.interceptMs, 15, 'interceptMs');
  });

  test('does not depend on the order of the samples', () => {
    const samples = [sample('a', 'b', 100, 12), sample('a', 'c', 4000, 70), sample('b', 'c', 2500, 61), sample('c', 'd', 800, 19)];
    const forward = fitRttModel(samples);
    const backward = fitRttModel([...samples].reverse());
    assertNear(backward.msPerKm, forward.msPerKm, 'msPerKm');
    assertNear(backward.interceptMs, forward.interceptMs, 'interceptMs');
  });

  test('throws on fewer than two samples', () => {
    assert.throws(() => fitRttModel([]), /at least two samples/);
    assert.throws(() => fitRttModel([sample('a', 'b', 1000, 20)]), /at least two samples/);
  });
});

describe('measureRttFit', () => {
  test('a perfect line has no error and R² of 1', () => {
    const model = { interceptMs: 8, msPerKm: 0.02 };
    const samples = [100, 900, 3000].map((distanceKm, index) => sample(`r${index}`, 'x', distanceKm, predictRttMs(model, distanceKm)));
    const fit = measureRttFit(model, samples);
    assert.equal(fit.samples, 3);
    assertNear(fit.meanAbsoluteErrorMs, 0, 'MAE');
    assertNear(fit.rootMeanSquareErrorMs, 0, 'RMSE');
    assertNear(fit.medianAbsolutePercentError, 0, 'median %');
    assertNear(fit.rSquared, 1, 'R²');
  });

  test('scores a given model on its samples (hand computed)', () => {
    // Model 10 ms + 0.02 ms/km predicts 30, 50 and 20 ms; errors 5, 0 and 4 ms.
    const model = { interceptMs: 10, msPerKm: 0.02 };
    const fit = measureRttFit(model, [sample('a', 'b', 1000, 35), sample('a', 'c', 2000, 50), sample('b', 'c', 500, 16)]);
    assert.equal(fit.samples, 3);
    assertNear(fit.meanAbsoluteErrorMs, 3, 'MAE');
    assertNear(fit.rootMeanSquareErrorMs, Math.sqrt((25 + 0 + 16) / 3), 'RMSE');
    // Percent errors sorted: 0, 100·5/35, 100·4/16 = 25.
    assertNear(fit.medianAbsolutePercentError, 500 / 35, 'median %');
    assertNear(fit.p90AbsolutePercentError, 25, 'p90 %');
    assertNear(fit.maxAbsoluteErrorMs, 5, 'max error');
    const mean = 101 / 3;
    const totalSquares = (35 - mean) ** 2 + (50 - mean) ** 2 + (16 - mean) ** 2;
    assertNear(fit.rSquared, 1 - 41 / totalSquares, 'R²');
    assert.deepEqual(fit.worstPair, { from: 'a', to: 'b', measuredMs: 35, predictedMs: 30 });
  });
});

describe('scoreRttPredictions', () => {
  test('computes every error figure (hand computed)', () => {
    // Errors 10, 2, 30, 0, 2 ms; percent errors 10, 4, 15, 0, 20; measured mean 80 ms.
    const score = scoreRttPredictions([
      prediction('a', 'b', 100, 110),
      prediction('a', 'c', 50, 48),
      prediction('b', 'c', 200, 170),
      prediction('b', 'd', 40, 40),
      prediction('c', 'd', 10, 12),
    ]);
    assert.equal(score.samples, 5);
    assertNear(score.meanAbsoluteErrorMs, 44 / 5, 'MAE');
    assertNear(score.rootMeanSquareErrorMs, Math.sqrt((100 + 4 + 900 + 0 + 4) / 5), 'RMSE');
    // Nearest rank on [0, 4, 10, 15, 20]: the median is the 3rd value, p90 the 5th.
    assertNear(score.medianAbsolutePercentError, 10, 'median %');
    assertNear(score.p90AbsolutePercentError, 20, 'p90 %');
    assertNear(score.maxAbsoluteErrorMs, 30, 'max error');
    // Total sum of squares about 80 ms: 400 + 900 + 14 400 + 1600 + 4900 = 22 200.
    assertNear(score.rSquared, 1 - 1008 / 22_200, 'R²');
    assert.deepEqual(score.worstPair, { from: 'b', to: 'c', measuredMs: 200, predictedMs: 170 });
  });

  test('percentiles are nearest-rank values, not interpolated', () => {
    // Percent errors 10, 20, 30, 40: nearest-rank median is the 2nd (20), p90 the 4th (40).
    const score = scoreRttPredictions([
      prediction('a', 'b', 100, 140),
      prediction('a', 'c', 100, 110),
      prediction('b', 'c', 100, 70),
      prediction('b', 'd', 100, 120),
    ]);
    assertNear(score.medianAbsolutePercentError, 20, 'median %');
    assertNear(score.p90AbsolutePercentError, 40, 'p90 %');
  });

  test('over- and under-predictions count alike, and the first of equal errors is the worst pair', () => {
    const score = scoreRttPredictions([prediction('a', 'b', 50, 60), prediction('c', 'd', 50, 40)]);
    assertNear(score.meanAbsoluteErrorMs, 10, 'MAE');
    assert.equal(score.worstPair.from, 'a');
    assert.equal(score.worstPair.to, 'b');
  });

  test('a single prediction is scored', () => {
    const score = scoreRttPredictions([prediction('a', 'b', 80, 100)]);
    assert.equal(score.samples, 1);
    assertNear(score.meanAbsoluteErrorMs, 20, 'MAE');
    assertNear(score.medianAbsolutePercentError, 25, 'median %');
    assertNear(score.p90AbsolutePercentError, 25, 'p90 %');
  });

  test('throws on no predictions', () => {
    assert.throws(() => scoreRttPredictions([]), /at least one prediction/);
  });
});
