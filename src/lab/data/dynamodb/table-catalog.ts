import { LocalTableEngine } from '../local-table-engine.ts';
import type { SqliteStore } from '../storage/sqlite-store.ts';
import type { KeyAttributeType } from '../values/attribute-value.ts';
import type { TableEngine, TableSchema } from '../table-engine.ts';
import { ResourceNotFoundError } from './dynamodb-errors.ts';

/** The parts of DynamoDB's TableDescription that a table keeps for its life, as stored in the catalog. */
export interface StoredTableDescription {
  readonly TableName: string;
  readonly TableId: string;
  readonly TableArn: string;
  readonly CreationDateTime: number;
  readonly KeySchema: readonly { readonly AttributeName: string; readonly KeyType: 'HASH' | 'RANGE' }[];
  readonly AttributeDefinitions: readonly { readonly AttributeName: string; readonly AttributeType: KeyAttributeType }[];
  readonly BillingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  readonly ProvisionedThroughput?: { readonly ReadCapacityUnits: number; readonly WriteCapacityUnits: number };
}

/**
 * Chooses the engine of a table. The default keeps items in the node's SQLite file (`local`); a
 * replicated engine typically wraps `local` and adds its log, peers and rules.
 */
export type EngineFactory = (table: TableSchema, local: LocalTableEngine) => TableEngine;

/**
 * Asked before a table is created, described or used: throws an AWS-shaped error (the region process
 * throws core/residency's ResidencyViolation, AccessDeniedException) when this node may not hold or serve it.
 */
export type TableGuard = (tableName: string, action: 'store' | 'serve') => void;

export interface CatalogTable {
  readonly description: StoredTableDescription;
  readonly schema: TableSchema;
  readonly engine: TableEngine;
  readonly local: LocalTableEngine;
  readonly tableId: number;
}

/**
 * The tables of one data node: their descriptions (persisted in the store) and their engines. Tables
 * are ACTIVE as soon as they are created and gone as soon as they are deleted (DynamoDB passes through
 * CREATING and DELETING for seconds; a lab node has nothing to provision).
 */
export class TableCatalog {
  readonly #store: SqliteStore;
  readonly #engineFor: EngineFactory;
  readonly #tables = new Map<string, CatalogTable>();
  readonly #guard: TableGuard;

  constructor(store: SqliteStore, engineFor: EngineFactory = (_table, local) => local, guard: TableGuard = () => {}) {
    this.#store = store;
    this.#engineFor = engineFor;
    this.#guard = guard;
    for (const record of store.tables()) {
      this.#open(record.tableId, JSON.parse(record.descriptionJson) as StoredTableDescription);
    }
  }

  /** The table, or ResourceNotFoundException in DynamoDB's words for data operations. */
  require(name: string, action: 'store' | 'serve' = 'serve'): CatalogTable {
    this.#guard(name, action);
    const table = this.#tables.get(name);
    if (table === undefined) throw new ResourceNotFoundError('Requested resource not found');
    return table;
  }

  find(name: string): CatalogTable | undefined {
    this.#guard(name, 'serve');
    return this.#tables.get(name);
  }

  /** Table names in ascending order. */
  names(): string[] {
    return [...this.#tables.keys()].sort();
  }

  /** Creates the table; undefined when one of that name exists. */
  create(description: StoredTableDescription): CatalogTable | undefined {
    this.#guard(description.TableName, 'store');
    if (this.#tables.has(description.TableName)) return undefined;
    const tableId = this.#store.insertTable(description.TableName, JSON.stringify(description));
    if (tableId === undefined) return undefined;
    return this.#open(tableId, description);
  }

  /** Deletes the table and its items; undefined when there is none. */
  delete(name: string): CatalogTable | undefined {
    const table = this.#tables.get(name);
    if (table === undefined) return undefined;
    this.#store.deleteTable(table.tableId);
    this.#tables.delete(name);
    return table;
  }

  #open(tableId: number, description: StoredTableDescription): CatalogTable {
    const schema = schemaOf(description);
    const local = new LocalTableEngine(this.#store, tableId, schema);
    const table: CatalogTable = { description, schema, engine: this.#engineFor(schema, local), local, tableId };
    this.#tables.set(description.TableName, table);
    return table;
  }
}

function schemaOf(description: StoredTableDescription): TableSchema {
  const typeOf = (name: string): KeyAttributeType =>
    description.AttributeDefinitions.find((definition) => definition.AttributeName === name)!.AttributeType;
  const hash = description.KeySchema.find((element) => element.KeyType === 'HASH')!;
  const range = description.KeySchema.find((element) => element.KeyType === 'RANGE');
  return {
    tableName: description.TableName,
    partitionKey: { name: hash.AttributeName, type: typeOf(hash.AttributeName) },
    ...(range === undefined ? {} : { sortKey: { name: range.AttributeName, type: typeOf(range.AttributeName) } }),
  };
}
