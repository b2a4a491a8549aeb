/**
 * How an asynchronous class's configured replication lag shapes its replication, the same in the
 * simulator and the lab: a batch waits in its source for the lag minus the link's one-way delay (the
 * network adds that part), so what a failed source had not yet sent is what a failover loses; and a sender
 * resends unacknowledged entries only after several lags, since acknowledgements come back after one.
 */

/** How long a replicate message waits in its source before it leaves: the lag minus the one-way delay, never negative. */
export function replicationPipelineMs(lagMs: number, oneWayMs: number): number {
  return Math.max(0, lagMs - oneWayMs);
}

/** When a sender resends what was not acknowledged: three lags, and never sooner than a second. */
export function retransmitAfterMs(lagMs: number): number {
  return Math.max(1000, 3 * lagMs);
}
