import { createMultiWriterReplica, stepMultiWriter, type MultiWriterMessage, type MultiWriterReplica } from '../../core/replication/multi-writer-replica.ts';
import type { LocalTableEngine } from '../data/local-table-engine.ts';
import type { ItemPage, MutationDecider, MutationResult, QueryRequest, ReadOptions, ScanRequest, TableEngine, TableSchema } from '../data/table-engine.ts';
import type { Item, ItemKey } from '../data/values/attribute-value.ts';
import { createLatencyHistogram, type LatencyHistogram } from '../../report/latency-histogram.ts';

/** Where a replication message goes: the transport batches and ships it through the WAN link. */
export type Outbox = (toRegion: string, message: unknown) => void;

/** The unavailable answer DynamoDB gives when a write cannot be taken now. */
class ReplicationUnavailableError extends Error {
  readonly awsType = 'InternalServerError';
  readonly httpStatus = 500;
  constructor(message: string) {
    super(message);
    this.name = 'ReplicationUnavailableError';
  }
}

/**
 * A table replicated like a DynamoDB global table in multi-Region eventual consistency: writes are taken
 * in this region at once and acknowledged, shipped asynchronously to every other replica, and merged
 * item by item with last writer wins — all decided by core/replication's MultiWriterReplica, the same
 * code the simulator runs. Items live in the region's SQLite table (the local engine); this shell keeps
 * the two in step and feeds the replica real time, the network and ticks.
 *
 * Not yet durable across a crash of the region process: the replica's log and cursors live in memory,
 * so writes acknowledged but not yet shipped when the process dies stay local (see the issue note).
 */
export class MultiWriterTableEngine implements TableEngine {
  private readonly replica: MultiWriterReplica;
  /** Mutations run one at a time, so nothing lands between a read of the item and its write. */
  private tail: Promise<unknown> = Promise.resolve();
  private nextRequestId = 1;

  constructor(
    private readonly local: LocalTableEngine,
    readonly region: string,
    regions: readonly string[],
    private readonly outbox: Outbox,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.replica = createMultiWriterReplica({ region, regions });
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
    const run = this.tail.then(() => this.mutateNow(key, decide));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async mutateNow(key: ItemKey, decide: MutationDecider): Promise<MutationResult> {
    const current = await this.local.getItem(key, { consistentRead: true });
    const decision = decide(current);
    if (decision.kind === 'reject') throw decision.error;
    const value = decision.kind === 'put' ? JSON.stringify(decision.item) : null;
    const event = { kind: 'write', requestId: this.nextRequestId++, key: canonicalKey(key), value, dataClass: this.schema.tableName } as const;
    const reply = stepMultiWriter(this.replica, event, this.nowMs()).effects.find((effect) => effect.kind === 'reply');
    if (!reply || reply.kind !== 'reply' || !reply.reply.ok) throw new ReplicationUnavailableError('the replication log is full: writes wait until the other regions catch up');
    await this.local.mutateItem(key, () => decision);
    return { oldItem: current, newItem: decision.kind === 'put' ? decision.item : undefined };
  }

  /** Ships what the other replicas lack; called on a timer by the region process. */
  tick(): void {
    for (const effect of stepMultiWriter(this.replica, { kind: 'tick' }, this.nowMs()).effects) {
      if (effect.kind === 'send') this.outbox(effect.to, effect.message);
    }
  }

  /** A message from another replica: merge, write the winners to SQLite, acknowledge. */
  receive(from: string, message: unknown): Promise<void> {
    const run = this.tail.then(() => this.receiveNow(from, message));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async receiveNow(from: string, message: unknown): Promise<void> {
    const typed = message as MultiWriterMessage;
    const effects = stepMultiWriter(this.replica, { kind: 'receive', from, message: typed }, this.nowMs()).effects;
    if (typed.kind === 'replicate') {
      // Lag of each entry: from its write at the origin (HLC wall clock, the same machine clock here) to now.
      const appliedAtMs = this.nowMs();
      for (const entry of typed.entries) this.lag(from).record(Math.max(0, appliedAtMs - entry.timestamp.wallMs));
      for (const key of new Set(typed.entries.map((entry) => entry.key))) {
        const winner = this.replica.items.get(key);
        const itemKey = JSON.parse(key) as ItemKey;
        if (winner?.value === null || winner === undefined) await this.local.mutateItem(itemKey, () => ({ kind: 'delete' }));
        else await this.local.mutateItem(itemKey, () => ({ kind: 'put', item: JSON.parse(winner.value!) as Item }));
      }
    }
    for (const effect of effects) if (effect.kind === 'send') this.outbox(effect.to, effect.message);
  }

  private readonly lagByOrigin = new Map<string, LatencyHistogram>();

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

  /** Conflicts this replica resolved by last writer wins (its own writes that lost). */
  get conflictsResolved(): number {
    return this.replica.stats.conflictsResolved;
  }
}

/** The item key as one string in the schema's attribute order, so every region names an item the same way. */
export function canonicalKey(key: ItemKey): string {
  return JSON.stringify(Object.fromEntries(Object.keys(key).sort().map((name) => [name, key[name]])));
}
