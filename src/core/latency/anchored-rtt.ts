import { greatCircleKm, type GeoPoint } from '../geo/great-circle.ts';
import type { RttModel } from './rtt-model.ts';

/** The measured matrix as the estimator sees it: region coordinates and a round-trip lookup. */
export interface MeasuredRtt {
  readonly regions: readonly (GeoPoint & { readonly code: string })[];
  rttMs(from: string, to: string): number | undefined;
}

export interface AnchoredEstimate {
  readonly rttMs: number;
  readonly anchorRegion: string;
  readonly anchorDistanceKm: number;
}

export function nearestRegion(point: GeoPoint, matrix: MeasuredRtt, exclude?: string): { code: string; distanceKm: number } {
  let best = { code: '', distanceKm: Number.POSITIVE_INFINITY };
  for (const region of matrix.regions) {
    if (region.code === exclude) continue;
    const distanceKm = greatCircleKm(point, region);
    if (distanceKm < best.distanceKm) best = { code: region.code, distanceKm };
  }
  if (best.code === '') throw new Error('nearestRegion: no region to anchor on');
  return best;
}

/**
 * Estimates the round trip from an arbitrary place to a region by anchoring on the measured matrix:
 * the path runs over the distance to the nearest measured region (priced by the fitted per-km slope)
 * and then along that region's measured round trip to the target. Measured paths carry real routing
 * (submarine cables, detours) that a straight-line model misses, which is why this beats the plain fit.
 */
export function anchoredRttMs(
  point: GeoPoint,
  target: string,
  model: RttModel,
  matrix: MeasuredRtt,
  exclude?: string,
): AnchoredEstimate {
  const anchor = nearestRegion(point, matrix, exclude);
  const measured = matrix.rttMs(anchor.code, target);
  if (measured === undefined) throw new Error(`no measured round trip ${anchor.code} -> ${target}`);
  return {
    rttMs: model.msPerKm * anchor.distanceKm + measured,
    anchorRegion: anchor.code,
    anchorDistanceKm: anchor.distanceKm,
  };
}
