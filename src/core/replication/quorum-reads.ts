import { deliverReadResult } from './quorum-results.ts';
import { readApplied, type QuorumEffect, type QuorumMember } from './quorum-state.ts';

/**
 * Strongly consistent reads on the leader (Raft's read index). A read arriving at the leader records the
 * commit index at that moment and the current heartbeat round. It is served when (1) a majority has
 * answered a round started after it arrived, which proves no newer leader existed when it arrived, and
 * (2) the leader has applied everything committed then, and its own first entry of the term. So it
 * returns every write acknowledged before the read was issued.
 */
export function registerRead(member: QuorumMember, origin: string, readId: number, key: string, effects: QuorumEffect[]): void {
  if (member.pendingReads.length >= member.options.pendingRequestsMax) {
    deliverReadResult(member, origin, readId, { outcome: 'pending-full' }, effects);
    return;
  }
  const readIndex = Math.max(member.commitIndex, member.termStartIndex);
  member.pendingReads.push({ origin, readId, key, readIndex, afterRound: member.round });
}

/** Whether reads registered since the last heartbeat round wait for a new round. */
export function readsAwaitRound(member: QuorumMember): boolean {
  const last = member.pendingReads[member.pendingReads.length - 1];
  return last !== undefined && last.afterRound >= member.round;
}

/**
 * Whether the leader should start a round for waiting reads now: only when no round is still unconfirmed,
 * so that reads arriving together share one round (about one per round trip) instead of one each.
 */
export function readsNeedRoundNow(member: QuorumMember): boolean {
  return readsAwaitRound(member) && confirmedRound(member) >= member.round;
}

/** The latest heartbeat round a majority has answered: with three members, the leader and one follower. */
function confirmedRound(member: QuorumMember): number {
  let best = 0;
  for (const progress of member.followers.values()) if (progress.echoedRound > best) best = progress.echoedRound;
  return best;
}

/** Serves, in arrival order, the reads that are confirmed and applied. */
export function serveReads(member: QuorumMember, effects: QuorumEffect[]): void {
  let served = 0;
  for (const read of member.pendingReads) {
    if (member.lastApplied < read.readIndex || confirmedRound(member) <= read.afterRound) break;
    deliverReadResult(member, read.origin, read.readId, { outcome: 'ok', ...readApplied(member, read.key) }, effects);
    served += 1;
  }
  if (served > 0) member.pendingReads = member.pendingReads.slice(served);
}

/** A leader stepping down answers its pending reads: not served, safe to retry elsewhere. */
export function failPendingReads(member: QuorumMember, effects: QuorumEffect[]): void {
  const reads = member.pendingReads;
  member.pendingReads = [];
  for (const read of reads) deliverReadResult(member, read.origin, read.readId, { outcome: 'unavailable' }, effects);
}
