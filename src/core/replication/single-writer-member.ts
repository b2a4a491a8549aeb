import { expireForwards, forwardWrite, onForwardResult, onForwardWrite } from './single-writer-forwarding.ts';
import { adoptEpoch, beginSwitchover, failover, fence, onPromote, tickHandover } from './single-writer-handover.ts';
import { onReplicate, onReplicateAck, onSnapshot, resultToReply, shipLog, writeAsPrimary } from './single-writer-replication.ts';
import { isPrimaryRole, type SingleWriterEffect, type SingleWriterEvent, type SingleWriterMember, type SingleWriterMessage } from './single-writer-state.ts';
import type { StepResult } from './step-effects.ts';

/**
 * The step function of a single-writer group member (state and types in single-writer-state.ts): one
 * event in, effects out. The same member is primary or secondary depending on its epoch's history.
 */
export function stepSingleWriter(member: SingleWriterMember, event: SingleWriterEvent, nowMs: number): StepResult<SingleWriterMember, SingleWriterEffect> {
  const effects: SingleWriterEffect[] = [];
  switch (event.kind) {
    case 'write':
      if (member.role === 'secondary' && member.options.writeForwarding) forwardWrite(member, event, nowMs, effects);
      else effects.push({ kind: 'reply', reply: resultToReply(member, event.requestId, writeAsPrimary(member, event, member.region, nowMs)) });
      break;
    case 'tick':
      if (isPrimaryRole(member)) shipLog(member, nowMs, effects);
      tickHandover(member, nowMs, effects);
      expireForwards(member, nowMs, effects);
      break;
    case 'receive':
      receiveMessage(member, event.from, event.message, nowMs, effects);
      break;
    case 'switchover':
      beginSwitchover(member, event.target, event.epoch, nowMs, effects);
      break;
    case 'failover':
      failover(member, event.epoch, effects);
      break;
    case 'fence':
      fence(member, event.epoch, event.primaryRegion, event.epochStartSeq, effects);
      break;
  }
  return { state: member, effects };
}

function receiveMessage(member: SingleWriterMember, from: string, message: SingleWriterMessage, nowMs: number, effects: SingleWriterEffect[]): void {
  switch (message.kind) {
    case 'replicate':
      return onReplicate(member, from, message, nowMs, effects);
    case 'snapshot':
      return onSnapshot(member, from, message, nowMs, effects);
    case 'replicate-ack':
      return onReplicateAck(member, from, message, nowMs, effects);
    case 'newer-epoch':
      if (message.epoch > member.epoch) adoptEpoch(member, message.epoch, message.primaryRegion, message.epochStartSeq, effects);
      return;
    case 'promote':
      return onPromote(member, message.epoch, message.epochStartSeq, effects);
    case 'forward-write':
      return onForwardWrite(member, from, message, nowMs, effects);
    case 'forward-result':
      return onForwardResult(member, message, effects);
  }
}
