/**
 * Queueing arithmetic for a pool of identical servers (M/M/c): the probability that an arrival waits
 * (Erlang C) and the mean wait of those who do. Used by the simulator's app tiers, whose requests
 * arrive slightly out of time order, so that a wait depends on the load, not on the order of events.
 */

/** Erlang B by its stable recursion: the blocking probability of c servers offered `erlangs` of load. */
export function erlangB(servers: number, erlangs: number): number {
  let blocking = 1;
  for (let k = 1; k <= servers; k++) blocking = (erlangs * blocking) / (k + erlangs * blocking);
  return blocking;
}

/** Probability that an arrival waits, for c servers at utilisation below 1; 1 when saturated. */
export function erlangC(servers: number, erlangs: number): number {
  const utilisation = erlangs / servers;
  if (utilisation >= 1) return 1;
  const blocking = erlangB(servers, erlangs);
  return blocking / (1 - utilisation * (1 - blocking));
}

/** Mean wait of an arrival that waits, in the unit of 1 / serviceRate: 1 / (c μ − λ). */
export function meanWaitOfWaiting(servers: number, arrivalRate: number, serviceRate: number): number {
  const spare = servers * serviceRate - arrivalRate;
  return spare > 0 ? 1 / spare : Number.POSITIVE_INFINITY;
}
