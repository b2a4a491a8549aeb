import { appendCommand, lastIndex } from './quorum-log.ts';
import { readsNeedRoundNow, registerRead } from './quorum-reads.ts';
import { broadcast } from './quorum-replication.ts';
import { deliverReadResult, deliverWriteResult, refusal } from './quorum-results.ts';
import { hasQuorumContact, hearsLiveLeader } from './quorum-roles.ts';
import {
  headHistory,
  notePendingWrite,
  readApplied,
  RECENT_PROPOSALS_MAX,
  type QuorumEffect,
  type QuorumEvent,
  type QuorumMember,
  type QuorumMessage,
} from './quorum-state.ts';
import { invariant, QuorumUnavailableError, WriteOutcomeUnknownError } from './replication-errors.ts';
import { conflictingRegion } from './write-history.ts';

/**
 * Client requests in a strongly consistent group. Any replica member takes them; a follower hands them
 * to the leader and answers its client when the leader does. A member that knows no leader with a
 * majority refuses at once (QuorumUnavailableError); a write handed over with no answer in time fails
 * with an unknown outcome (WriteOutcomeUnknownError).
 */
type Proposal = Omit<Extract<QuorumMessage, { kind: 'forward-write' }>, 'kind'>;

export function clientWrite(member: QuorumMember, event: Extract<QuorumEvent, { kind: 'write' }>, nowMs: number, effects: QuorumEffect[]): void {
  invariant(!member.isWitness, 'the witness serves no requests');
  const refused = member.waitingWrites.size >= member.options.pendingRequestsMax ? 'pending-full' : hearsLiveLeader(member, nowMs) ? undefined : 'unavailable';
  if (refused !== undefined) {
    effects.push({ kind: 'reply', reply: { requestId: event.requestId, ok: false, error: refusal(member, refused, 'write') } });
    return;
  }
  const proposalId = member.nextProposalId++;
  member.waitingWrites.set(proposalId, { requestId: event.requestId, key: event.key, deadlineMs: nowMs + member.options.requestTimeoutMs });
  const proposal: Proposal = { proposalId, key: event.key, value: event.value, dataClass: event.dataClass, baseVersion: readApplied(member, event.key).version };
  if (member.role === 'leader') propose(member, member.region, proposal, nowMs, effects);
  else effects.push({ kind: 'send', to: member.leaderId!, message: { kind: 'forward-write', ...proposal } });
}

export function onForwardWrite(member: QuorumMember, from: string, message: Extract<QuorumMessage, { kind: 'forward-write' }>, nowMs: number, effects: QuorumEffect[]): void {
  if (member.role === 'leader' && hasQuorumContact(member, nowMs)) propose(member, from, message, nowMs, effects);
  else deliverWriteResult(member, from, message.proposalId, { outcome: 'unavailable' }, effects);
}

/**
 * The leader appends a write unless it conflicts with another Region's write to the item (see
 * write-history.ts) or too many proposals await commitment. The origin hears the outcome when the entry
 * commits (quorum-replication.ts) or at once when it is refused.
 */
function propose(member: QuorumMember, origin: string, proposal: Proposal, nowMs: number, effects: QuorumEffect[]): void {
  const proposalKey = `${origin}#${proposal.proposalId}`;
  const known = member.recentProposals.get(proposalKey);
  if (known !== undefined) {
    if (known <= member.lastApplied) deliverWriteResult(member, origin, proposal.proposalId, { outcome: 'committed', version: known }, effects);
    return;
  }
  if (lastIndex(member.log) - member.commitIndex >= member.options.pendingRequestsMax) {
    return deliverWriteResult(member, origin, proposal.proposalId, { outcome: 'pending-full' }, effects);
  }
  const conflict = conflictingRegion(headHistory(member, proposal.key), origin, proposal.baseVersion);
  if (conflict !== undefined) return deliverWriteResult(member, origin, proposal.proposalId, { outcome: 'conflict', conflictingRegion: conflict }, effects);
  const { key, value, dataClass, proposalId, baseVersion } = proposal;
  const entry = appendCommand(member.log, member.currentTerm, { kind: 'write', key, value, dataClass, originRegion: origin, proposalId, baseVersion });
  notePendingWrite(member, entry);
  member.recentProposals.set(proposalKey, entry.index);
  if (member.recentProposals.size > RECENT_PROPOSALS_MAX) member.recentProposals.delete(member.recentProposals.keys().next().value!);
  member.stats.proposals += 1;
  broadcast(member, nowMs, effects);
}

export function clientRead(member: QuorumMember, event: Extract<QuorumEvent, { kind: 'read' }>, nowMs: number, effects: QuorumEffect[]): void {
  invariant(!member.isWitness, 'the witness serves no requests');
  const refused = member.waitingReads.size >= member.options.pendingRequestsMax ? 'pending-full' : hearsLiveLeader(member, nowMs) ? undefined : 'unavailable';
  if (refused !== undefined) {
    effects.push({ kind: 'reply', reply: { requestId: event.requestId, ok: false, error: refusal(member, refused, 'read') } });
    return;
  }
  const readId = member.nextReadId++;
  member.waitingReads.set(readId, { requestId: event.requestId, deadlineMs: nowMs + member.options.requestTimeoutMs });
  if (member.role === 'leader') leaderRead(member, member.region, readId, event.key, nowMs, effects);
  else effects.push({ kind: 'send', to: member.leaderId!, message: { kind: 'forward-read', readId, key: event.key } });
}

export function onForwardRead(member: QuorumMember, from: string, message: Extract<QuorumMessage, { kind: 'forward-read' }>, nowMs: number, effects: QuorumEffect[]): void {
  if (member.role === 'leader') leaderRead(member, from, message.readId, message.key, nowMs, effects);
  else deliverReadResult(member, from, message.readId, { outcome: 'unavailable' }, effects);
}

/** Registers the read and starts a heartbeat round after it, unless one is in flight (the read then joins the next). */
function leaderRead(member: QuorumMember, origin: string, readId: number, key: string, nowMs: number, effects: QuorumEffect[]): void {
  registerRead(member, origin, readId, key, effects);
  if (readsNeedRoundNow(member)) broadcast(member, nowMs, effects);
}

/** Requests past their deadline fail: a write with an unknown outcome, a read as unavailable. */
export function expireRequests(member: QuorumMember, nowMs: number, effects: QuorumEffect[]): void {
  for (const [proposalId, waiting] of member.waitingWrites) {
    if (nowMs < waiting.deadlineMs) break;
    member.waitingWrites.delete(proposalId);
    member.stats.timeouts += 1;
    const error = new WriteOutcomeUnknownError(member.region, 'no answer from the leader in time');
    effects.push({ kind: 'reply', reply: { requestId: waiting.requestId, ok: false, error } });
  }
  for (const [readId, waiting] of member.waitingReads) {
    if (nowMs < waiting.deadlineMs) break;
    member.waitingReads.delete(readId);
    member.stats.timeouts += 1;
    const error = new QuorumUnavailableError(member.region, 'no answer from the leader in time');
    effects.push({ kind: 'reply', reply: { requestId: waiting.requestId, ok: false, error } });
  }
}
