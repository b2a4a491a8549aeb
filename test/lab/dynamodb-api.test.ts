import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { startDataNode, type DataNode } from '../../src/lab/data/data-node-server.ts';

// Every operation of the data node driven through the real AWS SDK client, as an application would:
// the endpoint is the node's loopback URL, the credentials are dummies (signatures are not checked).

type Item = Record<string, AttributeValue>;

const scratch = mkdtempSync(join(tmpdir(), 'meridian-dynamodb-api-'));
let node: DataNode;
let client: DynamoDBClient;
let tableCounter = 0;

function clientFor(url: string): DynamoDBClient {
  // One attempt: a test must see the first answer, not a retried one.
  return new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

before(async () => {
  node = await startDataNode({ dbPath: join(scratch, 'api.db'), region: 'us-east-1' });
  client = clientFor(node.url);
});

after(async () => {
  client.destroy();
  await node.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh table per test, so that tests do not see each other's items. */
async function createTable(sortKey?: { name: string; type: 'S' | 'N' | 'B' }, partitionType: 'S' | 'N' | 'B' = 'S'): Promise<string> {
  const tableName = `table-${++tableCounter}`;
  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : [])],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: partitionType }, ...(sortKey ? [{ AttributeName: sortKey.name, AttributeType: sortKey.type }] : [])],
    BillingMode: 'PAY_PER_REQUEST',
  };
  await client.send(new CreateTableCommand(input));
  return tableName;
}

interface ServiceError extends Error {
  $metadata: { httpStatusCode?: number };
  Item?: Item;
}

/** Awaits a rejection with the given AWS error name (and message pattern); returns the error. */
async function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    const serviceError = error as ServiceError;
    assert.equal(serviceError.name, name, `expected ${name}, got ${serviceError.name}: ${serviceError.message}`);
    if (message !== undefined) assert.match(serviceError.message, message);
    return serviceError;
  }
  assert.fail(`expected ${name}, but the request succeeded`);
}

async function put(tableName: string, item: Item): Promise<void> {
  await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
}

async function get(tableName: string, key: Item): Promise<Item | undefined> {
  return (await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

describe('tables', () => {
  test('CreateTable, DescribeTable, DeleteTable: lifecycle and answers', async () => {
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'lifecycle',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
      }),
    );
    assert.equal(created.TableDescription?.TableStatus, 'ACTIVE');
    assert.equal(created.TableDescription?.TableArn, 'arn:aws:dynamodb:us-east-1:000000000000:table/lifecycle');
    assert.ok(created.TableDescription?.CreationDateTime instanceof Date);
    await put('lifecycle', { pk: { S: 'a' }, sk: { N: '1' } });
    const described = await client.send(new DescribeTableCommand({ TableName: 'lifecycle' }));
    assert.deepEqual(described.Table?.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    assert.equal(described.Table?.ProvisionedThroughput?.WriteCapacityUnits, 7);
    assert.equal(described.Table?.ItemCount, 1);
    const deleted = await client.send(new DeleteTableCommand({ TableName: 'lifecycle' }));
    assert.equal(deleted.TableDescription?.TableStatus, 'DELETING');
    await rejectsWith(client.send(new DescribeTableCommand({ TableName: 'lifecycle' })), 'ResourceNotFoundException', /Table: lifecycle not found/);
    await rejectsWith(client.send(new DeleteTableCommand({ TableName: 'lifecycle' })), 'ResourceNotFoundException');
  });

  test('a table created again after deletion starts empty', async () => {
    const input: CreateTableCommandInput = {
      TableName: 'reborn',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    await client.send(new CreateTableCommand(input));
    await put('reborn', { pk: { S: 'old' } });
    await rejectsWith(client.send(new CreateTableCommand(input)), 'ResourceInUseException', /Table already exists: reborn/);
    await client.send(new DeleteTableCommand({ TableName: 'reborn' }));
    await client.send(new CreateTableCommand(input));
    assert.equal(await get('reborn', { pk: { S: 'old' } }), undefined);
  });

  test('CreateTable refuses bad key schemas, billing and names with ValidationException', async () => {
    const base = { TableName: 'bad-table', BillingMode: 'PAY_PER_REQUEST' as const };
    const cases: [CreateTableCommandInput, RegExp][] = [
      [{ ...base, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'other', AttributeType: 'S' }] }, /not defined in AttributeDefinitions/],
      [{ ...base, KeySchema: [{ AttributeName: 'pk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }, /not a HASH key type/],
      [
        { ...base, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'x', AttributeType: 'S' }] },
        /does not exactly match/,
      ],
      [{ TableName: 'bad-table', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }, /must both be specified/],
      [{ ...base, TableName: 'x!', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }, /at 'tableName' failed to satisfy constraint/],
    ];
    for (const [input, message] of cases) await rejectsWith(client.send(new CreateTableCommand(input)), 'ValidationException', message);
  });

  test('ListTables pages through every table with Limit and LastEvaluatedTableName', async () => {
    const own = await startDataNode({ dbPath: join(scratch, 'list-tables.db'), region: 'eu-west-1' });
    const ownClient = clientFor(own.url);
    try {
      const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
      for (const name of [...names].reverse()) {
        await ownClient.send(
          new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
        );
      }
      const pages: string[][] = [];
      let start: string | undefined;
      for (let page = 0; page < 10; page++) {
        const answer = await ownClient.send(new ListTablesCommand({ Limit: 2, ...(start === undefined ? {} : { ExclusiveStartTableName: start }) }));
        pages.push(answer.TableNames ?? []);
        start = answer.LastEvaluatedTableName;
        if (start === undefined) break;
      }
      assert.deepEqual(pages, [['alpha', 'bravo'], ['charlie', 'delta'], ['echo']]);
      assert.deepEqual((await ownClient.send(new ListTablesCommand({}))).TableNames, names);
      await rejectsWith(ownClient.send(new ListTablesCommand({ Limit: 101 })), 'ValidationException', /less than or equal to 100/);
    } finally {
      ownClient.destroy();
      await own.close();
    }
  });
});

describe('PutItem, GetItem, DeleteItem', () => {
  test('every attribute type round-trips; numbers come back canonical', async () => {
    const tableName = await createTable();
    const item: Item = {
      pk: { S: 'all-types' },
      string: { S: 'héllo 😀' },
      empty: { S: '' },
      number: { N: '-0012.500' },
      big: { N: '12345678901234567890123456789012345678' },
      tiny: { N: '1E-130' },
      binary: { B: new Uint8Array([0, 1, 254, 255]) },
      yes: { BOOL: true },
      nothing: { NULL: true },
      map: { M: { inner: { L: [{ N: '1' }, { S: 'x' }, { M: {} }] } } },
      strings: { SS: ['b', 'a'] },
      numbers: { NS: ['10', '2.50'] },
      binaries: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
    };
    await put(tableName, item);
    const stored = await get(tableName, { pk: { S: 'all-types' } });
    assert.ok(stored);
    assert.deepEqual(stored.string, { S: 'héllo 😀' });
    assert.deepEqual(stored.empty, { S: '' });
    assert.deepEqual(stored.number, { N: '-12.5' });
    assert.deepEqual(stored.big, { N: '12345678901234567890123456789012345678' });
    assert.equal(stored.tiny?.N, `0.${'0'.repeat(129)}1`);
    assert.deepEqual([...stored.binary!.B!], [0, 1, 254, 255]);
    assert.deepEqual(stored.yes, { BOOL: true });
    assert.deepEqual(stored.nothing, { NULL: true });
    assert.deepEqual(stored.map, item.map);
    assert.deepEqual([...stored.strings!.SS!].sort(), ['a', 'b']);
    assert.deepEqual([...stored.numbers!.NS!].sort(), ['10', '2.5']);
    assert.deepEqual(stored.binaries!.BS!.map((bytes) => [...bytes]).sort(), [[1], [2, 3]]);
  });

  test('GetItem of a missing item answers without Item; ProjectionExpression picks paths', async () => {
    const tableName = await createTable();
    assert.equal(await get(tableName, { pk: { S: 'absent' } }), undefined);
    await put(tableName, { pk: { S: 'p' }, a: { S: 'A' }, status: { S: 'on' }, m: { M: { x: { N: '1' }, y: { N: '2' } } }, l: { L: [{ S: 'l0' }, { S: 'l1' }, { S: 'l2' }] } });
    const projected = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'p' } }, ProjectionExpression: 'a, #s, m.y, l[2], l[0], nope', ExpressionAttributeNames: { '#s': 'status' } }),
    );
    assert.deepEqual(projected.Item, { a: { S: 'A' }, status: { S: 'on' }, m: { M: { y: { N: '2' } } }, l: { L: [{ S: 'l0' }, { S: 'l2' }] } });
    await rejectsWith(
      client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'p' } }, ProjectionExpression: 'status' })),
      'ValidationException',
      /Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status/,
    );
    await rejectsWith(
      client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'p' } }, ProjectionExpression: 'm, m.x' })),
      'ValidationException',
      /Two document paths overlap/,
    );
  });

  test('PutItem ReturnValues ALL_OLD, conditions and ReturnValuesOnConditionCheckFailure', async () => {
    const tableName = await createTable();
    const first = await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' }, v: { N: '1' } }, ReturnValues: 'ALL_OLD' }));
    assert.equal(first.Attributes, undefined);
    const second = await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' }, v: { N: '2' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(second.Attributes, { pk: { S: 'k' }, v: { N: '1' } });
    const failed = await rejectsWith(
      client.send(
        new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' }, v: { N: '3' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      ),
      'ConditionalCheckFailedException',
      /The conditional request failed/,
    );
    assert.equal(failed.$metadata.httpStatusCode, 400);
    assert.deepEqual(failed.Item, { pk: { S: 'k' }, v: { N: '2' } });
    const withoutOld = await rejectsWith(
      client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' } }, ConditionExpression: 'attribute_not_exists(pk)' })),
      'ConditionalCheckFailedException',
    );
    assert.equal(withoutOld.Item, undefined);
    assert.deepEqual(await get(tableName, { pk: { S: 'k' } }), { pk: { S: 'k' }, v: { N: '2' } }, 'a failed condition writes nothing');
    await rejectsWith(client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' } }, ReturnValues: 'ALL_NEW' })), 'ValidationException', /ReturnValues can only be ALL_OLD or NONE/);
  });

  test('DeleteItem returns the old item, honours conditions and ignores missing items', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    await put(tableName, { pk: { S: 'd' }, sk: { N: '1' }, v: { S: 'x' } });
    await rejectsWith(
      client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'd' }, sk: { N: '1' } }, ConditionExpression: 'v = :y', ExpressionAttributeValues: { ':y': { S: 'y' } } })),
      'ConditionalCheckFailedException',
    );
    const deleted = await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'd' }, sk: { N: '1.0' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(deleted.Attributes, { pk: { S: 'd' }, sk: { N: '1' }, v: { S: 'x' } });
    const again = await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'd' }, sk: { N: '1' } }, ReturnValues: 'ALL_OLD' }));
    assert.equal(again.Attributes, undefined);
    assert.equal(await get(tableName, { pk: { S: 'd' }, sk: { N: '1' } }), undefined);
  });

  test('keys: missing, extra, wrong types and empty strings are ValidationException', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    const mismatch = /The provided key element does not match the schema/;
    await rejectsWith(get(tableName, { pk: { S: 'a' } }), 'ValidationException', mismatch);
    await rejectsWith(get(tableName, { pk: { S: 'a' }, sk: { S: '1' } }), 'ValidationException', mismatch);
    await rejectsWith(get(tableName, { pk: { S: 'a' }, sk: { N: '1' }, extra: { S: 'x' } }), 'ValidationException', mismatch);
    await rejectsWith(put(tableName, { pk: { S: 'a' } }), 'ValidationException', /Missing the key sk in the item/);
    await rejectsWith(put(tableName, { pk: { N: '1' }, sk: { N: '1' } }), 'ValidationException', /Type mismatch for key pk expected: S actual: N/);
    await rejectsWith(put(tableName, { pk: { S: '' }, sk: { N: '1' } }), 'ValidationException', /cannot contain an empty string value/);
    await rejectsWith(put(tableName, { pk: { S: 'a' }, sk: { N: 'one' } }), 'ValidationException', /cannot be converted to a numeric value/);
    await rejectsWith(put(tableName, { pk: { S: 'a' }, sk: { N: '1' }, n: { N: '1E+126' } }), 'ValidationException', /Number overflow/);
    await rejectsWith(put(tableName, { pk: { S: 'a' }, sk: { N: '1' }, s: { SS: ['x', 'x'] } }), 'ValidationException', /contains duplicates/);
    await rejectsWith(put(tableName, { pk: { S: 'a' }, sk: { N: '1' }, s: { SS: [] } }), 'ValidationException', /may not be empty/);
  });

  test('items over 400 KB are refused; items just under are kept', async () => {
    const tableName = await createTable();
    const limit = 400 * 1024;
    const nameAndKeyBytes = 'pk'.length + 'big'.length + 'big'.length + 'blob'.length;
    await put(tableName, { pk: { S: 'big' }, blob: { S: 'x'.repeat(limit - nameAndKeyBytes) } });
    assert.equal((await get(tableName, { pk: { S: 'big' } }))?.blob?.S?.length, limit - nameAndKeyBytes);
    await rejectsWith(put(tableName, { pk: { S: 'big' }, blob: { S: 'x'.repeat(limit) } }), 'ValidationException', /Item size has exceeded the maximum allowed size/);
    await rejectsWith(
      client.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: 'big' } }, UpdateExpression: 'SET more = :v', ExpressionAttributeValues: { ':v': { S: 'y'.repeat(100) } } })),
      'ValidationException',
      /Item size to update has exceeded the maximum allowed size/,
    );
  });

  test('operations on a missing table are ResourceNotFoundException', async () => {
    const missing = 'no-such-table';
    await rejectsWith(get(missing, { pk: { S: 'a' } }), 'ResourceNotFoundException', /Requested resource not found/);
    await rejectsWith(put(missing, { pk: { S: 'a' } }), 'ResourceNotFoundException');
    await rejectsWith(client.send(new DeleteItemCommand({ TableName: missing, Key: { pk: { S: 'a' } } })), 'ResourceNotFoundException');
    await rejectsWith(client.send(new UpdateItemCommand({ TableName: missing, Key: { pk: { S: 'a' } } })), 'ResourceNotFoundException');
    await rejectsWith(client.send(new ScanCommand({ TableName: missing })), 'ResourceNotFoundException');
    await rejectsWith(
      client.send(new QueryCommand({ TableName: missing, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'a' } } })),
      'ResourceNotFoundException',
    );
  });
});

describe('condition expressions', () => {
  const subject: Item = {
    pk: { S: 'c' },
    n: { N: '5' },
    s: { S: 'hello' },
    tags: { SS: ['blue', 'red'] },
    counts: { NS: ['1', '2'] },
    seq: { L: [{ N: '1' }, { S: 'x' }] },
    doc: { M: { label: { S: 'value' }, deep: { M: { flag: { BOOL: true } } } } },
    bytes: { B: new Uint8Array([1, 2, 3]) },
    nothing: { NULL: true },
  };
  const values: Item = {
    ':one': { N: '1' },
    ':five': { N: '5.0' },
    ':ten': { N: '10' },
    ':he': { S: 'he' },
    ':ell': { S: 'ell' },
    ':red': { S: 'red' },
    ':x': { S: 'x' },
    ':value': { S: 'value' },
    ':true': { BOOL: true },
    ':typeN': { S: 'N' },
    ':typeSS': { S: 'SS' },
    ':typeNULL': { S: 'NULL' },
    ':bytes12': { B: new Uint8Array([1, 2]) },
    ':two': { N: '2' },
    ':hello': { S: 'hello' },
  };
  const cases: [string, boolean][] = [
    ['attribute_exists(n)', true],
    ['attribute_exists(absent)', false],
    ['attribute_not_exists(absent)', true],
    ['attribute_type(n, :typeN)', true],
    ['attribute_type(tags, :typeSS)', true],
    ['attribute_type(nothing, :typeNULL)', true],
    ['attribute_type(s, :typeN)', false],
    ['begins_with(s, :he)', true],
    ['begins_with(s, :ell)', false],
    ['begins_with(bytes, :bytes12)', true],
    ['contains(s, :ell)', true],
    ['contains(tags, :red)', true],
    ['contains(counts, :two)', true],
    ['contains(seq, :x)', true],
    ['contains(tags, :x)', false],
    ['size(s) = :five', true],
    ['size(tags) = :two', true],
    ['size(doc) > :one', true],
    ['n = :five', true],
    ['n <> :five', false],
    ['absent <> :five', true],
    ['n < :ten', true],
    ['n <= :five', true],
    ['n > :ten', false],
    ['n >= :five', true],
    ['s > :he', true],
    ['n BETWEEN :one AND :ten', true],
    ['n BETWEEN :one AND :two', false],
    ['n IN (:one, :five)', true],
    ['n IN (:one, :ten)', false],
    ['NOT n = :one', true],
    ['NOT (n = :five)', false],
    ['n = :one OR s = :hello', true],
    ['n = :five AND s = :he', false],
    ['(n = :one OR n = :five) AND (s = :hello)', true],
    ['n = :one OR n = :five AND s = :he', false],
    ['doc.label = :value', true],
    ['doc.deep.flag = :true', true],
    ['seq[1] = :x', true],
    ['seq[5] = :x', false],
    ['n = s', false],
  ];

  test('every operator and function, evaluated against a stored item', async () => {
    const tableName = await createTable();
    await put(tableName, subject);
    for (const [condition, expected] of cases) {
      const used = Object.fromEntries(Object.entries(values).filter(([reference]) => new RegExp(`${reference}\\b`).test(condition)));
      const request = new PutItemCommand({
        TableName: tableName,
        Item: subject,
        ConditionExpression: condition,
        ...(Object.keys(used).length > 0 ? { ExpressionAttributeValues: used } : {}),
      });
      if (expected) await client.send(request);
      else await rejectsWith(client.send(request), 'ConditionalCheckFailedException', undefined).catch((error: Error) => assert.fail(`${condition}: ${error.message}`));
    }
  });

  test('bad expressions are ValidationException with the reason', async () => {
    const tableName = await createTable();
    const cases: [string, Record<string, string> | undefined, Item | undefined, RegExp][] = [
      ['a = ', undefined, undefined, /Invalid ConditionExpression: Syntax error; token: "<EOF>"/],
      ['a == :v', undefined, { ':v': { S: 'x' } }, /Invalid ConditionExpression: Syntax error; token: "="/],
      ['(a = :v', undefined, { ':v': { S: 'x' } }, /Syntax error/],
      ['a = :v AND', undefined, { ':v': { S: 'x' } }, /Syntax error/],
      ['a @ :v', undefined, { ':v': { S: 'x' } }, /Invalid character encountered/],
      ['a = :undefined', undefined, { ':v': { S: 'x' } }, /An expression attribute value used in expression is not defined; attribute value: :undefined/],
      ['#n = :v', undefined, { ':v': { S: 'x' } }, /An expression attribute name used in the document path is not defined; attribute name: #n/],
      ['a = :v', { '#unused': 'x' }, { ':v': { S: 'x' } }, /Value provided in ExpressionAttributeNames unused in expressions: keys: \{#unused\}/],
      ['a = :v', undefined, { ':v': { S: 'x' }, ':w': { S: 'y' } }, /Value provided in ExpressionAttributeValues unused in expressions: keys: \{:w\}/],
      ['name = :v', undefined, { ':v': { S: 'x' } }, /reserved keyword: name/],
      ['frobnicate(a)', undefined, undefined, /Invalid function name; function: frobnicate/],
      ['attribute_exists(:v)', undefined, { ':v': { S: 'x' } }, /Operator or function requires a document path/],
      ['begins_with(a)', undefined, undefined, /Incorrect number of operands/],
      ['attribute_type(a, :v)', undefined, { ':v': { S: 'STRING' } }, /Invalid attribute type name found; type: STRING/],
      ['a BETWEEN :high AND :low', undefined, { ':low': { N: '1' }, ':high': { N: '9' } }, /upper bound to be greater than or equal to lower bound/],
      ['', undefined, undefined, /The expression can not be empty/],
      ['a = :v', undefined, { ':v': { N: 'not-a-number' } }, /ExpressionAttributeValues contains invalid value: .*numeric.* for key :v/],
    ];
    for (const [expression, names, expressionValues, message] of cases) {
      await rejectsWith(
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { pk: { S: 'x' } },
            ConditionExpression: expression,
            ...(names ? { ExpressionAttributeNames: names } : {}),
            ...(expressionValues ? { ExpressionAttributeValues: expressionValues } : {}),
          }),
        ),
        'ValidationException',
        message,
      );
    }
  });
});

describe('UpdateItem', () => {
  test('SET with arithmetic, if_not_exists and list_append; REMOVE; ADD and DELETE on numbers and sets', async () => {
    const tableName = await createTable();
    const key = { pk: { S: 'u' } };
    await put(tableName, { ...key, tally: { N: '10' }, seq: { L: [{ S: 'a' }] }, tags: { SS: ['a', 'b', 'c'] }, gone: { S: 'bye' }, doc: { M: { score: { N: '1' } } } });
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET tally = tally + :two, fresh = if_not_exists(fresh, :zero), seq = list_append(seq, :more), doc.score = doc.score - :two, doc.added = :zero REMOVE gone ADD amount :two, tags :d DELETE tags2 :d',
        ExpressionAttributeValues: { ':two': { N: '2' }, ':zero': { N: '0' }, ':more': { L: [{ S: 'b' }] }, ':d': { SS: ['d'] } },
      }),
    );
    const item = await get(tableName, key);
    assert.deepEqual(item?.tally, { N: '12' });
    assert.deepEqual(item?.fresh, { N: '0' });
    assert.deepEqual(item?.seq, { L: [{ S: 'a' }, { S: 'b' }] });
    assert.deepEqual(item?.doc, { M: { added: { N: '0' }, score: { N: '-1' } } });
    assert.equal(item?.gone, undefined);
    assert.deepEqual(item?.amount, { N: '2' });
    assert.deepEqual([...item!.tags!.SS!].sort(), ['a', 'b', 'c', 'd']);
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'DELETE tags :ab ADD amount :three', ExpressionAttributeValues: { ':ab': { SS: ['a', 'b', 'c', 'd'] }, ':three': { N: '-3' } } }));
    const after = await get(tableName, key);
    assert.equal(after?.tags, undefined, 'a set emptied by DELETE is removed');
    assert.deepEqual(after?.amount, { N: '-1' });
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET fresh = if_not_exists(fresh, :nine)', ExpressionAttributeValues: { ':nine': { N: '9' } } }));
    assert.deepEqual((await get(tableName, key))?.fresh, { N: '0' }, 'if_not_exists keeps an existing value');
  });

  test('numbers are exact decimals: 0.1 + 0.2 = 0.3, 38-digit integers, overflow refused', async () => {
    const tableName = await createTable();
    const key = { pk: { S: 'n' } };
    await put(tableName, { ...key, d: { N: '0.1' }, big: { N: '99999999999999999999999999999999999998' }, neg: { N: '-5.25' } });
    const answer = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET d = d + :d, big = big + :one, neg = neg - :neg',
        ExpressionAttributeValues: { ':d': { N: '0.2' }, ':one': { N: '1' }, ':neg': { N: '-0.25' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.deepEqual(answer.Attributes, { d: { N: '0.3' }, big: { N: '99999999999999999999999999999999999999' }, neg: { N: '-5' } });
    await rejectsWith(
      client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET big = big + :tenth', ExpressionAttributeValues: { ':tenth': { N: '0.1' } } })),
      'ValidationException',
      /more than 38 significant digits/,
    );
    await rejectsWith(
      client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'ADD d :s', ExpressionAttributeValues: { ':s': { SS: ['x'] } } })),
      'ValidationException',
      /incorrect data type/,
    );
  });

  test('ReturnValues NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW', async () => {
    const tableName = await createTable();
    const key = { pk: { S: 'r' } };
    const base: Item = { ...key, a: { N: '1' }, b: { S: 'keep' }, m: { M: { x: { N: '1' }, y: { N: '2' } } } };
    const update = (returnValues: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW') =>
      client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET a = a + :one, m.x = :one REMOVE c', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: returnValues }));
    await put(tableName, base);
    assert.equal((await update('NONE')).Attributes, undefined);
    await put(tableName, base);
    assert.deepEqual((await update('ALL_OLD')).Attributes, base);
    await put(tableName, base);
    assert.deepEqual((await update('UPDATED_OLD')).Attributes, { a: { N: '1' }, m: { M: { x: { N: '1' } } } });
    await put(tableName, base);
    assert.deepEqual((await update('ALL_NEW')).Attributes, { ...base, a: { N: '2' }, m: { M: { x: { N: '1' }, y: { N: '2' } } } });
    await put(tableName, base);
    assert.deepEqual((await update('UPDATED_NEW')).Attributes, { a: { N: '2' }, m: { M: { x: { N: '1' } } } });
  });

  test('an update of a missing item creates it from the key; conditions see no item', async () => {
    const tableName = await createTable({ name: 'sk', type: 'S' });
    const key = { pk: { S: 'new' }, sk: { S: 'one' } };
    await rejectsWith(
      client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': { S: 'x' } } })),
      'ConditionalCheckFailedException',
    );
    const created = await client.send(
      new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':v': { S: 'x' } }, ReturnValues: 'ALL_NEW' }),
    );
    assert.deepEqual(created.Attributes, { pk: { S: 'new' }, sk: { S: 'one' }, v: { S: 'x' } });
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: 'bare' }, sk: { S: 'key' } } }));
    assert.deepEqual(await get(tableName, { pk: { S: 'bare' }, sk: { S: 'key' } }), { pk: { S: 'bare' }, sk: { S: 'key' } });
  });

  test('lists: SET by index appends past the end, REMOVE by index closes the gap', async () => {
    const tableName = await createTable();
    const key = { pk: { S: 'l' } };
    await put(tableName, { ...key, l: { L: [{ N: '0' }, { N: '1' }, { N: '2' }, { N: '3' }] } });
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET l[1] = :x, l[10] = :y', ExpressionAttributeValues: { ':x': { S: 'x' }, ':y': { S: 'y' } } }));
    assert.deepEqual((await get(tableName, key))?.l, { L: [{ N: '0' }, { S: 'x' }, { N: '2' }, { N: '3' }, { S: 'y' }] });
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'REMOVE l[0], l[2]' }));
    assert.deepEqual((await get(tableName, key))?.l, { L: [{ S: 'x' }, { N: '3' }, { S: 'y' }] });
  });

  test('bad updates are ValidationException', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    const key = { pk: { S: 'b' }, sk: { N: '1' } };
    await put(tableName, { ...key, s: { S: 'text' } });
    const cases: [string, Item | undefined, RegExp][] = [
      ['SET pk = :v', { ':v': { S: 'x' } }, /Cannot update attribute pk. This attribute is part of the key/],
      ['SET a = :v, a = :v', { ':v': { S: 'x' } }, /Two document paths overlap/],
      ['SET a = :v SET b = :v', { ':v': { S: 'x' } }, /The "SET" section can only be used once/],
      ['SET a = absent + :v', { ':v': { N: '1' } }, /refers to an attribute that does not exist in the item/],
      ['SET a = s + :v', { ':v': { N: '1' } }, /incorrect data type/],
      ['SET nested.deeper = :v', { ':v': { N: '1' } }, /document path provided in the update expression is invalid for update/],
      ['ADD a :v', { ':v': { S: 'x' } }, /Incorrect operand type/],
      ['DELETE a :v', { ':v': { N: '1' } }, /Incorrect operand type/],
      ['SET a = size(s)', undefined, /not allowed in an update expression/],
      ['UPSERT a = :v', { ':v': { S: 'x' } }, /Syntax error; token: "UPSERT"/],
    ];
    for (const [expression, expressionValues, message] of cases) {
      await rejectsWith(
        client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: expression, ...(expressionValues ? { ExpressionAttributeValues: expressionValues } : {}) })),
        'ValidationException',
        message,
      );
    }
  });
});

describe('Query', () => {
  test('numeric sort keys come back in numeric order, both directions', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    const numbers = ['-1000', '-10', '-9.99', '-1.5', '-0.001', '0', '0.001', '1', '1.5', '2', '9.99', '10', '100', '1E+20', '12345678901234567890123456789012345678'];
    for (const n of [...numbers].reverse()) await put(tableName, { pk: { S: 'p' }, sk: { N: n } });
    await put(tableName, { pk: { S: 'other' }, sk: { N: '5' } });
    const expected = numbers.map((n) => (n === '1E+20' ? '100000000000000000000' : n));
    const forward = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    assert.deepEqual(forward.Items?.map((item) => item.sk!.N), expected);
    assert.equal(forward.Count, numbers.length);
    const backward = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ScanIndexForward: false }));
    assert.deepEqual(backward.Items?.map((item) => item.sk!.N), [...expected].reverse());
  });

  test('string and binary sort keys sort by bytes', async () => {
    const strings = ['\uFFFD', 'a', 'B', 'é', '😀', 'ab', ''.padEnd(1, 'Z')];
    const stringTable = await createTable({ name: 'sk', type: 'S' });
    for (const s of strings) await put(stringTable, { pk: { S: 'p' }, sk: { S: s } });
    const stringOrder = (await client.send(new QueryCommand({ TableName: stringTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }))).Items?.map((item) => item.sk!.S);
    const byUtf8 = [...strings].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(stringOrder, byUtf8);
    assert.ok(byUtf8.indexOf('\uFFFD') < byUtf8.indexOf('😀'), 'UTF-8 order differs from UTF-16 order here');
    const binaryTable = await createTable({ name: 'sk', type: 'B' });
    const blobs = [[0xff], [0x80, 0x00], [0x80], [0x7f], [0x00], [0x00, 0x00]];
    for (const bytes of blobs) await put(binaryTable, { pk: { S: 'p' }, sk: { B: new Uint8Array(bytes) } });
    const binaryOrder = (await client.send(new QueryCommand({ TableName: binaryTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }))).Items?.map((item) => [...item.sk!.B!]);
    assert.deepEqual(binaryOrder, [[0x00], [0x00, 0x00], [0x7f], [0x80], [0x80, 0x00], [0xff]]);
  });

  test('sort key conditions =, <, <=, >, >=, BETWEEN, begins_with', async () => {
    const tableName = await createTable({ name: 'sk', type: 'S' });
    for (const sk of ['a', 'b', 'ba', 'bb', 'c', 'd']) await put(tableName, { pk: { S: 'p' }, sk: { S: sk } });
    const run = async (condition: string, values: Item): Promise<string[]> =>
      ((await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: `pk = :p AND ${condition}`, ExpressionAttributeValues: { ':p': { S: 'p' }, ...values } }))).Items ?? []).map(
        (item) => item.sk!.S!,
      );
    assert.deepEqual(await run('sk = :v', { ':v': { S: 'b' } }), ['b']);
    assert.deepEqual(await run('sk < :v', { ':v': { S: 'b' } }), ['a']);
    assert.deepEqual(await run('sk <= :v', { ':v': { S: 'b' } }), ['a', 'b']);
    assert.deepEqual(await run('sk > :v', { ':v': { S: 'bb' } }), ['c', 'd']);
    assert.deepEqual(await run('sk >= :v', { ':v': { S: 'bb' } }), ['bb', 'c', 'd']);
    assert.deepEqual(await run('sk BETWEEN :low AND :high', { ':low': { S: 'b' }, ':high': { S: 'c' } }), ['b', 'ba', 'bb', 'c']);
    assert.deepEqual(await run('begins_with(sk, :v)', { ':v': { S: 'b' } }), ['b', 'ba', 'bb']);
    assert.deepEqual(await run(':v > sk', { ':v': { S: 'b' } }), ['a'], 'a value on the left mirrors the operator');
  });

  test('Limit pages with LastEvaluatedKey / ExclusiveStartKey, forwards and backwards', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    for (let index = 0; index < 23; index++) await put(tableName, { pk: { S: 'p' }, sk: { N: String(index) } });
    for (const forward of [true, false]) {
      const seen: string[] = [];
      let start: Item | undefined;
      let pages = 0;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: 'p' } },
            Limit: 5,
            ScanIndexForward: forward,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        assert.ok((page.Items?.length ?? 0) <= 5);
        seen.push(...(page.Items ?? []).map((item) => item.sk!.N!));
        start = page.LastEvaluatedKey;
        pages++;
      } while (start !== undefined && pages < 20);
      assert.equal(pages, 5);
      const expected = Array.from({ length: 23 }, (_, index) => String(index));
      assert.deepEqual(seen, forward ? expected : expected.reverse());
    }
  });

  test('FilterExpression, Select COUNT and ProjectionExpression', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    for (let index = 0; index < 10; index++) await put(tableName, { pk: { S: 'p' }, sk: { N: String(index) }, even: { BOOL: index % 2 === 0 }, v: { S: `v${index}` } });
    const base = { TableName: tableName, KeyConditionExpression: 'pk = :p', FilterExpression: 'even = :t' };
    const filtered = await client.send(new QueryCommand({ ...base, ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } }, ProjectionExpression: 'v' }));
    assert.equal(filtered.Count, 5);
    assert.equal(filtered.ScannedCount, 10);
    assert.deepEqual(filtered.Items, ['v0', 'v2', 'v4', 'v6', 'v8'].map((v) => ({ v: { S: v } })));
    const counted = await client.send(new QueryCommand({ ...base, ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } }, Select: 'COUNT' }));
    assert.equal(counted.Count, 5);
    assert.equal(counted.Items, undefined);
    const limited = await client.send(new QueryCommand({ ...base, ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } }, Limit: 3 }));
    assert.equal(limited.ScannedCount, 3, 'Limit counts items read, before the filter');
    assert.equal(limited.Count, 2);
    assert.deepEqual(limited.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '2' } });
  });

  test('bad key conditions are ValidationException', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    const cases: [string | undefined, Item, RegExp, string?][] = [
      [undefined, {}, /KeyConditionExpression parameter must be specified/],
      ['sk = :v', { ':v': { N: '1' } }, /Query condition missed key schema element: pk/],
      ['pk = :p OR sk = :v', { ':p': { S: 'p' }, ':v': { N: '1' } }, /Invalid operator used in KeyConditionExpression: OR/],
      ['pk = :p AND stuff = :v', { ':p': { S: 'p' }, ':v': { N: '1' } }, /Query condition missed key schema element/],
      ['pk = :p AND sk = :v', { ':p': { S: 'p' }, ':v': { S: 'one' } }, /Condition parameter type does not match schema type/],
      ['pk = :p AND begins_with(sk, :v)', { ':p': { S: 'p' }, ':v': { N: '1' } }, /begins_with/],
      ['pk = :p AND sk = :v AND sk = :v', { ':p': { S: 'p' }, ':v': { N: '1' } }, /only contain one condition per key/],
      ['pk = :p', { ':p': { S: 'p' }, ':v': { N: '1' } }, /Filter Expression can only contain non-primary key attributes/, 'sk = :v'],
    ];
    for (const [keyCondition, expressionValues, message, filter] of cases) {
      await rejectsWith(
        client.send(
          new QueryCommand({
            TableName: tableName,
            ...(keyCondition === undefined ? {} : { KeyConditionExpression: keyCondition }),
            ...(filter === undefined ? {} : { FilterExpression: filter }),
            ...(Object.keys(expressionValues).length > 0 ? { ExpressionAttributeValues: expressionValues } : {}),
          }),
        ),
        'ValidationException',
        message,
      );
    }
  });
});

describe('Scan', () => {
  test('Limit pages through the whole table; FilterExpression and Select COUNT', async () => {
    const tableName = await createTable({ name: 'sk', type: 'N' });
    const expected: string[] = [];
    for (let partition = 0; partition < 4; partition++) {
      for (let index = 0; index < 6; index++) {
        await put(tableName, { pk: { S: `p${partition}` }, sk: { N: String(index) }, odd: { BOOL: index % 2 === 1 } });
        expected.push(`p${partition}/${index}`);
      }
    }
    const seen: string[] = [];
    let start: Item | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, Limit: 7, ...(start === undefined ? {} : { ExclusiveStartKey: start }) }));
      seen.push(...(page.Items ?? []).map((item) => `${item.pk!.S}/${item.sk!.N}`));
      start = page.LastEvaluatedKey;
      pages++;
    } while (start !== undefined && pages < 20);
    assert.equal(pages, 4);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    assert.equal(new Set(seen).size, seen.length, 'no item twice');
    const odd = await client.send(new ScanCommand({ TableName: tableName, FilterExpression: 'odd = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } }));
    assert.equal(odd.Count, 12);
    assert.equal(odd.ScannedCount, 24);
    const counted = await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }));
    assert.equal(counted.Count, 24);
    assert.equal(counted.Items, undefined);
  });
});

describe('batches', () => {
  test('BatchWriteItem puts and deletes across tables; BatchGetItem reads them back', async () => {
    const first = await createTable();
    const second = await createTable({ name: 'sk', type: 'N' });
    await put(first, { pk: { S: 'doomed' } });
    const written = await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [first]: [{ PutRequest: { Item: { pk: { S: 'a' }, v: { N: '1' } } } }, { PutRequest: { Item: { pk: { S: 'b' }, v: { N: '2' } } } }, { DeleteRequest: { Key: { pk: { S: 'doomed' } } } }],
          [second]: [{ PutRequest: { Item: { pk: { S: 'a' }, sk: { N: '1' }, w: { S: 'x' } } } }],
        },
      }),
    );
    assert.deepEqual(written.UnprocessedItems, {});
    const read = await client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [first]: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'b' } }, { pk: { S: 'doomed' } }], ProjectionExpression: '#v', ExpressionAttributeNames: { '#v': 'v' } },
          [second]: { Keys: [{ pk: { S: 'a' }, sk: { N: '1' } }], ConsistentRead: true },
        },
      }),
    );
    assert.deepEqual(read.UnprocessedKeys, {});
    assert.deepEqual(read.Responses?.[first]?.map((item) => item.v!.N).sort(), ['1', '2']);
    assert.deepEqual(read.Responses?.[second], [{ pk: { S: 'a' }, sk: { N: '1' }, w: { S: 'x' } }]);
  });

  test('batch limits, duplicates and bad requests are ValidationException; nothing is written', async () => {
    const tableName = await createTable();
    const puts = (count: number) => Array.from({ length: count }, (_, index) => ({ PutRequest: { Item: { pk: { S: `k${index}` } } } }));
    await rejectsWith(client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: puts(26) } })), 'ValidationException', /less than or equal to 25/);
    await rejectsWith(
      client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: [...puts(2), { DeleteRequest: { Key: { pk: { S: 'k0' } } } }] } })),
      'ValidationException',
      /Provided list of item keys contains duplicates/,
    );
    await rejectsWith(
      client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: [...puts(2), { PutRequest: { Item: { pk: { N: '1' } } } }] } })),
      'ValidationException',
      /Type mismatch for key pk/,
    );
    assert.equal((await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count, 0, 'a refused batch writes nothing');
    const keys = Array.from({ length: 101 }, (_, index) => ({ pk: { S: `k${index}` } }));
    await rejectsWith(client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys } } })), 'ValidationException', /less than or equal to 100/);
    await rejectsWith(
      client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'a' } }] } } })),
      'ValidationException',
      /contains duplicates/,
    );
    await rejectsWith(client.send(new BatchGetItemCommand({ RequestItems: { 'no-such-table': { Keys: [{ pk: { S: 'a' } }] } } })), 'ResourceNotFoundException');
  });
});

describe('the HTTP shell', () => {
  async function post(url: string, target: string | undefined, body: string): Promise<{ status: number; body: { __type?: string; message?: string }; headers: Headers }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.0' };
    if (target !== undefined) headers['X-Amz-Target'] = target;
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { __type?: string; message?: string }, headers: response.headers };
  }

  test('malformed JSON, unknown targets and wrong member types get the AWS error shapes', async () => {
    const malformed = await post(node.url, 'DynamoDB_20120810.ListTables', '{"Limit": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.__type, 'com.amazon.coral.service#SerializationException');
    assert.match(malformed.headers.get('x-amzn-requestid') ?? '', /^[0-9A-F]{52}$/);
    const unknown = await post(node.url, 'DynamoDB_20120810.FlyToTheMoon', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.__type, 'com.amazon.coral.service#UnknownOperationException');
    const noTarget = await post(node.url, undefined, '{}');
    assert.equal(noTarget.body.__type, 'com.amazon.coral.service#UnknownOperationException');
    const wrongType = await post(node.url, 'DynamoDB_20120810.DescribeTable', '{"TableName": 5}');
    assert.equal(wrongType.body.__type, 'com.amazon.coral.service#SerializationException');
    const missing = await post(node.url, 'DynamoDB_20120810.DescribeTable', '{}');
    assert.equal(missing.status, 400);
    assert.equal(missing.body.__type, 'com.amazon.coral.validate#ValidationException');
    assert.match(missing.body.message ?? '', /Value null at 'tableName' failed to satisfy constraint: Member must not be null/);
    const notFound = await post(node.url, 'DynamoDB_20120810.DescribeTable', '{"TableName": "nope-nope"}');
    assert.equal(notFound.body.__type, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');
    const legacy = await post(node.url, 'DynamoDB_20120810.GetItem', '{"TableName": "nope-nope", "Key": {}, "AttributesToGet": ["a"]}');
    assert.match(legacy.body.message ?? '', /legacy parameter AttributesToGet.*ProjectionExpression/);
    const health = await fetch(node.url);
    assert.equal(await health.text(), 'healthy: dynamodb.us-east-1.amazonaws.com ');
  });

  test('a client that hangs up halfway through a body does not disturb the node', async () => {
    const { port } = new URL(node.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{"Li');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 20);
      });
      socket.on('error', reject);
    });
    const after = await post(node.url, 'DynamoDB_20120810.ListTables', '{}');
    assert.equal(after.status, 200);
  });

  test('a body over the size limit is refused with 413, and the node keeps serving', async () => {
    const small = await startDataNode({ dbPath: join(scratch, 'small.db'), region: 'us-east-1', requestBytesMax: 1024 });
    try {
      const tooLarge = await post(small.url, 'DynamoDB_20120810.ListTables', JSON.stringify({ padding: 'x'.repeat(4096) }));
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body.__type, 'com.amazon.coral.validate#ValidationException');
      assert.match(tooLarge.body.message ?? '', /exceeds the limit of 1024 bytes/);
      const fine = await post(small.url, 'DynamoDB_20120810.ListTables', '{}');
      assert.equal(fine.status, 200);
      assert.deepEqual(fine.body, { TableNames: [] });
    } finally {
      await small.close();
    }
  });
});
