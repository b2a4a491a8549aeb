import { entriesFrom, lastIndex, termAt, type QuorumEntry } from './quorum-log.ts';
import { createQuorumMember, restartQuorumMember, type QuorumEffect, type QuorumMember, type QuorumOptions, type StoredItem } from './quorum-state.ts';
import { invariant } from './replication-errors.ts';

/**
 * What a strongly consistent member (quorum-state.ts) keeps across a crash, and how a shell keeps it
 * cheaply. Raft's rule: the current term, the vote and the log are on stable storage before the member
 * answers anyone; here the applied table and its position go with them, so a restarted member neither
 * re-applies nor loses what it applied. The identifiers this member hands out (proposal and read ids)
 * survive too: a leader recognises a repeated proposal by its origin and id, so an id used again after a
 * restart would be answered with the outcome of a different, older write.
 *
 * A shell persists after every step and before it carries out any `send` or `reply` of that step:
 * `markDurable` once (after creating or restoring the member), then `takeDurableChanges` after each step
 * names exactly what changed — usually a few log entries and items, or nothing at all.
 */
export interface QuorumHardState {
  readonly currentTerm: number;
  /** null when the member has not voted in `currentTerm` (JSON has no undefined). */
  readonly votedFor: string | null;
  readonly lastApplied: number;
  /** The compacted prefix of the log (quorum-log.ts). */
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  readonly nextProposalId: number;
  readonly nextReadId: number;
}

export interface QuorumDurableState {
  readonly hardState: QuorumHardState;
  /** The log past `snapshotIndex`, in index order, with no gap. */
  readonly entries: readonly QuorumEntry[];
  /** The applied table, tombstones included (empty on a witness). */
  readonly items: readonly (readonly [string, StoredItem])[];
}

export function hardStateOf(member: QuorumMember): QuorumHardState {
  return {
    currentTerm: member.currentTerm,
    votedFor: member.votedFor ?? null,
    lastApplied: member.lastApplied,
    snapshotIndex: member.log.snapshotIndex,
    snapshotTerm: member.log.snapshotTerm,
    nextProposalId: member.nextProposalId,
    nextReadId: member.nextReadId,
  };
}

/** Everything durable the member holds now (a first write of a journal, and tests). */
export function durableStateOf(member: QuorumMember): QuorumDurableState {
  return { hardState: hardStateOf(member), entries: [...member.log.entries], items: [...member.table.entries()] };
}

/**
 * A member rebuilt from what it had persisted, as after a crash: the durable parts come back and
 * `restartQuorumMember` resets the rest (a follower, nothing in flight, commitIndex = lastApplied).
 */
export function restoreQuorumMember(options: QuorumOptions, durable: QuorumDurableState, nowMs: number): QuorumMember {
  const member = createQuorumMember(options, nowMs);
  const { hardState, entries, items } = durable;
  checkDurableState(durable, member.isWitness);
  member.currentTerm = hardState.currentTerm;
  member.votedFor = hardState.votedFor ?? undefined;
  member.log.snapshotIndex = hardState.snapshotIndex;
  member.log.snapshotTerm = hardState.snapshotTerm;
  member.log.entries = [...entries];
  member.table = new Map(items);
  member.lastApplied = hardState.lastApplied;
  member.nextProposalId = hardState.nextProposalId;
  member.nextReadId = hardState.nextReadId;
  return restartQuorumMember(member, nowMs);
}

/** A journal that does not describe a member is a bug in whoever wrote it: fail loudly, never guess. */
function checkDurableState(durable: QuorumDurableState, isWitness: boolean): void {
  const { hardState, entries } = durable;
  entries.forEach((entry, position) => {
    invariant(entry.index === hardState.snapshotIndex + 1 + position, `durable log has entry ${entry.index} at position ${position} after snapshot ${hardState.snapshotIndex}`);
  });
  const last = hardState.snapshotIndex + entries.length;
  invariant(hardState.lastApplied >= hardState.snapshotIndex && hardState.lastApplied <= last, `durable lastApplied ${hardState.lastApplied} outside the log (${hardState.snapshotIndex}..${last})`);
  invariant(!isWitness || durable.items.length === 0, 'a witness has no table');
}

/** What the shell's storage holds, as far as the shell told us: compared with the member after each step. */
export interface DurableMark {
  hardState: QuorumHardState;
  /** The table object last persisted: a snapshot install replaces it. */
  table: QuorumMember['table'];
  snapshotIndex: number;
  /** Terms of the persisted entries past `snapshotIndex` (terms[i] is entry snapshotIndex + 1 + i). */
  readonly terms: number[];
}

export interface QuorumDurableChanges {
  /** The new hard state, when any of it changed. */
  readonly hardState: QuorumHardState | undefined;
  /** Drop persisted entries up to and including this index (the log was compacted or a snapshot installed). */
  readonly compactedThrough: number | undefined;
  /** Drop persisted entries from this index on (a suffix replaced by the leader's, or cut by a snapshot). */
  readonly truncatedFrom: number | undefined;
  /** Entries to persist, in index order, after the two drops. */
  readonly appended: readonly QuorumEntry[];
  /** The whole table changed (a snapshot was installed): rewrite it. */
  readonly tableReplaced: boolean;
  /** Items whose applied value changed (when the table was not replaced). */
  readonly changedKeys: readonly string[];
}

/** Everything the member holds now counts as persisted. */
export function markDurable(member: QuorumMember): DurableMark {
  return { hardState: hardStateOf(member), table: member.table, snapshotIndex: member.log.snapshotIndex, terms: member.log.entries.map((entry) => entry.term) };
}

/**
 * What changed since the mark, given the step's effects; the mark advances as if the shell persisted it.
 * Needs a member created with `emitApplied: true`: an entry can be appended, applied and compacted away
 * in one step, so the `applied` effects, not the log, name the items to write. The log is compared by
 * term from its end: two entries with the same index and term are the same entry (Raft's log matching),
 * so the walk stops at the first unchanged one and costs what changed, not the log's length.
 */
export function takeDurableChanges(mark: DurableMark, member: QuorumMember, effects: readonly QuorumEffect[]): QuorumDurableChanges {
  invariant(member.options.emitApplied, 'takeDurableChanges needs a member created with emitApplied: true');
  const hardState = hardStateOf(member);
  const hardChanged = !sameHardState(mark.hardState, hardState);
  mark.hardState = hardState;
  const compactedThrough = advanceSnapshot(mark, member);
  const { truncatedFrom, appended } = diffLog(mark, member);
  const tableReplaced = mark.table !== member.table;
  mark.table = member.table;
  return {
    hardState: hardChanged ? hardState : undefined,
    compactedThrough,
    truncatedFrom,
    appended,
    tableReplaced,
    changedKeys: tableReplaced || member.isWitness ? [] : appliedKeys(effects),
  };
}

export function hasDurableChanges(changes: QuorumDurableChanges): boolean {
  return (
    changes.hardState !== undefined ||
    changes.compactedThrough !== undefined ||
    changes.truncatedFrom !== undefined ||
    changes.appended.length > 0 ||
    changes.tableReplaced ||
    changes.changedKeys.length > 0
  );
}

function advanceSnapshot(mark: DurableMark, member: QuorumMember): number | undefined {
  const snapshotIndex = member.log.snapshotIndex;
  if (snapshotIndex <= mark.snapshotIndex) return undefined;
  mark.terms.splice(0, Math.min(mark.terms.length, snapshotIndex - mark.snapshotIndex));
  mark.snapshotIndex = snapshotIndex;
  return snapshotIndex;
}

function diffLog(mark: DurableMark, member: QuorumMember): { truncatedFrom: number | undefined; appended: QuorumEntry[] } {
  const { log } = member;
  const persistedLast = mark.snapshotIndex + mark.terms.length;
  let kept = Math.min(persistedLast, lastIndex(log));
  while (kept > log.snapshotIndex && termAt(log, kept) !== mark.terms[kept - mark.snapshotIndex - 1]) kept -= 1;
  mark.terms.length = kept - mark.snapshotIndex;
  const appended = kept < lastIndex(log) ? entriesFrom(log, kept + 1, Number.POSITIVE_INFINITY) : [];
  for (const entry of appended) mark.terms.push(entry.term);
  return { truncatedFrom: kept < persistedLast ? kept + 1 : undefined, appended };
}

function appliedKeys(effects: readonly QuorumEffect[]): string[] {
  const keys = new Set<string>();
  for (const effect of effects) if (effect.kind === 'applied' && effect.entry.command.kind === 'write') keys.add(effect.entry.command.key);
  return [...keys];
}

function sameHardState(a: QuorumHardState, b: QuorumHardState): boolean {
  return (
    a.currentTerm === b.currentTerm &&
    a.votedFor === b.votedFor &&
    a.lastApplied === b.lastApplied &&
    a.snapshotIndex === b.snapshotIndex &&
    a.snapshotTerm === b.snapshotTerm &&
    a.nextProposalId === b.nextProposalId &&
    a.nextReadId === b.nextReadId
  );
}
