import type { AttributeValue, Item, ItemKey, KeyAttributeType } from './values/attribute-value.ts';

/**
 * The one door between the DynamoDB API and wherever a table's items live. Every operation reaches
 * storage through it: reads through `getItem`, `query` and `scan`, every write (PutItem, UpdateItem,
 * DeleteItem, each request of BatchWriteItem) through the single primitive `mutateItem`.
 *
 * The API layer validates requests, evaluates expressions and shapes answers; it never learns how an
 * engine persists. `LocalTableEngine` keeps items in this node's SQLite file. A replicated engine
 * (multi-writer last-writer-wins, single writer, strongly consistent quorum) implements the same
 * interface — typically around a `LocalTableEngine` — and may throw typed errors that carry an AWS error
 * name and status (`awsType`, `httpStatus`, e.g. core/replication's ReplicatedWriteConflictError,
 * core/residency's ResidencyViolation → AccessDeniedException); the HTTP shell answers them as such.
 */
export interface TableEngine {
  readonly schema: TableSchema;
  /** The item with this key (the key attributes only, as validated by the API), or undefined. */
  getItem(key: ItemKey, options: ReadOptions): Promise<Item | undefined>;
  /** Items of one partition in sort key order, one page at a time. */
  query(request: QueryRequest): Promise<ItemPage>;
  /** Items of the whole table in the engine's stable order, one page at a time. */
  scan(request: ScanRequest): Promise<ItemPage>;
  /**
   * Reads the item with `key`, asks `decide` what to do with it, and applies the decision, atomically:
   * no other write to that item lands between the read and the write. `decide` must be a pure function
   * of the current item (condition and update evaluation): an engine may call it more than once (for
   * example again after losing an optimistic race) and keeps only the last decision.
   * Resolves to the item before and after; rejects with the decision's error on 'reject' (nothing is
   * written), or with an engine error (replication conflict, residency, …).
   */
  mutateItem(key: ItemKey, decide: MutationDecider): Promise<MutationResult>;
}

export interface TableSchema {
  readonly tableName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

export interface ReadOptions {
  /** DynamoDB's ConsistentRead: true asks for the latest acknowledged write; a local engine is always consistent. */
  readonly consistentRead: boolean;
}

export type MutationDecider = (current: Item | undefined) => MutationDecision;

export type MutationDecision =
  /** Store `item` (whose key attributes equal the mutated key). */
  | { readonly kind: 'put'; readonly item: Item }
  /** Remove the item (nothing happens when there is none). */
  | { readonly kind: 'delete' }
  /** Write nothing and fail the mutation with `error` (a failed condition, an invalid update). */
  | { readonly kind: 'reject'; readonly error: Error };

export interface MutationResult {
  readonly oldItem: Item | undefined;
  readonly newItem: Item | undefined;
}

/** A condition on the sort key, as a Query's KeyConditionExpression allows. */
export type SortKeyCondition =
  | { readonly kind: '=' | '<' | '<=' | '>' | '>='; readonly value: AttributeValue }
  | { readonly kind: 'between'; readonly low: AttributeValue; readonly high: AttributeValue }
  | { readonly kind: 'begins_with'; readonly prefix: AttributeValue };

export interface PageRequest extends ReadOptions {
  /** Items to read at most (before any filter); undefined reads until the page's byte limit. */
  readonly limit?: number;
  /** Continue after this key (a LastEvaluatedKey from an earlier page). */
  readonly exclusiveStartKey?: ItemKey;
}

export interface QueryRequest extends PageRequest {
  readonly partitionKey: AttributeValue;
  readonly sortKeyCondition?: SortKeyCondition;
  /** DynamoDB's ScanIndexForward: ascending sort key order when true. */
  readonly forward: boolean;
}

export type ScanRequest = PageRequest;

export interface ItemPage {
  readonly items: readonly Item[];
  /** The key of the last item read when more items may follow; undefined when the read is complete. */
  readonly lastEvaluatedKey?: ItemKey;
}

/**
 * DynamoDB stops a Query or Scan page after 1 MB of data read ("A single Query operation can retrieve
 * a maximum of 1 MB of data"): https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
 */
export const PAGE_BYTES_MAX = 1024 * 1024;

/** The key attributes of an item under a schema. */
export function keyOfItem(item: Item, schema: TableSchema): ItemKey {
  const key: Record<string, AttributeValue> = { [schema.partitionKey.name]: item[schema.partitionKey.name]! };
  if (schema.sortKey !== undefined) key[schema.sortKey.name] = item[schema.sortKey.name]!;
  return key;
}
