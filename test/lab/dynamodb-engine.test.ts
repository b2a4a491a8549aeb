import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startDataNode, type DataNode } from '../../src/lab/data/data-node-server.ts';
import { LocalTableEngine } from '../../src/lab/data/local-table-engine.ts';
import { SqliteStore } from '../../src/lab/data/storage/sqlite-store.ts';
import type { ItemKey, Item } from '../../src/lab/data/values/attribute-value.ts';
import type { MutationDecider, QueryRequest, ScanRequest, ReadOptions, TableEngine, TableSchema } from '../../src/lab/data/table-engine.ts';
import { ConditionalCheckFailedError } from '../../src/lab/data/dynamodb/dynamodb-errors.ts';
import { ReplicatedWriteConflictError } from '../../src/core/replication/replication-errors.ts';
import { ResidencyViolation } from '../../src/core/residency/residency-violation.ts';

// The TableEngine seam: every operation reaches storage through it, engines may throw typed errors
// that the shell answers the AWS way, and the local engine's read-modify-write is atomic.

const scratch = mkdtempSync(join(tmpdir(), 'meridian-dynamodb-engine-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function clientFor(url: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

async function createTable(client: DynamoDBClient, tableName: string, sortKey = false): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(sortKey ? [{ AttributeName: 'sk', AttributeType: 'N' as const }] : [])],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Delegates to the local engine, records each call, and fails on chosen partition keys the way a replicated engine would. */
class ScriptedEngine implements TableEngine {
  readonly calls: string[] = [];
  readonly schema: TableSchema;
  readonly #local: LocalTableEngine;

  constructor(local: LocalTableEngine) {
    this.#local = local;
    this.schema = local.schema;
  }

  async getItem(key: ItemKey, options: ReadOptions): Promise<Item | undefined> {
    this.calls.push('getItem');
    failFor(key);
    return this.#local.getItem(key, options);
  }

  async query(request: QueryRequest) {
    this.calls.push('query');
    return this.#local.query(request);
  }

  async scan(request: ScanRequest) {
    this.calls.push('scan');
    return this.#local.scan(request);
  }

  async mutateItem(key: ItemKey, decide: MutationDecider) {
    this.calls.push('mutateItem');
    failFor(key);
    return this.#local.mutateItem(key, decide);
  }
}

function failFor(key: ItemKey): void {
  const partition = (key.pk as { S: string }).S;
  if (partition === 'conflict') throw new ReplicatedWriteConflictError(partition, 'eu-west-1');
  if (partition === 'residency') {
    throw new ResidencyViolation({
      kind: 'residency-denied',
      atMs: 0,
      action: 'store',
      dataClass: 'patients',
      region: 'us-east-1',
      sourceRegion: undefined,
      itemKey: partition,
      zone: 'eu',
      zoneRegions: ['eu-west-1', 'eu-central-1'],
      reason: 'region-outside-zone',
    });
  }
  if (partition === 'bug') throw new TypeError('an engine bug');
}

describe('engines plugged in through engineFor', () => {
  let node: DataNode;
  let client: DynamoDBClient;
  const engines = new Map<string, ScriptedEngine>();
  const internalErrors: unknown[] = [];

  before(async () => {
    node = await startDataNode({
      dbPath: join(scratch, 'scripted.db'),
      region: 'us-east-1',
      engineFor: (schema, local) => {
        const engine = new ScriptedEngine(local);
        engines.set(schema.tableName, engine);
        return engine;
      },
      onInternalError: (error) => internalErrors.push(error),
    });
    client = clientFor(node.url);
  });

  after(async () => {
    client.destroy();
    await node.close();
  });

  test('every item operation reaches storage through the table engine', async () => {
    await createTable(client, 'routed', true);
    const engine = engines.get('routed')!;
    const key = { pk: { S: 'a' }, sk: { N: '1' } };
    const expected: [() => Promise<unknown>, string[]][] = [
      [() => client.send(new PutItemCommand({ TableName: 'routed', Item: key })), ['mutateItem']],
      [() => client.send(new UpdateItemCommand({ TableName: 'routed', Key: key, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '1' } } })), ['mutateItem']],
      [() => client.send(new GetItemCommand({ TableName: 'routed', Key: key })), ['getItem']],
      [() => client.send(new QueryCommand({ TableName: 'routed', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'a' } } })), ['query']],
      [() => client.send(new ScanCommand({ TableName: 'routed' })), ['scan']],
      [() => client.send(new BatchGetItemCommand({ RequestItems: { routed: { Keys: [key, { pk: { S: 'b' }, sk: { N: '2' } }] } } })), ['getItem', 'getItem']],
      [
        () => client.send(new BatchWriteItemCommand({ RequestItems: { routed: [{ PutRequest: { Item: { pk: { S: 'c' }, sk: { N: '3' } } } }, { DeleteRequest: { Key: key } }] } })),
        ['mutateItem', 'mutateItem'],
      ],
      [() => client.send(new DeleteItemCommand({ TableName: 'routed', Key: key })), ['mutateItem']],
    ];
    for (const [run, calls] of expected) {
      engine.calls.length = 0;
      await run();
      assert.deepEqual(engine.calls, calls);
    }
  });

  test('typed engine errors become AWS errors; anything else is a 500 InternalServerError', async () => {
    await createTable(client, 'failing');
    const put = (partition: string) => client.send(new PutItemCommand({ TableName: 'failing', Item: { pk: { S: partition } } }));
    const conflict = await put('conflict').then(
      () => assert.fail('expected a conflict'),
      (error: Error & { $metadata: { httpStatusCode: number } }) => error,
    );
    assert.equal(conflict.name, 'ReplicatedWriteConflictException');
    assert.equal(conflict.$metadata.httpStatusCode, 400);
    assert.match(conflict.message, /being modified by a request in another Region/);
    const denied = await client.send(new GetItemCommand({ TableName: 'failing', Key: { pk: { S: 'residency' } } })).then(
      () => assert.fail('expected a residency denial'),
      (error: Error & { $metadata: { httpStatusCode: number } }) => error,
    );
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.$metadata.httpStatusCode, 400);
    assert.match(denied.message, /residency: patients may not be stored in us-east-1/);
    const bug = await put('bug').then(
      () => assert.fail('expected an internal error'),
      (error: Error & { $metadata: { httpStatusCode: number } }) => error,
    );
    assert.equal(bug.name, 'InternalServerError');
    assert.equal(bug.$metadata.httpStatusCode, 500);
    assert.equal(bug.message, 'Internal server error', 'internals are not leaked');
    assert.equal(internalErrors.length, 1);
    assert.match(String(internalErrors[0]), /an engine bug/);
  });
});

describe('the local engine', () => {
  test('concurrent read-modify-writes are atomic: no lost increment, one winner of a race', async () => {
    const node = await startDataNode({ dbPath: join(scratch, 'atomic.db'), region: 'us-east-1' });
    const client = clientFor(node.url);
    try {
      await createTable(client, 'counters');
      const increments = 50;
      await Promise.all(
        Array.from({ length: increments }, () =>
          client.send(new UpdateItemCommand({ TableName: 'counters', Key: { pk: { S: 'c' } }, UpdateExpression: 'ADD hits :one', ExpressionAttributeValues: { ':one': { N: '1' } } })),
        ),
      );
      const counter = await client.send(new GetItemCommand({ TableName: 'counters', Key: { pk: { S: 'c' } } }));
      assert.deepEqual(counter.Item?.hits, { N: String(increments) });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, writer) =>
          client.send(new PutItemCommand({ TableName: 'counters', Item: { pk: { S: 'race' }, writer: { N: String(writer) } }, ConditionExpression: 'attribute_not_exists(pk)' })),
        ),
      );
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assert.equal((outcome.reason as Error).name, 'ConditionalCheckFailedException');
      }
    } finally {
      client.destroy();
      await node.close();
    }
  });

  test('mutateItem returns old and new images; a rejected decision writes nothing', async () => {
    const store = new SqliteStore(join(scratch, 'direct.db'));
    try {
      const schema: TableSchema = { tableName: 'direct', partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'N' } };
      const tableId = store.insertTable('direct', '{}')!;
      const engine = new LocalTableEngine(store, tableId, schema);
      const key = { pk: { S: 'k' }, sk: { N: '1' } };
      const created = await engine.mutateItem(key, (current) => {
        assert.equal(current, undefined);
        return { kind: 'put', item: { ...key, v: { S: 'one' } } };
      });
      assert.deepEqual(created, { oldItem: undefined, newItem: { ...key, v: { S: 'one' } } });
      await assert.rejects(
        engine.mutateItem(key, () => ({ kind: 'reject', error: new ConditionalCheckFailedError(undefined) })),
        (error: Error) => error instanceof ConditionalCheckFailedError,
      );
      await assert.rejects(engine.mutateItem(key, (current) => ({ kind: 'put', item: { ...current, sk: { N: '2' } } })), /must keep the sort key/);
      assert.deepEqual(await engine.getItem({ pk: { S: 'k' }, sk: { N: '1.00' } }, { consistentRead: true }), { ...key, v: { S: 'one' } });
      const deleted = await engine.mutateItem(key, () => ({ kind: 'delete' }));
      assert.deepEqual(deleted, { oldItem: { ...key, v: { S: 'one' } }, newItem: undefined });
      assert.equal(engine.itemCount(), 0);
    } finally {
      store.close();
    }
  });
});
