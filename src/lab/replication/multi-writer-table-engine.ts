import { stepMultiWriter, createMultiWriterReplica, type MultiWriterEntry, type MultiWriterMessage, type MultiWriterReplica } from '../../core/replication/multi-writer-replica.ts';
import { restoreMultiWriterReplica } from '../../core/replication/multi-writer-restore.ts';
import type { LocalTableEngine } from '../data/local-table-engine.ts';
import type { ReplicationJournal } from '../data/storage/replication-journal.ts';
import type { ItemPage, MutationDecider, MutationResult, QueryRequest, ReadOptions, ScanRequest, TableSchema } from '../data/table-engine.ts';
import type { Item, ItemKey } from '../data/values/attribute-value.ts';
import { createLatencyHistogram, type LatencyHistogram } from '../../report/latency-histogram.ts';
import { canonicalKey, ReplicationRefusal, SerialQueue, type Outbox, type ReplicatedTableEngine } from './replicated-table-engine.ts';

/** Journal state names. */
const APPLIED_SEQS = 'appliedSeqs';
const TRUNCATED_SEQ = 'truncatedSeq';

/**
 * A table replicated like a DynamoDB global table in multi-Region eventual consistency: writes are taken
 * in this region at once and acknowledged, shipped asynchronously to every other replica, and merged
 * item by item with last writer wins — all decided by core/replication's MultiWriterReplica, the same
 * code the simulator runs. Items live in the region's SQLite table (the local engine); this shell keeps
 * the two in step and feeds the replica real time, the network and ticks.
 *
 * Durable across `kill -9`: a write commits the item, its log entry and its replication metadata in one
 * SQLite transaction before it is acknowledged; a received batch commits the winning items and the
 * per-origin applied positions before it is acknowledged to its sender. After a restart the replica is
 * rebuilt from the journal (core/replication/multi-writer-restore.ts) and resends what its peers had not
 * acknowledged; they recognise what they already applied, so nothing is applied twice.
 */
export class MultiWriterTableEngine implements ReplicatedTableEngine {
  readonly mode = 'multi-writer';
  private readonly replica: MultiWriterReplica;
  private readonly journal: ReplicationJournal;
  /** Mutations and deliveries run one at a time, so nothing lands between a read of the item and its write. */
  private readonly queue = new SerialQueue();
  private nextRequestId = 1;
  private readonly lagByOrigin = new Map<string, LatencyHistogram>();
  private readonly restoredFromJournal: boolean;

  constructor(
    private readonly local: LocalTableEngine,
    readonly region: string,
    regions: readonly string[],
    private readonly outbox: Outbox,
    private readonly nowMs: () => number = Date.now,
    retransmitAfterMs?: number,
  ) {
    this.journal = local.journal();
    const options = { region, regions, ...(retransmitAfterMs === undefined ? {} : { retransmitAfterMs }) };
    const truncatedSeq = this.journal.readState<number>(TRUNCATED_SEQ);
    const log = this.journal.readLog<MultiWriterEntry>();
    const items = this.journal.readItemMetas<MultiWriterEntry>();
    this.restoredFromJournal = truncatedSeq !== undefined || log.length > 0 || items.length > 0;
    this.replica = this.restoredFromJournal
      ? restoreMultiWriterReplica(options, { items, log, truncatedSeq: truncatedSeq ?? 0, appliedSeqs: this.journal.readState<Record<string, number>>(APPLIED_SEQS) ?? {} })
      : createMultiWriterReplica(options);
  }

  get schema(): TableSchema {
    return this.local.schema;
  }

  getItem(key: ItemKey, options: ReadOptions): Promise<Item | undefined> {
    return this.local.getItem(key, options);
  }

  query(request: QueryRequest): Promise<ItemPage> {
    return this.local.query(request);
  }

  scan(request: ScanRequest): Promise<ItemPage> {
    return this.local.scan(request);
  }

  mutateItem(key: ItemKey, decide: MutationDecider): Promise<MutationResult> {
    const result = this.queue.run(() => this.mutateNow(key, decide));
    this.shipSoon();
    return result;
  }

  private shipScheduled = false;

  /**
   * Ships right after the current turn of the event loop rather than at the next tick: writes of one
   * turn still leave as one batch, and the replication lag is the link's delay, not the link's delay plus
   * half a tick.
   */
  private shipSoon(): void {
    if (this.shipScheduled) return;
    this.shipScheduled = true;
    setImmediate(() => {
      this.shipScheduled = false;
      this.tick();
    });
  }

  /**
   * Decides, steps the replica and commits item, log entry and metadata in one transaction. A SQLite
   * failure after the replica took the write would leave memory ahead of disk: it propagates as an
   * internal error and the region should be restarted (it then recovers from the journal).
   */
  private mutateNow(key: ItemKey, decide: MutationDecider): MutationResult {
    return this.journal.atomically(() => {
      const current = this.local.readItemNow(key);
      const decision = decide(current);
      if (decision.kind === 'reject') throw decision.error;
      const itemKey = canonicalKey(key);
      const value = decision.kind === 'put' ? JSON.stringify(decision.item) : null;
      const event = { kind: 'write', requestId: this.nextRequestId++, key: itemKey, value, dataClass: this.schema.tableName } as const;
      const reply = stepMultiWriter(this.replica, event, this.nowMs()).effects.find((effect) => effect.kind === 'reply');
      if (!reply || reply.kind !== 'reply' || !reply.reply.ok) {
        throw new ReplicationRefusal('ThrottlingException', 400, 'the replication log is full: writes wait until the other regions catch up', true);
      }
      const entry = this.replica.items.get(itemKey)!;
      this.local.writeItemNow(key, decision.kind === 'put' ? decision.item : undefined);
      this.journal.appendLog(entry.seq, entry);
      this.journal.writeItemMeta(itemKey, entry);
      return { oldItem: current, newItem: decision.kind === 'put' ? decision.item : undefined };
    });
  }

  /** Ships what the other replicas lack; called on a timer by the region process. */
  tick(): void {
    for (const effect of stepMultiWriter(this.replica, { kind: 'tick' }, this.nowMs()).effects) {
      if (effect.kind === 'send') this.outbox(effect.to, effect.message);
    }
  }

  /** A message from another replica: merge, commit the winners, then acknowledge. */
  receive(from: string, message: unknown): Promise<void> {
    return this.queue.run(() => this.receiveNow(from, message as MultiWriterMessage));
  }

  private receiveNow(from: string, message: MultiWriterMessage): void {
    if (!this.replica.streams.has(from)) return;
    const truncatedBefore = this.replica.log.truncatedSeq;
    const originIndex = this.replica.regions.indexOf(from);
    const appliedBefore = this.replica.appliedSeqs[originIndex]!;
    const effects = this.journal.atomically(() => {
      const stepped = stepMultiWriter(this.replica, { kind: 'receive', from, message }, this.nowMs()).effects;
      const appliedNow = this.replica.appliedSeqs[originIndex]!;
      if (message.kind === 'replicate' && appliedNow > appliedBefore) {
        this.commitApplied(from, message.entries.filter((entry) => entry.seq > appliedBefore && entry.seq <= appliedNow));
      }
      const truncatedSeq = this.replica.log.truncatedSeq;
      if (truncatedSeq > truncatedBefore) {
        this.journal.truncateLogThrough(truncatedSeq);
        this.journal.writeState(TRUNCATED_SEQ, truncatedSeq);
      }
      return stepped;
    });
    for (const effect of effects) if (effect.kind === 'send') this.outbox(effect.to, effect.message);
  }

  /** Writes the winning version of every item a batch touched, and the origin's applied position. */
  private commitApplied(from: string, entries: readonly MultiWriterEntry[]): void {
    const appliedAtMs = this.nowMs();
    // Lag of each entry: from its write at the origin (HLC wall clock, the same machine clock here) to now.
    for (const entry of entries) this.lag(from).record(Math.max(0, appliedAtMs - entry.timestamp.wallMs));
    for (const itemKey of new Set(entries.map((entry) => entry.key))) {
      const winner = this.replica.items.get(itemKey);
      if (winner === undefined) continue;
      const key = JSON.parse(itemKey) as ItemKey;
      this.local.writeItemNow(key, winner.value === null ? undefined : (JSON.parse(winner.value) as Item));
      this.journal.writeItemMeta(itemKey, winner);
    }
    this.journal.writeState(APPLIED_SEQS, Object.fromEntries(this.replica.regions.map((region, index) => [region, this.replica.appliedSeqs[index]!])));
  }

  private lag(origin: string): LatencyHistogram {
    let histogram = this.lagByOrigin.get(origin);
    if (!histogram) this.lagByOrigin.set(origin, (histogram = createLatencyHistogram()));
    return histogram;
  }

  /** Replication lag per origin region of the entries received so far (ms). */
  lagReport(): Record<string, { entries: number; p50Ms: number; p99Ms: number; maxMs: number }> {
    return Object.fromEntries(
      [...this.lagByOrigin].map(([origin, histogram]) => [origin, { entries: histogram.count, p50Ms: histogram.percentileMs(50), p99Ms: histogram.percentileMs(99), maxMs: histogram.percentileMs(100) }]),
    );
  }

  metrics(): Record<string, unknown> {
    const { stats, log } = this.replica;
    return {
      mode: this.mode,
      restoredFromJournal: this.restoredFromJournal,
      lastSeq: log.lastSeq,
      acknowledgedByPeers: Object.fromEntries([...log.cursors].map(([peer, cursor]) => [peer, cursor.ackedSeq])),
      applied: Object.fromEntries(this.replica.regions.flatMap((region, index) => (region === this.region ? [] : [[region, this.replica.appliedSeqs[index]!]]))),
      stats: { ...stats },
      replicationLagMs: this.lagReport(),
    };
  }

  /** Conflicts this replica resolved by last writer wins (its own writes that lost). */
  get conflictsResolved(): number {
    return this.replica.stats.conflictsResolved;
  }
}
