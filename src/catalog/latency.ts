import { FIBRE_KM_PER_MS, greatCircleKm, type GeoPoint } from '../core/geo/great-circle.ts';
import { anchoredRttMs, type MeasuredRtt } from '../core/latency/anchored-rtt.ts';
import { fitRttModel, measureRttFit, predictRttMs, scoreRttPredictions, type RttFitError, type RttModel, type RttPrediction } from '../core/latency/rtt-model.ts';
import { getRegion, REGIONS } from './regions.ts';
import { interRegionSamples, measuredRttMs, RTT_MATRIX_REGIONS } from './rtt-matrix.ts';

/** Where a round-trip figure came from, so that every latency in a report traces to the catalog. */
export type RttProvenance = 'measured' | 'anchored-estimate';

export interface RttFigure {
  readonly rttMs: number;
  readonly provenance: RttProvenance;
  /** For estimates: the measured region the path was anchored on. */
  readonly anchorRegion?: string;
}

const measuredMatrix: MeasuredRtt = {
  regions: RTT_MATRIX_REGIONS.map((code) => getRegion(code)),
  rttMs: measuredRttMs,
};

let fitted: RttModel | undefined;

/** The straight-line model fitted once on every measured pair of distinct regions. */
export function rttModel(): RttModel {
  fitted ??= fitRttModel(interRegionSamples());
  return fitted;
}

/** Round trip between two regions: measured where the matrix has both, else anchored on the matrix. */
export function regionRtt(from: string, to: string): RttFigure {
  const measured = measuredRttMs(from, to);
  if (measured !== undefined) return { rttMs: measured, provenance: 'measured' };
  const fromMeasured = RTT_MATRIX_REGIONS.includes(from);
  const unmeasured = fromMeasured ? to : from;
  const other = fromMeasured ? from : to;
  if (!RTT_MATRIX_REGIONS.includes(other)) {
    const distanceKm = greatCircleKm(getRegion(from), getRegion(to));
    return { rttMs: predictRttMs(rttModel(), distanceKm), provenance: 'anchored-estimate' };
  }
  const estimate = anchoredRttMs(getRegion(unmeasured), other, rttModel(), measuredMatrix);
  return { rttMs: estimate.rttMs, provenance: 'anchored-estimate', anchorRegion: estimate.anchorRegion };
}

/**
 * Round trip from a place (a user population's centroid) to a region's endpoint, without the user's
 * access network, which the caller adds.
 */
export function pointToRegionRtt(point: GeoPoint, region: string): RttFigure {
  if (!RTT_MATRIX_REGIONS.includes(region)) {
    const distanceKm = greatCircleKm(point, getRegion(region));
    return { rttMs: predictRttMs(rttModel(), distanceKm), provenance: 'anchored-estimate' };
  }
  const estimate = anchoredRttMs(point, region, rttModel(), measuredMatrix);
  return { rttMs: estimate.rttMs, provenance: 'anchored-estimate', anchorRegion: estimate.anchorRegion };
}

export interface RttFitReport {
  readonly model: RttModel;
  readonly fibreMsPerKm: number;
  /** The straight line on every measured pair. */
  readonly linear: RttFitError;
  /**
   * The estimator used for user populations, scored leave-one-out: each region in turn plays a user
   * population, anchored on its nearest *other* region, predicting its measured round trips.
   */
  readonly anchoredLeaveOneOut: RttFitError;
  readonly regionsWithoutMeasurements: readonly string[];
}

export function rttFitReport(): RttFitReport {
  const samples = interRegionSamples();
  const model = rttModel();
  const leaveOneOut: RttPrediction[] = [];
  for (const from of RTT_MATRIX_REGIONS) {
    for (const to of RTT_MATRIX_REGIONS) {
      if (from === to) continue;
      const estimate = anchoredRttMs(getRegion(from), to, model, measuredMatrix, from);
      leaveOneOut.push({ from, to, measuredMs: measuredRttMs(from, to)!, predictedMs: estimate.rttMs });
    }
  }
  return {
    model,
    fibreMsPerKm: 2 / FIBRE_KM_PER_MS,
    linear: measureRttFit(model, samples),
    anchoredLeaveOneOut: scoreRttPredictions(leaveOneOut),
    regionsWithoutMeasurements: REGIONS.filter((region) => !region.inRttMatrix).map((region) => region.code),
  };
}
