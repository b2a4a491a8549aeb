/**
 * Round-trip time as a straight line of great-circle distance, fitted by least squares on measured
 * inter-region round trips. It estimates how long a round trip takes between places the matrix does not
 * cover (a user population and a region), and its error on the matrix says how far to trust it.
 */
export interface RttSample {
  readonly from: string;
  readonly to: string;
  readonly distanceKm: number;
  readonly rttMs: number;
}

export interface RttModel {
  /** Round trip at zero distance: endpoint and routing overhead, in ms. */
  readonly interceptMs: number;
  /** Added round trip per km of great-circle distance. */
  readonly msPerKm: number;
}

export interface RttFitError {
  readonly samples: number;
  readonly meanAbsoluteErrorMs: number;
  readonly rootMeanSquareErrorMs: number;
  readonly medianAbsolutePercentError: number;
  readonly p90AbsolutePercentError: number;
  readonly maxAbsoluteErrorMs: number;
  readonly worstPair: { readonly from: string; readonly to: string; readonly measuredMs: number; readonly predictedMs: number };
  readonly rSquared: number;
}

export function fitRttModel(samples: readonly RttSample[]): RttModel {
  if (samples.length < 2) throw new Error('fitRttModel needs at least two samples');
  const count = samples.length;
  const meanDistance = samples.reduce((sum, s) => sum + s.distanceKm, 0) / count;
  const meanRtt = samples.reduce((sum, s) => sum + s.rttMs, 0) / count;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    covariance += (sample.distanceKm - meanDistance) * (sample.rttMs - meanRtt);
    variance += (sample.distanceKm - meanDistance) ** 2;
  }
  if (variance === 0) throw new Error('fitRttModel needs samples at two or more distinct distances');
  const msPerKm = covariance / variance;
  return { interceptMs: meanRtt - msPerKm * meanDistance, msPerKm };
}

export function predictRttMs(model: RttModel, distanceKm: number): number {
  return model.interceptMs + model.msPerKm * distanceKm;
}

function quantile(sortedValues: readonly number[], q: number): number {
  const index = Math.min(sortedValues.length - 1, Math.max(0, Math.ceil(q * sortedValues.length) - 1));
  return sortedValues[index]!;
}

export interface RttPrediction {
  readonly from: string;
  readonly to: string;
  readonly measuredMs: number;
  readonly predictedMs: number;
}

/** The straight line's error on the samples it was fitted on. */
export function measureRttFit(model: RttModel, samples: readonly RttSample[]): RttFitError {
  return scoreRttPredictions(
    samples.map((sample) => ({ from: sample.from, to: sample.to, measuredMs: sample.rttMs, predictedMs: predictRttMs(model, sample.distanceKm) })),
  );
}

export function scoreRttPredictions(predictions: readonly RttPrediction[]): RttFitError {
  if (predictions.length === 0) throw new Error('scoreRttPredictions needs at least one prediction');
  const meanMeasured = predictions.reduce((sum, p) => sum + p.measuredMs, 0) / predictions.length;
  let absoluteSum = 0;
  let squareSum = 0;
  let totalSquares = 0;
  let worst = predictions[0]!;
  let worstError = -1;
  const percentErrors: number[] = [];
  for (const prediction of predictions) {
    if (!(prediction.measuredMs > 0)) throw new Error(`measured round trip ${prediction.from} -> ${prediction.to} must be positive`);
    const error = Math.abs(prediction.predictedMs - prediction.measuredMs);
    absoluteSum += error;
    squareSum += error ** 2;
    totalSquares += (prediction.measuredMs - meanMeasured) ** 2;
    percentErrors.push((100 * error) / prediction.measuredMs);
    if (error > worstError) {
      worstError = error;
      worst = prediction;
    }
  }
  percentErrors.sort((a, b) => a - b);
  return {
    samples: predictions.length,
    meanAbsoluteErrorMs: absoluteSum / predictions.length,
    rootMeanSquareErrorMs: Math.sqrt(squareSum / predictions.length),
    medianAbsolutePercentError: quantile(percentErrors, 0.5),
    p90AbsolutePercentError: quantile(percentErrors, 0.9),
    maxAbsoluteErrorMs: worstError,
    worstPair: { from: worst.from, to: worst.to, measuredMs: worst.measuredMs, predictedMs: worst.predictedMs },
    rSquared: totalSquares === 0 ? (squareSum === 0 ? 1 : 0) : 1 - squareSum / totalSquares,
  };
}
