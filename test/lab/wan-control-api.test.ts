/**
 * The WAN control API, every route: proxies (list, create, show, update, delete), toxics (list, add,
 * show, update, remove), connection resets and the global reset; bad input answered 400 with the
 * offending field, unknown links and toxics 404, taken names 409, and the shell's own refusals.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinkRegistry, linkName } from '../../src/lab/wan/link-registry.ts';
import { startControlApi, type ControlApi } from '../../src/lab/wan/control-api.ts';
import { dial, readBytes, startEchoServer, type EchoServer } from '../../src/lab/wan/loopback-peers.ts';

const BOUNDED = { timeout: 30_000 };

/** Every server, socket and timer a test opened is closed by its end (sockets finish closing within a tick or two). */
after(async () => {
  await sleep(50);
  const leaks = process.getActiveResourcesInfo().filter((resource) => /TCP|Timeout|Immediate/.test(resource));
  assert.deepEqual(leaks, []);
});

interface Reply {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** One HTTP call, no keep-alive, so nothing outlives the test. A string body is sent as is. */
function call(api: ControlApi, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: api.host, port: api.port, method, path, agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks).toString();
          resolve({ status: response.statusCode ?? 0, body: raw === '' ? undefined : JSON.parse(raw), headers: response.headers });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

function path(name: string, ...rest: string[]): string {
  return ['', 'proxies', encodeURIComponent(name), ...rest].join('/');
}

async function withApi(run: (api: ControlApi, echo: EchoServer, registry: LinkRegistry) => Promise<void>): Promise<void> {
  const echo = await startEchoServer();
  const registry = new LinkRegistry();
  const api = await startControlApi({ registry, maxBodyBytes: 4096 });
  try {
    await run(api, echo, registry);
  } finally {
    await api.close();
    await registry.closeAll();
    await echo.close();
  }
}

const NAME = linkName('us-east-1', 'eu-west-1');

test('proxies: create, list, show, traffic through the link, counters, delete', BOUNDED, async () => {
  await withApi(async (api, echo) => {
    assert.deepEqual((await call(api, 'GET', '/version')).body, { version: 'meridian-wan 1' });
    const created = await call(api, 'POST', '/proxies', { name: NAME, upstream: `127.0.0.1:${echo.port}`, roundTripMs: 10 });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, NAME);
    assert.equal(created.body.enabled, true);
    assert.equal(created.body.roundTripMs, 10);
    const port = Number(created.body.listen.split(':')[1]);
    const client = await dial(port);
    client.write(Buffer.alloc(1234, 1));
    await readBytes(client, 1234);
    client.destroy();

    const listed = await call(api, 'GET', '/proxies');
    assert.equal(listed.status, 200);
    assert.deepEqual(Object.keys(listed.body), [NAME]);
    const shown = await call(api, 'GET', path(NAME));
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.stats.upstream, { bytesForwarded: 1234, bytesDropped: 0 });
    assert.deepEqual(shown.body.stats.downstream, { bytesForwarded: 1234, bytesDropped: 0 });
    assert.deepEqual(shown.body.toxics, []);

    assert.equal((await call(api, 'DELETE', path(NAME))).status, 204);
    assert.equal((await call(api, 'GET', path(NAME))).status, 404);
    await assert.rejects(dial(port), { code: 'ECONNREFUSED' });
  });
});

test('proxies: bad input is a 400 naming the field; a taken name is a 409; an unknown link a 404', BOUNDED, async () => {
  await withApi(async (api, echo) => {
    const upstream = `127.0.0.1:${echo.port}`;
    const bad: [unknown, string][] = [
      [{ name: 'a' }, 'upstream'],
      [{ upstream }, 'name'],
      [{ name: 'a', upstream: '10.0.0.1:80' }, 'upstream'],
      [{ name: 'a', upstream: 'no-port' }, 'upstream'],
      [{ name: 'a', upstream, listen: '0.0.0.0:0' }, 'listen'],
      [{ name: 'a b', upstream }, 'name'],
      [{ name: 'a', upstream, roundTripMs: -5 }, 'roundTripMs'],
      [{ name: 'a', upstream, roundTripMs: 'fast' }, 'roundTripMs'],
      [{ name: 'a', upstream, bogus: true }, 'bogus'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of bad) {
      const reply = await call(api, 'POST', '/proxies', body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.field, field, JSON.stringify(reply.body));
      assert.equal(reply.body.status, 400);
      assert.equal(typeof reply.body.error, 'string');
    }
    const notJson = await call(api, 'POST', '/proxies', '{"name": ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.field, 'body');
    const wrongType = await call(api, 'POST', '/proxies', 'name=a', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);

    assert.equal((await call(api, 'POST', '/proxies', { name: NAME, upstream })).status, 201);
    const taken = await call(api, 'POST', '/proxies', { name: NAME, upstream });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.field, 'name');
    assert.equal((await call(api, 'GET', '/proxies')).status, 200, 'the server still serves after bad requests');

    for (const [method, route] of [['GET', path('nope')], ['POST', path('nope')], ['DELETE', path('nope')], ['GET', path('nope', 'toxics')],
      ['POST', path('nope', 'toxics')], ['GET', path('nope', 'toxics', 't')], ['POST', path('nope', 'connections', 'reset')]] as const) {
      const reply = await call(api, method, route, method === 'POST' ? {} : undefined);
      assert.equal(reply.status, 404, `${method} ${route}`);
      assert.equal(reply.body.code, 'LINK_NOT_FOUND');
    }
  });
});

test('proxies: update enables, disables and changes latency; listen and upstream cannot change', BOUNDED, async () => {
  await withApi(async (api, echo) => {
    const created = await call(api, 'POST', '/proxies', { name: NAME, upstream: `127.0.0.1:${echo.port}`, enabled: false });
    assert.equal(created.body.enabled, false);
    const port = Number(created.body.listen.split(':')[1]);
    await assert.rejects(dial(port), { code: 'ECONNREFUSED' });
    const enabled = await call(api, 'POST', path(NAME), { enabled: true, roundTripMs: 30, jitterMs: 2 });
    assert.equal(enabled.status, 200);
    assert.deepEqual([enabled.body.enabled, enabled.body.roundTripMs, enabled.body.jitterMs], [true, 30, 2]);
    const client = await dial(port);
    client.write('x');
    await readBytes(client, 1);
    client.destroy();
    // Toxiproxy clients post the whole proxy back; unchanged fields are fine.
    const echoed = await call(api, 'POST', path(NAME), { name: NAME, listen: enabled.body.listen, upstream: enabled.body.upstream, enabled: true });
    assert.equal(echoed.status, 200);
    for (const [body, field] of [[{ listen: '127.0.0.1:1' }, 'listen'], [{ upstream: '127.0.0.1:1' }, 'upstream'], [{ enabled: 'yes' }, 'enabled'], [{ jitterMs: -1 }, 'jitterMs'], [{ speed: 1 }, 'speed']] as const) {
      const reply = await call(api, 'POST', path(NAME), body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.field, field);
    }
    assert.equal((await call(api, 'GET', path(NAME))).body.roundTripMs, 30, 'a refused update changes nothing');
  });
});

test('toxics: add, list, show, update, remove; bad attributes name their field', BOUNDED, async () => {
  await withApi(async (api, echo, registry) => {
    await call(api, 'POST', '/proxies', { name: NAME, upstream: `127.0.0.1:${echo.port}` });
    const added = await call(api, 'POST', path(NAME, 'toxics'), { type: 'latency', attributes: { latency: 50, jitter: 5 } });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body, { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 5 } });
    assert.equal(registry.get(NAME).faults.downstream.extraLatencyMs, 50);
    const duplicate = await call(api, 'POST', path(NAME, 'toxics'), { type: 'latency', attributes: { latency: 1 } });
    assert.equal(duplicate.status, 409);
    const bandwidth = await call(api, 'POST', path(NAME, 'toxics'), { name: 'thin', type: 'bandwidth', stream: 'both', attributes: { rate: 100 } });
    assert.equal(bandwidth.status, 200);
    assert.equal(registry.get(NAME).faults.upstream.bandwidthBytesPerSecond, 100_000);
    const flaky = await call(api, 'POST', path(NAME, 'toxics'), { type: 'reset_peer', toxicity: 0.25 });
    assert.equal(flaky.status, 200);
    assert.equal(registry.get(NAME).faults.resetProbability, 0.25);

    assert.deepEqual((await call(api, 'GET', path(NAME, 'toxics'))).body.map((toxic: { name: string }) => toxic.name), ['latency_downstream', 'thin', 'reset_peer_downstream']);
    assert.equal((await call(api, 'GET', path(NAME, 'toxics', 'thin'))).body.attributes.rate, 100);
    const updated = await call(api, 'POST', path(NAME, 'toxics', 'latency_downstream'), { attributes: { latency: 80 } });
    assert.deepEqual(updated.body.attributes, { latency: 80, jitter: 5 });
    assert.equal(registry.get(NAME).faults.downstream.extraLatencyMs, 80);

    const bad: [string, unknown, string][] = [
      [path(NAME, 'toxics'), { type: 'latency', attributes: { latency: -1 } }, 'attributes.latency'],
      [path(NAME, 'toxics'), { type: 'latency', attributes: {} }, 'attributes.latency'],
      [path(NAME, 'toxics'), { type: 'latency', attributes: { latency: 1, colour: 'red' } }, 'attributes.colour'],
      [path(NAME, 'toxics'), { type: 'slow_close', attributes: {} }, 'type'],
      [path(NAME, 'toxics'), { type: 'partition', stream: 'sideways' }, 'stream'],
      [path(NAME, 'toxics'), { type: 'partition', attributes: { mode: 'maybe' } }, 'attributes.mode'],
      [path(NAME, 'toxics'), { type: 'latency', toxicity: 0.5, attributes: { latency: 1 } }, 'toxicity'],
      [path(NAME, 'toxics'), { type: 'bandwidth', attributes: { rate: 1, bytesPerSecond: 1 } }, 'attributes.rate'],
      [path(NAME, 'toxics'), { name: 'x y', type: 'partition' }, 'name'],
      [path(NAME, 'toxics', 'thin'), { attributes: { rate: 0 } }, 'attributes.rate'],
      [path(NAME, 'toxics', 'thin'), { toxicity: 2 }, 'toxicity'],
    ];
    for (const [route, body, field] of bad) {
      const reply = await call(api, 'POST', route, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.field, field, JSON.stringify(reply.body));
    }
    assert.equal(registry.get(NAME).faults.upstream.bandwidthBytesPerSecond, 100_000, 'a refused update changes nothing');

    assert.equal((await call(api, 'GET', path(NAME, 'toxics', 'nope'))).status, 404);
    assert.equal((await call(api, 'POST', path(NAME, 'toxics', 'nope'), {})).status, 404);
    assert.equal((await call(api, 'DELETE', path(NAME, 'toxics', 'nope'))).status, 404);
    assert.equal((await call(api, 'DELETE', path(NAME, 'toxics', 'thin'))).status, 204);
    assert.equal(registry.get(NAME).faults.upstream.bandwidthBytesPerSecond, null);
  });
});

test('a partition toxic holds traffic; removing it delivers; POST /reset clears every toxic and enables every link', BOUNDED, async () => {
  await withApi(async (api, echo, registry) => {
    const created = await call(api, 'POST', '/proxies', { name: NAME, upstream: `127.0.0.1:${echo.port}`, roundTripMs: 4 });
    const client = await dial(Number(created.body.listen.split(':')[1]));
    try {
      client.write('a');
      await readBytes(client, 1);
      assert.equal((await call(api, 'POST', path(NAME, 'toxics'), { name: 'cut', type: 'partition', stream: 'both' })).status, 200);
      const reply = readBytes(client, 4);
      client.write('held');
      await sleep(100);
      assert.equal(registry.get(NAME).stats().upstream.bytesForwarded, 1);
      assert.equal((await call(api, 'DELETE', path(NAME, 'toxics', 'cut'))).status, 204);
      assert.equal((await reply).toString(), 'held');

      await call(api, 'POST', path(NAME, 'toxics'), { type: 'latency', attributes: { latency: 10 } });
      await call(api, 'POST', path(NAME), { enabled: false });
      const reset = await call(api, 'POST', '/reset');
      assert.equal(reset.status, 204);
      const shown = (await call(api, 'GET', path(NAME))).body;
      assert.equal(shown.enabled, true);
      assert.deepEqual(shown.toxics, []);
      assert.equal(shown.faults.downstream.extraLatencyMs, 0);
    } finally {
      client.destroy();
    }
  });
});

test('POST /proxies/{name}/connections/reset resets the open connections and says how many', BOUNDED, async () => {
  await withApi(async (api, echo) => {
    const created = await call(api, 'POST', '/proxies', { name: NAME, upstream: `127.0.0.1:${echo.port}` });
    const port = Number(created.body.listen.split(':')[1]);
    const clients: Socket[] = [];
    for (let index = 0; index < 2; index++) {
      const client = await dial(port);
      client.on('error', () => undefined);
      client.write('x');
      await readBytes(client, 1);
      clients.push(client);
    }
    const closedAll = Promise.all(clients.map((client) => new Promise((resolve) => client.once('close', resolve))));
    const reply = await call(api, 'POST', path(NAME, 'connections', 'reset'));
    assert.deepEqual([reply.status, reply.body], [200, { reset: 2 }]);
    await closedAll;
    assert.equal((await call(api, 'GET', path(NAME))).body.stats.connections.reset, 2);
  });
});

test('the shell refuses unknown routes, wrong methods, large bodies, foreign hosts and origins, bad encodings', BOUNDED, async () => {
  await withApi(async (api) => {
    assert.equal((await call(api, 'GET', '/nothing')).status, 404);
    const wrongMethod = await call(api, 'PUT', '/proxies', {});
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'GET, POST');
    const large = await call(api, 'POST', '/proxies', { name: 'x'.repeat(5000), upstream: '127.0.0.1:1' });
    assert.equal(large.status, 413);
    assert.equal(large.body.field, 'body');
    assert.equal((await call(api, 'GET', '/proxies', undefined, { host: 'evil.example:8474' })).status, 403);
    assert.equal((await call(api, 'POST', '/reset', undefined, { origin: 'https://evil.example' })).status, 403);
    const badEncoding = await call(api, 'GET', '/proxies/%E0%A4%A');
    assert.equal(badEncoding.status, 400);
    assert.equal(badEncoding.body.field, 'path');
    assert.equal((await call(api, 'GET', '/version')).status, 200, 'still serving');
  });
});
