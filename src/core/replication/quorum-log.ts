import { invariant } from './replication-errors.ts';
import type { ItemValue } from './replication-entry.ts';

/**
 * The replicated log of a strongly consistent group (quorum-member.ts): entries numbered from 1, each
 * stamped with the term of the leader that created it. A prefix that every member has applied can be
 * compacted into a snapshot (the table itself), remembered as `snapshotIndex`/`snapshotTerm` so that the
 * log-matching check still works at the boundary.
 */
export type QuorumCommand =
  | {
      readonly kind: 'write';
      readonly key: string;
      /** null deletes the item (a tombstone, so that the item's write history survives). */
      readonly value: ItemValue | null;
      readonly dataClass: string;
      readonly originRegion: string;
      /** Unique per origin Region: lets the leader recognise a repeated proposal. */
      readonly proposalId: number;
      /** The item version the origin Region had applied when the request arrived. */
      readonly baseVersion: number;
    }
  /** What a new leader appends first, so that it can commit (and serve reads) in its own term. */
  | { readonly kind: 'noop' };

export interface QuorumEntry {
  readonly index: number;
  readonly term: number;
  readonly command: QuorumCommand;
}

export interface QuorumLog {
  /** entries[i].index === snapshotIndex + 1 + i */
  entries: QuorumEntry[];
  snapshotIndex: number;
  snapshotTerm: number;
}

export function createQuorumLog(): QuorumLog {
  return { entries: [], snapshotIndex: 0, snapshotTerm: 0 };
}

export function lastIndex(log: QuorumLog): number {
  return log.snapshotIndex + log.entries.length;
}

export function lastTerm(log: QuorumLog): number {
  return log.entries.length === 0 ? log.snapshotTerm : log.entries[log.entries.length - 1]!.term;
}

/** The term of the entry at `index`, or undefined when the log does not hold it (past the end, or compacted). */
export function termAt(log: QuorumLog, index: number): number | undefined {
  if (index === log.snapshotIndex) return log.snapshotTerm;
  return entryAt(log, index)?.term;
}

export function entryAt(log: QuorumLog, index: number): QuorumEntry | undefined {
  if (index <= log.snapshotIndex) return undefined;
  return log.entries[index - log.snapshotIndex - 1];
}

export function appendCommand(log: QuorumLog, term: number, command: QuorumCommand): QuorumEntry {
  const entry = { index: lastIndex(log) + 1, term, command };
  log.entries.push(entry);
  return entry;
}

export function appendEntry(log: QuorumLog, entry: QuorumEntry): void {
  invariant(entry.index === lastIndex(log) + 1, `entry ${entry.index} appended after ${lastIndex(log)}`);
  log.entries.push(entry);
}

/** Up to `maxEntries` entries from `index` on (index must be past the snapshot). */
export function entriesFrom(log: QuorumLog, index: number, maxEntries: number): QuorumEntry[] {
  invariant(index > log.snapshotIndex, `entries from ${index} are compacted (snapshot at ${log.snapshotIndex})`);
  const start = index - log.snapshotIndex - 1;
  return log.entries.slice(start, start + maxEntries);
}

/** Removes the entries from `index` on (a follower dropping a suffix that conflicts with its leader). */
export function truncateFrom(log: QuorumLog, index: number): void {
  invariant(index > log.snapshotIndex, `cannot truncate compacted entries (from ${index}, snapshot at ${log.snapshotIndex})`);
  log.entries.length = Math.max(0, index - log.snapshotIndex - 1);
}

/** Folds the entries up to `index` into the snapshot. */
export function compactThrough(log: QuorumLog, index: number): void {
  if (index <= log.snapshotIndex) return;
  invariant(index <= lastIndex(log), `cannot compact past the last entry (${index} > ${lastIndex(log)})`);
  log.snapshotTerm = termAt(log, index)!;
  log.entries = log.entries.slice(index - log.snapshotIndex);
  log.snapshotIndex = index;
}

/**
 * Installs a snapshot taken at (index, term): a suffix that agrees with it is kept, anything else goes.
 */
export function installSnapshotPoint(log: QuorumLog, index: number, term: number): void {
  if (termAt(log, index) === term && index <= lastIndex(log)) {
    compactThrough(log, index);
    return;
  }
  log.entries = [];
  log.snapshotIndex = index;
  log.snapshotTerm = term;
}

/** The first index of the run of entries sharing the term at `index` (for a follower's rejection hint). */
export function firstIndexOfTermAt(log: QuorumLog, index: number): number {
  const term = termAt(log, index);
  let first = index;
  while (first - 1 > log.snapshotIndex && termAt(log, first - 1) === term) first -= 1;
  return first;
}
