import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppEnvironmentError, appDataClasses, appEnvironmentVariables, readAppEnvironment } from '../../src/lab/app/app-environment.ts';
import { appErrorFromDataError } from '../../src/lab/app/app-errors.ts';
import { AppProcess } from '../../src/lab/app/app-process.ts';
import type { DataNode } from '../../src/lab/data/data-node-server.ts';
import type { ResolvedDataClass } from '../../src/spec/resolved-spec.ts';
import { call, contractDataClasses, describeAppContract, startContractDataNode } from './app-contract.case.test.ts';

// The built-in sample shop as the lab runs it: its own process (forked through tsx by AppProcess) in
// front of a real data node, driven over HTTP.

const REGION = 'eu-west-1';
const HEALTH_PATH = '/health';
const SHOP_CLASSES = [
  { name: 'profiles', consistentReads: false },
  { name: 'payments', consistentReads: true },
  { name: 'orders', consistentReads: false },
];
const scratch = mkdtempSync(join(tmpdir(), 'meridian-app-shop-'));
let node: DataNode;
let nodeStopped = false;
let app: AppProcess;
const logLines: string[] = [];

before(async () => {
  const dataClasses = contractDataClasses(SHOP_CLASSES);
  node = await startContractDataNode(join(scratch, 'shop.db'), REGION, dataClasses);
  app = new AppProcess(
    { region: REGION, service: { name: 'shop', app: 'sample-shop', command: undefined, healthPath: HEALTH_PATH }, dataEndpointUrl: node.url, dataClasses },
    (line) => logLines.push(line),
  );
  await app.start();
});

after(async () => {
  await app.stop();
  if (!nodeStopped) await node.close();
  rmSync(scratch, { recursive: true, force: true });
});

const url = () => app.url!;

describe('the sample shop as an app process', () => {
  test('prints its listening line, forwarded to the log with the region prefix', () => {
    assert.ok(logLines.includes(`[${REGION} app] listening on ${url()}`), logLines.join('\n'));
  });

  test('GET /catalog is the browse page; ?page= pages through it', async () => {
    const browse = await call(url(), 'GET', '/browse');
    const catalog = await call(url(), 'GET', '/catalog');
    assert.deepEqual(catalog.body, browse.body);
    assert.equal(catalog.region, REGION);
    const second = await call(url(), 'GET', '/catalog?page=2');
    assert.equal(second.body.page, 2);
    assert.notDeepEqual(second.body.products, browse.body.products);
  });

  test('PUT and GET /profiles/{id} keep a JSON profile in the profiles class', async () => {
    const profile = { name: 'Ada', country: 'GB' };
    const written = await call(url(), 'PUT', '/profiles/ada', profile);
    assert.deepEqual([written.status, written.body], [200, { id: 'ada', profile }]);
    const read = await call(url(), 'GET', '/profiles/ada');
    assert.deepEqual([read.status, read.region, read.body], [200, REGION, { id: 'ada', profile, found: true }]);
    // The alias and the contract route read the same item.
    const raw = await call(url(), 'GET', '/data/profiles/ada');
    assert.deepEqual(JSON.parse(raw.body.value as string), profile);
    const missing = await call(url(), 'GET', '/profiles/nobody');
    assert.deepEqual(missing.body, { id: 'nobody', profile: null, found: false });
  });

  test('POST /orders and /payments store under a generated id, readable through /data', async () => {
    for (const [path, dataClass, label] of [['/orders', 'orders', 'order'], ['/payments', 'payments', 'payment']] as const) {
      const document = { amountCents: 1250, currency: 'EUR' };
      const created = await call(url(), 'POST', path, document);
      assert.equal(created.status, 201);
      assert.deepEqual(created.body[label], document);
      const id = created.body.id as string;
      assert.match(id, /^[0-9a-f-]{36}$/);
      const stored = await call(url(), 'GET', `/data/${dataClass}/${id}`);
      assert.deepEqual(JSON.parse(stored.body.value as string), document);
    }
  });

  test('an alias body that is not a JSON object is a 400; a wrong method a 405', async () => {
    assert.equal((await call(url(), 'PUT', '/profiles/ada', '[1, 2]')).status, 400);
    assert.equal((await call(url(), 'POST', '/orders', '"text"')).status, 400);
    const wrongMethod = await call(url(), 'DELETE', '/data/profiles/ada');
    assert.deepEqual([wrongMethod.status, wrongMethod.body.error, wrongMethod.region], [405, 'MethodNotAllowed', REGION]);
  });

  test('a body over the size bound is refused with 413 before it is stored', async () => {
    const answer = await call(url(), 'PUT', '/data/profiles/big', { value: 'x'.repeat(70 * 1024) });
    assert.deepEqual([answer.status, answer.body.error], [413, 'PayloadTooLarge']);
    assert.equal((await call(url(), 'GET', '/data/profiles/big')).body.found, false);
  });

  test('a key over 1024 characters is a 400', async () => {
    assert.equal((await call(url(), 'GET', `/data/profiles/${'k'.repeat(1025)}`)).status, 400);
  });

  test('a malformed path segment is a 400, and the shop serves on', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${url()}/data/profiles/%E0%A4%A`, { method: 'GET', agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 400);
    assert.equal((await call(url(), 'GET', HEALTH_PATH)).status, 200);
  });
});

describe('the sample shop without the aliases\' data classes', () => {
  test('aliases answer 404 naming the missing class', async () => {
    const solo = new AppProcess(
      {
        region: 'us-east-1',
        service: { name: 'shop', app: 'sample-shop', command: undefined, healthPath: '/ready' },
        dataEndpointUrl: node.url,
        dataClasses: [{ name: 'profiles', consistentReads: false }],
      },
      () => {},
    );
    await solo.start();
    try {
      const health = await call(solo.url!, 'GET', '/ready');
      assert.deepEqual([health.status, health.region], [200, 'us-east-1']);
      for (const [method, path] of [['POST', '/orders'], ['POST', '/payments']] as const) {
        const answer = await call(solo.url!, method, path, { amountCents: 1 });
        assert.deepEqual([answer.status, answer.body.error], [404, 'UnknownDataClass'], path);
        assert.match(answer.body.message as string, /needs the data class '(orders|payments)'.*data classes here: profiles/);
      }
      assert.equal((await call(solo.url!, 'GET', '/profiles/ada')).status, 200);
    } finally {
      await solo.stop();
    }
  });
});

describe('the app environment', () => {
  test('written by the lab, read back by the app', () => {
    const environment = {
      region: 'eu-west-1',
      host: '127.0.0.1',
      port: 4100,
      dataEndpointUrl: 'http://127.0.0.1:4200',
      healthPath: '/healthz',
      dataClasses: [{ name: 'notes', consistentReads: false }],
    };
    const variables = appEnvironmentVariables(environment);
    assert.equal(variables.AWS_ENDPOINT_URL_DYNAMODB, 'http://127.0.0.1:4200');
    assert.equal(variables.AWS_REGION, 'eu-west-1');
    assert.ok(variables.AWS_ACCESS_KEY_ID && variables.AWS_SECRET_ACCESS_KEY);
    assert.deepEqual(readAppEnvironment(variables), environment);
  });

  test('every missing or malformed variable is named at once', () => {
    assert.throws(
      () => readAppEnvironment({ PORT: 'eighty', MERIDIAN_DATA_CLASSES: '[{"name": 3}]' }),
      (error: unknown) =>
        error instanceof AppEnvironmentError &&
        /AWS_REGION is not set/.test(error.message) &&
        /PORT must be a port number/.test(error.message) &&
        /AWS_ENDPOINT_URL_DYNAMODB is not set/.test(error.message) &&
        /MERIDIAN_DATA_CLASSES must be/.test(error.message),
    );
  });

  test('a region sees the classes whose tables it holds; ConsistentRead only for strong classes', () => {
    const dataClass = (name: string, consistency: ResolvedDataClass['consistency'], consistentReads: boolean) => ({ name, consistency, consistentReads }) as ResolvedDataClass;
    const classes = [dataClass('profiles', 'multi-writer', true), dataClass('payments', 'strong', true), dataClass('history', 'strong', false), dataClass('records', 'single-writer', true)];
    assert.deepEqual(appDataClasses(classes, ['payments', 'profiles', 'history']), [
      { name: 'profiles', consistentReads: false },
      { name: 'payments', consistentReads: true },
      { name: 'history', consistentReads: false },
    ]);
  });
});

describe('data-node errors as HTTP answers', () => {
  const serviceError = (name: string, httpStatusCode: number) => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode } });
  const cases: readonly [unknown, number, string][] = [
    [serviceError('NotPrimaryException', 400), 409, 'NotPrimaryException'],
    [serviceError('ConditionalCheckFailedException', 400), 409, 'ConditionalCheckFailedException'],
    [serviceError('ReplicatedWriteConflictException', 400), 409, 'ReplicatedWriteConflictException'],
    [serviceError('AccessDeniedException', 400), 403, 'AccessDeniedException'],
    [serviceError('ServiceUnavailable', 503), 503, 'ServiceUnavailable'],
    [serviceError('ThrottlingException', 400), 503, 'ThrottlingException'],
    [serviceError('ValidationException', 400), 502, 'ValidationException'],
    [serviceError('InternalServerError', 500), 502, 'InternalServerError'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 502, 'DataNodeUnreachable'],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 504, 'DataNodeTimeout'],
    ['not even an error', 502, 'Error'],
  ];
  for (const [error, status, name] of cases) {
    test(`${name} → ${status}`, () => {
      const mapped = appErrorFromDataError(error);
      assert.deepEqual([mapped.httpStatus, mapped.errorName], [status, name]);
    });
  }
});

describeAppContract(
  'the built-in sample shop',
  () => ({ url: url(), region: REGION, healthPath: HEALTH_PATH, plainClasses: ['profiles', 'payments'] }),
  async () => {
    nodeStopped = true;
    await node.close();
  },
);
