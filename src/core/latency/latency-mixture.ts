/**
 * A request population is a mixture of components (a place, a region, an operation), each with a
 * share of the requests and its own p50 and p99. The mixture's percentile is estimated as the weighted
 * percentile of the components' percentiles: exact when components do not overlap, and otherwise an
 * upper bound for p99, which is the safe side for an SLO check.
 */
export interface LatencyComponent {
  readonly weight: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function weightedQuantile(values: readonly { value: number; weight: number }[], quantile: number): number {
  const positive = values.filter((entry) => entry.weight > 0).sort((a, b) => a.value - b.value);
  const total = positive.reduce((sum, entry) => sum + entry.weight, 0);
  if (positive.length === 0 || total <= 0) return Number.NaN;
  let cumulative = 0;
  for (const entry of positive) {
    cumulative += entry.weight;
    if (cumulative >= quantile * total - 1e-12) return entry.value;
  }
  return positive[positive.length - 1]!.value;
}

export function mixtureLatency(components: readonly LatencyComponent[]): { p50Ms: number; p99Ms: number } {
  return {
    p50Ms: weightedQuantile(components.map((c) => ({ value: c.p50Ms, weight: c.weight })), 0.5),
    p99Ms: weightedQuantile(components.map((c) => ({ value: c.p99Ms, weight: c.weight })), 0.99),
  };
}
