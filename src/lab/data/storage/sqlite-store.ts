import Database from 'better-sqlite3';

/**
 * One data node's SQLite file: the table catalog and every item of every table, each item stored as the
 * canonical JSON of its DynamoDB form under (table, encoded partition key, encoded sort key) — see
 * key-encoding.ts for why byte order is DynamoDB order. The store knows rows and bytes, not DynamoDB:
 * the table engine decides what goes in.
 */
export interface TableRecord {
  readonly tableId: number;
  readonly name: string;
  readonly descriptionJson: string;
}

/** An inclusive or exclusive bound on the encoded sort key. */
export interface SortKeyBound {
  readonly operator: '>' | '>=' | '<' | '<=';
  readonly value: Buffer;
}

export interface PartitionRange {
  readonly tableId: number;
  readonly partitionKey: Buffer;
  readonly bounds: readonly SortKeyBound[];
  readonly descending: boolean;
  readonly rowsMax: number;
}

export interface TableRange {
  readonly tableId: number;
  /** Start after this (partition key, sort key). */
  readonly after?: { readonly partitionKey: Buffer; readonly sortKey: Buffer };
  readonly rowsMax: number;
}

/** Tables without a sort key store this in the sort key column, so that one primary key fits both kinds. */
export const NO_SORT_KEY = Buffer.alloc(0);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS tables (
    table_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS items (
    table_id INTEGER NOT NULL,
    partition_key BLOB NOT NULL,
    sort_key BLOB NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_id, partition_key, sort_key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS replication_state (
    table_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (table_id, name)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS replication_log (
    table_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (table_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS replication_items (
    table_id INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    meta TEXT NOT NULL,
    PRIMARY KEY (table_id, item_key)
  ) WITHOUT ROWID;
`;

export class SqliteStore {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>;

  constructor(dbPath: string) {
    this.#db = new Database(dbPath);
    // WAL: readers never block the writer and a commit is one append to the log. synchronous = NORMAL
    // syncs the log only at checkpoints, yet a committed transaction is already in the WAL file (in
    // the OS page cache) when the commit returns, so it survives `kill -9` of this process; only a power
    // loss or an OS crash can lose the last commits, never corrupt the file
    // (https://www.sqlite.org/pragma.html#pragma_synchronous). The lab kills processes, not machines.
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#transaction = this.#db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` in one write transaction (BEGIN IMMEDIATE); a throw rolls everything back. */
  inTransaction<T>(work: () => T): T {
    return this.#transaction.immediate(work) as T;
  }

  tables(): TableRecord[] {
    return this.#statement('SELECT table_id AS tableId, name, description AS descriptionJson FROM tables ORDER BY name').all() as TableRecord[];
  }

  /** Inserts a table record; undefined when a table of that name exists. */
  insertTable(name: string, descriptionJson: string): number | undefined {
    const result = this.#statement('INSERT INTO tables (name, description) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, descriptionJson);
    return result.changes === 0 ? undefined : Number(result.lastInsertRowid);
  }

  /** Removes a table and all its items in one transaction. */
  deleteTable(tableId: number): void {
    this.inTransaction(() => {
      this.#statement('DELETE FROM items WHERE table_id = ?').run(tableId);
      for (const table of ['replication_state', 'replication_log', 'replication_items']) this.#statement(`DELETE FROM ${table} WHERE table_id = ?`).run(tableId);
      this.#statement('DELETE FROM tables WHERE table_id = ?').run(tableId);
    });
  }

  countItems(tableId: number): number {
    return this.#statement('SELECT count(*) FROM items WHERE table_id = ?').pluck().get(tableId) as number;
  }

  readItem(tableId: number, partitionKey: Buffer, sortKey: Buffer): string | undefined {
    return this.#statement('SELECT item FROM items WHERE table_id = ? AND partition_key = ? AND sort_key = ?')
      .pluck()
      .get(tableId, partitionKey, sortKey) as string | undefined;
  }

  writeItem(tableId: number, partitionKey: Buffer, sortKey: Buffer, itemJson: string): void {
    this.#statement('INSERT OR REPLACE INTO items (table_id, partition_key, sort_key, item) VALUES (?, ?, ?, ?)').run(
      tableId,
      partitionKey,
      sortKey,
      itemJson,
    );
  }

  deleteItem(tableId: number, partitionKey: Buffer, sortKey: Buffer): void {
    this.#statement('DELETE FROM items WHERE table_id = ? AND partition_key = ? AND sort_key = ?').run(tableId, partitionKey, sortKey);
  }

  /** Item JSON of one partition within the bounds, in sort key order, at most `rowsMax` rows. */
  partitionItems(range: PartitionRange): IterableIterator<string> {
    const conditions = range.bounds.map((bound) => ` AND sort_key ${bound.operator} ?`).join('');
    const order = range.descending ? 'DESC' : 'ASC';
    const sql = `SELECT item FROM items WHERE table_id = ? AND partition_key = ?${conditions} ORDER BY sort_key ${order} LIMIT ?`;
    const parameters = [range.tableId, range.partitionKey, ...range.bounds.map((bound) => bound.value), range.rowsMax];
    return this.#statement(sql).pluck().iterate(...parameters) as IterableIterator<string>;
  }

  /** Item JSON of the whole table in (partition key, sort key) order, at most `rowsMax` rows. */
  tableItems(range: TableRange): IterableIterator<string> {
    if (range.after === undefined) {
      const sql = 'SELECT item FROM items WHERE table_id = ? ORDER BY partition_key, sort_key LIMIT ?';
      return this.#statement(sql).pluck().iterate(range.tableId, range.rowsMax) as IterableIterator<string>;
    }
    const sql = 'SELECT item FROM items WHERE table_id = ? AND (partition_key, sort_key) > (?, ?) ORDER BY partition_key, sort_key LIMIT ?';
    const { partitionKey, sortKey } = range.after;
    return this.#statement(sql).pluck().iterate(range.tableId, partitionKey, sortKey, range.rowsMax) as IterableIterator<string>;
  }

  /** A replicated engine's own durable state (see replication-journal.ts): one named JSON value. */
  readState(tableId: number, name: string): string | undefined {
    return this.#statement('SELECT value FROM replication_state WHERE table_id = ? AND name = ?').pluck().get(tableId, name) as string | undefined;
  }

  writeState(tableId: number, name: string, valueJson: string): void {
    this.#statement('INSERT OR REPLACE INTO replication_state (table_id, name, value) VALUES (?, ?, ?)').run(tableId, name, valueJson);
  }

  appendLogEntry(tableId: number, seq: number, entryJson: string): void {
    this.#statement('INSERT OR REPLACE INTO replication_log (table_id, seq, entry) VALUES (?, ?, ?)').run(tableId, seq, entryJson);
  }

  /** Removes log entries with `low <= seq <= high`. */
  deleteLogEntries(tableId: number, low: number, high: number): void {
    this.#statement('DELETE FROM replication_log WHERE table_id = ? AND seq >= ? AND seq <= ?').run(tableId, low, high);
  }

  /** Log entries in sequence order, as [seq, entry JSON]. */
  logEntries(tableId: number): IterableIterator<[number, string]> {
    return this.#statement('SELECT seq, entry FROM replication_log WHERE table_id = ? ORDER BY seq').raw().iterate(tableId) as IterableIterator<[number, string]>;
  }

  writeItemMeta(tableId: number, itemKey: string, metaJson: string): void {
    this.#statement('INSERT OR REPLACE INTO replication_items (table_id, item_key, meta) VALUES (?, ?, ?)').run(tableId, itemKey, metaJson);
  }

  deleteItemMeta(tableId: number, itemKey: string): void {
    this.#statement('DELETE FROM replication_items WHERE table_id = ? AND item_key = ?').run(tableId, itemKey);
  }

  /** Every item's replication metadata, as [item key, meta JSON]. */
  itemMetas(tableId: number): IterableIterator<[string, string]> {
    return this.#statement('SELECT item_key, meta FROM replication_items WHERE table_id = ?').raw().iterate(tableId) as IterableIterator<[string, string]>;
  }

  close(): void {
    this.#db.close();
  }

  /** Prepared statements are cached by their text: query shapes are few (bounds × direction). */
  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
