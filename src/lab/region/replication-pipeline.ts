import { regionRtt } from '../../catalog/latency.ts';
import { replicationPipelineMs as pipelineMs } from '../../core/replication/replication-lag.ts';
import type { RegionTable } from './region-messages.ts';

/**
 * How long an asynchronous class's replication waits before it leaves for `to`: its replication lag minus
 * the link's one-way delay (the link adds that), as the simulator's pipeline delay. Only `replicate`
 * messages wait; acknowledgements, snapshots and forwarded writes leave at once.
 */
export function replicationPipelineMs(from: string, to: string, table: RegionTable, message: unknown): number {
  const lagMs = table.replicationLagMs ?? 0;
  if (lagMs <= 0 || !isReplicate(message)) return 0;
  return pipelineMs(lagMs, regionRtt(from, to).rttMs / 2);
}

function isReplicate(message: unknown): boolean {
  return (message as { kind?: unknown } | null)?.kind === 'replicate';
}

export interface ReplicationOutboxOptions {
  readonly region: string;
  readonly table: RegionTable;
  /** Hands a message to the transport for `to`. */
  readonly send: (to: string, message: unknown) => void;
  /** @default setTimeout */
  readonly schedule?: (run: () => void, delayMs: number) => void;
}

/**
 * What leaves a region for one table, as the simulator's data plane sends it: `replicate` messages after
 * the pipeline delay, everything else at once; while the table's replication is paused (an experiment's
 * replication-pause, FIS's pause of a replica), `replicate` messages are dropped, when they are produced
 * and when their delay ends, and the engine resends them from its log once the pause is lifted.
 * Acknowledgements, snapshots, forwarded writes and quorum messages still flow, so the other direction
 * and the rest of the protocol are untouched.
 */
export class ReplicationOutbox {
  private pauses = 0;
  /** `replicate` messages dropped by a pause. */
  dropped = 0;

  constructor(private readonly options: ReplicationOutboxOptions) {}

  /** Pauses stack: each pause is lifted by its own resume. */
  pause(): void {
    this.pauses += 1;
  }

  resume(): void {
    this.pauses = Math.max(0, this.pauses - 1);
  }

  get paused(): boolean {
    return this.pauses > 0;
  }

  push(to: string, message: unknown): void {
    if (this.paused && isReplicate(message)) {
      this.dropped += 1;
      return;
    }
    const delayMs = replicationPipelineMs(this.options.region, to, this.options.table, message);
    if (delayMs === 0) return this.options.send(to, message);
    (this.options.schedule ?? setTimeout)(() => {
      if (this.paused) this.dropped += 1;
      else this.options.send(to, message);
    }, delayMs);
  }
}
