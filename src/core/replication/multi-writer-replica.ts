import { createHlc, now, receive, type HlcOptions, type HlcTimestamp, type HybridLogicalClock } from './hybrid-logical-clock.ts';
import { applyInOrder } from './in-order-apply.ts';
import { isConcurrentOverwrite, winsOver } from './lww-merge.ts';
import {
  createOutboundStream,
  onAcknowledged,
  resolveOutboundStreamOptions,
  takeBatches,
  type OutboundStream,
  type OutboundStreamOptions,
  type ResolvedOutboundStreamOptions,
} from './outbound-stream.ts';
import { HlcDriftError, invariant, ReplicationLogFullError } from './replication-errors.ts';
import type { ItemValue, ReplicationEntry } from './replication-entry.ts';
import { addPeer, appendEntry, createReplicationLog, entryAt, isLogFull, type ReplicationLog } from './replication-log.ts';
import type { ReplyEffect, RequestOutcome, SendEffect, StepResult } from './step-effects.ts';

/**
 * One replica of a multi-writer table, like a DynamoDB global table in multi-Region eventual consistency
 * (MREC): every region takes writes locally and acknowledges them at once; each region ships the writes
 * it originated to every other region (full mesh) from its replication log; replicas converge by
 * item-level last writer wins (lww-merge.ts). Replication is asynchronous, so an acknowledged write can
 * lose to a concurrent one, which the replica counts (`stats.conflictsResolved`).
 */
export interface MultiWriterEntry extends ReplicationEntry {
  /** For each region of the table (in `regions` order), the last sequence of its log the writer had applied. */
  readonly seenSeqs: readonly number[];
}

export interface MultiWriterOptions extends OutboundStreamOptions {
  readonly region: string;
  /** Every replica of the table, this one included; all replicas sort them the same way. */
  readonly regions: readonly string[];
  /** Own writes held until every peer has them; past it writes are refused. @default 100000 */
  readonly logCapacity?: number;
  readonly clock?: HlcOptions;
}

export interface MultiWriterStats {
  writes: number;
  /** Remote entries applied here (winning or not). */
  replicatedApplied: number;
  duplicatesIgnored: number;
  /** Remote versions that arrived older than the version held. */
  staleDiscarded: number;
  /** Own acknowledged writes replaced here by a concurrent remote write (see lww-merge.ts). */
  conflictsResolved: number;
  logFullRejections: number;
  driftRefusals: number;
}

export interface MultiWriterReplica {
  readonly region: string;
  readonly regionIndex: number;
  readonly regions: readonly string[];
  readonly streamOptions: ResolvedOutboundStreamOptions;
  readonly clock: HybridLogicalClock;
  /** The table: per key, the winning version (a tombstone for a deleted item). */
  readonly items: Map<string, MultiWriterEntry>;
  readonly log: ReplicationLog<MultiWriterEntry>;
  /** appliedSeqs[i]: the last entry of regions[i]'s log applied here (own slot unused). */
  readonly appliedSeqs: number[];
  /** A frozen copy of appliedSeqs shared by writes until the next remote apply. */
  seenSnapshot: readonly number[] | undefined;
  readonly streams: Map<string, OutboundStream>;
  readonly stats: MultiWriterStats;
}

export type MultiWriterMessage =
  | { readonly kind: 'replicate'; readonly entries: readonly MultiWriterEntry[] }
  | { readonly kind: 'replicate-ack'; readonly appliedSeq: number; readonly gap: boolean };

export type MultiWriterEvent =
  | { readonly kind: 'write'; readonly requestId: number; readonly key: string; readonly value: ItemValue | null; readonly dataClass: string }
  | { readonly kind: 'tick' }
  | { readonly kind: 'receive'; readonly from: string; readonly message: MultiWriterMessage };

export type MultiWriterReply = RequestOutcome<{ readonly timestamp: HlcTimestamp; readonly seq: number }, ReplicationLogFullError>;
export type MultiWriterEffect = SendEffect<MultiWriterMessage> | ReplyEffect<MultiWriterReply>;

export function createMultiWriterReplica(options: MultiWriterOptions): MultiWriterReplica {
  const regions = [...new Set(options.regions)].sort();
  const regionIndex = regions.indexOf(options.region);
  invariant(regionIndex >= 0, `${options.region} is not one of the table's regions`);
  const log = createReplicationLog<MultiWriterEntry>({ capacity: options.logCapacity });
  const streams = new Map<string, OutboundStream>();
  for (const peer of regions) {
    if (peer === options.region) continue;
    addPeer(log, peer, 'streaming', 0);
    streams.set(peer, createOutboundStream());
  }
  return {
    region: options.region,
    regionIndex,
    regions,
    streamOptions: resolveOutboundStreamOptions(options),
    clock: createHlc(options.region, options.clock),
    items: new Map(),
    log,
    appliedSeqs: regions.map(() => 0),
    seenSnapshot: undefined,
    streams,
    stats: { writes: 0, replicatedApplied: 0, duplicatesIgnored: 0, staleDiscarded: 0, conflictsResolved: 0, logFullRejections: 0, driftRefusals: 0 },
  };
}

export function stepMultiWriter(replica: MultiWriterReplica, event: MultiWriterEvent, nowMs: number): StepResult<MultiWriterReplica, MultiWriterEffect> {
  const effects: MultiWriterEffect[] = [];
  switch (event.kind) {
    case 'write':
      effects.push({ kind: 'reply', reply: write(replica, event, nowMs) });
      break;
    case 'tick':
      sendPending(replica, nowMs, effects);
      break;
    case 'receive':
      receiveMessage(replica, event.from, event.message, nowMs, effects);
      break;
  }
  return { state: replica, effects };
}

/** The item's current value, or undefined when it does not exist or was deleted (an eventually consistent read). */
export function readValue(replica: MultiWriterReplica, key: string): ItemValue | undefined {
  return replica.items.get(key)?.value ?? undefined;
}

/** How far `peer` is behind this replica's own writes: entries, and the age of the oldest it lacks. */
export function peerLag(replica: MultiWriterReplica, peer: string, nowMs: number): { readonly entries: number; readonly ms: number } {
  const cursor = replica.log.cursors.get(peer);
  invariant(cursor !== undefined, `unknown peer ${peer}`);
  const oldest = entryAt(replica.log, cursor.ackedSeq + 1);
  return { entries: replica.log.lastSeq - cursor.ackedSeq, ms: oldest === undefined ? 0 : Math.max(0, nowMs - oldest.timestamp.wallMs) };
}

function write(replica: MultiWriterReplica, event: Extract<MultiWriterEvent, { kind: 'write' }>, nowMs: number): MultiWriterReply {
  if (isLogFull(replica.log)) {
    replica.stats.logFullRejections += 1;
    return { requestId: event.requestId, ok: false, error: new ReplicationLogFullError(replica.log.capacity) };
  }
  replica.seenSnapshot ??= Object.freeze([...replica.appliedSeqs]);
  const entry: MultiWriterEntry = {
    seq: replica.log.lastSeq + 1,
    key: event.key,
    value: event.value,
    timestamp: now(replica.clock, nowMs),
    originRegion: replica.region,
    dataClass: event.dataClass,
    seenSeqs: replica.seenSnapshot,
  };
  appendEntry(replica.log, entry);
  // The clock has merged every timestamp applied here, so a local write is newer than any version held.
  invariant(winsOver(entry, replica.items.get(event.key)), 'a local write must win over the version it replaces');
  replica.items.set(event.key, entry);
  replica.stats.writes += 1;
  return { requestId: event.requestId, ok: true, timestamp: entry.timestamp, seq: entry.seq };
}

function sendPending(replica: MultiWriterReplica, nowMs: number, effects: MultiWriterEffect[]): void {
  for (const [peer, stream] of replica.streams) {
    for (const entries of takeBatches(replica.log, peer, stream, nowMs, replica.streamOptions)) {
      effects.push({ kind: 'send', to: peer, message: { kind: 'replicate', entries } });
    }
  }
}

function receiveMessage(replica: MultiWriterReplica, from: string, message: MultiWriterMessage, nowMs: number, effects: MultiWriterEffect[]): void {
  const stream = replica.streams.get(from);
  invariant(stream !== undefined, `${replica.region} has no peer ${from}`);
  if (message.kind === 'replicate-ack') {
    onAcknowledged(replica.log, from, stream, message.appliedSeq, message.gap, nowMs);
    return;
  }
  const originIndex = replica.regions.indexOf(from);
  let refused = false;
  const result = applyInOrder(replica.appliedSeqs[originIndex]!, message.entries, (entry) => {
    invariant(entry.originRegion === from, `${from} sent an entry of ${entry.originRegion}`);
    refused = !applyRemote(replica, entry, nowMs);
    return !refused;
  });
  replica.stats.duplicatesIgnored += result.duplicates;
  if (result.applied > 0) {
    replica.appliedSeqs[originIndex] = result.appliedSeq;
    replica.seenSnapshot = undefined;
  }
  effects.push({ kind: 'send', to: from, message: { kind: 'replicate-ack', appliedSeq: result.appliedSeq, gap: result.stopped && !refused } });
}

/** Applies one remote entry by last writer wins; false when its timestamp is refused (too far ahead). */
function applyRemote(replica: MultiWriterReplica, entry: MultiWriterEntry, nowMs: number): boolean {
  try {
    receive(replica.clock, entry.timestamp, nowMs);
  } catch (error) {
    if (!(error instanceof HlcDriftError)) throw error;
    replica.stats.driftRefusals += 1;
    return false;
  }
  replica.stats.replicatedApplied += 1;
  const current = replica.items.get(entry.key);
  if (!winsOver(entry, current)) {
    replica.stats.staleDiscarded += 1;
    return true;
  }
  if (current !== undefined && current.originRegion === replica.region && isConcurrentOverwrite(current, entry.seenSeqs[replica.regionIndex]!)) {
    replica.stats.conflictsResolved += 1;
  }
  replica.items.set(entry.key, entry);
  return true;
}
