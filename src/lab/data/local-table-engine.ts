import assert from 'node:assert/strict';
import { encodeKeyValue, prefixUpperBound } from './storage/key-encoding.ts';
import { ReplicationJournal } from './storage/replication-journal.ts';
import { NO_SORT_KEY, type SortKeyBound, type SqliteStore } from './storage/sqlite-store.ts';
import { payloadOf, type AttributeValue, type Item, type ItemKey } from './values/attribute-value.ts';
import {
  PAGE_BYTES_MAX,
  keyOfItem,
  type ItemPage,
  type MutationDecider,
  type MutationResult,
  type QueryRequest,
  type ReadOptions,
  type ScanRequest,
  type SortKeyCondition,
  type TableEngine,
  type TableSchema,
} from './table-engine.ts';

/** Rows fetched for a page without a Limit: more than 1 MB of the smallest items ever needs. */
const PAGE_ROWS_MAX = PAGE_BYTES_MAX;

/**
 * A table whose items live in this node's SQLite file. Every call is synchronous underneath (one
 * better-sqlite3 connection, one thread), so a read-modify-write inside one SQLite transaction is
 * atomic with respect to every other request of the node. Reads are always consistent.
 */
export class LocalTableEngine implements TableEngine {
  readonly schema: TableSchema;
  readonly #store: SqliteStore;
  readonly #tableId: number;

  constructor(store: SqliteStore, tableId: number, schema: TableSchema) {
    this.#store = store;
    this.#tableId = tableId;
    this.schema = schema;
  }

  async getItem(key: ItemKey, _options: ReadOptions): Promise<Item | undefined> {
    return this.readItemNow(key);
  }

  /** The replicated engine's durable state, in the same SQLite file (and transactions) as the items. */
  journal(): ReplicationJournal {
    return new ReplicationJournal(this.#store, this.#tableId);
  }

  /** The item with this key, read synchronously (inside a replicated engine's transaction). */
  readItemNow(key: ItemKey): Item | undefined {
    const text = this.#store.readItem(this.#tableId, this.#partitionBytes(key), this.#sortBytes(key));
    return text === undefined ? undefined : (JSON.parse(text) as Item);
  }

  /** Stores or removes one item synchronously, without a transaction of its own (the caller's is used). */
  writeItemNow(key: ItemKey, item: Item | undefined): void {
    const partitionKey = this.#partitionBytes(key);
    const sortKey = this.#sortBytes(key);
    if (item === undefined) this.#store.deleteItem(this.#tableId, partitionKey, sortKey);
    else this.#store.writeItem(this.#tableId, partitionKey, sortKey, JSON.stringify(item));
  }

  async mutateItem(key: ItemKey, decide: MutationDecider): Promise<MutationResult> {
    const partitionKey = this.#partitionBytes(key);
    const sortKey = this.#sortBytes(key);
    return this.#store.inTransaction(() => {
      const text = this.#store.readItem(this.#tableId, partitionKey, sortKey);
      const oldItem = text === undefined ? undefined : (JSON.parse(text) as Item);
      const decision = decide(oldItem);
      if (decision.kind === 'reject') throw decision.error;
      if (decision.kind === 'delete') {
        if (oldItem !== undefined) this.#store.deleteItem(this.#tableId, partitionKey, sortKey);
        return { oldItem, newItem: undefined };
      }
      assert.ok(this.#partitionBytes(decision.item).equals(partitionKey), 'a put decision must keep the partition key');
      assert.ok(this.#sortBytes(decision.item).equals(sortKey), 'a put decision must keep the sort key');
      this.#store.writeItem(this.#tableId, partitionKey, sortKey, JSON.stringify(decision.item));
      return { oldItem, newItem: decision.item };
    });
  }

  async query(request: QueryRequest): Promise<ItemPage> {
    const sortKey = this.schema.sortKey;
    const bounds: SortKeyBound[] = [];
    if (request.sortKeyCondition !== undefined) {
      assert.ok(sortKey !== undefined, 'a sort key condition needs a sort key');
      bounds.push(...this.#boundsOf(request.sortKeyCondition));
    }
    if (request.exclusiveStartKey !== undefined && sortKey !== undefined) {
      bounds.push({ operator: request.forward ? '>' : '<', value: this.#sortBytes(request.exclusiveStartKey) });
    }
    if (request.exclusiveStartKey !== undefined && sortKey === undefined) return { items: [] };
    const rows = this.#store.partitionItems({
      tableId: this.#tableId,
      partitionKey: encodeKeyValue(this.schema.partitionKey.type, payloadOf(request.partitionKey) as string),
      bounds,
      descending: !request.forward,
      rowsMax: rowsToFetch(request.limit),
    });
    return this.#page(rows, request.limit);
  }

  async scan(request: ScanRequest): Promise<ItemPage> {
    const start = request.exclusiveStartKey;
    const rows = this.#store.tableItems({
      tableId: this.#tableId,
      ...(start === undefined ? {} : { after: { partitionKey: this.#partitionBytes(start), sortKey: this.#sortBytes(start) } }),
      rowsMax: rowsToFetch(request.limit),
    });
    return this.#page(rows, request.limit);
  }

  /** Items in the table (for DescribeTable's ItemCount). */
  itemCount(): number {
    return this.#store.countItems(this.#tableId);
  }

  /**
   * Reads rows until the limit or the page's byte budget is spent. One row past the limit is fetched so
   * that the last page carries no LastEvaluatedKey (DynamoDB may send one and then an empty page;
   * both are correct, this saves clients a round trip).
   */
  #page(rows: IterableIterator<string>, limit: number | undefined): ItemPage {
    const items: Item[] = [];
    let bytes = 0;
    let truncated = false;
    for (const text of rows) {
      if ((limit !== undefined && items.length >= limit) || bytes >= PAGE_BYTES_MAX) {
        truncated = true;
        break;
      }
      items.push(JSON.parse(text) as Item);
      bytes += text.length;
    }
    if (!truncated) return { items };
    return { items, lastEvaluatedKey: keyOfItem(items[items.length - 1]!, this.schema) };
  }

  #boundsOf(condition: SortKeyCondition): SortKeyBound[] {
    const encode = (value: AttributeValue): Buffer => encodeKeyValue(this.schema.sortKey!.type, payloadOf(value) as string);
    switch (condition.kind) {
      case '=':
        return [{ operator: '>=', value: encode(condition.value) }, { operator: '<=', value: encode(condition.value) }];
      case '<':
      case '<=':
      case '>':
      case '>=':
        return [{ operator: condition.kind, value: encode(condition.value) }];
      case 'between':
        return [{ operator: '>=', value: encode(condition.low) }, { operator: '<=', value: encode(condition.high) }];
      case 'begins_with': {
        const prefix = encode(condition.prefix);
        const upper = prefixUpperBound(prefix);
        return upper === undefined ? [{ operator: '>=', value: prefix }] : [{ operator: '>=', value: prefix }, { operator: '<', value: upper }];
      }
    }
  }

  #partitionBytes(key: Item): Buffer {
    const { name, type } = this.schema.partitionKey;
    return encodeKeyValue(type, payloadOf(key[name]!) as string);
  }

  #sortBytes(key: Item): Buffer {
    const sortKey = this.schema.sortKey;
    if (sortKey === undefined) return NO_SORT_KEY;
    return encodeKeyValue(sortKey.type, payloadOf(key[sortKey.name]!) as string);
  }
}

function rowsToFetch(limit: number | undefined): number {
  return limit === undefined ? PAGE_ROWS_MAX : limit + 1;
}
