import { onRequestVote, onVote, tickElection } from './quorum-election.ts';
import { readsAwaitRound } from './quorum-reads.ts';
import { onAppend, onAppendResult, onSnapshot, tickLeader } from './quorum-replication.ts';
import { clientRead, clientWrite, expireRequests, onForwardRead, onForwardWrite } from './quorum-requests.ts';
import { onReadResult, onWriteResult } from './quorum-results.ts';
import type { QuorumEffect, QuorumEvent, QuorumMember, QuorumMessage } from './quorum-state.ts';
import type { StepResult } from './step-effects.ts';

/**
 * The step function of a strongly consistent group member (state and types in quorum-state.ts): one
 * event in (a client request, a tick, a message from another member), effects out. Nothing here reads a
 * clock or a socket, so the simulator can deliver messages late, twice, out of order or never.
 */
export function stepQuorum(member: QuorumMember, event: QuorumEvent, nowMs: number): StepResult<QuorumMember, QuorumEffect> {
  const effects: QuorumEffect[] = [];
  switch (event.kind) {
    case 'write':
      clientWrite(member, event, nowMs, effects);
      break;
    case 'read':
      clientRead(member, event, nowMs, effects);
      break;
    case 'tick':
      if (member.role === 'leader') tickLeader(member, nowMs, readsAwaitRound(member), effects);
      else tickElection(member, nowMs, effects);
      expireRequests(member, nowMs, effects);
      break;
    case 'receive':
      receiveMessage(member, event.from, event.message, nowMs, effects);
      break;
  }
  return { state: member, effects };
}

function receiveMessage(member: QuorumMember, from: string, message: QuorumMessage, nowMs: number, effects: QuorumEffect[]): void {
  switch (message.kind) {
    case 'request-vote':
      return onRequestVote(member, from, message, nowMs, effects);
    case 'vote':
      return onVote(member, from, message, nowMs, effects);
    case 'append':
      return onAppend(member, from, message, nowMs, effects);
    case 'snapshot':
      return onSnapshot(member, from, message, nowMs, effects);
    case 'append-result':
      return onAppendResult(member, from, message, nowMs, effects);
    case 'forward-write':
      return onForwardWrite(member, from, message, nowMs, effects);
    case 'write-result':
      return onWriteResult(member, message, effects);
    case 'forward-read':
      return onForwardRead(member, from, message, nowMs, effects);
    case 'read-result':
      return onReadResult(member, message, effects);
  }
}
