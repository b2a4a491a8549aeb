import assert from 'node:assert/strict';
import { entriesAfter } from '../../core/replication/replication-log.ts';
import { stepSingleWriter } from '../../core/replication/single-writer-member.ts';
import { restoreSingleWriterMember, singleWriterDurableState, type SingleWriterDurableState } from '../../core/replication/single-writer-restore.ts';
import {
  createSingleWriterMember,
  isPrimaryRole,
  peerLag,
  secondaryLag,
  type SingleWriterEffect,
  type SingleWriterEntry,
  type SingleWriterEvent,
  type SingleWriterMember,
  type SingleWriterMessage,
  type SingleWriterOptions,
  type SingleWriterReply,
} from '../../core/replication/single-writer-state.ts';
import { createLatencyHistogram, type LatencyHistogram } from '../../report/latency-histogram.ts';
import type { LocalTableEngine } from '../data/local-table-engine.ts';
import type { ReplicationJournal } from '../data/storage/replication-journal.ts';
import type { ItemPage, MutationDecider, MutationResult, QueryRequest, ReadOptions, ScanRequest, TableSchema } from '../data/table-engine.ts';
import type { Item, ItemKey } from '../data/values/attribute-value.ts';
import { canonicalKey, ControlCommandError, ReplicationRefusal, SerialQueue, toAwsError, type ControlCommand, type Outbox, type ReplicatedTableEngine } from './replicated-table-engine.ts';

/** Journal state names. */
const MEMBER_STATE = 'single-writer';
const LOST_WRITES_STATE = 'single-writer-lost-writes';
/** Lost writes listed (the most recent); the count covers all of them. */
export const LOST_WRITES_LISTED_MAX = 4096;
/** Lost writes and handover events shown by metrics() (status shows every listed lost write). */
const METRICS_LIST_MAX = 100;
const MESSAGE_KINDS: ReadonlySet<string> = new Set(['replicate', 'replicate-ack', 'snapshot', 'newer-epoch', 'promote', 'forward-write', 'forward-result']);

export interface SingleWriterTableEngineOptions
  extends Pick<
    SingleWriterOptions,
    'logCapacity' | 'forwardedPendingMax' | 'forwardTimeoutMs' | 'heartbeatIntervalMs' | 'switchoverTimeoutMs' | 'batchEntriesMax' | 'inFlightEntriesMax' | 'retransmitAfterMs'
  > {
  readonly region: string;
  /** Every region of the table, the primary included. */
  readonly regions: readonly string[];
  /** The primary of epoch 1; after that, the journal knows who the primary is. */
  readonly primaryRegion: string;
  /** Secondaries forward writes to the primary instead of refusing them. @default false */
  readonly writeForwarding?: boolean;
}

/** A write that a failover lost, as reported by the member that held it. */
export interface LostWrite {
  readonly key: ItemKey;
  readonly seq: number;
  readonly epoch: number;
  readonly originRegion: string;
}

interface LostWrites {
  /** Every lost write, listed or not. */
  count: number;
  /** False when some lost writes had left the bounded log before they were discarded (then only counted). */
  complete: boolean;
  /** The most recent ones, oldest first, at most LOST_WRITES_LISTED_MAX. */
  recent: LostWrite[];
}

/** An item's entry as the journal keeps it: the value is the item row itself, kept once. */
type ItemMeta = Omit<SingleWriterEntry, 'key' | 'value'> & { readonly tombstone: boolean };

/** What a step may change, taken just before it. */
interface BeforeStep {
  readonly items: Map<string, SingleWriterEntry>;
  /** Items the event may write, with their entry before it. */
  readonly touched: Map<string, SingleWriterEntry | undefined>;
  readonly lastSeq: number;
  readonly truncatedSeq: number;
}

interface Waiting {
  readonly resolve: (result: MutationResult) => void;
  readonly reject: (error: unknown) => void;
  readonly result: MutationResult;
}

/**
 * A table replicated like an Aurora Global Database: one primary region takes every write; the others
 * serve (possibly stale) reads and refuse writes with a 400 NotPrimaryException naming the writer, or,
 * with write forwarding, hand them to the primary and answer when it does. Switchover (no loss),
 * failover (loss reported) and fencing are control commands; the caller (the supervisor) chooses the
 * epochs. Every decision is core/replication's SingleWriterMember, the code the simulator runs; items
 * live in the region's SQLite table, reads go straight to it.
 *
 * Durable across `kill -9`: after each step of the member, whatever it changed of its durable parts
 * (single-writer-restore.ts: items and their entries, log entries appended or truncated, epoch, role,
 * positions, a switchover being handed over, lost writes) is committed in one SQLite transaction, and
 * only then are its messages sent and its replies given. So no acknowledgement, replicate-ack, promotion
 * or forward answer ever reveals a state the journal does not hold. After a restart the member is rebuilt
 * from the journal: a primary comes back `recovering` and writes again once a secondary confirms its
 * epoch; secondaries recognise entries they already applied and apply nothing twice.
 *
 * Every queued job (write, delivery, control command) and every tick runs synchronously from start to
 * end, so a tick from the region's timer never lands inside one.
 */
export class SingleWriterTableEngine implements ReplicatedTableEngine {
  readonly mode = 'single-writer';
  private readonly member: SingleWriterMember;
  private readonly journal: ReplicationJournal;
  private readonly queue = new SerialQueue();
  /** Writes waiting for the member's reply: at once on the primary, after the primary's answer when forwarded. */
  private readonly waiting = new Map<number, Waiting>();
  private nextRequestId = 1;
  private savedStateJson: string;
  private readonly lostWrites: LostWrites;
  private readonly events: Record<string, unknown>[] = [];
  private readonly applyLagByPrimary = new Map<string, LatencyHistogram>();
  private ignoredMessages = 0;
  /** A failed commit leaves memory ahead of the journal: the engine stops, and a restart recovers from the journal. */
  private failure: Error | undefined;
  readonly restoredFromJournal: boolean;

  constructor(
    private readonly local: LocalTableEngine,
    private readonly options: SingleWriterTableEngineOptions,
    private readonly outbox: Outbox,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.journal = local.journal();
    const memberOptions: SingleWriterOptions = { ...options, writeForwarding: options.writeForwarding ?? false };
    const state = this.journal.readState<SingleWriterDurableState>(MEMBER_STATE);
    this.restoredFromJournal = state !== undefined;
    if (state === undefined) {
      this.member = createSingleWriterMember(memberOptions);
      this.lostWrites = { count: 0, complete: true, recent: [] };
      // Written at once, so that a restart is known as one: a primary that restarts comes back recovering.
      const initial = singleWriterDurableState(this.member);
      this.journal.atomically(() => this.journal.writeState(MEMBER_STATE, initial));
      this.savedStateJson = JSON.stringify(initial);
    } else {
      this.member = restoreSingleWriterMember(memberOptions, { state, items: this.readItems(), log: this.journal.readLog<SingleWriterEntry>() });
      this.lostWrites = this.journal.readState<LostWrites>(LOST_WRITES_STATE) ?? { count: 0, complete: true, recent: [] };
      this.savedStateJson = JSON.stringify(state);
    }
  }

  get schema(): TableSchema {
    return this.local.schema;
  }

  /** Reads are local: on a secondary they lag the primary (see metrics' secondaryLag). */
  getItem(key: ItemKey, options: ReadOptions): Promise<Item | undefined> {
    return this.local.getItem(key, options);
  }

  query(request: QueryRequest): Promise<ItemPage> {
    return this.local.query(request);
  }

  scan(request: ScanRequest): Promise<ItemPage> {
    return this.local.scan(request);
  }

  /**
   * A write. On the primary it is decided, stepped, committed and acknowledged in one job. A forwarded
   * write (secondary with write forwarding) is decided on this region's copy of the item, which may lag
   * the primary's: a condition or an update expression is evaluated against that possibly stale copy,
   * and the resulting item is what the primary writes (as with Aurora write forwarding at the session's
   * read consistency). Its answer arrives with the primary's reply; the queue does not wait for it.
   */
  async mutateItem(key: ItemKey, decide: MutationDecider): Promise<MutationResult> {
    const { answer } = await this.queue.run(() => ({ answer: this.mutateNow(key, decide) }));
    return answer;
  }

  private mutateNow(key: ItemKey, decide: MutationDecider): Promise<MutationResult> {
    const current = this.local.readItemNow(key);
    const decision = decide(current);
    if (decision.kind === 'reject') throw decision.error;
    const newItem = decision.kind === 'put' ? decision.item : undefined;
    const requestId = this.nextRequestId++;
    const value = newItem === undefined ? null : JSON.stringify(newItem);
    const effects = this.step({ kind: 'write', requestId, key: canonicalKey(key), value, dataClass: this.schema.tableName });
    const answer = new Promise<MutationResult>((resolve, reject) => this.waiting.set(requestId, { resolve, reject, result: { oldItem: current, newItem } }));
    this.carryOut(effects);
    return answer;
  }

  /** Ships the log, sends heartbeats and snapshots, resends a promotion, expires forwarded writes. */
  tick(): void {
    if (this.failure !== undefined) return;
    try {
      this.carryOut(this.step({ kind: 'tick' }));
    } catch {
      // step() recorded the failure; the timer must not die of it.
    }
  }

  receive(from: string, message: unknown): Promise<void> {
    return this.queue.run(() => {
      if (from === this.options.region || !this.options.regions.includes(from) || !isSingleWriterMessage(message)) {
        this.ignoredMessages += 1;
        return;
      }
      const appliedSeq = this.member.log.lastSeq;
      const effects = this.step({ kind: 'receive', from, message });
      this.recordApplyLag(from, message, appliedSeq);
      this.carryOut(effects);
    });
  }

  control(command: ControlCommand): Promise<Record<string, unknown>> {
    return this.queue.run(() => this.controlNow(command));
  }

  metrics(): Record<string, unknown> {
    const status = this.status();
    const lost = this.lostWrites;
    return { ...status, lostWrites: { count: lost.count, complete: lost.complete, recent: lost.recent.slice(-METRICS_LIST_MAX) } };
  }

  // --- the step and its persistence ---

  /**
   * One step of the member, then one transaction with everything it changed that is durable. Nothing
   * is sent or answered here: the caller carries the effects out after the commit.
   */
  private step(event: SingleWriterEvent): SingleWriterEffect[] {
    if (this.failure !== undefined) throw this.unavailable();
    const before = this.beforeStep(event);
    try {
      const { effects } = stepSingleWriter(this.member, event, this.nowMs());
      const lostChanged = this.recordReports(effects);
      this.commit(before, lostChanged);
      return effects;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  private beforeStep(event: SingleWriterEvent): BeforeStep {
    const { items, log } = this.member;
    const touched = new Map<string, SingleWriterEntry | undefined>();
    for (const key of keysWritten(event)) if (!touched.has(key)) touched.set(key, items.get(key));
    return { items, touched, lastSeq: log.lastSeq, truncatedSeq: log.truncatedSeq };
  }

  private commit(before: BeforeStep, lostChanged: boolean): void {
    const { log } = this.member;
    // A snapshot replaces the whole table and empties the log (resetLog): everything is compared again.
    const reset = this.member.items !== before.items;
    const items = reset ? changedTable(before.items, this.member.items) : this.changedItems(before.touched);
    const appendAfter = reset ? log.truncatedSeq : Math.max(before.lastSeq, log.truncatedSeq);
    const appended = log.lastSeq > appendAfter ? entriesAfter(log, appendAfter, log.lastSeq - appendAfter) : [];
    const truncated = reset || log.truncatedSeq > before.truncatedSeq;
    const shortened = reset || log.lastSeq < before.lastSeq;
    const state = singleWriterDurableState(this.member);
    const stateJson = JSON.stringify(state);
    const stateChanged = stateJson !== this.savedStateJson;
    if (items.length === 0 && appended.length === 0 && !truncated && !shortened && !stateChanged && !lostChanged) return;
    this.journal.atomically(() => {
      for (const [itemKey, entry] of items) this.saveItem(itemKey, entry);
      for (const entry of appended) this.journal.appendLog(entry.seq, entry);
      if (truncated) this.journal.truncateLogThrough(log.truncatedSeq);
      if (shortened) this.journal.truncateLogFrom(log.lastSeq + 1);
      if (stateChanged) this.journal.writeState(MEMBER_STATE, state);
      if (lostChanged) this.journal.writeState(LOST_WRITES_STATE, this.lostWrites);
    });
    this.savedStateJson = stateJson;
  }

  private changedItems(touched: ReadonlyMap<string, SingleWriterEntry | undefined>): [string, SingleWriterEntry | undefined][] {
    const changed: [string, SingleWriterEntry | undefined][] = [];
    for (const [itemKey, entry] of touched) {
      const now = this.member.items.get(itemKey);
      if (now !== entry) changed.push([itemKey, now]);
    }
    return changed;
  }

  /** The item row and its entry (without the value, which is the row), or neither. */
  private saveItem(itemKey: string, entry: SingleWriterEntry | undefined): void {
    const key = JSON.parse(itemKey) as ItemKey;
    if (entry === undefined) {
      this.local.writeItemNow(key, undefined);
      this.journal.deleteItemMeta(itemKey);
      return;
    }
    const { key: _key, value, ...rest } = entry;
    this.local.writeItemNow(key, value === null ? undefined : (JSON.parse(value) as Item));
    this.journal.writeItemMeta(itemKey, { ...rest, tombstone: value === null } satisfies ItemMeta);
  }

  private readItems(): SingleWriterEntry[] {
    return this.journal.readItemMetas<ItemMeta>().map(([itemKey, meta]) => {
      const { tombstone, ...rest } = meta;
      if (tombstone) return { ...rest, key: itemKey, value: null };
      const item = this.local.readItemNow(JSON.parse(itemKey) as ItemKey);
      assert.ok(item !== undefined, `the journal of ${this.schema.tableName} has an entry for ${itemKey} but the table has no such item`);
      return { ...rest, key: itemKey, value: JSON.stringify(item) };
    });
  }

  private carryOut(effects: readonly SingleWriterEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'send') this.outbox(effect.to, effect.message);
      else if (effect.kind === 'reply') this.answer(effect.reply);
    }
  }

  private answer(reply: SingleWriterReply): void {
    const waiting = this.waiting.get(reply.requestId);
    if (waiting === undefined) return;
    this.waiting.delete(reply.requestId);
    if (reply.ok) waiting.resolve(waiting.result);
    else waiting.reject(toAwsError(reply.error));
  }

  private fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    for (const waiting of this.waiting.values()) waiting.reject(this.unavailable());
    this.waiting.clear();
  }

  private unavailable(): ReplicationRefusal {
    const reason = this.failure?.message ?? 'unknown';
    return new ReplicationRefusal('InternalServerError', 500, `${this.options.region}: table ${this.schema.tableName} stopped after an internal failure (${reason}); restart the region to recover`, true);
  }

  // --- reports ---

  /** Keeps handover events and lost writes; returns whether the lost writes changed (they are durable). */
  private recordReports(effects: readonly SingleWriterEffect[]): boolean {
    let lostChanged = false;
    for (const effect of effects) {
      if (effect.kind === 'send' || effect.kind === 'reply') continue;
      const { kind, ...fields } = effect;
      const event: Record<string, unknown> = kind === 'discarded' ? { kind, ...fields, entries: effect.entries.length } : { kind, ...fields };
      this.events.push({ ...event, atMs: this.nowMs() });
      if (this.events.length > METRICS_LIST_MAX) this.events.shift();
      if (effect.kind === 'discarded') {
        this.recordLost(effect);
        lostChanged = true;
      }
    }
    return lostChanged;
  }

  private recordLost(discarded: Extract<SingleWriterEffect, { kind: 'discarded' }>): void {
    const lost = this.lostWrites;
    lost.count += discarded.lastSeq - discarded.epochStartSeq;
    lost.complete &&= discarded.complete;
    for (const entry of discarded.entries) lost.recent.push({ key: JSON.parse(entry.key) as ItemKey, seq: entry.seq, epoch: entry.epoch, originRegion: entry.originRegion });
    if (lost.recent.length > LOST_WRITES_LISTED_MAX) lost.recent.splice(0, lost.recent.length - LOST_WRITES_LISTED_MAX);
  }

  /** Lag of each entry applied from a replicate: from its write on the primary (HLC wall clock, same machine clock) to now. */
  private recordApplyLag(from: string, message: SingleWriterMessage, appliedSeqBefore: number): void {
    if (message.kind !== 'replicate' || message.entries.length === 0) return;
    const appliedAtMs = this.nowMs();
    const lastSeq = this.member.log.lastSeq;
    let histogram = this.applyLagByPrimary.get(from);
    for (const entry of message.entries) {
      if (entry.seq <= appliedSeqBefore || entry.seq > lastSeq) continue;
      if (histogram === undefined) this.applyLagByPrimary.set(from, (histogram = createLatencyHistogram()));
      histogram.record(Math.max(0, appliedAtMs - entry.timestamp.wallMs));
    }
  }

  private status(): Record<string, unknown> {
    const member = this.member;
    const nowMs = this.nowMs();
    const peers = isPrimaryRole(member) ? [...member.channels.keys()] : [];
    return {
      mode: this.mode,
      table: this.schema.tableName,
      region: member.region,
      role: member.role,
      epoch: member.epoch,
      primaryRegion: member.primaryRegion,
      epochStartSeq: member.epochStartSeq,
      lastSeq: member.log.lastSeq,
      truncatedSeq: member.log.truncatedSeq,
      awaitingSnapshot: member.awaitingSnapshot,
      writeForwarding: member.options.writeForwarding,
      switchover: member.switchover === undefined ? null : { target: member.switchover.target, epoch: member.switchover.epoch, phase: member.switchover.phase },
      secondaryLag: secondaryLag(member),
      peerLag: Object.fromEntries(peers.map((peer) => [peer, { ...peerLag(member, peer, nowMs), cursor: member.log.cursors.get(peer)!.state }])),
      replicationLagMs: Object.fromEntries(
        [...this.applyLagByPrimary].map(([origin, histogram]) => [origin, { entries: histogram.count, p50Ms: histogram.percentileMs(50), p99Ms: histogram.percentileMs(99), maxMs: histogram.percentileMs(100) }]),
      ),
      stats: { ...member.stats },
      lostWrites: { ...this.lostWrites, recent: [...this.lostWrites.recent] },
      events: [...this.events],
      restoredFromJournal: this.restoredFromJournal,
      ignoredMessages: this.ignoredMessages,
      failure: this.failure?.message ?? null,
    };
  }

  // --- control commands ---

  private controlNow(command: ControlCommand): Record<string, unknown> {
    switch (command?.kind) {
      case 'status':
        return this.status();
      case 'switchover':
        return this.switchover(command.target, command.epoch);
      case 'failover':
        return this.failover(command.epoch);
      case 'fence':
        return this.fence(command.epoch, command.primaryRegion, command.epochStartSeq);
      default:
        throw new ControlCommandError(`unknown control command ${JSON.stringify((command as { kind?: unknown } | undefined)?.kind)} for a single-writer table`);
    }
  }

  /** Planned: the primary stops writing, waits until `target` has everything, and hands over. Answers once started. */
  private switchover(target: string, epoch: number): Record<string, unknown> {
    this.requireNewerEpoch(epoch);
    this.requirePeer(target, 'switchover target');
    const effects = this.step({ kind: 'switchover', target, epoch });
    if (effects.some((effect) => effect.kind === 'switchover-abandoned' && effect.epoch === epoch)) {
      const busy = this.member.switchover === undefined ? '' : ` (a switchover to ${this.member.switchover.target} is in progress)`;
      throw new ControlCommandError(`${this.options.region} cannot hand over to ${target}: it is ${this.member.role}${busy}`);
    }
    this.carryOut(effects);
    return { switchover: { target, epoch, phase: this.member.switchover?.phase ?? 'handing-over' }, status: this.status() };
  }

  /** Unplanned: this secondary becomes primary of `epoch` with what it has applied. */
  private failover(epoch: number): Record<string, unknown> {
    this.requireNewerEpoch(epoch);
    const effects = this.step({ kind: 'failover', epoch });
    const refused = effects.find((effect) => effect.kind === 'promotion-refused');
    if (refused !== undefined) throw new ControlCommandError(`${this.options.region} cannot be promoted: ${refused.reason}`);
    this.carryOut(effects);
    const promoted = effects.find((effect) => effect.kind === 'promoted');
    return { promoted: promoted === undefined ? null : { epoch: promoted.epoch, epochStartSeq: promoted.epochStartSeq, planned: promoted.planned }, status: this.status() };
  }

  /** A newer epoch exists: stop writing, rejoin as its secondary, discard and report what it never got. Repeating it is harmless. */
  private fence(epoch: number, primaryRegion: string, epochStartSeq: number): Record<string, unknown> {
    this.requirePeer(primaryRegion, 'new primary');
    if (!Number.isInteger(epochStartSeq) || epochStartSeq < 0) throw new ControlCommandError(`epochStartSeq must be a non-negative integer, got ${JSON.stringify(epochStartSeq)}`);
    const member = this.member;
    if (epoch === member.epoch && primaryRegion === member.primaryRegion && member.role === 'secondary') return { fenced: false, discarded: null, status: this.status() };
    this.requireNewerEpoch(epoch);
    const effects = this.step({ kind: 'fence', epoch, primaryRegion, epochStartSeq });
    this.carryOut(effects);
    const discarded = effects.find((effect) => effect.kind === 'discarded');
    const lost = discarded === undefined ? null : { count: discarded.lastSeq - discarded.epochStartSeq, complete: discarded.complete, writes: discarded.entries.map((entry) => ({ key: JSON.parse(entry.key) as ItemKey, seq: entry.seq, epoch: entry.epoch })) };
    return { fenced: true, discarded: lost, status: this.status() };
  }

  private requireNewerEpoch(epoch: unknown): void {
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch <= this.member.epoch) {
      throw new ControlCommandError(`epoch must be an integer above ${this.options.region}'s epoch ${this.member.epoch}, got ${JSON.stringify(epoch)}`);
    }
  }

  private requirePeer(region: unknown, what: string): void {
    if (typeof region !== 'string' || region === this.options.region || !this.options.regions.includes(region)) {
      throw new ControlCommandError(`${what} must be another region of the table (${this.options.regions.join(', ')}), got ${JSON.stringify(region)}`);
    }
  }
}

/** The items an event can write: the written key, a forwarded write's key, a replicated batch's keys (a snapshot is handled whole). */
function keysWritten(event: SingleWriterEvent): string[] {
  if (event.kind === 'write') return [event.key];
  if (event.kind !== 'receive') return [];
  const { message } = event;
  if (message.kind === 'replicate') return message.entries.map((entry) => entry.key);
  if (message.kind === 'forward-write') return [message.key];
  return [];
}

/** Items that differ between two tables (an entry is named by its epoch and sequence), undefined for those removed. */
function changedTable(before: ReadonlyMap<string, SingleWriterEntry>, after: ReadonlyMap<string, SingleWriterEntry>): [string, SingleWriterEntry | undefined][] {
  const changed: [string, SingleWriterEntry | undefined][] = [];
  for (const [itemKey, entry] of after) {
    const old = before.get(itemKey);
    if (old === undefined || old.seq !== entry.seq || old.epoch !== entry.epoch || old.value !== entry.value) changed.push([itemKey, entry]);
  }
  for (const itemKey of before.keys()) if (!after.has(itemKey)) changed.push([itemKey, undefined]);
  return changed;
}

function isSingleWriterMessage(message: unknown): message is SingleWriterMessage {
  return typeof message === 'object' && message !== null && MESSAGE_KINDS.has((message as { kind?: unknown }).kind as string);
}
