import type { HlcTimestamp } from './hybrid-logical-clock.ts';
import { invariant } from './replication-errors.ts';
import { appendEntry, entriesAfter, isLogFull, resetLog, retainedCount, truncateThrough } from './replication-log.ts';
import {
  createSingleWriterMember,
  isPrimaryRole,
  openChannels,
  restartSingleWriterMember,
  type SingleWriterEntry,
  type SingleWriterMember,
  type SingleWriterOptions,
  type SingleWriterRole,
  type SingleWriterStats,
} from './single-writer-state.ts';

/**
 * What a single-writer member keeps on disk, enough to take up where it stopped after a crash (the
 * parts `restartSingleWriterMember` says survive): its table, the log it holds (history on a secondary,
 * the entries some secondary may still lack on the primary), its epoch and role, and a switchover it was
 * handing over. Cursors, forwarded writes and remembered forward answers are not kept: a restored
 * primary asks every secondary where it stands before sending it anything (cursors start `probing`).
 *
 * The shell writes the small `state` whenever it changes, in the same transaction as the items and log
 * entries that go with it, and before any message or reply that reveals it.
 */
export interface SingleWriterDurableState {
  readonly role: SingleWriterRole;
  readonly epoch: number;
  readonly primaryRegion: string;
  readonly epochStartSeq: number;
  readonly awaitingSnapshot: boolean;
  /** Entries up to this sequence are gone from the log (acknowledged everywhere, or before a snapshot). */
  readonly truncatedSeq: number;
  /** The member's applied sequence: the log's last entry, or `truncatedSeq` when it holds none. */
  readonly lastSeq: number;
  readonly primaryLastSeq: number;
  readonly primaryLastWriteMs: number;
  readonly appliedWriteMs: number;
  /**
   * The clock's high-water mark. The entries held already bound it from below, but a snapshot can
   * replace entries this member stamped itself (a discarded tail), so the clock is kept too.
   */
  readonly clock: { readonly wallMs: number; readonly logical: number };
  /**
   * A demoted primary still handing over to its switchover target (it resends `promote` until the target
   * streams to it): without it, a crash between demotion and promotion would leave the group with no
   * primary. A draining switchover is not kept: a restart abandons it.
   */
  readonly switchover: { readonly target: string; readonly epoch: number } | null;
  readonly stats: SingleWriterStats;
}

export interface SingleWriterDurable {
  readonly state: SingleWriterDurableState;
  /** Every item's last entry, tombstones included. */
  readonly items: Iterable<SingleWriterEntry>;
  /** The retained log, entries `truncatedSeq + 1 … lastSeq` in order (earlier ones are ignored). */
  readonly log: readonly SingleWriterEntry[];
}

/** The member's durable state row (see SingleWriterDurableState). */
export function singleWriterDurableState(member: SingleWriterMember): SingleWriterDurableState {
  const switchover = member.switchover?.phase === 'handing-over' ? { target: member.switchover.target, epoch: member.switchover.epoch } : null;
  return {
    role: member.role,
    epoch: member.epoch,
    primaryRegion: member.primaryRegion,
    epochStartSeq: member.epochStartSeq,
    awaitingSnapshot: member.awaitingSnapshot,
    truncatedSeq: member.log.truncatedSeq,
    lastSeq: member.log.lastSeq,
    primaryLastSeq: member.primaryLastSeq,
    primaryLastWriteMs: member.primaryLastWriteMs,
    appliedWriteMs: member.appliedWriteMs,
    clock: { wallMs: member.clock.wallMs, logical: member.clock.logical },
    switchover,
    stats: { ...member.stats },
  };
}

/** Everything durable about the member (for tests, and for a shell that saves it whole). */
export function singleWriterDurable(member: SingleWriterMember): SingleWriterDurable {
  return {
    state: singleWriterDurableState(member),
    items: [...member.items.values()],
    log: entriesAfter(member.log, member.log.truncatedSeq, retainedCount(member.log)),
  };
}

/**
 * A member rebuilt from its durable parts, then restarted (`restartSingleWriterMember`): a primary comes
 * back `recovering` and takes no write until a secondary answers in its epoch. Its clock never issues a
 * timestamp below one it issued or held before the crash, even if the machine's clock went back.
 * A durable state that contradicts itself (a gap in the log, a switchover of a primary) is a corrupt
 * file, not an operating condition: it fails loudly.
 */
export function restoreSingleWriterMember(options: SingleWriterOptions, durable: SingleWriterDurable): SingleWriterMember {
  const { state } = durable;
  checkState(options, state);
  const member = createSingleWriterMember(options);
  member.role = state.role;
  member.epoch = state.epoch;
  member.primaryRegion = state.primaryRegion;
  member.epochStartSeq = state.epochStartSeq;
  member.awaitingSnapshot = state.awaitingSnapshot;
  member.primaryLastSeq = state.primaryLastSeq;
  member.primaryLastWriteMs = state.primaryLastWriteMs;
  member.appliedWriteMs = state.appliedWriteMs;
  member.items = new Map([...durable.items].map((entry) => [entry.key, entry]));
  Object.assign(member.stats, state.stats);
  restoreLog(member, state, durable.log);
  restoreClock(member, state, [...member.items.values(), ...durable.log]);
  if (state.switchover !== null) {
    member.switchover = { ...state.switchover, startedMs: Number.NEGATIVE_INFINITY, promoteSentMs: Number.NEGATIVE_INFINITY, phase: 'handing-over' };
  }
  // Where each secondary stands is unknown after a restart: probing cursors pin the whole log until each answers.
  if (isPrimaryRole(member)) openChannels(member, 'probing');
  else {
    member.log.cursors.clear();
    member.channels.clear();
  }
  return restartSingleWriterMember(member);
}

function checkState(options: SingleWriterOptions, state: SingleWriterDurableState): void {
  invariant(options.regions.includes(state.primaryRegion), `durable primary ${state.primaryRegion} is not a member`);
  invariant(Number.isInteger(state.epoch) && state.epoch >= 1, `durable epoch ${state.epoch} is not a positive integer`);
  invariant(state.truncatedSeq <= state.lastSeq, `durable log ends at ${state.lastSeq} before its truncation point ${state.truncatedSeq}`);
  invariant((state.role !== 'secondary') === (state.primaryRegion === options.region), `durable role ${state.role} contradicts primary ${state.primaryRegion}`);
  if (state.switchover !== null) {
    invariant(state.role === 'secondary' && state.switchover.target === state.primaryRegion, `a durable switchover to ${state.switchover.target} on a ${state.role}`);
  }
}

function restoreLog(member: SingleWriterMember, state: SingleWriterDurableState, log: readonly SingleWriterEntry[]): void {
  resetLog(member.log, state.truncatedSeq);
  for (const entry of log) {
    if (entry.seq <= state.truncatedSeq) continue;
    // A smaller capacity than before keeps the newest entries (a primary's lagging secondary then resyncs from a snapshot).
    if (isLogFull(member.log)) truncateThrough(member.log, member.log.truncatedSeq + 1);
    appendEntry(member.log, entry);
  }
  invariant(member.log.lastSeq === state.lastSeq, `durable log ends at ${member.log.lastSeq}, its state says ${state.lastSeq}`);
}

function restoreClock(member: SingleWriterMember, state: SingleWriterDurableState, entries: readonly SingleWriterEntry[]): void {
  let latest: Pick<HlcTimestamp, 'wallMs' | 'logical'> = state.clock;
  for (const { timestamp } of entries) {
    if (timestamp.wallMs > latest.wallMs || (timestamp.wallMs === latest.wallMs && timestamp.logical > latest.logical)) latest = timestamp;
  }
  member.clock.wallMs = latest.wallMs;
  member.clock.logical = latest.logical;
}
