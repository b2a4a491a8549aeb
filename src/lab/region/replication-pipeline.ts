import { regionRtt } from '../../catalog/latency.ts';
import type { RegionTable } from './region-messages.ts';

/**
 * How long an asynchronous class's replication waits before it leaves for `to`: its replication lag minus
 * the link's one-way delay (the link adds that), as the simulator's pipeline delay. Only `replicate`
 * messages wait; acknowledgements, snapshots and forwarded writes leave at once.
 */
export function replicationPipelineMs(from: string, to: string, table: RegionTable, message: unknown): number {
  const lagMs = table.replicationLagMs ?? 0;
  if (lagMs <= 0 || (message as { kind?: unknown } | null)?.kind !== 'replicate') return 0;
  return Math.max(0, lagMs - regionRtt(from, to).rttMs / 2);
}
