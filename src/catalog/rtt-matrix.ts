import rttFile from './data/aws-inter-region-rtt-ms.json' with { type: 'json' };
import { greatCircleKm } from '../core/geo/great-circle.ts';
import type { RttSample } from '../core/latency/rtt-model.ts';
import { getRegion } from './regions.ts';

/**
 * Measured inter-region round trips (p50 over one year, cloudping.co snapshot of 2025-05-29; see
 * data/aws-inter-region-rtt-ms.json for method and caveats).
 */
export const RTT_SOURCE = {
  description: 'AWS inter-region round-trip time, p50 over one year',
  source: rttFile.source,
  captured: rttFile.captured,
  method: rttFile.method,
} as const;

const directional = rttFile.rtt_ms as Record<string, Record<string, number>>;
const symmetric = rttFile.rtt_ms_symmetric as Record<string, Record<string, number>>;

export const RTT_MATRIX_REGIONS: readonly string[] = rttFile.regions;

/** Mean of both directions; the diagonal is an in-region endpoint connect time, not zero. */
export function measuredRttMs(from: string, to: string): number | undefined {
  return symmetric[from]?.[to];
}

export function measuredDirectionalRttMs(from: string, to: string): number | undefined {
  return directional[from]?.[to];
}

/** Every unordered pair of distinct regions in the matrix, with its great-circle distance. */
export function interRegionSamples(): RttSample[] {
  const samples: RttSample[] = [];
  for (let i = 0; i < RTT_MATRIX_REGIONS.length; i++) {
    for (let j = i + 1; j < RTT_MATRIX_REGIONS.length; j++) {
      const from = RTT_MATRIX_REGIONS[i]!;
      const to = RTT_MATRIX_REGIONS[j]!;
      const rttMs = measuredRttMs(from, to);
      if (rttMs === undefined) continue;
      samples.push({ from, to, rttMs, distanceKm: greatCircleKm(getRegion(from), getRegion(to)) });
    }
  }
  return samples;
}
