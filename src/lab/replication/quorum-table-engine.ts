import type { Random } from '../../core/random.ts';
import type { QuorumEntry } from '../../core/replication/quorum-log.ts';
import { stepQuorum } from '../../core/replication/quorum-member.ts';
import {
  hardStateOf,
  hasDurableChanges,
  markDurable,
  restoreQuorumMember,
  takeDurableChanges,
  type DurableMark,
  type QuorumDurableChanges,
  type QuorumDurableState,
  type QuorumHardState,
} from '../../core/replication/quorum-restore.ts';
import {
  createQuorumMember,
  readApplied,
  type QuorumEffect,
  type QuorumEvent,
  type QuorumMember,
  type QuorumMessage,
  type QuorumOptions,
  type QuorumReply,
  type StoredItem,
} from '../../core/replication/quorum-state.ts';
import { QuorumUnavailableError } from '../../core/replication/replication-errors.ts';
import { createLatencyHistogram, type LatencyHistogram } from '../../report/latency-histogram.ts';
import type { LocalTableEngine } from '../data/local-table-engine.ts';
import type { ReplicationJournal } from '../data/storage/replication-journal.ts';
import type { ItemPage, MutationDecider, MutationResult, QueryRequest, ReadOptions, ScanRequest, TableSchema } from '../data/table-engine.ts';
import type { Item, ItemKey } from '../data/values/attribute-value.ts';
import {
  ControlCommandError,
  ReplicationRefusal,
  SerialQueue,
  canonicalKey,
  toAwsError,
  type ControlCommand,
  type Outbox,
  type ReplicatedTableEngine,
} from './replicated-table-engine.ts';

/** The group's timers (core/replication/quorum-state.ts documents each). */
export type QuorumTiming = Required<Pick<QuorumOptions, 'heartbeatIntervalMs' | 'electionTimeoutMs' | 'requestTimeoutMs'>>;

/** The group's bounds (core/replication/quorum-state.ts documents each). */
export type QuorumLimits = Required<Pick<QuorumOptions, 'pendingRequestsMax' | 'batchEntriesMax' | 'compactAfterEntries'>>;

export interface QuorumTableEngineOptions {
  readonly region: string;
  /** Exactly three regions, this one included. */
  readonly members: readonly string[];
  /** The witness region, if the group has one: it keeps the log and votes, holds no items, serves no request. */
  readonly witness?: string;
  /** Election timeouts are drawn from it. */
  readonly random: Random;
  /** @default the core's: heartbeat 100 ms, election timeout 1000 ms, request timeout 2000 ms */
  readonly timing?: Partial<QuorumTiming>;
  /** @default the core's: 1024 requests in flight, 256 entries per append, compaction past 10 000 entries */
  readonly limits?: Partial<QuorumLimits>;
}

/** The journal's state value holding term, vote, applied position, snapshot point and id counters. */
const HARD_STATE = 'quorum-hard-state';

/** What a barrier read asks for: no item's canonicalKey is '{}' (every item has a partition key). */
const BARRIER_KEY = '{}';

const MESSAGE_KINDS: ReadonlySet<string> = new Set(['request-vote', 'vote', 'append', 'snapshot', 'append-result', 'forward-write', 'write-result', 'forward-read', 'read-result']);

interface AppliedWaiter {
  readonly index: number;
  readonly deadlineMs: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A table replicated like a DynamoDB global table in multi-Region strong consistency (MRSC), decided by
 * core/replication's quorum member (the code the simulator runs): exactly three regions, a write
 * acknowledged once a majority holds it durably, strongly consistent reads through the leader (read
 * index), conflicting concurrent writes refused with ReplicatedWriteConflictException, and a region cut
 * off from the majority refusing (503 ServiceUnavailable) instead of diverging.
 *
 * Storage: the applied table is mirrored in the node's SQLite table, so eventually consistent GetItem,
 * Query and Scan read it directly, as DynamoDB's default reads may lag. After every step, in one SQLite
 * transaction and before any message or reply of that step leaves, the engine writes what the step
 * changed (core/replication/quorum-restore.ts finds it): term, vote, applied position and id counters
 * (one state value), new log entries and truncations, and each item applied (its SQLite row and its
 * metadata, the core's StoredItem). A restarted engine rebuilds its member from that journal alone.
 *
 * Conditional writes: the core stamps a proposal with the item version applied in this region (its base),
 * and the leader refuses it with ReplicatedWriteConflictException when another region wrote the item
 * after that base. So `decide` must run on exactly the item at that base version. A mutation first does a
 * strongly consistent read, which names the item's latest committed version v (every write acknowledged
 * before the mutation began is at or below it). If this region has not applied v yet, the engine waits
 * (bounded by the request timeout, then 503) rather than passing through: passing through would either
 * decide on an item older than an acknowledged write, or stamp a base older than the item the decision
 * saw, which the leader would refuse as a conflict that never happened. Then, in one step with no message
 * handled in between, it runs `decide` on the item as applied here (version v or newer) and proposes:
 * the base is the version decided on, and any write by another region since is caught by the leader.
 * Mutations of one item in one region queue behind each other, since the core serializes writes of one
 * region without conflict: a second one reads what the first wrote. A write whose outcome went unknown
 * (500) may still commit later, behind a mutation from this region that did not see it (as a DynamoDB
 * write that timed out may still land).
 *
 * Strongly consistent Query and Scan read this region's mirror after a barrier (a strong read through
 * the leader, then everything this region knows to be committed applied): a region without a majority
 * refuses them, but on a follower they may miss a write acknowledged within the last heartbeat.
 */
export class QuorumTableEngine implements ReplicatedTableEngine {
  readonly mode = 'strong' as const;
  readonly #local: LocalTableEngine;
  readonly #journal: ReplicationJournal;
  readonly #outbox: Outbox;
  readonly #nowMs: () => number;
  readonly #member: QuorumMember;
  readonly #mark: DurableMark;
  /** Every step runs here, one at a time; a step is synchronous (persist included), so it never waits on another. */
  readonly #steps = new SerialQueue();
  readonly #keyLocks = new Map<string, { readonly queue: SerialQueue; users: number }>();
  readonly #replies = new Map<number, { readonly resolve: (reply: QuorumReply) => void; readonly reject: (error: unknown) => void }>();
  #appliedWaiters: AppliedWaiter[] = [];
  #nextRequestId = 1;
  /** Set when a step could not be persisted: the engine stops as a crashed process would, and says why. */
  #failure: unknown;
  /** From proposing the write to its acknowledgement: the majority round trip. */
  readonly #writeLatency = createLatencyHistogram();
  /** The whole mutation: strong read, decision, write. */
  readonly #mutationLatency = createLatencyHistogram();
  readonly #counts = { persistedSteps: 0, ignoredMessages: 0, leaderships: 0 };

  constructor(local: LocalTableEngine, options: QuorumTableEngineOptions, outbox: Outbox, nowMs: () => number = Date.now) {
    this.#local = local;
    this.#journal = local.journal();
    this.#outbox = outbox;
    this.#nowMs = nowMs;
    const { region, members, witness, random } = options;
    const coreOptions: QuorumOptions = { ...options.timing, ...options.limits, region, members, witness, random, emitApplied: true };
    const durable = readDurableState(this.#journal);
    if (durable === undefined) {
      this.#member = createQuorumMember(coreOptions, nowMs());
      const hardState = hardStateOf(this.#member);
      this.#journal.atomically(() => this.#journal.writeState(HARD_STATE, hardState));
    } else {
      this.#member = restoreQuorumMember(coreOptions, durable, nowMs());
    }
    this.#mark = markDurable(this.#member);
  }

  get schema(): TableSchema {
    return this.#local.schema;
  }

  async getItem(key: ItemKey, options: ReadOptions): Promise<Item | undefined> {
    this.#refuseOnWitness();
    if (!options.consistentRead) return this.#local.getItem(key, options);
    return parseItem((await this.#strongRead(canonicalKey(key))).value);
  }

  async query(request: QueryRequest): Promise<ItemPage> {
    this.#refuseOnWitness();
    if (request.consistentRead) await this.#barrier();
    return this.#local.query(request);
  }

  async scan(request: ScanRequest): Promise<ItemPage> {
    this.#refuseOnWitness();
    if (request.consistentRead) await this.#barrier();
    return this.#local.scan(request);
  }

  async mutateItem(key: ItemKey, decide: MutationDecider): Promise<MutationResult> {
    this.#refuseOnWitness();
    const itemKey = canonicalKey(key);
    return this.#underKeyLock(itemKey, () => this.#mutate(itemKey, decide));
  }

  tick(): void {
    void this.#steps
      .run(() => {
        this.#stepNow({ kind: 'tick' });
        this.#expireAppliedWaiters(this.#nowMs());
      })
      .catch(() => undefined);
  }

  receive(from: string, message: unknown): Promise<void> {
    if (!this.#member.peers.includes(from) || !isQuorumMessage(message)) {
      this.#counts.ignoredMessages += 1;
      return Promise.resolve();
    }
    return this.#steps.run(() => this.#stepNow({ kind: 'receive', from, message }));
  }

  metrics(): Record<string, unknown> {
    const member = this.#member;
    const { stats } = member;
    return {
      mode: this.mode,
      region: member.region,
      witness: member.isWitness,
      role: member.role,
      term: member.currentTerm,
      leader: member.leaderId ?? null,
      commitIndex: member.commitIndex,
      lastApplied: member.lastApplied,
      lastLogIndex: member.log.snapshotIndex + member.log.entries.length,
      snapshotIndex: member.log.snapshotIndex,
      stats: {
        proposals: stats.proposals,
        committed: stats.committed,
        conflicts: stats.conflicts,
        refused: stats.refused,
        timeouts: stats.timeouts,
        elections: stats.electionsStarted,
        snapshotsSent: stats.snapshotsSent,
        snapshotsInstalled: stats.snapshotsInstalled,
        ...this.#counts,
      },
      pending: { requests: this.#replies.size, appliedWaits: this.#appliedWaiters.length, lockedItems: this.#keyLocks.size },
      writeLatencyMs: latencySummary(this.#writeLatency),
      mutationLatencyMs: latencySummary(this.#mutationLatency),
      failure: this.#failure === undefined ? null : String(this.#failure),
    };
  }

  async control(command: ControlCommand): Promise<Record<string, unknown>> {
    if (command.kind === 'status') return this.metrics();
    throw new ControlCommandError(`${command.kind} does not apply to a strongly consistent table: its leader changes only by election`);
  }

  async #mutate(itemKey: string, decide: MutationDecider): Promise<MutationResult> {
    const startedMs = this.#nowMs();
    const seen = await this.#strongRead(itemKey);
    await this.#waitApplied(seen.version);
    const proposal = await this.#steps.run(() => this.#decideAndPropose(itemKey, decide));
    const outcome = await proposal.reply;
    if (!outcome.ok) throw toAwsError(outcome.error);
    const doneMs = this.#nowMs();
    this.#writeLatency.record(doneMs - proposal.proposedMs);
    this.#mutationLatency.record(doneMs - startedMs);
    return { oldItem: proposal.oldItem, newItem: proposal.newItem };
  }

  /**
   * Runs as one step: the decision on the item as applied here and the proposal, with no message handled
   * in between, so the base version the core stamps is the version `decide` saw. Returns the reply inside
   * an object: a promise returned to the step queue would hold it until the reply came, which needs a step.
   */
  #decideAndPropose(itemKey: string, decide: MutationDecider) {
    this.#throwIfFailed();
    const applied = readApplied(this.#member, itemKey);
    const oldItem = parseItem(applied.value);
    const decision = decide(oldItem);
    if (decision.kind === 'reject') throw decision.error;
    const value = decision.kind === 'put' ? JSON.stringify(decision.item) : null;
    const reply = this.#stepRequest((requestId) => ({ kind: 'write', requestId, key: itemKey, value, dataClass: this.schema.tableName }));
    return { reply, oldItem, newItem: decision.kind === 'put' ? decision.item : undefined, proposedMs: this.#nowMs() };
  }

  async #strongRead(itemKey: string): Promise<{ readonly value: string | undefined; readonly version: number }> {
    const request = await this.#steps.run(() => ({ reply: this.#stepRequest((requestId) => ({ kind: 'read', requestId, key: itemKey })) }));
    const reply = await request.reply;
    if (!reply.ok) throw toAwsError(reply.error);
    if (reply.operation !== 'read') throw new Error(`invariant violated: a read answered as a ${reply.operation}`);
    return reply;
  }

  /** A strong read through the leader (it refuses without a majority), then what this member knows is committed, applied. */
  async #barrier(): Promise<void> {
    await this.#strongRead(BARRIER_KEY);
    await this.#waitApplied(this.#member.commitIndex);
  }

  /** Steps a client request (inside a step of the queue) and returns its reply, which a later step may bring. */
  #stepRequest(eventFor: (requestId: number) => QuorumEvent): Promise<QuorumReply> {
    const requestId = this.#nextRequestId++;
    const reply = new Promise<QuorumReply>((resolve, reject) => this.#replies.set(requestId, { resolve, reject }));
    try {
      this.#stepNow(eventFor(requestId));
    } catch (error) {
      // The step failed: the caller gets its error; the reply (rejected by #fail) is nobody's to await.
      this.#replies.delete(requestId);
      reply.catch(() => undefined);
      throw error;
    }
    return reply;
  }

  /** One step of the member: persist what it changed, then send and reply (Raft: storage before answers). */
  #stepNow(event: QuorumEvent): void {
    this.#throwIfFailed();
    let effects: QuorumEffect[];
    try {
      effects = stepQuorum(this.#member, event, this.#nowMs()).effects;
      this.#persist(effects);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    for (const effect of effects) this.#carryOut(effect);
    this.#wakeAppliedWaiters();
  }

  #persist(effects: readonly QuorumEffect[]): void {
    const changes = takeDurableChanges(this.#mark, this.#member, effects);
    if (!hasDurableChanges(changes)) return;
    this.#journal.atomically(() => this.#writeChanges(changes));
    this.#counts.persistedSteps += 1;
  }

  #writeChanges(changes: QuorumDurableChanges): void {
    const journal = this.#journal;
    if (changes.compactedThrough !== undefined) journal.truncateLogThrough(changes.compactedThrough);
    if (changes.truncatedFrom !== undefined) journal.truncateLogFrom(changes.truncatedFrom);
    for (const entry of changes.appended) journal.appendLog(entry.index, entry);
    if (changes.hardState !== undefined) journal.writeState(HARD_STATE, changes.hardState);
    if (changes.tableReplaced) this.#rewriteTable();
    for (const itemKey of changes.changedKeys) this.#writeItem(itemKey);
  }

  /** An item as applied: its row for this region's reads (none when deleted) and its metadata for a restart. */
  #writeItem(itemKey: string): void {
    const stored = this.#member.table.get(itemKey)!;
    this.#local.writeItemNow(JSON.parse(itemKey) as ItemKey, parseItem(stored.value));
    this.#journal.writeItemMeta(itemKey, stored);
  }

  /** After a snapshot install: items the snapshot lacks go, every item it holds is written. */
  #rewriteTable(): void {
    for (const [itemKey] of this.#journal.readItemMetas<StoredItem>()) {
      if (this.#member.table.has(itemKey)) continue;
      this.#local.writeItemNow(JSON.parse(itemKey) as ItemKey, undefined);
      this.#journal.deleteItemMeta(itemKey);
    }
    for (const itemKey of this.#member.table.keys()) this.#writeItem(itemKey);
  }

  #carryOut(effect: QuorumEffect): void {
    switch (effect.kind) {
      case 'send':
        this.#outbox(effect.to, effect.message);
        return;
      case 'reply': {
        const waiting = this.#replies.get(effect.reply.requestId);
        this.#replies.delete(effect.reply.requestId);
        waiting?.resolve(effect.reply);
        return;
      }
      case 'became-leader':
        this.#counts.leaderships += 1;
        return;
      case 'applied':
        // Already persisted by #persist, before any effect of the step.
        return;
    }
  }

  /** Resolves once this member has applied `index` (at once when it has), or rejects at the request timeout. */
  #waitApplied(index: number): Promise<void> {
    if (this.#member.lastApplied >= index) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#appliedWaiters.push({ index, deadlineMs: this.#nowMs() + this.#member.options.requestTimeoutMs, resolve, reject });
    });
  }

  #wakeAppliedWaiters(): void {
    if (this.#appliedWaiters.length === 0) return;
    const { lastApplied } = this.#member;
    this.#appliedWaiters = this.#appliedWaiters.filter((waiter) => {
      if (lastApplied < waiter.index) return true;
      waiter.resolve();
      return false;
    });
  }

  #expireAppliedWaiters(nowMs: number): void {
    if (this.#appliedWaiters.length === 0) return;
    this.#appliedWaiters = this.#appliedWaiters.filter((waiter) => {
      if (nowMs < waiter.deadlineMs) return true;
      const error = new QuorumUnavailableError(this.#member.region, `entry ${waiter.index} is committed but not yet applied here`);
      waiter.reject(toAwsError(error));
      return false;
    });
  }

  /** Mutations of one item in this region run one after another; other items are not held up. */
  #underKeyLock<T>(itemKey: string, work: () => Promise<T>): Promise<T> {
    let lock = this.#keyLocks.get(itemKey);
    if (lock === undefined) this.#keyLocks.set(itemKey, (lock = { queue: new SerialQueue(), users: 0 }));
    const held = lock;
    held.users += 1;
    return held.queue.run(work).finally(() => {
      held.users -= 1;
      if (held.users === 0) this.#keyLocks.delete(itemKey);
    });
  }

  #refuseOnWitness(): void {
    if (!this.#member.isWitness) return;
    const message = `${this.#member.region} is the witness of table ${this.schema.tableName}: it keeps the replicated log and votes, but holds no items and serves no requests; send them to another region of the group`;
    throw new ReplicationRefusal('ValidationException', 400, message, false);
  }

  /** Nothing of a step that could not be persisted goes out; every request in flight fails with the cause. */
  #fail(error: unknown): void {
    this.#failure = error;
    for (const waiting of this.#replies.values()) waiting.reject(error);
    this.#replies.clear();
    for (const waiter of this.#appliedWaiters) waiter.reject(error);
    this.#appliedWaiters = [];
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** The member's durable parts as the journal holds them; undefined for a table that never ran. */
function readDurableState(journal: ReplicationJournal): QuorumDurableState | undefined {
  const hardState = journal.readState<QuorumHardState>(HARD_STATE);
  if (hardState === undefined) return undefined;
  return { hardState, entries: journal.readLog<QuorumEntry>(), items: journal.readItemMetas<StoredItem>() };
}

function isQuorumMessage(message: unknown): message is QuorumMessage {
  return typeof message === 'object' && message !== null && MESSAGE_KINDS.has((message as { kind?: unknown }).kind as string);
}

function parseItem(value: string | null | undefined): Item | undefined {
  return value === null || value === undefined ? undefined : (JSON.parse(value) as Item);
}

function latencySummary(histogram: LatencyHistogram) {
  return { count: histogram.count, p50: histogram.percentileMs(50), p99: histogram.percentileMs(99), max: histogram.percentileMs(100) };
}
