import { invariant } from './replication-errors.ts';
import { entriesAfter } from './replication-log.ts';
import { openChannels, type SingleWriterEffect, type SingleWriterMember } from './single-writer-state.ts';

/**
 * Changes of primary in a single-writer group, each starting a new epoch:
 * - switchover (planned): the primary stops taking writes, waits until the chosen secondary has every
 *   entry, demotes itself and tells the target to take over. Nothing is lost.
 * - failover (unplanned): the control plane promotes a secondary with what it has applied. Acknowledged
 *   writes past its last applied sequence are lost; every member that holds some of them discards and
 *   reports them when it learns of the new epoch (the old primary reports all of them).
 * - fencing: a former primary that learns of a newer epoch (from a secondary's answer, the new
 *   primary's stream or the control plane) takes no further write and rejoins as a secondary; a
 *   restarted primary writes nothing until a secondary confirms its epoch.
 */

/** Control plane to the primary: hand over to `target`, which becomes primary of `epoch`. */
export function beginSwitchover(member: SingleWriterMember, target: string, epoch: number, nowMs: number, effects: SingleWriterEffect[]): void {
  const usable = member.role === 'primary' && member.switchover === undefined && target !== member.region && member.channels.has(target) && epoch > member.epoch;
  if (!usable) {
    effects.push({ kind: 'switchover-abandoned', region: member.region, target, epoch });
    return;
  }
  member.switchover = { target, epoch, startedMs: nowMs, promoteSentMs: Number.NEGATIVE_INFINITY, phase: 'draining' };
  completeSwitchoverIfCaughtUp(member, target, nowMs, effects);
}

/** Once the target has acknowledged the primary's last entry: demote, and send the target its promotion. */
export function completeSwitchoverIfCaughtUp(member: SingleWriterMember, peer: string, nowMs: number, effects: SingleWriterEffect[]): void {
  const switchover = member.switchover;
  if (switchover === undefined || switchover.phase !== 'draining' || peer !== switchover.target) return;
  const cursor = member.log.cursors.get(peer);
  if (cursor === undefined || cursor.state !== 'streaming' || cursor.ackedSeq < member.log.lastSeq) return;
  member.role = 'secondary';
  member.epoch = switchover.epoch;
  member.primaryRegion = switchover.target;
  member.epochStartSeq = member.log.lastSeq;
  member.log.cursors.clear();
  member.channels.clear();
  switchover.phase = 'handing-over';
  sendPromote(member, nowMs, effects);
}

function sendPromote(member: SingleWriterMember, nowMs: number, effects: SingleWriterEffect[]): void {
  const switchover = member.switchover!;
  effects.push({ kind: 'send', to: switchover.target, message: { kind: 'promote', epoch: switchover.epoch, epochStartSeq: member.epochStartSeq } });
  switchover.promoteSentMs = nowMs;
}

/** The switchover target receives its promotion (possibly repeated: only the first counts). */
export function onPromote(member: SingleWriterMember, epoch: number, epochStartSeq: number, effects: SingleWriterEffect[]): void {
  if (epoch <= member.epoch) return;
  invariant(!member.awaitingSnapshot && member.log.lastSeq === epochStartSeq, `${member.region} promoted at ${epochStartSeq} but holds ${member.log.lastSeq}`);
  promote(member, epoch, true, effects);
}

/** The old primary, once the new one streams to it in the new epoch, stops resending the promotion. */
export function confirmHandover(member: SingleWriterMember, from: string): void {
  const switchover = member.switchover;
  if (switchover?.phase === 'handing-over' && from === switchover.target && member.epoch >= switchover.epoch) member.switchover = undefined;
}

/**
 * Whether a failover may promote this member: a secondary whose table is whole. One that discarded a
 * divergent tail and waits for a snapshot would bring the discarded writes back.
 */
export function canBePromoted(member: SingleWriterMember): boolean {
  return member.role === 'secondary' && !member.awaitingSnapshot;
}

/** Control plane to a secondary: unplanned failover. It becomes primary with what it has applied, or refuses. */
export function failover(member: SingleWriterMember, epoch: number, effects: SingleWriterEffect[]): void {
  invariant(epoch > member.epoch, `failover to epoch ${epoch} on ${member.region}, already in epoch ${member.epoch}`);
  if (!canBePromoted(member)) {
    const reason = member.awaitingSnapshot ? 'awaiting-snapshot' : 'not-secondary';
    effects.push({ kind: 'promotion-refused', region: member.region, epoch, reason });
    return;
  }
  promote(member, epoch, false, effects);
}

function promote(member: SingleWriterMember, epoch: number, planned: boolean, effects: SingleWriterEffect[]): void {
  member.role = 'primary';
  member.epoch = epoch;
  member.primaryRegion = member.region;
  member.epochStartSeq = member.log.lastSeq;
  member.primaryLastSeq = member.log.lastSeq;
  member.switchover = undefined;
  // Where each secondary stands is unknown until it answers; until then the log keeps everything it has.
  openChannels(member, 'probing');
  effects.push({ kind: 'promoted', region: member.region, epoch, epochStartSeq: member.epochStartSeq, planned });
}

/**
 * This member learns of a newer epoch: it becomes a secondary of `primaryRegion`. Entries it holds past the new epoch's start were written by
 * an older primary and never reached the new one: they are discarded and reported, and the table is
 * rebuilt from the new primary's snapshot.
 */
export function adoptEpoch(member: SingleWriterMember, epoch: number, primaryRegion: string, epochStartSeq: number, effects: SingleWriterEffect[]): void {
  invariant(epoch > member.epoch, `${member.region} cannot adopt epoch ${epoch} from epoch ${member.epoch}`);
  if (member.log.lastSeq > epochStartSeq && !member.awaitingSnapshot) discardTail(member, epoch, epochStartSeq, effects);
  const switchover = member.switchover;
  if (switchover?.phase === 'draining') effects.push({ kind: 'switchover-abandoned', region: member.region, target: switchover.target, epoch: switchover.epoch });
  if (switchover !== undefined && (switchover.phase === 'draining' || switchover.epoch < epoch)) member.switchover = undefined;
  member.role = 'secondary';
  member.epoch = epoch;
  member.primaryRegion = primaryRegion;
  member.epochStartSeq = epochStartSeq;
  member.log.cursors.clear();
  member.channels.clear();
}

function discardTail(member: SingleWriterMember, epoch: number, epochStartSeq: number, effects: SingleWriterEffect[]): void {
  const { log } = member;
  const from = Math.max(epochStartSeq, log.truncatedSeq);
  const entries = entriesAfter(log, from, log.lastSeq - from);
  effects.push({ kind: 'discarded', region: member.region, epoch, epochStartSeq, lastSeq: log.lastSeq, entries, complete: log.truncatedSeq <= epochStartSeq });
  member.stats.discardedEntries += log.lastSeq - epochStartSeq;
  member.awaitingSnapshot = true;
}

/** Control plane to a former primary it can reach: a newer epoch exists. */
export function fence(member: SingleWriterMember, epoch: number, primaryRegion: string, epochStartSeq: number, effects: SingleWriterEffect[]): void {
  if (epoch > member.epoch) adoptEpoch(member, epoch, primaryRegion, epochStartSeq, effects);
}

/** On tick: abandon a switchover that takes too long (writes resume); resend an unanswered promotion. */
export function tickHandover(member: SingleWriterMember, nowMs: number, effects: SingleWriterEffect[]): void {
  const switchover = member.switchover;
  if (switchover === undefined) return;
  if (switchover.phase === 'draining' && nowMs - switchover.startedMs >= member.options.switchoverTimeoutMs) {
    member.switchover = undefined;
    effects.push({ kind: 'switchover-abandoned', region: member.region, target: switchover.target, epoch: switchover.epoch });
  } else if (switchover.phase === 'handing-over' && nowMs - switchover.promoteSentMs >= member.options.retransmitAfterMs) {
    sendPromote(member, nowMs, effects);
  }
}

/**
 * The acknowledged writes a failover loses: those of older epochs past the promoted member's last
 * applied entry (`promoted` is the `promoted` effect). A switchover loses none by construction.
 */
export function lostOnFailover<W extends { readonly seq: number; readonly epoch: number }>(
  acknowledged: readonly W[],
  promoted: { readonly epoch: number; readonly epochStartSeq: number },
): W[] {
  return acknowledged.filter((write) => write.epoch < promoted.epoch && write.seq > promoted.epochStartSeq);
}
