/**
 * The accelerator edge on real loopback sockets: each new flow goes where the route says and stays
 * there, refusals and failed connects close the client, clients and targets that vanish mid-flow leave
 * nothing open, half-closes and resets cross, and a slow reader holds the sender back. What is asserted
 * is where bytes go and what is left open, never how fast.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveAcceleratorConfig } from '../../src/core/routing/global-accelerator.ts';
import { scriptedRandom } from '../../src/core/routing/scripted-random.ts';
import { startAcceleratorEdge, type AcceleratorEdge, type AcceleratorEdgeOptions } from '../../src/lab/edge/accelerator-edge.ts';
import { createAcceleratorRouter } from '../../src/lab/edge/accelerator-router.ts';
import { EdgeConfigError, EdgeListenError } from '../../src/lab/edge/edge-errors.ts';

/** No test may hang: a broken edge fails within this. */
const BOUNDED = { timeout: 30_000 };

/** Every server, socket and timer a test opened is closed by its end. */
after(async () => {
  await sleep(50);
  const leaks = process.getActiveResourcesInfo().filter((resource) => /TCP|Timeout|Immediate/.test(resource));
  assert.deepEqual(leaks, []);
});

async function listen(server: Server): Promise<number> {
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** A region's endpoint: greets each connection with its name and a newline, then echoes. */
async function startRegion(name: string): Promise<{ name: string; server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  const port = await listen(server);
  return {
    name,
    server,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Reads until `predicate` holds on everything received so far; rejects if the socket closes first. */
function readUntil(socket: Socket, predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (error === null) resolve(text);
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (predicate(text)) finish(null);
    };
    const onClose = () => finish(new Error(`closed after ${JSON.stringify(text)}`));
    const timer = setTimeout(() => finish(new Error(`timed out after ${JSON.stringify(text)}`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/**
 * Resolves with the error the socket saw (if any) once it is closed. The test's sockets allow half-open
 * connections, so a FIN from the edge is answered with one: the edge closing its side closes the socket.
 */
function closed(socket: Socket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let failure: Error | undefined;
    socket.on('error', (error) => (failure = error));
    if (socket.destroyed) return resolve(undefined);
    socket.once('end', () => socket.end());
    socket.once('close', () => resolve(failure));
    socket.resume();
  });
}

/**
 * Connects and waits until the edge closes the connection. The edge may reset it before this process
 * has seen its own connect complete (both ends share one event loop), so a failed connect counts too.
 */
function refusedConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write('GET / HTTP/1.1\r\n\r\n'));
    socket.once('close', () => resolve());
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadlineMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

async function greeting(socket: Socket): Promise<string> {
  return (await readUntil(socket, (text) => text.includes('\n'))).trim();
}

async function echo(socket: Socket, message: string): Promise<string> {
  socket.write(message);
  return readUntil(socket, (text) => text.length >= message.length);
}

async function withEdge(
  options: Omit<AcceleratorEdgeOptions, 'listeners'> & Partial<Pick<AcceleratorEdgeOptions, 'listeners'>>,
  body: (edge: AcceleratorEdge, port: number) => Promise<void>,
): Promise<void> {
  const edge = await startAcceleratorEdge({ listeners: [{ population: 'us-east' }], ...options });
  try {
    await body(edge, edge.address('us-east').port);
  } finally {
    await edge.close();
  }
}

const stats = (edge: AcceleratorEdge, population = 'us-east') => edge.stats().listeners[population]!;

test('each new flow goes to the region the route picks, per population, and bytes are counted', BOUNDED, async () => {
  const east = await startRegion('us-east-1');
  const west = await startRegion('eu-west-1');
  const byPopulation: Record<string, typeof east> = { 'us-east': east, europe: west };
  const edge = await startAcceleratorEdge({
    listeners: [{ population: 'us-east' }, { population: 'europe' }],
    route: (population) => {
      const region = byPopulation[population]!;
      return { region: region.name, host: '127.0.0.1', port: region.port };
    },
  });
  try {
    assert.notEqual(edge.address('us-east').port, edge.address('europe').port);
    const fromUs = await dial(edge.address('us-east').port);
    const fromEurope = await dial(edge.address('europe').port);
    assert.equal(await greeting(fromUs), 'us-east-1');
    assert.equal(await greeting(fromEurope), 'eu-west-1');
    assert.equal(await echo(fromUs, 'ping'), 'ping');
    assert.equal(stats(edge).active, 1);
    fromUs.end();
    fromEurope.end();
    await Promise.all([closed(fromUs), closed(fromEurope)]);
    await waitFor(() => edge.activeFlows() === 0, 'both flows are closed');
    const us = stats(edge);
    assert.deepEqual(us.flowsByRegion, { 'us-east-1': 1 });
    assert.deepEqual(us.activeByRegion, { 'us-east-1': 0 });
    assert.equal(us.accepted, 1);
    assert.deepEqual(us.bytes, { upstream: 4, downstream: 'us-east-1\n'.length + 4 });
    assert.deepEqual(stats(edge, 'europe').flowsByRegion, { 'eu-west-1': 1 });
    assert.throws(() => edge.address('mars'), /no listener/);
  } finally {
    await edge.close();
    await east.close();
    await west.close();
  }
});

test('a route change moves new flows only; open flows keep their region', BOUNDED, async () => {
  const east = await startRegion('us-east-1');
  const west = await startRegion('us-west-2');
  try {
    await withEdge({ route: () => ({ region: 'us-east-1', host: '127.0.0.1', port: east.port }) }, async (edge, port) => {
      const first = await dial(port);
      assert.equal(await greeting(first), 'us-east-1');
      edge.setRoute(() => ({ region: 'us-west-2', host: '127.0.0.1', port: west.port }));
      const second = await dial(port);
      assert.equal(await greeting(second), 'us-west-2');
      assert.equal(await echo(first, 'still east'), 'still east');
      assert.equal(await connections(east.server), 1);
      assert.deepEqual(stats(edge).activeByRegion, { 'us-east-1': 1, 'us-west-2': 1 });
      first.destroy();
      second.destroy();
      await waitFor(() => edge.activeFlows() === 0, 'both flows are closed');
      assert.throws(() => edge.setRoute(undefined as never), EdgeConfigError);
    });
  } finally {
    await east.close();
    await west.close();
  }
});

test('no route, a failing route and a refused connect close the client and are counted', BOUNDED, async () => {
  const gone = createServer();
  const refusingPort = await listen(gone);
  await closeServer(gone);
  let answer: 'none' | 'throw' | 'refused' = 'none';
  await withEdge(
    {
      route: () => {
        if (answer === 'throw') throw new Error('health state unavailable');
        return answer === 'none' ? undefined : { region: 'us-east-1', host: '127.0.0.1', port: refusingPort };
      },
    },
    async (edge, port) => {
      for (const next of ['none', 'throw', 'refused'] as const) {
        answer = next;
        await refusedConnection(port);
      }
      await waitFor(() => edge.activeFlows() === 0, 'the refused flow is closed');
      const counts = stats(edge);
      assert.equal(counts.accepted, 3);
      assert.equal(counts.unrouted, 2);
      assert.equal(counts.connectFailures, 1);
      assert.equal(counts.active, 0);
      assert.deepEqual(counts.flowsByRegion, { 'us-east-1': 1 });
      assert.deepEqual(counts.activeByRegion, { 'us-east-1': 0 });
      assert.equal(counts.lastError?.code, 'ECONNREFUSED');
    },
  );
});

test('a route naming a non-loopback address is refused', BOUNDED, async () => {
  await withEdge({ route: () => ({ region: 'x', host: '10.0.0.1', port: 80 }) }, async (edge, port) => {
    await refusedConnection(port);
    assert.equal(stats(edge).unrouted, 1);
    assert.equal(stats(edge).lastError?.code, 'EDGE_CONFIG_INVALID');
  });
  await assert.rejects(startAcceleratorEdge({ listeners: [{ population: 'a' }], route: () => undefined, host: '0.0.0.0' }), EdgeConfigError);
  await assert.rejects(startAcceleratorEdge({ listeners: [{ population: 'a' }, { population: 'a' }], route: () => undefined }), EdgeConfigError);
  // A port already taken: the edge listens on none of its ports.
  const taken = createServer();
  const takenPort = await listen(taken);
  try {
    await assert.rejects(startAcceleratorEdge({ listeners: [{ population: 'a' }, { population: 'b', port: takenPort }], route: () => undefined }), EdgeListenError);
  } finally {
    await closeServer(taken);
  }
});

test('clients that send half a request and vanish, or vanish while the answer streams, leave nothing open', BOUNDED, async () => {
  const body = Buffer.alloc(8 * 1024 * 1024, 'x');
  const backend = createHttpServer((_request, response) => {
    response.on('error', () => undefined);
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  const backendPort = await listen(backend);
  try {
    await withEdge({ route: () => ({ region: 'us-east-1', host: '127.0.0.1', port: backendPort }) }, async (edge, port) => {
      for (let round = 0; round < 5; round++) {
        const half = await dial(port);
        half.write('GET / HTTP/1.1\r\nHost: loc');
        half.destroy();
        const streaming = await dial(port);
        streaming.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        await readUntil(streaming, (text) => text.length > 64 * 1024);
        streaming.resetAndDestroy();
      }
      await waitFor(() => edge.activeFlows() === 0, 'every flow is closed');
      await waitFor(async () => (await connections(backend)) === 0, 'the backend has no connection left');
      const counts = stats(edge);
      assert.equal(counts.accepted, 10);
      assert.deepEqual(counts.activeByRegion, { 'us-east-1': 0 });
      // The edge still serves a whole request afterwards.
      const whole = await dial(port);
      whole.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const response = await readUntil(whole, (text) => text.length >= body.length);
      assert.match(response, /^HTTP\/1.1 200 OK/);
      await closed(whole);
      await waitFor(() => edge.activeFlows() === 0, 'the last flow is closed');
    });
  } finally {
    backend.closeAllConnections();
    await closeServer(backend);
  }
});

test('a large transfer both ways arrives intact while the reader holds the sender back', BOUNDED, async () => {
  const region = await startRegion('us-east-1');
  try {
    await withEdge({ route: () => ({ region: 'us-east-1', host: '127.0.0.1', port: region.port }) }, async (edge, port) => {
      const client = await dial(port);
      const greetingBytes = Buffer.byteLength('us-east-1\n');
      const payload = Buffer.alloc(48 * 1024 * 1024);
      for (let offset = 0; offset < payload.length; offset += 4) payload.writeUInt32LE(offset, offset);
      // Write everything before reading anything: the echo's replies back up into the edge, which must
      // stop reading until the client reads.
      client.pause();
      client.write(payload);
      await sleep(100);
      const received = createHash('sha256');
      let receivedBytes = 0;
      const done = new Promise<void>((resolve) => {
        client.on('data', (chunk: Buffer) => {
          const skip = Math.max(0, Math.min(chunk.length, greetingBytes - receivedBytes));
          received.update(chunk.subarray(skip));
          receivedBytes += chunk.length;
          if (receivedBytes >= payload.length + greetingBytes) resolve();
        });
      });
      client.resume();
      await done;
      assert.equal(received.digest('hex'), createHash('sha256').update(payload).digest('hex'));
      const counts = stats(edge);
      assert.ok(counts.backpressurePauses > 0, 'the edge paused reading at least once');
      assert.equal(counts.bytes.upstream, payload.length);
      client.destroy();
      await waitFor(() => edge.activeFlows() === 0, 'the flow is closed');
    });
  } finally {
    await region.close();
  }
});

test('a half-close crosses: the client stops sending and still gets the answer', BOUNDED, async () => {
  const counter = createServer({ allowHalfOpen: true }, (socket) => {
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => socket.end(`${bytes}`));
  });
  const counterPort = await listen(counter);
  try {
    await withEdge({ route: () => ({ region: 'us-east-1', host: '127.0.0.1', port: counterPort }) }, async (edge, port) => {
      const client = await dial(port);
      client.end('abcdef');
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(client, 'end');
      assert.equal(answer, '6');
      await closed(client);
      await waitFor(() => edge.activeFlows() === 0, 'the flow is closed');
    });
  } finally {
    await closeServer(counter);
  }
});

test('a target that resets mid-flow resets the client; the edge keeps serving', BOUNDED, async () => {
  const resetting = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.resetAndDestroy());
  });
  const resettingPort = await listen(resetting);
  try {
    await withEdge({ route: () => ({ region: 'us-east-1', host: '127.0.0.1', port: resettingPort }) }, async (edge, port) => {
      for (let round = 0; round < 3; round++) {
        const client = await dial(port);
        client.write('hello');
        const error = await closed(client);
        assert.equal((error as { code?: string } | undefined)?.code, 'ECONNRESET');
      }
      await waitFor(() => edge.activeFlows() === 0, 'every flow is closed');
      assert.equal(stats(edge).connectFailures, 0);
      await waitFor(async () => (await connections(resetting)) === 0, 'the target has no connection left');
    });
  } finally {
    await closeServer(resetting);
  }
});

test('flows beyond the listener bound are refused; idle flows are closed; close() ends the rest', BOUNDED, async () => {
  const region = await startRegion('us-east-1');
  try {
    const edge = await startAcceleratorEdge({
      listeners: [{ population: 'us-east' }],
      route: () => ({ region: 'us-east-1', host: '127.0.0.1', port: region.port }),
      maxConnectionsPerListener: 2,
      idleTimeoutMs: 300,
    });
    const port = edge.address('us-east').port;
    const first = await dial(port);
    const second = await dial(port);
    await greeting(first);
    await greeting(second);
    await refusedConnection(port);
    assert.equal(stats(edge).refused, 1);
    // Silence closes a flow; the guard only bounds the wait.
    await Promise.all([closed(first), closed(second)]);
    assert.equal(stats(edge).idleTimeouts, 2);
    await waitFor(() => edge.activeFlows() === 0, 'idle flows are closed');
    const busy = await dial(port);
    await greeting(busy);
    await edge.close();
    await closed(busy);
    assert.equal(edge.activeFlows(), 0);
    await assert.rejects(dial(port));
  } finally {
    await region.close();
  }
});

test('createAcceleratorRouter routes with core routeFlow: nearest group, failover when unhealthy', BOUNDED, async () => {
  const east = await startRegion('us-east-1');
  const west = await startRegion('eu-west-1');
  const health: Record<string, boolean> = { 'us-east-1': true, 'eu-west-1': true };
  const router = createAcceleratorRouter(
    {
      accelerator: resolveAcceleratorConfig({ endpointGroups: [{ region: 'us-east-1' }, { region: 'eu-west-1' }] }),
      rttMsByPopulation: { 'us-east': { 'us-east-1': 10, 'eu-west-1': 80 }, europe: { 'us-east-1': 80, 'eu-west-1': 12 } },
      endpoints: { 'us-east-1': { host: '127.0.0.1', port: east.port }, 'eu-west-1': { host: '127.0.0.1', port: west.port } },
    },
    (region) => health[region] === true,
    scriptedRandom([0.5]),
  );
  assert.equal(router.route('us-east')?.region, 'us-east-1');
  assert.equal(router.route('europe')?.region, 'eu-west-1');
  assert.equal(router.route('mars'), undefined);
  try {
    await withEdge({ route: router.route }, async (edge, port) => {
      const before = await dial(port);
      assert.equal(await greeting(before), 'us-east-1');
      health['us-east-1'] = false;
      const afterFailure = await dial(port);
      assert.equal(await greeting(afterFailure), 'eu-west-1');
      assert.equal(await echo(before, 'kept'), 'kept');
      before.destroy();
      afterFailure.destroy();
      await waitFor(() => edge.activeFlows() === 0, 'flows are closed');
      assert.deepEqual(stats(edge).flowsByRegion, { 'us-east-1': 1, 'eu-west-1': 1 });
    });
    assert.deepEqual(router.reasons(), { directed: 3, failover: 1, 'fail-open': 0 });
    assert.throws(
      () =>
        createAcceleratorRouter(
          { accelerator: resolveAcceleratorConfig({ endpointGroups: [{ region: 'us-east-1' }] }), rttMsByPopulation: { a: {} }, endpoints: { 'us-east-1': { host: '127.0.0.1', port: east.port } } },
          () => true,
          scriptedRandom([0.5]),
        ),
      EdgeConfigError,
    );
  } finally {
    await east.close();
    await west.close();
  }
});
