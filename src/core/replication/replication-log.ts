import { invariant, ReplicationLogFullError } from './replication-errors.ts';
import type { Sequenced } from './replication-entry.ts';

/**
 * A region's outbound replication log: the entries it originated (or, in a single-writer group, the
 * primary's history), numbered 1, 2, 3 … without gaps, and a cursor per peer saying how far that peer has
 * acknowledged. Entries every peer has are truncated; the log holds at most `capacity` entries, and a
 * writer that would pass it gets ReplicationLogFullError (backpressure) unless its protocol makes room
 * first (a single-writer primary gives up on its slowest secondary, which then resyncs from a snapshot).
 *
 * The log is a mutable object owned by its region's state machine: it is on the write path of every
 * simulated request, so it appends in O(1) and truncates in amortized O(1) without copying per entry.
 */

/**
 * - `streaming`: the peer's position is known; entries after it are sent and it pins truncation.
 * - `probing`: the position is not known yet (a newly promoted primary); the log keeps everything from
 *   `ackedSeq` on until the peer's first acknowledgement says where it is.
 * - `needs-snapshot`: the peer is behind what the log still holds; it no longer pins truncation and
 *   rejoins by acknowledging a sequence the log holds (after installing a snapshot).
 */
export type PeerCursorState = 'streaming' | 'probing' | 'needs-snapshot';

export interface PeerCursor {
  ackedSeq: number;
  state: PeerCursorState;
}

export interface ReplicationLogOptions {
  /** Entries held at most (appended and not yet truncated). @default 100000 */
  readonly capacity?: number;
  /** Sequence number the log starts after (its first entry is startSeq + 1). @default 0 */
  readonly startSeq?: number;
}

export interface ReplicationLog<E extends Sequenced> {
  readonly capacity: number;
  /** Retained entries are entries[head …]; the prefix before head is garbage awaiting compaction. */
  entries: E[];
  head: number;
  /** Entries up to this sequence number are gone. */
  truncatedSeq: number;
  lastSeq: number;
  readonly cursors: Map<string, PeerCursor>;
}

export const REPLICATION_LOG_CAPACITY_DEFAULT = 100_000;
/** Below this many dead slots the array is not worth copying. */
const COMPACT_SLOTS_MIN = 1024;

export function createReplicationLog<E extends Sequenced>(options: ReplicationLogOptions = {}): ReplicationLog<E> {
  const capacity = options.capacity ?? REPLICATION_LOG_CAPACITY_DEFAULT;
  invariant(Number.isInteger(capacity) && capacity >= 1, `capacity must be a positive integer, got ${capacity}`);
  const startSeq = options.startSeq ?? 0;
  return { capacity, entries: [], head: 0, truncatedSeq: startSeq, lastSeq: startSeq, cursors: new Map() };
}

export function retainedCount(log: ReplicationLog<Sequenced>): number {
  return log.lastSeq - log.truncatedSeq;
}

export function isLogFull(log: ReplicationLog<Sequenced>): boolean {
  return retainedCount(log) >= log.capacity;
}

/** Adds (or resets) a peer's cursor; by default the peer is known to have everything truncated so far. */
export function addPeer(log: ReplicationLog<Sequenced>, peer: string, state: PeerCursorState, ackedSeq = log.truncatedSeq): void {
  invariant(state === 'needs-snapshot' || ackedSeq >= log.truncatedSeq, `peer ${peer} cannot pin truncated entries`);
  log.cursors.set(peer, { ackedSeq, state });
}

export function removePeer(log: ReplicationLog<Sequenced>, peer: string): void {
  log.cursors.delete(peer);
  truncateAcknowledged(log);
}

export function appendEntry<E extends Sequenced>(log: ReplicationLog<E>, entry: E): void {
  invariant(entry.seq === log.lastSeq + 1, `entry ${entry.seq} appended after ${log.lastSeq}`);
  if (isLogFull(log)) throw new ReplicationLogFullError(log.capacity);
  log.entries.push(entry);
  log.lastSeq = entry.seq;
}

export function entryAt<E extends Sequenced>(log: ReplicationLog<E>, seq: number): E | undefined {
  if (seq <= log.truncatedSeq || seq > log.lastSeq) return undefined;
  return log.entries[log.head + (seq - log.truncatedSeq - 1)];
}

/** Up to `maxEntries` retained entries after `afterSeq`, in order. */
export function entriesAfter<E extends Sequenced>(log: ReplicationLog<E>, afterSeq: number, maxEntries: number): E[] {
  invariant(afterSeq >= log.truncatedSeq, `entries after ${afterSeq} were truncated (log starts after ${log.truncatedSeq})`);
  const start = log.head + (afterSeq - log.truncatedSeq);
  const end = Math.min(log.head + retainedCount(log), start + maxEntries);
  return start >= end ? [] : log.entries.slice(start, end);
}

/** The next batch a streaming peer has not acknowledged. */
export function pending<E extends Sequenced>(log: ReplicationLog<E>, peer: string, maxEntries: number): E[] {
  const cursor = log.cursors.get(peer);
  invariant(cursor !== undefined, `unknown peer ${peer}`);
  if (cursor.state !== 'streaming') return [];
  return entriesAfter(log, cursor.ackedSeq, maxEntries);
}

/**
 * Records that `peer` holds every entry up to `upToSeq` (cumulative, so repeated or reordered
 * acknowledgements are harmless) and truncates what every pinning peer has. Returns the cursor's state.
 */
export function acknowledge(log: ReplicationLog<Sequenced>, peer: string, upToSeq: number): PeerCursorState {
  const cursor = log.cursors.get(peer);
  invariant(cursor !== undefined, `unknown peer ${peer}`);
  const held = upToSeq >= log.truncatedSeq && upToSeq <= log.lastSeq;
  if (cursor.state === 'streaming') {
    cursor.ackedSeq = Math.max(cursor.ackedSeq, Math.min(upToSeq, log.lastSeq));
  } else if (held) {
    cursor.state = 'streaming';
    cursor.ackedSeq = upToSeq;
  } else {
    cursor.state = 'needs-snapshot';
  }
  truncateAcknowledged(log);
  return cursor.state;
}

/** Stops keeping entries for a peer; it must resync from a snapshot. */
export function markNeedsSnapshot(log: ReplicationLog<Sequenced>, peer: string): void {
  const cursor = log.cursors.get(peer);
  invariant(cursor !== undefined, `unknown peer ${peer}`);
  cursor.state = 'needs-snapshot';
  truncateAcknowledged(log);
}

/** The pinning peer furthest behind, if any: the one to give up on when the log is full. */
export function slowestPeer(log: ReplicationLog<Sequenced>): string | undefined {
  let slowest: string | undefined;
  let slowestSeq = Number.POSITIVE_INFINITY;
  for (const [peer, cursor] of log.cursors) {
    if (cursor.state !== 'needs-snapshot' && cursor.ackedSeq < slowestSeq) {
      slowest = peer;
      slowestSeq = cursor.ackedSeq;
    }
  }
  return slowest;
}

/** Truncates to what every pinning peer has; with no pinning peer the caller decides what to keep. */
function truncateAcknowledged(log: ReplicationLog<Sequenced>): void {
  let minimum = Number.POSITIVE_INFINITY;
  for (const cursor of log.cursors.values()) {
    if (cursor.state !== 'needs-snapshot' && cursor.ackedSeq < minimum) minimum = cursor.ackedSeq;
  }
  if (minimum !== Number.POSITIVE_INFINITY) truncateThrough(log, minimum);
}

/** Drops retained entries up to `seq` (never past the last entry). */
export function truncateThrough(log: ReplicationLog<Sequenced>, seq: number): void {
  const through = Math.min(seq, log.lastSeq);
  if (through <= log.truncatedSeq) return;
  log.head += through - log.truncatedSeq;
  log.truncatedSeq = through;
  if (log.head >= COMPACT_SLOTS_MIN && log.head * 2 >= log.entries.length) {
    log.entries = log.entries.slice(log.head);
    log.head = 0;
  }
}

/** Empties the log so that its next entry is `seq + 1` (after installing a snapshot taken at `seq`). */
export function resetLog(log: ReplicationLog<Sequenced>, seq: number): void {
  log.entries = [];
  log.head = 0;
  log.truncatedSeq = seq;
  log.lastSeq = seq;
  log.cursors.clear();
}
