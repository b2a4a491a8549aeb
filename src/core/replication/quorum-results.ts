import { PendingRequestsFullError, QuorumUnavailableError, ReplicatedWriteConflictError } from './replication-errors.ts';
import type { QuorumEffect, QuorumMember, QuorumMessage, QuorumReply, ReadOutcome, WriteOutcome } from './quorum-state.ts';

/**
 * Answers travelling back to the member whose client asked (its "origin"), and the client replies they
 * become there. When the leader is the origin the answer is handled in place, not sent to itself.
 */
export function deliverWriteResult(member: QuorumMember, origin: string, proposalId: number, outcome: WriteOutcome, effects: QuorumEffect[]): void {
  const message: QuorumMessage = { kind: 'write-result', proposalId, ...outcome };
  if (origin === member.region) onWriteResult(member, message, effects);
  else effects.push({ kind: 'send', to: origin, message });
}

export function deliverReadResult(member: QuorumMember, origin: string, readId: number, outcome: ReadOutcome, effects: QuorumEffect[]): void {
  const message: QuorumMessage = { kind: 'read-result', readId, ...outcome };
  if (origin === member.region) onReadResult(member, message, effects);
  else effects.push({ kind: 'send', to: origin, message });
}

export function onWriteResult(member: QuorumMember, message: Extract<QuorumMessage, { kind: 'write-result' }>, effects: QuorumEffect[]): void {
  const waiting = member.waitingWrites.get(message.proposalId);
  if (waiting === undefined) return;
  member.waitingWrites.delete(message.proposalId);
  const requestId = waiting.requestId;
  let reply: QuorumReply;
  switch (message.outcome) {
    case 'committed':
      reply = { requestId, ok: true, operation: 'write', version: message.version };
      break;
    case 'conflict':
      member.stats.conflicts += 1;
      reply = { requestId, ok: false, error: new ReplicatedWriteConflictError(waiting.key, message.conflictingRegion) };
      break;
    default:
      reply = { requestId, ok: false, error: refusal(member, message.outcome, 'write') };
  }
  effects.push({ kind: 'reply', reply });
}

export function onReadResult(member: QuorumMember, message: Extract<QuorumMessage, { kind: 'read-result' }>, effects: QuorumEffect[]): void {
  const waiting = member.waitingReads.get(message.readId);
  if (waiting === undefined) return;
  member.waitingReads.delete(message.readId);
  const requestId = waiting.requestId;
  const reply: QuorumReply =
    message.outcome === 'ok'
      ? { requestId, ok: true, operation: 'read', value: message.value, version: message.version }
      : { requestId, ok: false, error: refusal(member, message.outcome, 'read') };
  effects.push({ kind: 'reply', reply });
}

export function refusal(member: QuorumMember, outcome: 'unavailable' | 'pending-full', what: 'write' | 'read'): QuorumUnavailableError | PendingRequestsFullError {
  member.stats.refused += 1;
  if (outcome === 'pending-full') return new PendingRequestsFullError(member.region, `${what} requests`, member.options.pendingRequestsMax);
  return new QuorumUnavailableError(member.region, `no leader with a majority to take the ${what}`);
}
