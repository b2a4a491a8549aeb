import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startDataNode, type DataNode } from '../../src/lab/data/data-node-server.ts';
import type { TableEngine } from '../../src/lab/data/table-engine.ts';
import { ReplicationRefusal } from '../../src/lab/replication/replicated-table-engine.ts';
import type { AppDataClass } from '../../src/lab/app/app-environment.ts';

// The app contract (src/lab/app/README.md) as one conformance suite, run against every implementation:
// the built-in sample shop (app-sample-shop.test.ts) and the plain-Node service of examples/own-app
// (app-process.test.ts). Both talk to a real data node whose tables refuse writes the way the lab's
// replicated engines and residency guard do, so the error mapping is checked on the real wire path.

/** Classes whose writes the data node refuses, with the AWS error, and what the app must answer. */
const REFUSALS = [
  { dataClass: 'primary-elsewhere', awsType: 'NotPrimaryException', awsStatus: 400, appStatus: 409 },
  { dataClass: 'conflicted', awsType: 'ReplicatedWriteConflictException', awsStatus: 400, appStatus: 409 },
  { dataClass: 'quorum-lost', awsType: 'ServiceUnavailable', awsStatus: 503, appStatus: 503 },
  { dataClass: 'throttled', awsType: 'ThrottlingException', awsStatus: 400, appStatus: 503 },
] as const;
/** Residency: the data node refuses to serve this table at all (AccessDeniedException). */
const RESIDENT_CLASS = 'resident';
/** The engine of this table fails with a bug of its own: the node answers 500 InternalServerError. */
const BROKEN_CLASS = 'broken';

/** The data classes an app under test is given: two plain ones first (the health check uses the first), then the refusing ones. */
export function contractDataClasses(plain: readonly AppDataClass[]): AppDataClass[] {
  const refusing = [...REFUSALS.map((refusal) => refusal.dataClass), RESIDENT_CLASS, BROKEN_CLASS];
  return [...plain, ...refusing.map((name) => ({ name, consistentReads: false }))];
}

/** A data node with a table per data class (pk/sk strings), whose refusing tables refuse. */
export async function startContractDataNode(dbPath: string, region: string, dataClasses: readonly AppDataClass[]): Promise<DataNode> {
  // The resident table is created like the others, then neither stored to nor served.
  let residencyEnforced = false;
  const node = await startDataNode({
    dbPath,
    region,
    onInternalError: () => {},
    tableGuard: (tableName) => {
      if (tableName === RESIDENT_CLASS && residencyEnforced) throw new ReplicationRefusal('AccessDeniedException', 400, `${tableName} may not be served in ${region}`, false);
    },
    engineFor: (schema, local) => {
      const refusal = REFUSALS.find((candidate) => candidate.dataClass === schema.tableName);
      if (refusal !== undefined) return refusingEngine(local, () => new ReplicationRefusal(refusal.awsType, refusal.awsStatus, `refused: ${refusal.awsType}`, false));
      if (schema.tableName === BROKEN_CLASS) return refusingEngine(local, () => new Error('engine bug'));
      return local;
    },
  });
  for (const { name } of dataClasses) await createTable(node.url, name);
  residencyEnforced = true;
  return node;
}

function refusingEngine(local: TableEngine, error: () => Error): TableEngine {
  return {
    schema: local.schema,
    getItem: (key, options) => local.getItem(key, options),
    query: (request) => local.query(request),
    scan: (request) => local.scan(request),
    mutateItem: () => Promise.reject(error()),
  };
}

/** CreateTable over the JSON protocol, as the region process does. */
async function createTable(url: string, tableName: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.CreateTable' },
    body: JSON.stringify({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  });
  assert.equal(response.status, 200, await response.text());
}

export interface AppAnswer {
  readonly status: number;
  readonly region: string | null;
  readonly body: Record<string, unknown>;
}

/** One request to an app; the body is sent as JSON unless it is already a string. */
export async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<AppAnswer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, region: response.headers.get('x-meridian-region'), body: (await response.json()) as Record<string, unknown> };
}

export interface ContractSubject {
  readonly url: string;
  readonly region: string;
  readonly healthPath: string;
  /** Two data classes without refusals; the second is read with ConsistentRead. */
  readonly plainClasses: readonly [string, string];
}

/**
 * The contract's cases. `stopDataNode` ends the last case (the region's data node goes away), so this
 * suite is declared last in its file.
 */
export function describeAppContract(name: string, subject: () => ContractSubject, stopDataNode: () => Promise<void>): void {
  describe(`app contract: ${name}`, () => {
    test('health answers 200 { region, status } while the data node answers', async () => {
      const { url, region, healthPath } = subject();
      const answer = await call(url, 'GET', healthPath);
      assert.equal(answer.status, 200);
      assert.equal(answer.region, region);
      assert.equal(answer.body.region, region);
      assert.equal(typeof answer.body.status, 'string');
    });

    test('browse answers a catalog page computed in-process', async () => {
      const { url, region } = subject();
      const answer = await call(url, 'GET', '/browse');
      assert.equal(answer.status, 200);
      assert.equal(answer.region, region);
      assert.ok(Array.isArray(answer.body.products) && answer.body.products.length > 0);
    });

    test('PUT then GET a data item, in both plain classes; a missing item is found: false', async () => {
      const { url, region, plainClasses } = subject();
      for (const dataClass of plainClasses) {
        const written = await call(url, 'PUT', `/data/${dataClass}/user-1`, { value: `hello ${dataClass}` });
        assert.deepEqual([written.status, written.region, written.body], [200, region, { key: 'user-1', value: `hello ${dataClass}` }]);
        const read = await call(url, 'GET', `/data/${dataClass}/user-1`);
        assert.deepEqual([read.status, read.region, read.body], [200, region, { key: 'user-1', value: `hello ${dataClass}`, found: true }]);
        const missing = await call(url, 'GET', `/data/${dataClass}/nobody`);
        assert.deepEqual([missing.status, missing.body], [200, { key: 'nobody', value: null, found: false }]);
      }
    });

    test('keys are URL-decoded path segments', async () => {
      const { url, plainClasses } = subject();
      const key = 'a b/c é';
      const written = await call(url, 'PUT', `/data/${plainClasses[0]}/${encodeURIComponent(key)}`, { value: 'v' });
      assert.equal(written.body.key, key);
      const read = await call(url, 'GET', `/data/${plainClasses[0]}/${encodeURIComponent(key)}`);
      assert.deepEqual(read.body, { key, value: 'v', found: true });
    });

    test('an unknown data class is a 404 UnknownDataClass, for reads and writes', async () => {
      const { url, region } = subject();
      for (const [method, body] of [['GET', undefined], ['PUT', { value: 'x' }]] as const) {
        const answer = await call(url, method, '/data/no-such-class/k', body);
        assert.deepEqual([answer.status, answer.region, answer.body.error], [404, region, 'UnknownDataClass']);
        assert.equal(typeof answer.body.message, 'string');
      }
    });

    test('a PUT without a string value, or with a body that is not JSON, is a 400', async () => {
      const { url, plainClasses } = subject();
      for (const body of [{ value: 3 }, {}, 'not json']) {
        const answer = await call(url, 'PUT', `/data/${plainClasses[0]}/k`, body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.error, 'BadRequest');
      }
    });

    test('refusals of the data node map to HTTP statuses; the error names the AWS error', async () => {
      const { url, region } = subject();
      const expected = [
        ...REFUSALS.map(({ dataClass, awsType, appStatus }) => ({ dataClass, error: awsType, status: appStatus })),
        { dataClass: RESIDENT_CLASS, error: 'AccessDeniedException', status: 403 },
        { dataClass: BROKEN_CLASS, error: 'InternalServerError', status: 502 },
      ];
      for (const { dataClass, error, status } of expected) {
        const answer = await call(url, 'PUT', `/data/${dataClass}/k`, { value: 'x' });
        assert.deepEqual([answer.status, answer.region, answer.body.error], [status, region, error], dataClass);
        assert.equal(typeof answer.body.message, 'string');
        assert.equal(JSON.stringify(answer.body).includes('    at '), false, 'no stack trace');
      }
      const residentRead = await call(url, 'GET', `/data/${RESIDENT_CLASS}/k`);
      assert.deepEqual([residentRead.status, residentRead.body.error], [403, 'AccessDeniedException']);
    });

    test('an unknown route is a 404 that still says the region', async () => {
      const { url, region } = subject();
      const answer = await call(url, 'GET', '/no/such/route');
      assert.deepEqual([answer.status, answer.region], [404, region]);
    });

    test('with the data node gone: health 503, data 502 DataNodeUnreachable, browse still 200', async () => {
      const { url, region, healthPath, plainClasses } = subject();
      await stopDataNode();
      const health = await call(url, 'GET', healthPath);
      assert.deepEqual([health.status, health.region, health.body.region], [503, region, region]);
      for (const [method, body] of [['GET', undefined], ['PUT', { value: 'x' }]] as const) {
        const answer = await call(url, method, `/data/${plainClasses[0]}/user-1`, body);
        assert.deepEqual([answer.status, answer.region, answer.body.error], [502, region, 'DataNodeUnreachable'], method);
      }
      assert.equal((await call(url, 'GET', '/browse')).status, 200);
    });
  });
}
