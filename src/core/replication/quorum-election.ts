import { appendCommand, lastIndex, lastTerm } from './quorum-log.ts';
import { broadcast } from './quorum-replication.ts';
import { becomeFollower, hearsLiveLeader } from './quorum-roles.ts';
import { RECENT_PROPOSALS_MAX, resetElectionDeadline, type QuorumEffect, type QuorumMember, type QuorumMessage } from './quorum-state.ts';

/**
 * Leader election (Raft §5.2, §5.4.1): a follower that hears no leader for a randomized election timeout
 * asks the others for their vote in a new term; a member votes once per term, and only for a candidate
 * whose log is at least as up to date as its own, so a new leader holds every committed entry. The
 * witness votes but never stands.
 */
export function tickElection(member: QuorumMember, nowMs: number, effects: QuorumEffect[]): void {
  if (member.isWitness || member.role === 'leader' || nowMs < member.electionDeadlineMs) return;
  member.currentTerm += 1;
  member.role = 'candidate';
  member.votedFor = member.region;
  member.votes.clear();
  member.votes.add(member.region);
  member.leaderId = undefined;
  member.stats.electionsStarted += 1;
  resetElectionDeadline(member, nowMs);
  const message: QuorumMessage = { kind: 'request-vote', term: member.currentTerm, lastLogIndex: lastIndex(member.log), lastLogTerm: lastTerm(member.log) };
  for (const peer of member.peers) effects.push({ kind: 'send', to: peer, message });
}

export function onRequestVote(member: QuorumMember, from: string, message: Extract<QuorumMessage, { kind: 'request-vote' }>, nowMs: number, effects: QuorumEffect[]): void {
  if (message.term > member.currentTerm) {
    // Leader stickiness: a member back from a partition must not depose a leader that still has its majority.
    if (hearsLiveLeader(member, nowMs)) return;
    becomeFollower(member, message.term, effects);
  }
  const ourTerm = lastTerm(member.log);
  const upToDate = message.lastLogTerm > ourTerm || (message.lastLogTerm === ourTerm && message.lastLogIndex >= lastIndex(member.log));
  const granted = message.term === member.currentTerm && (member.votedFor === undefined || member.votedFor === from) && upToDate;
  if (granted) {
    member.votedFor = from;
    resetElectionDeadline(member, nowMs);
  }
  effects.push({ kind: 'send', to: from, message: { kind: 'vote', term: member.currentTerm, granted } });
}

export function onVote(member: QuorumMember, from: string, message: Extract<QuorumMessage, { kind: 'vote' }>, nowMs: number, effects: QuorumEffect[]): void {
  if (message.term > member.currentTerm) return becomeFollower(member, message.term, effects);
  if (member.role !== 'candidate' || message.term !== member.currentTerm || !message.granted) return;
  member.votes.add(from);
  if (member.votes.size * 2 > member.members.length) becomeLeader(member, nowMs, effects);
}

function becomeLeader(member: QuorumMember, nowMs: number, effects: QuorumEffect[]): void {
  member.role = 'leader';
  member.leaderId = member.region;
  member.followers.clear();
  for (const peer of member.peers) {
    member.followers.set(peer, { nextIndex: lastIndex(member.log) + 1, matchIndex: 0, lastResponseMs: nowMs, echoedRound: 0, snapshotSentMs: Number.NEGATIVE_INFINITY });
  }
  member.round = 0;
  member.pendingReads = [];
  rememberLoggedProposals(member);
  member.termStartIndex = appendCommand(member.log, member.currentTerm, { kind: 'noop' }).index;
  effects.push({ kind: 'became-leader', region: member.region, term: member.currentTerm });
  broadcast(member, nowMs, effects);
}

/** A new leader recognises proposals already in its log, so that a repeated forward is not appended twice. */
function rememberLoggedProposals(member: QuorumMember): void {
  member.recentProposals.clear();
  const entries = member.log.entries;
  for (const entry of entries.slice(Math.max(0, entries.length - RECENT_PROPOSALS_MAX))) {
    if (entry.command.kind === 'write') member.recentProposals.set(`${entry.command.originRegion}#${entry.command.proposalId}`, entry.index);
  }
}
