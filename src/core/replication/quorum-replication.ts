import {
  appendEntry,
  compactThrough,
  entriesFrom,
  entryAt,
  firstIndexOfTermAt,
  installSnapshotPoint,
  lastIndex,
  termAt,
  truncateFrom,
  type QuorumEntry,
} from './quorum-log.ts';
import { readsNeedRoundNow, serveReads } from './quorum-reads.ts';
import { deliverWriteResult } from './quorum-results.ts';
import { becomeFollower, hasQuorumContact } from './quorum-roles.ts';
import { notePendingWrite, rebuildPendingHistory, resetElectionDeadline, type QuorumEffect, type QuorumMember, type QuorumMessage } from './quorum-state.ts';
import { invariant } from './replication-errors.ts';
import { recordWrite } from './write-history.ts';

/**
 * Log replication in a strongly consistent group: the leader streams its log to both other members
 * (pipelined, resent from the follower's hint after a rejection, a snapshot for a member behind the
 * compacted prefix), an entry of the leader's term is committed once a majority holds it, and every
 * member applies committed entries in order. Every message carries the leader's term, so a stale leader
 * learns of its successor from the first answer it gets.
 */

type Message<K extends QuorumMessage['kind']> = Extract<QuorumMessage, { kind: K }>;

/** Starts a heartbeat round: every follower gets what it lacks, or an empty append that confirms the round. */
export function broadcast(member: QuorumMember, nowMs: number, effects: QuorumEffect[]): void {
  member.round += 1;
  member.lastBroadcastMs = nowMs;
  for (const peer of member.peers) replicateTo(member, peer, nowMs, effects);
}

function replicateTo(member: QuorumMember, peer: string, nowMs: number, effects: QuorumEffect[]): void {
  const progress = member.followers.get(peer)!;
  const { log } = member;
  if (progress.nextIndex <= log.snapshotIndex && nowMs - progress.snapshotSentMs >= member.options.electionTimeoutMs) {
    sendSnapshot(member, peer, nowMs, effects);
    return;
  }
  // Behind the snapshot and a snapshot recently sent: an empty append still confirms the round.
  const behind = progress.nextIndex <= log.snapshotIndex;
  const prevIndex = behind ? log.snapshotIndex : progress.nextIndex - 1;
  const entries = behind || progress.nextIndex > lastIndex(log) ? [] : entriesFrom(log, progress.nextIndex, member.options.batchEntriesMax);
  const message: QuorumMessage = {
    kind: 'append',
    term: member.currentTerm,
    prevIndex,
    prevTerm: termAt(log, prevIndex)!,
    entries,
    leaderCommit: member.commitIndex,
    round: member.round,
  };
  effects.push({ kind: 'send', to: peer, message });
  progress.nextIndex += entries.length;
}

/** The table as of the last applied entry (only the position, for the witness). */
function sendSnapshot(member: QuorumMember, peer: string, nowMs: number, effects: QuorumEffect[]): void {
  const progress = member.followers.get(peer)!;
  const items = peer === member.witness ? undefined : [...member.table.entries()];
  const message: QuorumMessage = { kind: 'snapshot', term: member.currentTerm, lastIndex: member.lastApplied, lastTerm: termAt(member.log, member.lastApplied)!, items, round: member.round };
  effects.push({ kind: 'send', to: peer, message });
  progress.snapshotSentMs = nowMs;
  progress.nextIndex = member.lastApplied + 1;
  member.stats.snapshotsSent += 1;
}

/** A message from a leader of the current or a newer term: follow it, and give it time before any election. */
function followLeader(member: QuorumMember, leader: string, term: number, nowMs: number, effects: QuorumEffect[]): void {
  invariant(!(member.role === 'leader' && term === member.currentTerm), `two leaders in term ${term}: ${member.region} and ${leader}`);
  if (term > member.currentTerm || member.role !== 'follower') becomeFollower(member, term, effects);
  member.leaderId = leader;
  member.lastLeaderContactMs = nowMs;
  resetElectionDeadline(member, nowMs);
}

export function onAppend(member: QuorumMember, from: string, message: Message<'append'>, nowMs: number, effects: QuorumEffect[]): void {
  const answer = (success: boolean, matchIndex: number): void => {
    effects.push({ kind: 'send', to: from, message: { kind: 'append-result', term: member.currentTerm, success, matchIndex, round: message.round } });
  };
  if (message.term < member.currentTerm) return answer(false, lastIndex(member.log));
  followLeader(member, from, message.term, nowMs, effects);
  const result = appendFromLeader(member, message);
  if (result.success) commitUpTo(member, Math.min(message.leaderCommit, result.matchIndex), effects);
  answer(result.success, result.matchIndex);
}

/** Raft's consistency check and append: drop a conflicting suffix, never anything committed. */
function appendFromLeader(member: QuorumMember, message: Message<'append'>): { success: boolean; matchIndex: number } {
  const { log } = member;
  let prevIndex = message.prevIndex;
  let prevTerm = message.prevTerm;
  let entries: readonly QuorumEntry[] = message.entries;
  if (prevIndex < log.snapshotIndex) {
    // Everything up to the snapshot is committed here, and every leader's log holds the same entries.
    const skip = log.snapshotIndex - prevIndex;
    if (skip >= entries.length) return { success: true, matchIndex: log.snapshotIndex };
    entries = entries.slice(skip);
    prevIndex = log.snapshotIndex;
    prevTerm = log.snapshotTerm;
  }
  const localTerm = termAt(log, prevIndex);
  if (localTerm === undefined) return { success: false, matchIndex: lastIndex(log) };
  if (localTerm !== prevTerm) return { success: false, matchIndex: firstIndexOfTermAt(log, prevIndex) - 1 };
  for (const entry of entries) {
    const existing = termAt(log, entry.index);
    if (existing === entry.term) continue;
    if (existing !== undefined) {
      invariant(entry.index > member.commitIndex, `${member.region} would drop committed entry ${entry.index}`);
      truncateFrom(log, entry.index);
      rebuildPendingHistory(member);
    }
    appendEntry(log, entry);
    notePendingWrite(member, entry);
  }
  return { success: true, matchIndex: prevIndex + entries.length };
}

export function onSnapshot(member: QuorumMember, from: string, message: Message<'snapshot'>, nowMs: number, effects: QuorumEffect[]): void {
  if (message.term >= member.currentTerm) {
    followLeader(member, from, message.term, nowMs, effects);
    if (message.lastIndex > member.lastApplied) installSnapshot(member, message);
  }
  const success = message.term >= member.currentTerm;
  effects.push({ kind: 'send', to: from, message: { kind: 'append-result', term: member.currentTerm, success, matchIndex: success ? message.lastIndex : lastIndex(member.log), round: message.round } });
}

function installSnapshot(member: QuorumMember, message: Message<'snapshot'>): void {
  installSnapshotPoint(member.log, message.lastIndex, message.lastTerm);
  if (!member.isWitness) {
    invariant(message.items !== undefined, `${member.region} got a witness snapshot`);
    member.table = new Map(message.items);
  }
  member.lastApplied = message.lastIndex;
  member.commitIndex = Math.max(member.commitIndex, message.lastIndex);
  rebuildPendingHistory(member);
  member.stats.snapshotsInstalled += 1;
}

export function onAppendResult(member: QuorumMember, from: string, message: Message<'append-result'>, nowMs: number, effects: QuorumEffect[]): void {
  if (message.term > member.currentTerm) return becomeFollower(member, message.term, effects);
  if (member.role !== 'leader' || message.term !== member.currentTerm) return;
  const progress = member.followers.get(from)!;
  progress.lastResponseMs = nowMs;
  progress.echoedRound = Math.max(progress.echoedRound, message.round);
  if (message.success) {
    progress.matchIndex = Math.max(progress.matchIndex, message.matchIndex);
    progress.nextIndex = Math.max(progress.nextIndex, progress.matchIndex + 1);
    advanceLeaderCommit(member, effects);
  } else {
    progress.nextIndex = Math.max(progress.matchIndex + 1, Math.min(progress.nextIndex, message.matchIndex + 1));
    replicateTo(member, from, nowMs, effects);
  }
  serveReads(member, effects);
  if (readsNeedRoundNow(member)) broadcast(member, nowMs, effects);
}

/**
 * The highest index a majority holds commits, if it is of the leader's term (Raft §5.4.2). With three
 * members a majority is the leader (which holds its whole log) and its most advanced follower.
 */
function advanceLeaderCommit(member: QuorumMember, effects: QuorumEffect[]): void {
  let majorityIndex = 0;
  for (const progress of member.followers.values()) if (progress.matchIndex > majorityIndex) majorityIndex = progress.matchIndex;
  majorityIndex = Math.min(majorityIndex, lastIndex(member.log));
  if (majorityIndex > member.commitIndex && termAt(member.log, majorityIndex) === member.currentTerm) commitUpTo(member, majorityIndex, effects);
}

function commitUpTo(member: QuorumMember, index: number, effects: QuorumEffect[]): void {
  if (index <= member.commitIndex) return;
  member.commitIndex = index;
  while (member.lastApplied < member.commitIndex) {
    const entry = entryAt(member.log, member.lastApplied + 1);
    invariant(entry !== undefined, `${member.region} lacks committed entry ${member.lastApplied + 1}`);
    member.lastApplied = entry.index;
    applyEntry(member, entry, effects);
  }
  compactIfNeeded(member);
}

function applyEntry(member: QuorumMember, entry: QuorumEntry, effects: QuorumEffect[]): void {
  const command = entry.command;
  if (command.kind === 'write') {
    member.stats.committed += 1;
    if (!member.isWitness) {
      const history = recordWrite(member.table.get(command.key)?.history, entry.index, command.originRegion);
      member.table.set(command.key, { value: command.value, dataClass: command.dataClass, history });
      if (member.pendingHistory.get(command.key)?.version === entry.index) member.pendingHistory.delete(command.key);
    }
    if (member.role === 'leader') deliverWriteResult(member, command.originRegion, command.proposalId, { outcome: 'committed', version: entry.index }, effects);
  }
  if (member.options.emitApplied) effects.push({ kind: 'applied', region: member.region, entry });
}

/**
 * Bounds the log: past `compactAfterEntries` entries the applied prefix folds into the table. The leader
 * keeps what a follower still lacks unless the log has grown to twice the bound; a follower behind the
 * compacted prefix then gets a snapshot.
 */
function compactIfNeeded(member: QuorumMember): void {
  const { log } = member;
  const retained = lastIndex(log) - log.snapshotIndex;
  if (retained <= member.options.compactAfterEntries) return;
  let through = member.lastApplied;
  if (member.role === 'leader' && retained <= 2 * member.options.compactAfterEntries) {
    for (const progress of member.followers.values()) through = Math.min(through, progress.matchIndex);
  }
  compactThrough(log, through);
}

/** The leader's tick: step down without a majority (check-quorum), otherwise heartbeat when due. */
export function tickLeader(member: QuorumMember, nowMs: number, readsWaiting: boolean, effects: QuorumEffect[]): void {
  if (!hasQuorumContact(member, nowMs)) return becomeFollower(member, member.currentTerm, effects);
  if (readsWaiting || nowMs - member.lastBroadcastMs >= member.options.heartbeatIntervalMs) broadcast(member, nowMs, effects);
}
