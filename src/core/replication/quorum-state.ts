import type { Random } from '../random.ts';
import { createQuorumLog, entryAt, lastIndex, type QuorumEntry, type QuorumLog } from './quorum-log.ts';
import {
  invariant,
  type PendingRequestsFullError,
  type QuorumUnavailableError,
  type ReplicatedWriteConflictError,
  type WriteOutcomeUnknownError,
} from './replication-errors.ts';
import type { ItemValue } from './replication-entry.ts';
import type { ReplyEffect, RequestOutcome, SendEffect } from './step-effects.ts';
import { recordWrite, type WriteHistory } from './write-history.ts';

/**
 * The state of one member of a strongly consistent group, like a DynamoDB global table in multi-Region
 * strong consistency (MRSC): exactly three members, either three replicas or two replicas and a witness
 * (which keeps the replicated log, votes and counts toward the majority, but holds no table and serves
 * no request). A write is acknowledged once a majority (2 of 3) holds it durably, so a Region outage
 * loses no acknowledged write (RPO 0); a member cut off from the majority refuses requests.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-globaltable-globaltablewitness.html
 *
 * AWS does not publish MRSC's protocol. Meridian models it as leader-based consensus (Raft: Ongaro and
 * Ousterhout, 2014) with three refinements that matter for its behaviour: check-quorum (a leader that
 * loses the majority steps down and refuses writes), leader stickiness (a member that has heard from a
 * live leader ignores elections started by a member coming back from a partition), and strongly
 * consistent reads confirmed by a round of heartbeats after the read arrives (read index), served once
 * the leader has applied everything committed when the read arrived. Conflicts follow write-history.ts.
 */
export interface QuorumOptions {
  readonly region: string;
  /** Exactly three members, this one included. */
  readonly members: readonly string[];
  /** The witness, if the group has one: one of `members`. */
  readonly witness?: string;
  /** Election timeouts are drawn from it (see core/random.ts). */
  readonly random: Random;
  /** The leader's heartbeat. @default 100 */
  readonly heartbeatIntervalMs?: number;
  /** A follower that hears no leader for this long (times 1 to 2, drawn at random) starts an election. @default 1000 */
  readonly electionTimeoutMs?: number;
  /** A client request handed to the leader with no answer after this long fails. @default 2000 */
  readonly requestTimeoutMs?: number;
  /** Requests in flight per member, and uncommitted proposals on the leader, at most. @default 1024 */
  readonly pendingRequestsMax?: number;
  /** Entries per append message. @default 256 */
  readonly batchEntriesMax?: number;
  /** The log is compacted into the table once it holds more than this many applied entries. @default 10000 */
  readonly compactAfterEntries?: number;
  /** Emit an `applied` effect for every entry applied (for invariant checkers). @default false */
  readonly emitApplied?: boolean;
}

export type ResolvedQuorumOptions = Readonly<Required<Omit<QuorumOptions, 'region' | 'members' | 'witness' | 'random'>>>;

export type QuorumRole = 'follower' | 'candidate' | 'leader';

export interface StoredItem {
  /** null when the item was deleted (its write history stays, for conflict detection). */
  readonly value: ItemValue | null;
  readonly dataClass: string;
  readonly history: WriteHistory;
}

export interface FollowerProgress {
  nextIndex: number;
  matchIndex: number;
  lastResponseMs: number;
  /** The latest heartbeat round the follower answered in this term (read confirmation). */
  echoedRound: number;
  snapshotSentMs: number;
}

export interface PendingRead {
  readonly origin: string;
  readonly readId: number;
  readonly key: string;
  readonly readIndex: number;
  readonly afterRound: number;
}

export interface Waiting {
  readonly requestId: number;
  readonly deadlineMs: number;
}

export interface QuorumStats {
  proposals: number;
  committed: number;
  conflicts: number;
  refused: number;
  timeouts: number;
  electionsStarted: number;
  snapshotsSent: number;
  snapshotsInstalled: number;
}

export interface QuorumMember {
  readonly region: string;
  readonly members: readonly string[];
  readonly peers: readonly string[];
  readonly witness: string | undefined;
  readonly isWitness: boolean;
  readonly options: ResolvedQuorumOptions;
  readonly random: Random;
  // Durable: survives a restart.
  currentTerm: number;
  votedFor: string | undefined;
  readonly log: QuorumLog;
  /** The applied state (empty on a witness), durable together with `lastApplied`. */
  table: Map<string, StoredItem>;
  lastApplied: number;
  nextProposalId: number;
  nextReadId: number;
  // Volatile.
  role: QuorumRole;
  leaderId: string | undefined;
  commitIndex: number;
  electionDeadlineMs: number;
  lastLeaderContactMs: number;
  readonly votes: Set<string>;
  /** Write history of items with entries not yet applied (the table holds the rest). */
  readonly pendingHistory: Map<string, WriteHistory>;
  // Leader only.
  readonly followers: Map<string, FollowerProgress>;
  round: number;
  lastBroadcastMs: number;
  /** Index of the leader's first entry in its term; reads wait until it is applied. */
  termStartIndex: number;
  readonly recentProposals: Map<string, number>;
  pendingReads: PendingRead[];
  // Requests this member's clients are waiting on.
  readonly waitingWrites: Map<number, Waiting & { readonly key: string }>;
  readonly waitingReads: Map<number, Waiting>;
  readonly stats: QuorumStats;
}

export type WriteOutcome =
  | { readonly outcome: 'committed'; readonly version: number }
  | { readonly outcome: 'conflict'; readonly conflictingRegion: string }
  | { readonly outcome: 'unavailable' | 'pending-full' };

export type ReadOutcome =
  | { readonly outcome: 'ok'; readonly value: ItemValue | undefined; readonly version: number }
  | { readonly outcome: 'unavailable' | 'pending-full' };

export type QuorumMessage =
  | { readonly kind: 'request-vote'; readonly term: number; readonly lastLogIndex: number; readonly lastLogTerm: number }
  | { readonly kind: 'vote'; readonly term: number; readonly granted: boolean }
  | {
      readonly kind: 'append';
      readonly term: number;
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly QuorumEntry[];
      readonly leaderCommit: number;
      readonly round: number;
    }
  | {
      readonly kind: 'snapshot';
      readonly term: number;
      readonly lastIndex: number;
      readonly lastTerm: number;
      /** The table at `lastIndex`; undefined when sent to the witness. */
      readonly items: readonly (readonly [string, StoredItem])[] | undefined;
      readonly round: number;
    }
  /** On failure `matchIndex` is a hint: the follower holds nothing past it that matches. */
  | { readonly kind: 'append-result'; readonly term: number; readonly success: boolean; readonly matchIndex: number; readonly round: number }
  | {
      readonly kind: 'forward-write';
      readonly proposalId: number;
      readonly key: string;
      readonly value: ItemValue | null;
      readonly dataClass: string;
      readonly baseVersion: number;
    }
  | ({ readonly kind: 'write-result'; readonly proposalId: number } & WriteOutcome)
  | { readonly kind: 'forward-read'; readonly readId: number; readonly key: string }
  | ({ readonly kind: 'read-result'; readonly readId: number } & ReadOutcome);

export type QuorumEvent =
  | { readonly kind: 'write'; readonly requestId: number; readonly key: string; readonly value: ItemValue | null; readonly dataClass: string }
  /** A strongly consistent read (ConsistentRead). */
  | { readonly kind: 'read'; readonly requestId: number; readonly key: string }
  | { readonly kind: 'tick' }
  | { readonly kind: 'receive'; readonly from: string; readonly message: QuorumMessage };

export type QuorumError = ReplicatedWriteConflictError | QuorumUnavailableError | WriteOutcomeUnknownError | PendingRequestsFullError;

export type QuorumReply = RequestOutcome<
  { readonly operation: 'write'; readonly version: number } | { readonly operation: 'read'; readonly value: ItemValue | undefined; readonly version: number },
  QuorumError
>;

export type QuorumEffect =
  | SendEffect<QuorumMessage>
  | ReplyEffect<QuorumReply>
  | { readonly kind: 'became-leader'; readonly region: string; readonly term: number }
  | { readonly kind: 'applied'; readonly region: string; readonly entry: QuorumEntry };

/** Answers to recent proposals the leader remembers, to recognise a proposal the network repeats. */
export const RECENT_PROPOSALS_MAX = 4096;

export function resolveQuorumOptions(options: QuorumOptions): ResolvedQuorumOptions {
  return {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
    electionTimeoutMs: options.electionTimeoutMs ?? 1000,
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    pendingRequestsMax: options.pendingRequestsMax ?? 1024,
    batchEntriesMax: options.batchEntriesMax ?? 256,
    compactAfterEntries: options.compactAfterEntries ?? 10_000,
    emitApplied: options.emitApplied ?? false,
  };
}

export function createQuorumMember(options: QuorumOptions, nowMs: number): QuorumMember {
  const members = [...new Set(options.members)].sort();
  invariant(members.length === 3, `a strongly consistent group has exactly 3 members, got ${members.length}`);
  invariant(members.includes(options.region), `${options.region} is not a member`);
  invariant(options.witness === undefined || members.includes(options.witness), `witness ${options.witness} is not a member`);
  const member: QuorumMember = {
    region: options.region,
    members,
    peers: members.filter((peer) => peer !== options.region),
    witness: options.witness,
    isWitness: options.witness === options.region,
    options: resolveQuorumOptions(options),
    random: options.random,
    currentTerm: 0,
    votedFor: undefined,
    log: createQuorumLog(),
    table: new Map(),
    lastApplied: 0,
    nextProposalId: 1,
    nextReadId: 1,
    ...volatileState(),
    stats: { proposals: 0, committed: 0, conflicts: 0, refused: 0, timeouts: 0, electionsStarted: 0, snapshotsSent: 0, snapshotsInstalled: 0 },
  };
  resetElectionDeadline(member, nowMs);
  return member;
}

function volatileState() {
  return {
    role: 'follower' as QuorumRole,
    leaderId: undefined,
    commitIndex: 0,
    electionDeadlineMs: 0,
    lastLeaderContactMs: Number.NEGATIVE_INFINITY,
    votes: new Set<string>(),
    pendingHistory: new Map<string, WriteHistory>(),
    followers: new Map<string, FollowerProgress>(),
    round: 0,
    lastBroadcastMs: Number.NEGATIVE_INFINITY,
    termStartIndex: 0,
    recentProposals: new Map<string, number>(),
    pendingReads: [],
    waitingWrites: new Map<number, Waiting & { readonly key: string }>(),
    waitingReads: new Map<number, Waiting>(),
  };
}

/**
 * The member after a crash and restart: term, vote, log and applied table survive (they are written
 * before anything is acknowledged); everything in flight is gone, and it starts as a follower.
 */
export function restartQuorumMember(member: QuorumMember, nowMs: number): QuorumMember {
  Object.assign(member, volatileState());
  member.commitIndex = member.lastApplied;
  rebuildPendingHistory(member);
  resetElectionDeadline(member, nowMs);
  return member;
}

export function resetElectionDeadline(member: QuorumMember, nowMs: number): void {
  member.electionDeadlineMs = nowMs + member.options.electionTimeoutMs * (1 + member.random.nextFloat());
}

/** The write history of an item as the whole log sees it (applied or not). */
export function headHistory(member: QuorumMember, key: string): WriteHistory | undefined {
  return member.pendingHistory.get(key) ?? member.table.get(key)?.history;
}

/** Recomputes the history of items with unapplied entries (after a truncation, a snapshot or a restart). */
export function rebuildPendingHistory(member: QuorumMember): void {
  member.pendingHistory.clear();
  if (member.isWitness) return;
  for (let index = member.lastApplied + 1; index <= lastIndex(member.log); index += 1) notePendingWrite(member, entryAt(member.log, index)!);
}

export function notePendingWrite(member: QuorumMember, entry: QuorumEntry): void {
  if (member.isWitness || entry.command.kind !== 'write') return;
  const { key, originRegion } = entry.command;
  member.pendingHistory.set(key, recordWrite(headHistory(member, key), entry.index, originRegion));
}

/** A strongly consistent member's table value (undefined when absent or deleted), as of its last applied entry. */
export function readApplied(member: QuorumMember, key: string): { readonly value: ItemValue | undefined; readonly version: number } {
  const item = member.table.get(key);
  return { value: item?.value ?? undefined, version: item?.history.version ?? 0 };
}
