/**
 * The control plane's rule for an unplanned failover of a single-writer group (Aurora Global Database's
 * managed failover), shared by the simulator and the lab: the secondary to promote is the nearest one
 * (by round trip from the failed writer) among those that can be promoted, ties to the first in the
 * given order; the new epoch is one above any epoch a member knows, so the old writer is fenced by it.
 */

/** The nearest candidate to `failed`; undefined when there is none. */
export function failoverTarget<Region>(failed: Region, candidates: readonly Region[], roundTripMs: (from: Region, to: Region) => number): Region | undefined {
  let best: Region | undefined;
  let bestMs = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === failed) continue;
    const ms = roundTripMs(failed, candidate);
    if (ms < bestMs) {
      best = candidate;
      bestMs = ms;
    }
  }
  return best;
}

/** The epoch of a promotion: one above every epoch the members know (0 when none is known). */
export function nextEpoch(knownEpochs: readonly number[]): number {
  return Math.max(0, ...knownEpochs) + 1;
}
