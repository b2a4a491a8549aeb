import { failPendingReads } from './quorum-reads.ts';
import type { QuorumEffect, QuorumMember } from './quorum-state.ts';

/** Role changes shared by elections and replication. */

/** Steps down to follower, adopting `term` when it is newer (and forgetting the vote of the older term). */
export function becomeFollower(member: QuorumMember, term: number, effects: QuorumEffect[]): void {
  if (term > member.currentTerm) {
    member.currentTerm = term;
    member.votedFor = undefined;
  }
  if (member.role === 'leader') {
    failPendingReads(member, effects);
    member.followers.clear();
    member.recentProposals.clear();
  }
  member.role = 'follower';
  member.votes.clear();
  member.leaderId = undefined;
}

/** Whether the leader heard from a majority (itself included) within an election timeout. */
export function hasQuorumContact(member: QuorumMember, nowMs: number): boolean {
  let reachable = 1;
  for (const progress of member.followers.values()) {
    if (nowMs - progress.lastResponseMs < member.options.electionTimeoutMs) reachable += 1;
  }
  return reachable * 2 > member.members.length;
}

/** Whether this member is, or recently heard from, a leader that still has its majority. */
export function hearsLiveLeader(member: QuorumMember, nowMs: number): boolean {
  if (member.role === 'leader') return hasQuorumContact(member, nowMs);
  return member.leaderId !== undefined && nowMs - member.lastLeaderContactMs < member.options.electionTimeoutMs;
}
