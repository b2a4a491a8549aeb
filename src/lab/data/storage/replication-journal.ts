import type { SqliteStore } from './sqlite-store.ts';

/**
 * What a replicated table engine must find again after `kill -9`: its named state values (epoch, term,
 * vote, applied positions …), its outbound replication log, and per item the replication metadata that
 * decides merges (timestamps, versions). It lives in the node's SQLite file beside the items, so an
 * engine writes an item and the state that goes with it in one transaction (`SqliteStore.inTransaction`)
 * and acknowledges only after the commit: nothing acknowledged is ever half-written.
 *
 * Values are JSON text; the engine chooses what they mean. The journal only stores and returns them.
 */
export class ReplicationJournal {
  readonly #store: SqliteStore;
  readonly #tableId: number;

  constructor(store: SqliteStore, tableId: number) {
    this.#store = store;
    this.#tableId = tableId;
  }

  /** Runs `work` in one SQLite transaction (nested calls become savepoints). */
  atomically<T>(work: () => T): T {
    return this.#store.inTransaction(work);
  }

  readState<T>(name: string): T | undefined {
    const text = this.#store.readState(this.#tableId, name);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  writeState(name: string, value: unknown): void {
    this.#store.writeState(this.#tableId, name, JSON.stringify(value));
  }

  appendLog(seq: number, entry: unknown): void {
    this.#store.appendLogEntry(this.#tableId, seq, JSON.stringify(entry));
  }

  /** Drops log entries up to and including `seq` (every peer has them). */
  truncateLogThrough(seq: number): void {
    this.#store.deleteLogEntries(this.#tableId, Number.MIN_SAFE_INTEGER, seq);
  }

  /** Drops log entries from `seq` on (a divergent tail replaced by the leader's). */
  truncateLogFrom(seq: number): void {
    this.#store.deleteLogEntries(this.#tableId, seq, Number.MAX_SAFE_INTEGER);
  }

  /** The log in sequence order. */
  readLog<T>(): T[] {
    return [...this.#store.logEntries(this.#tableId)].map(([, text]) => JSON.parse(text) as T);
  }

  writeItemMeta(itemKey: string, meta: unknown): void {
    this.#store.writeItemMeta(this.#tableId, itemKey, JSON.stringify(meta));
  }

  deleteItemMeta(itemKey: string): void {
    this.#store.deleteItemMeta(this.#tableId, itemKey);
  }

  /** Every item's metadata, as [item key, meta]. */
  readItemMetas<T>(): [string, T][] {
    return [...this.#store.itemMetas(this.#tableId)].map(([key, text]) => [key, JSON.parse(text) as T]);
  }
}
