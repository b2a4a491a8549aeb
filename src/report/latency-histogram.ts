import * as hdr from 'hdr-histogram-js';

/** Latencies are recorded in microseconds, up to one hour, with three significant digits (HDR). */
const HIGHEST_MICROSECONDS = 3_600_000_000;

export interface LatencyHistogram {
  record(latencyMs: number): void;
  readonly count: number;
  percentileMs(percentile: number): number;
  meanMs(): number;
}

export function createLatencyHistogram(): LatencyHistogram {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_MICROSECONDS,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
  return {
    record(latencyMs: number) {
      const microseconds = Math.min(HIGHEST_MICROSECONDS, Math.max(1, Math.round(latencyMs * 1000)));
      histogram.recordValue(microseconds);
    },
    get count() {
      return histogram.totalCount;
    },
    percentileMs: (percentile) => (histogram.totalCount === 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000),
    meanMs: () => (histogram.totalCount === 0 ? 0 : histogram.mean / 1000),
  };
}
