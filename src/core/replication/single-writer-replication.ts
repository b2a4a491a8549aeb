import { now, receive } from './hybrid-logical-clock.ts';
import { applyInOrder } from './in-order-apply.ts';
import { onAcknowledged, takeBatches } from './outbound-stream.ts';
import { NotPrimaryError, PendingRequestsFullError, WritesSuspendedError, invariant } from './replication-errors.ts';
import type { ItemValue } from './replication-entry.ts';
import { appendEntry, isLogFull, markNeedsSnapshot, resetLog, slowestPeer, truncateThrough } from './replication-log.ts';
import { adoptEpoch, completeSwitchoverIfCaughtUp, confirmHandover } from './single-writer-handover.ts';
import {
  isPrimaryRole,
  type ForwardResult,
  type PeerChannel,
  type SingleWriterEffect,
  type SingleWriterEntry,
  type SingleWriterMember,
  type SingleWriterMessage,
  type SingleWriterReply,
} from './single-writer-state.ts';

/**
 * The data path of a single-writer group: writes on the primary, asynchronous shipping of its log to the
 * secondaries (batches, heartbeats, snapshots for a secondary too far behind), and in-order, exactly-once
 * apply on the secondaries.
 */

type Message<K extends SingleWriterMessage['kind']> = Extract<SingleWriterMessage, { kind: K }>;

/** A write on this member as primary; `originRegion` is where the client wrote (itself, or a forwarding secondary). */
export function writeAsPrimary(
  member: SingleWriterMember,
  write: { readonly key: string; readonly value: ItemValue | null; readonly dataClass: string },
  originRegion: string,
  nowMs: number,
): ForwardResult {
  const refusal = { primaryRegion: member.primaryRegion, epoch: member.epoch } as const;
  if (member.role === 'secondary') return { ok: false, reason: 'not-primary', ...refusal };
  if (member.role === 'recovering') return { ok: false, reason: 'epoch-unconfirmed', ...refusal };
  if (member.switchover !== undefined) return { ok: false, reason: 'switchover', ...refusal };
  makeRoom(member);
  const timestamp = now(member.clock, nowMs);
  const entry: SingleWriterEntry = { seq: member.log.lastSeq + 1, key: write.key, value: write.value, timestamp, originRegion, dataClass: write.dataClass, epoch: member.epoch };
  appendEntry(member.log, entry);
  member.items.set(entry.key, entry);
  member.primaryLastSeq = entry.seq;
  member.primaryLastWriteMs = timestamp.wallMs;
  member.appliedWriteMs = timestamp.wallMs;
  member.stats.writes += 1;
  return { ok: true, seq: entry.seq, epoch: member.epoch };
}

/**
 * A primary never stops writing because a secondary is slow or gone (Aurora keeps the writer up while a
 * secondary Region is unreachable): when the log is full it gives up on the slowest secondary, which
 * resyncs from a snapshot later.
 */
function makeRoom(member: SingleWriterMember): void {
  while (isLogFull(member.log)) {
    const slowest = slowestPeer(member.log);
    if (slowest === undefined) truncateThrough(member.log, member.log.truncatedSeq + 1);
    else markNeedsSnapshot(member.log, slowest);
  }
}

export function resultToReply(member: SingleWriterMember, requestId: number, result: ForwardResult): SingleWriterReply {
  if (result.ok) return { requestId, ok: true, seq: result.seq, epoch: result.epoch };
  member.stats.refusedWrites += 1;
  switch (result.reason) {
    case 'not-primary':
      return { requestId, ok: false, error: new NotPrimaryError(member.region, result.primaryRegion, result.epoch) };
    case 'pending-full':
      return { requestId, ok: false, error: new PendingRequestsFullError(member.region, 'forwarded writes', member.options.forwardedPendingMax) };
    default:
      return { requestId, ok: false, error: new WritesSuspendedError(result.primaryRegion, result.reason) };
  }
}

/** On the primary's tick: batches to streaming secondaries, snapshots to those too far behind, heartbeats to the rest. */
export function shipLog(member: SingleWriterMember, nowMs: number, effects: SingleWriterEffect[]): void {
  for (const [peer, channel] of member.channels) {
    const cursor = member.log.cursors.get(peer)!;
    if (cursor.state === 'needs-snapshot') {
      if (nowMs - channel.lastSentMs >= member.options.retransmitAfterMs) sendSnapshot(member, peer, channel, nowMs, effects);
      continue;
    }
    const batches = takeBatches(member.log, peer, channel.stream, nowMs, member.options);
    for (const entries of batches) sendReplicate(member, peer, entries, effects);
    if (batches.length > 0) channel.lastSentMs = nowMs;
    else if (nowMs - channel.lastSentMs >= member.options.heartbeatIntervalMs) {
      sendReplicate(member, peer, [], effects);
      channel.lastSentMs = nowMs;
    }
  }
}

function sendReplicate(member: SingleWriterMember, to: string, entries: readonly SingleWriterEntry[], effects: SingleWriterEffect[]): void {
  const { epoch, epochStartSeq, primaryLastWriteMs } = member;
  effects.push({ kind: 'send', to, message: { kind: 'replicate', epoch, epochStartSeq, entries, primaryLastSeq: member.log.lastSeq, primaryLastWriteMs } });
}

function sendSnapshot(member: SingleWriterMember, to: string, channel: PeerChannel, nowMs: number, effects: SingleWriterEffect[]): void {
  const { epoch, epochStartSeq, primaryLastWriteMs } = member;
  const message: Message<'snapshot'> = { kind: 'snapshot', epoch, epochStartSeq, seq: member.log.lastSeq, items: [...member.items.values()], primaryLastWriteMs };
  effects.push({ kind: 'send', to, message });
  channel.lastSentMs = nowMs;
  member.stats.snapshotsSent += 1;
}

/**
 * A message from a primary (`replicate` or `snapshot`) in an older epoch is answered with the current
 * epoch, which fences the sender; one from a newer epoch makes this member a secondary of it first.
 * Returns false when the message must go no further.
 */
function acceptEpoch(member: SingleWriterMember, from: string, message: Message<'replicate' | 'snapshot'>, effects: SingleWriterEffect[]): boolean {
  if (message.epoch < member.epoch) {
    const { epoch, primaryRegion, epochStartSeq } = member;
    effects.push({ kind: 'send', to: from, message: { kind: 'newer-epoch', epoch, primaryRegion, epochStartSeq } });
    return false;
  }
  if (message.epoch > member.epoch || isPrimaryRole(member)) {
    invariant(message.epoch > member.epoch, `two primaries in epoch ${message.epoch}: ${member.region} and ${from}`);
    adoptEpoch(member, message.epoch, from, message.epochStartSeq, effects);
  }
  invariant(from === member.primaryRegion, `${from} ships epoch ${message.epoch}, whose primary is ${member.primaryRegion}`);
  confirmHandover(member, from);
  return true;
}

export function onReplicate(member: SingleWriterMember, from: string, message: Message<'replicate'>, nowMs: number, effects: SingleWriterEffect[]): void {
  if (!acceptEpoch(member, from, message, effects)) return;
  const ack = { kind: 'replicate-ack', epoch: member.epoch } as const;
  if (member.awaitingSnapshot) {
    effects.push({ kind: 'send', to: from, message: { ...ack, appliedSeq: member.log.lastSeq, gap: false, needsSnapshot: true } });
    return;
  }
  member.primaryLastSeq = Math.max(member.primaryLastSeq, message.primaryLastSeq);
  member.primaryLastWriteMs = Math.max(member.primaryLastWriteMs, message.primaryLastWriteMs);
  const result = applyInOrder(member.log.lastSeq, message.entries, (entry) => (applyEntry(member, entry, nowMs), true));
  member.stats.duplicatesIgnored += result.duplicates;
  effects.push({ kind: 'send', to: from, message: { ...ack, appliedSeq: member.log.lastSeq, gap: result.stopped, needsSnapshot: false } });
}

/** A secondary keeps what it applied as history (for after a promotion), dropping the oldest when full. */
function applyEntry(member: SingleWriterMember, entry: SingleWriterEntry, nowMs: number): void {
  if (isLogFull(member.log)) truncateThrough(member.log, member.log.truncatedSeq + 1);
  // Merging the primary's timestamps keeps this member's clock ahead of them, should it be promoted.
  receive(member.clock, entry.timestamp, nowMs);
  appendEntry(member.log, entry);
  member.items.set(entry.key, entry);
  member.appliedWriteMs = entry.timestamp.wallMs;
  member.stats.appliedEntries += 1;
}

export function onSnapshot(member: SingleWriterMember, from: string, message: Message<'snapshot'>, nowMs: number, effects: SingleWriterEffect[]): void {
  if (!acceptEpoch(member, from, message, effects)) return;
  // A repeated or overtaken snapshot must not take the table back.
  if (member.awaitingSnapshot || message.seq > member.log.lastSeq) {
    member.items = new Map(message.items.map((entry) => [entry.key, entry]));
    for (const entry of message.items) receive(member.clock, entry.timestamp, nowMs);
    resetLog(member.log, message.seq);
    member.awaitingSnapshot = false;
    member.appliedWriteMs = message.primaryLastWriteMs;
    member.primaryLastSeq = Math.max(member.primaryLastSeq, message.seq);
    member.primaryLastWriteMs = Math.max(member.primaryLastWriteMs, message.primaryLastWriteMs);
    member.stats.snapshotsInstalled += 1;
  }
  effects.push({ kind: 'send', to: from, message: { kind: 'replicate-ack', epoch: member.epoch, appliedSeq: member.log.lastSeq, gap: false, needsSnapshot: false } });
}

export function onReplicateAck(member: SingleWriterMember, from: string, message: Message<'replicate-ack'>, nowMs: number, effects: SingleWriterEffect[]): void {
  if (!isPrimaryRole(member) || message.epoch !== member.epoch) return;
  // A secondary answering in this epoch proves no newer primary has reached it: a restarted primary may write again.
  if (member.role === 'recovering') member.role = 'primary';
  const channel = member.channels.get(from);
  invariant(channel !== undefined, `${member.region} has no secondary ${from}`);
  if (message.needsSnapshot) markNeedsSnapshot(member.log, from);
  else onAcknowledged(member.log, from, channel.stream, message.appliedSeq, message.gap, nowMs);
  completeSwitchoverIfCaughtUp(member, from, nowMs, effects);
}
