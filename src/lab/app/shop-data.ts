import { Agent } from 'node:http';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AppDataClass } from './app-environment.ts';
import { AppRequestError, appErrorFromDataError } from './app-errors.ts';

/**
 * The sample shop's access to its regional data node through the real AWS SDK. One attempt per call
 * (`maxAttempts: 1`): a retry would hide from the load generator the very failures a lab run is about.
 * Every data-class table has the lab's generic key: pk (S) = the item key, sk (S) = 'item'; the item's
 * payload is the string attribute `value`.
 */
export interface ShopDataOptions {
  readonly region: string;
  readonly endpointUrl: string;
  readonly dataClasses: readonly AppDataClass[];
  /** A data call that has not answered in this long fails (504 DataNodeTimeout). @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Connecting to the data node may take this long. @default 1000 */
  readonly connectTimeoutMs?: number;
  /** Concurrent connections to the data node. @default 256 */
  readonly socketsMax?: number;
}

export interface ShopItem {
  readonly key: string;
  readonly value: string | null;
  readonly found: boolean;
}

const SORT_KEY_VALUE = 'item';

/** The writer a NotPrimaryException names: "… is a read-only secondary; the writer is us-east-1 (epoch 2)". */
const WRITER_NAMED = /the writer is ([a-z0-9-]+)/;

export class ShopData {
  private readonly client: DynamoDBClient;
  private readonly agent: Agent;
  private readonly classes: ReadonlyMap<string, AppDataClass>;
  /** One SDK client per data endpoint: the regional node, or another region's through its link. */
  private readonly clients = new Map<string, DynamoDBClient>();
  /** Per single-writer class, the writer's endpoint as last learned from a NotPrimaryException. */
  private readonly writers = new Map<string, string>();

  constructor(private readonly options: ShopDataOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.socketsMax ?? 256 });
    this.client = this.clientFor(options.endpointUrl);
    this.classes = new Map(options.dataClasses.map((dataClass) => [dataClass.name, dataClass]));
  }

  private clientFor(endpointUrl: string): DynamoDBClient {
    let client = this.clients.get(endpointUrl);
    if (client === undefined) {
      client = new DynamoDBClient({
        endpoint: endpointUrl,
        region: this.options.region,
        credentials: { accessKeyId: 'meridian', secretAccessKey: 'meridian' },
        maxAttempts: 1,
        requestHandler: {
          httpAgent: this.agent,
          connectionTimeout: this.options.connectTimeoutMs ?? 1000,
          requestTimeout: this.options.requestTimeoutMs ?? 5000,
          throwOnRequestTimeout: true,
        },
      });
      this.clients.set(endpointUrl, client);
    }
    return client;
  }

  get classNames(): string[] {
    return [...this.classes.keys()];
  }

  has(dataClass: string): boolean {
    return this.classes.has(dataClass);
  }

  /** A cheap call that the data node answers only when it can serve: DescribeTable of one class, else ListTables. */
  async ping(timeoutMs: number): Promise<void> {
    const first = this.classNames[0];
    const command = first === undefined ? new ListTablesCommand({ Limit: 1 }) : new DescribeTableCommand({ TableName: first });
    try {
      await this.client.send(command as DescribeTableCommand, { abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw appErrorFromDataError(error);
    }
  }

  /**
   * Reads where the lab says; when that data node cannot be reached (its region is down) and the class
   * has replicas elsewhere, the next one in `fallbackEndpointUrls` (nearest first), as an application
   * whose remote replica fails would read another.
   */
  async read(dataClass: string, key: string): Promise<ShopItem> {
    const found = this.classOf(dataClass);
    const first = found.endpointUrl ?? this.options.endpointUrl;
    const endpoints = [first, ...(found.fallbackEndpointUrls ?? []).filter((url) => url !== first)];
    let lastError: unknown;
    for (const endpointUrl of endpoints) {
      try {
        const answer = await this.clientFor(endpointUrl).send(
          new GetItemCommand({ TableName: dataClass, Key: { pk: { S: key }, sk: { S: SORT_KEY_VALUE } }, ConsistentRead: found.consistentReads }),
        );
        const value = answer.Item?.value?.S;
        return { key, value: value ?? null, found: answer.Item !== undefined };
      } catch (error) {
        lastError = error;
        const mapped = appErrorFromDataError(error);
        if (mapped.errorName !== 'DataNodeUnreachable' && mapped.errorName !== 'DataNodeTimeout') throw mapped;
      }
    }
    throw appErrorFromDataError(lastError);
  }

  /**
   * Writes at the class's writer. A single-writer class whose writer moved (a switchover or failover)
   * answers NotPrimaryException naming the new writer: the write is sent there once, and the writer is
   * remembered, as an application following Aurora's global writer endpoint would.
   */
  async write(dataClass: string, key: string, value: string): Promise<void> {
    const found = this.classOf(dataClass);
    const put = (endpointUrl: string) =>
      this.clientFor(endpointUrl).send(new PutItemCommand({ TableName: dataClass, Item: { pk: { S: key }, sk: { S: SORT_KEY_VALUE }, value: { S: value } } }));
    const endpointUrl = this.writers.get(dataClass) ?? found.writeEndpointUrl ?? found.endpointUrl ?? this.options.endpointUrl;
    try {
      await put(endpointUrl);
    } catch (error) {
      const writer = (error as Error).name === 'NotPrimaryException' ? WRITER_NAMED.exec((error as Error).message)?.[1] : undefined;
      const writerUrl = writer === undefined ? undefined : found.endpoints?.[writer];
      if (writerUrl === undefined || writerUrl === endpointUrl) throw appErrorFromDataError(error);
      this.writers.set(dataClass, writerUrl);
      try {
        await put(writerUrl);
      } catch (retried) {
        throw appErrorFromDataError(retried);
      }
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.agent.destroy();
  }

  private classOf(dataClass: string): AppDataClass {
    const found = this.classes.get(dataClass);
    if (found === undefined) throw unknownDataClass(dataClass, this.classNames);
    return found;
  }
}

export function unknownDataClass(dataClass: string, known: readonly string[]): AppRequestError {
  const here = known.length === 0 ? 'none' : known.join(', ');
  return new AppRequestError(404, 'UnknownDataClass', `no data class '${dataClass}' in this region (data classes here: ${here})`);
}
