import { acknowledge, entriesAfter, type PeerCursorState, type ReplicationLog } from './replication-log.ts';
import type { Sequenced } from './replication-entry.ts';

/**
 * The sending side of a replication stream to one peer: a sliding window over the log. Batches go out
 * back to back up to `inFlightEntriesMax` unacknowledged entries (so throughput is not one batch per
 * round trip); when the peer reports a gap, or nothing is acknowledged for `retransmitAfterMs`, the
 * window goes back to the peer's cursor and resends (go-back-N). Loss, repetition and reordering cost
 * bandwidth, never correctness: the receiver applies in order and exactly once (in-order-apply.ts).
 */
export interface OutboundStreamOptions {
  /** Entries per batch message. @default 256 */
  readonly batchEntriesMax?: number;
  /** Entries sent and not yet acknowledged, at most. @default 4096 */
  readonly inFlightEntriesMax?: number;
  /** Resend from the cursor when nothing was acknowledged for this long. @default 1000 */
  readonly retransmitAfterMs?: number;
}

export type ResolvedOutboundStreamOptions = Readonly<Required<OutboundStreamOptions>>;

export interface OutboundStream {
  /** The last sequence sent (at or after the peer's acknowledged cursor). */
  sentSeq: number;
  /** When the window last made progress (an acknowledgement, or a send from an empty window). */
  progressAtMs: number;
}

export function resolveOutboundStreamOptions(options: OutboundStreamOptions = {}): ResolvedOutboundStreamOptions {
  return {
    batchEntriesMax: options.batchEntriesMax ?? 256,
    inFlightEntriesMax: options.inFlightEntriesMax ?? 4096,
    retransmitAfterMs: options.retransmitAfterMs ?? 1000,
  };
}

export function createOutboundStream(): OutboundStream {
  return { sentSeq: 0, progressAtMs: Number.NEGATIVE_INFINITY };
}

/** The batches to send to `peer` now (possibly none), advancing the window. */
export function takeBatches<E extends Sequenced>(
  log: ReplicationLog<E>,
  peer: string,
  stream: OutboundStream,
  nowMs: number,
  options: ResolvedOutboundStreamOptions,
): E[][] {
  const cursor = log.cursors.get(peer);
  if (cursor === undefined || cursor.state !== 'streaming') return [];
  const ackedSeq = cursor.ackedSeq;
  if (stream.sentSeq < ackedSeq || stream.sentSeq > log.lastSeq) stream.sentSeq = ackedSeq;
  if (stream.sentSeq > ackedSeq && nowMs - stream.progressAtMs >= options.retransmitAfterMs) stream.sentSeq = ackedSeq;
  const windowWasEmpty = stream.sentSeq === ackedSeq;
  const batches: E[][] = [];
  while (stream.sentSeq < log.lastSeq) {
    const room = Math.min(options.batchEntriesMax, options.inFlightEntriesMax - (stream.sentSeq - ackedSeq));
    if (room <= 0) break;
    const batch = entriesAfter(log, stream.sentSeq, room);
    if (batch.length === 0) break;
    batches.push(batch);
    stream.sentSeq = batch[batch.length - 1]!.seq;
  }
  if (windowWasEmpty && batches.length > 0) stream.progressAtMs = nowMs;
  return batches;
}

/**
 * Records the peer's cumulative acknowledgement. `gap` says the peer received a batch it could not use
 * because an earlier one is missing: the window goes back at once instead of waiting for the timeout.
 */
export function onAcknowledged(
  log: ReplicationLog<Sequenced>,
  peer: string,
  stream: OutboundStream,
  upToSeq: number,
  gap: boolean,
  nowMs: number,
): PeerCursorState {
  const before = log.cursors.get(peer)?.ackedSeq ?? 0;
  const state = acknowledge(log, peer, upToSeq);
  const after = log.cursors.get(peer)!.ackedSeq;
  if (after > before) stream.progressAtMs = nowMs;
  if (gap && state === 'streaming') {
    stream.sentSeq = after;
    stream.progressAtMs = nowMs;
  }
  return state;
}
