import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from './storage/sqlite-store.ts';
import { TableCatalog, type EngineFactory, type TableGuard } from './dynamodb/table-catalog.ts';
import { createDynamoDbHandler } from './dynamodb/dynamodb-http-shell.ts';
import { closeServer, listen } from '../http-listen.ts';

/**
 * A DynamoDB-compatible data node: one SQLite file, one HTTP/1.1 endpoint that the AWS SDKs and CLI
 * talk to unchanged (set the endpoint to `url`). Single region: replication is an engine concern,
 * plugged in through `engineFor`.
 */
export interface DataNodeOptions {
  /** The node's SQLite file; created when missing, reopened with its tables and items otherwise. */
  readonly dbPath: string;
  /** The AWS region the node answers as (table ARNs, health answer). */
  readonly region: string;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** The engine of each table. @default the table's LocalTableEngine on this node's SQLite file */
  readonly engineFor?: EngineFactory;
  /** Refuses tables this node may not hold or serve (residency). @default every table allowed */
  readonly tableGuard?: TableGuard;
  /** Largest request body accepted. @default 16 MiB (DynamoDB's request limit) */
  readonly requestBytesMax?: number;
  /** Told about every internal error (answered as a 500 InternalServerError). @default log to stderr */
  readonly onInternalError?: (error: unknown) => void;
}

export interface DataNode {
  /** `http://host:port`, the endpoint to give an AWS SDK client. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, ends open connections and closes the SQLite file. */
  close(): Promise<void>;
}

export const REQUEST_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;

export async function startDataNode(options: DataNodeOptions): Promise<DataNode> {
  const store = new SqliteStore(options.dbPath);
  const catalog = new TableCatalog(store, options.engineFor, options.tableGuard);
  const handler = createDynamoDbHandler({
    context: { catalog, region: options.region, nowMs: () => Date.now() },
    requestBytesMax: options.requestBytesMax ?? REQUEST_BYTES_MAX_DEFAULT,
    onInternalError: options.onInternalError ?? ((error) => console.error('data node internal error:', error)),
  });
  const server = createServer(handler);
  const host = options.host ?? '127.0.0.1';
  try {
    await listen(server, host, options.port ?? 0);
  } catch (error) {
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => closeServer(server).finally(() => store.close()),
  };
}
