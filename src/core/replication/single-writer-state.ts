import { createHlc, type HlcOptions, type HybridLogicalClock } from './hybrid-logical-clock.ts';
import { createOutboundStream, resolveOutboundStreamOptions, type OutboundStream, type OutboundStreamOptions, type ResolvedOutboundStreamOptions } from './outbound-stream.ts';
import { invariant, type NotPrimaryError, type PendingRequestsFullError, type WriteOutcomeUnknownError, type WritesSuspendedError } from './replication-errors.ts';
import type { ItemValue, ReplicationEntry } from './replication-entry.ts';
import { addPeer, createReplicationLog, entryAt, type ReplicationLog } from './replication-log.ts';
import type { ReplyEffect, RequestOutcome, SendEffect } from './step-effects.ts';

/**
 * The state of one member of a single-writer group, like an Aurora Global Database: one primary region
 * takes every write and ships its log asynchronously to read-only secondaries (typically well under a
 * second behind). Each primary reign is an epoch; a promotion (planned switchover or unplanned failover)
 * starts the next epoch after the promoted member's last applied entry, `epochStartSeq`. Whatever an
 * older epoch wrote past that point is discarded, and reported, by every member that holds it.
 * - Switchover "promotes the specified secondary cluster … and demotes the current primary cluster to a
 *   secondary (read-only) cluster … All secondary clusters are synchronized with the primary at the
 *   beginning of the process so the new primary continues … without losing any data."
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - Failover (AllowDataLoss) "can result in a loss of write transaction data that wasn't replicated to the
 *   chosen secondary before the failover event occurred."
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - Up to 10 secondaries, lag typically under a second, optional write forwarding:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html
 */
export interface SingleWriterEntry extends ReplicationEntry {
  /** The epoch of the primary that wrote it. */
  readonly epoch: number;
}

export interface SingleWriterOptions extends OutboundStreamOptions {
  readonly region: string;
  /** Every member of the group, the primary included. */
  readonly regions: readonly string[];
  /** The primary of epoch 1. */
  readonly primaryRegion: string;
  /** Entries kept: on the primary for secondaries still catching up, on a secondary as history for after a promotion. @default 100000 */
  readonly logCapacity?: number;
  /** Secondaries forward writes to the primary (Aurora write forwarding) instead of refusing them. @default false */
  readonly writeForwarding?: boolean;
  /** Forwarded writes waiting for the primary's answer, at most. @default 1024 */
  readonly forwardedPendingMax?: number;
  /** A forwarded write with no answer after this long fails with an unknown outcome. @default 5000 */
  readonly forwardTimeoutMs?: number;
  /** The primary tells each secondary its position at least this often, writes or not. @default 1000 */
  readonly heartbeatIntervalMs?: number;
  /** A switchover that has not completed after this long is abandoned and the primary writes again. @default 60000 */
  readonly switchoverTimeoutMs?: number;
  /** The group's clocks never refuse a timestamp: the primary's order is the only order. */
  readonly clock?: Pick<HlcOptions, 'logicalMax'>;
}

export interface ResolvedSingleWriterOptions extends ResolvedOutboundStreamOptions {
  readonly writeForwarding: boolean;
  readonly forwardedPendingMax: number;
  readonly forwardTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly switchoverTimeoutMs: number;
}

/** `recovering`: a primary that restarted and takes no write until a secondary confirms its epoch is still current. */
export type SingleWriterRole = 'primary' | 'recovering' | 'secondary';

export interface PeerChannel {
  readonly stream: OutboundStream;
  lastSentMs: number;
}

export interface Switchover {
  readonly target: string;
  readonly epoch: number;
  readonly startedMs: number;
  /** When the `promote` message was last sent (it is resent until the target answers as primary). */
  promoteSentMs: number;
  /** `draining`: writes stopped, waiting for the target to have everything; `handing-over`: demoted, telling the target. */
  phase: 'draining' | 'handing-over';
}

export interface SingleWriterStats {
  writes: number;
  forwardedWrites: number;
  refusedWrites: number;
  appliedEntries: number;
  duplicatesIgnored: number;
  snapshotsSent: number;
  snapshotsInstalled: number;
  discardedEntries: number;
}

export interface SingleWriterMember {
  readonly region: string;
  readonly regions: readonly string[];
  readonly options: ResolvedSingleWriterOptions;
  role: SingleWriterRole;
  epoch: number;
  primaryRegion: string;
  epochStartSeq: number;
  readonly clock: HybridLogicalClock;
  items: Map<string, SingleWriterEntry>;
  /** Every member's log holds what it applied, so its last sequence is its applied sequence. */
  readonly log: ReplicationLog<SingleWriterEntry>;
  /** The primary's last sequence and last write time as this member last heard them (its own, on the primary). */
  primaryLastSeq: number;
  primaryLastWriteMs: number;
  /** Write time (HLC wall clock) of the last applied entry. */
  appliedWriteMs: number;
  /** A divergent tail was discarded: the table is rebuilt from the primary's snapshot before anything else is applied. */
  awaitingSnapshot: boolean;
  readonly channels: Map<string, PeerChannel>;
  switchover: Switchover | undefined;
  readonly forwarded: Map<number, { readonly requestId: number; readonly deadlineMs: number }>;
  nextForwardId: number;
  /** Primary: answers to recent forwarded writes, so that a repeated forward is not written twice. */
  readonly recentForwards: Map<string, ForwardResult>;
  readonly stats: SingleWriterStats;
}

export type ForwardResult =
  | { readonly ok: true; readonly seq: number; readonly epoch: number }
  | { readonly ok: false; readonly reason: 'not-primary' | 'switchover' | 'epoch-unconfirmed' | 'pending-full'; readonly primaryRegion: string; readonly epoch: number };

export type SingleWriterMessage =
  | {
      readonly kind: 'replicate';
      readonly epoch: number;
      readonly epochStartSeq: number;
      readonly entries: readonly SingleWriterEntry[];
      readonly primaryLastSeq: number;
      readonly primaryLastWriteMs: number;
    }
  | { readonly kind: 'replicate-ack'; readonly epoch: number; readonly appliedSeq: number; readonly gap: boolean; readonly needsSnapshot: boolean }
  | {
      readonly kind: 'snapshot';
      readonly epoch: number;
      readonly epochStartSeq: number;
      readonly seq: number;
      readonly items: readonly SingleWriterEntry[];
      readonly primaryLastWriteMs: number;
    }
  | { readonly kind: 'newer-epoch'; readonly epoch: number; readonly primaryRegion: string; readonly epochStartSeq: number }
  | { readonly kind: 'promote'; readonly epoch: number; readonly epochStartSeq: number }
  | { readonly kind: 'forward-write'; readonly forwardId: number; readonly key: string; readonly value: ItemValue | null; readonly dataClass: string }
  | { readonly kind: 'forward-result'; readonly forwardId: number; readonly result: ForwardResult };

export type SingleWriterEvent =
  | { readonly kind: 'write'; readonly requestId: number; readonly key: string; readonly value: ItemValue | null; readonly dataClass: string }
  | { readonly kind: 'tick' }
  | { readonly kind: 'receive'; readonly from: string; readonly message: SingleWriterMessage }
  /** Control plane to the primary: planned switchover to `target`, which becomes primary of `epoch`. */
  | { readonly kind: 'switchover'; readonly target: string; readonly epoch: number }
  /** Control plane to a secondary: unplanned failover, promote with what you have. */
  | { readonly kind: 'failover'; readonly epoch: number }
  /** Control plane to a former primary it can reach: a newer epoch exists; stop writing and rejoin. */
  | { readonly kind: 'fence'; readonly epoch: number; readonly primaryRegion: string; readonly epochStartSeq: number };

export type SingleWriteError = NotPrimaryError | WritesSuspendedError | WriteOutcomeUnknownError | PendingRequestsFullError;
export type SingleWriterReply = RequestOutcome<{ readonly seq: number; readonly epoch: number }, SingleWriteError>;

export type SingleWriterEffect =
  | SendEffect<SingleWriterMessage>
  | ReplyEffect<SingleWriterReply>
  /** This member became primary of `epoch`; writes of older epochs past `epochStartSeq` are lost (none when planned). */
  | { readonly kind: 'promoted'; readonly region: string; readonly epoch: number; readonly epochStartSeq: number; readonly planned: boolean }
  /**
   * Entries past a new epoch's start that this member held and threw away on rejoining: on a former
   * primary, exactly its acknowledged writes that were lost. `complete` is false when some of them had
   * already left the bounded log (then only `lastSeq - epochStartSeq` counts them).
   */
  | { readonly kind: 'discarded'; readonly region: string; readonly epoch: number; readonly epochStartSeq: number; readonly lastSeq: number; readonly entries: readonly SingleWriterEntry[]; readonly complete: boolean }
  | { readonly kind: 'switchover-abandoned'; readonly region: string; readonly target: string; readonly epoch: number }
  /** A failover asked of a member that cannot be promoted (see canBePromoted): the control plane picks another. */
  | { readonly kind: 'promotion-refused'; readonly region: string; readonly epoch: number; readonly reason: 'awaiting-snapshot' | 'not-secondary' };

export function resolveSingleWriterOptions(options: SingleWriterOptions): ResolvedSingleWriterOptions {
  return {
    ...resolveOutboundStreamOptions(options),
    writeForwarding: options.writeForwarding ?? false,
    forwardedPendingMax: options.forwardedPendingMax ?? 1024,
    forwardTimeoutMs: options.forwardTimeoutMs ?? 5000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
    switchoverTimeoutMs: options.switchoverTimeoutMs ?? 60_000,
  };
}

export function createSingleWriterMember(options: SingleWriterOptions): SingleWriterMember {
  invariant(options.regions.includes(options.region), `${options.region} is not a member`);
  invariant(options.regions.includes(options.primaryRegion), `primary ${options.primaryRegion} is not a member`);
  const member: SingleWriterMember = {
    region: options.region,
    regions: [...options.regions],
    options: resolveSingleWriterOptions(options),
    role: options.region === options.primaryRegion ? 'primary' : 'secondary',
    epoch: 1,
    primaryRegion: options.primaryRegion,
    epochStartSeq: 0,
    clock: createHlc(options.region, options.clock),
    items: new Map(),
    log: createReplicationLog<SingleWriterEntry>({ capacity: options.logCapacity }),
    primaryLastSeq: 0,
    primaryLastWriteMs: 0,
    appliedWriteMs: 0,
    awaitingSnapshot: false,
    channels: new Map(),
    switchover: undefined,
    forwarded: new Map(),
    nextForwardId: 1,
    recentForwards: new Map(),
    stats: { writes: 0, forwardedWrites: 0, refusedWrites: 0, appliedEntries: 0, duplicatesIgnored: 0, snapshotsSent: 0, snapshotsInstalled: 0, discardedEntries: 0 },
  };
  if (member.role === 'primary') openChannels(member, 'streaming');
  return member;
}

/** Gives the primary a cursor and an outbound stream per secondary. */
export function openChannels(member: SingleWriterMember, state: 'streaming' | 'probing'): void {
  member.log.cursors.clear();
  member.channels.clear();
  for (const peer of member.regions) {
    if (peer === member.region) continue;
    addPeer(member.log, peer, state);
    member.channels.set(peer, { stream: createOutboundStream(), lastSentMs: Number.NEGATIVE_INFINITY });
  }
}

/**
 * The member after a crash and restart: its table, log, epoch and role survive (they are durable);
 * what was in flight does not. A primary comes back `recovering`: it may have been replaced while it
 * was away, so it takes no write until a secondary answers in its epoch.
 */
export function restartSingleWriterMember(member: SingleWriterMember): SingleWriterMember {
  if (member.role === 'primary') member.role = 'recovering';
  if (member.switchover?.phase === 'draining') member.switchover = undefined;
  for (const channel of member.channels.values()) {
    channel.stream.sentSeq = 0;
    channel.lastSentMs = Number.NEGATIVE_INFINITY;
  }
  member.forwarded.clear();
  member.recentForwards.clear();
  return member;
}

export function isPrimaryRole(member: SingleWriterMember): boolean {
  return member.role === 'primary' || member.role === 'recovering';
}

/** The member's table value, or undefined when absent or deleted (a possibly stale read on a secondary). */
export function readValue(member: SingleWriterMember, key: string): ItemValue | undefined {
  return member.items.get(key)?.value ?? undefined;
}

/** A secondary's replication lag as it sees it: the primary's last sequence and write time against its own. */
export function secondaryLag(member: SingleWriterMember): { readonly entries: number; readonly ms: number } {
  if (isPrimaryRole(member)) return { entries: 0, ms: 0 };
  return { entries: Math.max(0, member.primaryLastSeq - member.log.lastSeq), ms: Math.max(0, member.primaryLastWriteMs - member.appliedWriteMs) };
}

/** The primary's view of a secondary: entries it has not acknowledged and the age of the oldest, at `nowMs`. */
export function peerLag(member: SingleWriterMember, peer: string, nowMs: number): { readonly entries: number; readonly ms: number } {
  const cursor = member.log.cursors.get(peer);
  invariant(cursor !== undefined, `${member.region} streams to no peer ${peer}`);
  const ackedSeq = cursor.state === 'needs-snapshot' ? member.log.truncatedSeq : cursor.ackedSeq;
  const oldest = entryAt(member.log, ackedSeq + 1);
  return { entries: member.log.lastSeq - ackedSeq, ms: oldest === undefined ? 0 : Math.max(0, nowMs - oldest.timestamp.wallMs) };
}
