import { WriteOutcomeUnknownError } from './replication-errors.ts';
import { resultToReply, writeAsPrimary } from './single-writer-replication.ts';
import type { ForwardResult, SingleWriterEffect, SingleWriterEvent, SingleWriterMember, SingleWriterMessage } from './single-writer-state.ts';

/**
 * Write forwarding (Aurora Global Database's optional feature): a secondary hands a client's write to the
 * primary and answers the client when the primary does. A forward that gets no answer in time fails with
 * an unknown outcome (the primary may have applied it). The primary remembers recent answers so that a
 * forward the network repeats is written once.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-write-forwarding.html
 */

/** Answers the primary remembers, at most; a repeat older than that would be written again. */
export const FORWARD_ANSWERS_REMEMBERED_MAX = 4096;

export function forwardWrite(member: SingleWriterMember, event: Extract<SingleWriterEvent, { kind: 'write' }>, nowMs: number, effects: SingleWriterEffect[]): void {
  if (member.forwarded.size >= member.options.forwardedPendingMax) {
    const result: ForwardResult = { ok: false, reason: 'pending-full', primaryRegion: member.primaryRegion, epoch: member.epoch };
    effects.push({ kind: 'reply', reply: resultToReply(member, event.requestId, result) });
    return;
  }
  const forwardId = member.nextForwardId++;
  member.forwarded.set(forwardId, { requestId: event.requestId, deadlineMs: nowMs + member.options.forwardTimeoutMs });
  const message: SingleWriterMessage = { kind: 'forward-write', forwardId, key: event.key, value: event.value, dataClass: event.dataClass };
  effects.push({ kind: 'send', to: member.primaryRegion, message });
}

export function onForwardWrite(
  member: SingleWriterMember,
  from: string,
  message: Extract<SingleWriterMessage, { kind: 'forward-write' }>,
  nowMs: number,
  effects: SingleWriterEffect[],
): void {
  const answerKey = `${from}#${message.forwardId}`;
  let result = member.recentForwards.get(answerKey);
  if (result === undefined) {
    result = writeAsPrimary(member, message, from, nowMs);
    if (result.ok) remember(member, answerKey, result);
  }
  effects.push({ kind: 'send', to: from, message: { kind: 'forward-result', forwardId: message.forwardId, result } });
}

function remember(member: SingleWriterMember, answerKey: string, result: ForwardResult): void {
  member.stats.forwardedWrites += 1;
  member.recentForwards.set(answerKey, result);
  if (member.recentForwards.size > FORWARD_ANSWERS_REMEMBERED_MAX) member.recentForwards.delete(member.recentForwards.keys().next().value!);
}

export function onForwardResult(member: SingleWriterMember, message: Extract<SingleWriterMessage, { kind: 'forward-result' }>, effects: SingleWriterEffect[]): void {
  const waiting = member.forwarded.get(message.forwardId);
  if (waiting === undefined) return;
  member.forwarded.delete(message.forwardId);
  effects.push({ kind: 'reply', reply: resultToReply(member, waiting.requestId, message.result) });
}

/** Forwards past their deadline fail with an unknown outcome. Deadlines grow with insertion order. */
export function expireForwards(member: SingleWriterMember, nowMs: number, effects: SingleWriterEffect[]): void {
  for (const [forwardId, waiting] of member.forwarded) {
    if (nowMs < waiting.deadlineMs) break;
    member.forwarded.delete(forwardId);
    const error = new WriteOutcomeUnknownError(member.region, `no answer from ${member.primaryRegion} to a forwarded write`);
    effects.push({ kind: 'reply', reply: { requestId: waiting.requestId, ok: false, error } });
  }
}
