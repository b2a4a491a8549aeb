import * as hdr from 'hdr-histogram-js';

/** Latencies are recorded in microseconds, up to one hour, with three significant digits (HDR). */
const HIGHEST_MICROSECONDS = 3_600_000_000;

export interface LatencyHistogram {
  record(latencyMs: number): void;
  /** Adds every value of another histogram (for totals built at the end rather than recorded twice). */
  add(other: LatencyHistogram): void;
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
  const self: LatencyHistogram & { readonly histogram: hdr.Histogram } = {
    histogram,
    add(other: LatencyHistogram) {
      histogram.add((other as unknown as { histogram: hdr.Histogram }).histogram);
    },
    record(latencyMs: number) {
      const microseconds = Math.min(HIGHEST_MICROSECONDS, Math.max(1, Math.round(latencyMs * 1000)));
      histogram.recordValue(microseconds);
    },
    get count() {
      return histogram.totalCount;
    },
    percentileMs: (percentile: number) => (histogram.totalCount === 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000),
    meanMs: () => (histogram.totalCount === 0 ? 0 : histogram.mean / 1000),
  };
  return self;
}
