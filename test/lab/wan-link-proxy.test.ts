/**
 * The WAN link's data path: bytes intact and in order under jitter and bandwidth limits, delays as lower
 * bounds (never upper bounds: timing must not make these tests flaky), the handshake's round trip, byte
 * counters and tags to the byte, back-pressure and the bounds on connections and options.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinkProxy } from '../../src/lab/wan/link-proxy.ts';
import { LinkConfigError } from '../../src/lab/wan/link-errors.ts';
import { dial, readBytes, startEchoServer } from '../../src/lab/wan/loopback-peers.ts';

/** No test may hang: a broken link fails within this. */
const BOUNDED = { timeout: 30_000 };

/** Every server, socket and timer a test opened is closed by its end (sockets finish closing within a tick or two). */
after(async () => {
  await sleep(50);
  const leaks = process.getActiveResourcesInfo().filter((resource) => /TCP|Timeout|Immediate/.test(resource));
  assert.deepEqual(leaks, []);
});

/** Resolves when the socket has closed, with the error that closed it if any (events.once would reject on it). */
function closed(socket: Socket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let failure: Error | undefined;
    socket.on('error', (error) => (failure = error));
    socket.once('close', () => resolve(failure));
  });
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A server that reads `requestBytes` and answers `replyBytes`, for counting each direction apart; it
 * closes its side after answering when `closeAfterReply`.
 */
async function startFixedReplyServer(requestBytes: number, replyBytes: number, closeAfterReply: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    readBytes(socket, requestBytes).then(
      () => (closeAfterReply ? socket.end(Buffer.alloc(replyBytes, 7)) : socket.write(Buffer.alloc(replyBytes, 7))),
      () => socket.destroy(),
    );
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    port: address.port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Writes `payload` in random-sized pieces, so the link sees many chunks with many jitter draws. */
function writeInPieces(socket: Socket, payload: Buffer): void {
  let offset = 0;
  while (offset < payload.length) {
    const size = 1 + Math.floor(Math.random() * 40_000);
    socket.write(payload.subarray(offset, offset + size));
    offset += size;
  }
}

test('a large random payload comes back intact and in order under jitter and bandwidth limits', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({
    name: 'us-east-1->eu-west-1',
    targetPort: echo.port,
    roundTripMs: 10,
    jitterMs: 15,
    faults: { upstream: { bandwidthBytesPerSecond: 40_000_000, extraJitterMs: 5 }, downstream: { bandwidthBytesPerSecond: 30_000_000 } },
  });
  const client = await dial(link.address.port);
  try {
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    const received = readBytes(client, payload.length);
    writeInPieces(client, payload);
    assert.equal(sha256(await received), sha256(payload));
    const stats = link.stats();
    assert.equal(stats.upstream.bytesForwarded, payload.length);
    assert.equal(stats.downstream.bytesForwarded, payload.length);
    assert.equal(stats.connections.overflows, 0);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('jitter delays small messages but never reorders them', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'jittery', targetPort: echo.port, roundTripMs: 4, jitterMs: 30 });
  const client = await dial(link.address.port);
  try {
    const messages = Array.from({ length: 300 }, (_, index) => `<${index}>`);
    const expected = messages.join('');
    const received = readBytes(client, Buffer.byteLength(expected));
    for (const message of messages) {
      client.write(message);
      if (Math.random() < 0.2) await sleep(1);
    }
    assert.equal((await received).toString(), expected);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('a request and its response through a 40 ms link take at least 40 ms; with the handshake at least 80 ms', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'forty', targetPort: echo.port, roundTripMs: 40 });
  const startedMs = performance.now();
  const client = await dial(link.address.port);
  try {
    client.write('first');
    await readBytes(client, 5);
    const firstExchangeMs = performance.now() - startedMs;
    assert.ok(firstExchangeMs >= 80, `connect and first exchange took ${firstExchangeMs} ms, less than two round trips`);
    for (let round = 0; round < 5; round++) {
      const sentMs = performance.now();
      client.write('ping');
      await readBytes(client, 4);
      const roundTripMs = performance.now() - sentMs;
      assert.ok(roundTripMs >= 40, `round trip ${round} took ${roundTripMs} ms, less than the link's 40 ms`);
    }
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('extra latency is added per direction, on top of the link round trip', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'slow-up', targetPort: echo.port, roundTripMs: 10 });
  const client = await dial(link.address.port);
  try {
    client.write('warm');
    await readBytes(client, 4);
    link.setFaults({ upstream: { extraLatencyMs: 30 } });
    const sentMs = performance.now();
    client.write('ping');
    await readBytes(client, 4);
    assert.ok(performance.now() - sentMs >= 40);
    assert.equal(link.faults.upstream.extraLatencyMs, 30);
    assert.equal(link.faults.downstream.extraLatencyMs, 0);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('a bandwidth limit makes a transfer take at least its size over the rate, less one burst', BOUNDED, async () => {
  const echo = await startEchoServer();
  const rateBytesPerSecond = 2_000_000;
  const link = await LinkProxy.start({ name: 'thin', targetPort: echo.port, faults: { upstream: { bandwidthBytesPerSecond: rateBytesPerSecond } } });
  const client = await dial(link.address.port);
  try {
    const payload = randomBytes(600_000);
    const startedMs = performance.now();
    const received = readBytes(client, payload.length);
    client.write(payload);
    assert.equal(sha256(await received), sha256(payload));
    const burstBytes = Math.max(1500, rateBytesPerSecond * 0.02);
    const floorMs = ((payload.length - burstBytes) / rateBytesPerSecond) * 1000;
    assert.ok(performance.now() - startedMs >= floorMs, `600 kB at 2 MB/s arrived sooner than ${floorMs} ms`);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('byte counters match payload sizes exactly, per direction and per tag', BOUNDED, async () => {
  const replies = await startFixedReplyServer(12_345, 6_789, false);
  const link = await LinkProxy.start({ name: 'counted', targetPort: replies.port, roundTripMs: 2 });
  try {
    const orders = await dial(link.address.port);
    // Tagging before the link has even seen the bytes is allowed: the tag waits for its connection.
    link.tagConnection(orders, 'orders');
    const sessions = await dial(link.address.port);
    const untagged = await dial(link.address.port);
    for (const socket of [orders, sessions, untagged]) socket.write(Buffer.alloc(12_345, 1));
    await Promise.all([orders, sessions, untagged].map((socket) => readBytes(socket, 6_789)));
    // Tagging later (while the connection is open) credits the tag with everything it already moved.
    link.tagConnection(sessions, 'sessions');
    const stats = link.stats();
    assert.deepEqual(stats.upstream, { bytesForwarded: 3 * 12_345, bytesDropped: 0 });
    assert.deepEqual(stats.downstream, { bytesForwarded: 3 * 6_789, bytesDropped: 0 });
    assert.deepEqual(stats.byTag, {
      orders: { upstreamBytes: 12_345, downstreamBytes: 6_789 },
      sessions: { upstreamBytes: 12_345, downstreamBytes: 6_789 },
    });
    assert.throws(() => link.tagConnection(orders, 'sessions'), { code: 'LINK_CONFIG_INVALID', field: 'tag' });
    assert.throws(() => link.tagConnection(orders, 'not a tag!'), { field: 'tag' });
    for (const socket of [orders, sessions, untagged]) socket.destroy();
  } finally {
    await link.close();
    await replies.close();
  }
});

test('a half-close crosses the link after the bytes before it', BOUNDED, async () => {
  const replies = await startFixedReplyServer(5, 3, true);
  const link = await LinkProxy.start({ name: 'half-close', targetPort: replies.port, roundTripMs: 6 });
  const client = await dial(link.address.port);
  try {
    const ended = once(client, 'end');
    client.write('hello');
    assert.deepEqual(await readBytes(client, 3), Buffer.alloc(3, 7));
    client.resume();
    await ended;
  } finally {
    client.destroy();
    await link.close();
    await replies.close();
  }
});

test('back-pressure: a stalled link pauses the sender instead of buffering without bound', BOUNDED, async () => {
  const echo = await startEchoServer();
  const maxBufferedBytes = 256 * 1024;
  const link = await LinkProxy.start({ name: 'bounded', targetPort: echo.port, maxBufferedBytesPerConnection: maxBufferedBytes });
  const client = await dial(link.address.port);
  try {
    client.write('x');
    await readBytes(client, 1);
    link.setFaults({ upstream: { partition: 'hold' } });
    const payload = randomBytes(16 * 1024 * 1024);
    const received = readBytes(client, payload.length);
    client.write(payload);
    await sleep(300);
    // The link holds at most a quarter of its budget per direction; the rest waits in the kernel and in the client.
    assert.ok(client.writableLength > 0, 'the client was never made to wait');
    assert.equal(link.stats().upstream.bytesForwarded, 1);
    link.clearFaults();
    assert.equal(sha256(await received), sha256(payload));
    assert.equal(link.stats().connections.overflows, 0);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('connections beyond maxConnections are closed at once and reported', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'two-max', targetPort: echo.port, maxConnections: 2 });
  const sockets: Socket[] = [];
  try {
    for (let index = 0; index < 2; index++) {
      const socket = await dial(link.address.port);
      socket.write('a');
      await readBytes(socket, 1);
      sockets.push(socket);
    }
    const third = await dial(link.address.port);
    sockets.push(third);
    await closed(third);
    const stats = link.stats();
    assert.equal(stats.connections.rejected, 1);
    assert.equal(stats.connections.open, 2);
    assert.equal(stats.lastError?.code, 'LINK_LIMIT');
  } finally {
    for (const socket of sockets) socket.destroy();
    await link.close();
    await echo.close();
  }
});

test('a target that refuses makes the client see a reset, one way back later', BOUNDED, async () => {
  const probe = createServer();
  probe.listen({ host: '127.0.0.1', port: 0 });
  await once(probe, 'listening');
  const deadPort = (probe.address() as { port: number }).port;
  await closeServer(probe);
  const link = await LinkProxy.start({ name: 'nowhere', targetPort: deadPort, roundTripMs: 20 });
  try {
    const startedMs = performance.now();
    const client = await dial(link.address.port);
    const error = await closed(client);
    assert.equal((error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    assert.ok(performance.now() - startedMs >= 20, 'the refusal came back sooner than a round trip');
    assert.equal(link.stats().connections.connectFailures, 1);
    assert.equal(link.stats().lastError?.code, 'ECONNREFUSED');
  } finally {
    await link.close();
  }
});

test('bad options are refused with the offending field', BOUNDED, async () => {
  const cases: [Parameters<typeof LinkProxy.start>[0], string][] = [
    [{ name: 'x', targetPort: 1, listenHost: '0.0.0.0' }, 'listenHost'],
    [{ name: 'x', targetPort: 1, targetHost: '10.0.0.1' }, 'targetHost'],
    [{ name: 'x', targetPort: 70_000 }, 'targetPort'],
    [{ name: 'x y', targetPort: 1 }, 'name'],
    [{ name: 'x', targetPort: 1, roundTripMs: -1 }, 'roundTripMs'],
    [{ name: 'x', targetPort: 1, jitterMs: Number.NaN }, 'jitterMs'],
    [{ name: 'x', targetPort: 1, maxConnections: 0 }, 'maxConnections'],
    [{ name: 'x', targetPort: 1, maxBufferedBytesPerConnection: 10 }, 'maxBufferedBytesPerConnection'],
    [{ name: 'x', targetPort: 1, faults: { resetProbability: 2 } }, 'faults.resetProbability'],
    [{ name: 'x', targetPort: 1, faults: { upstream: { bandwidthBytesPerSecond: 0 } } }, 'faults.upstream.bandwidthBytesPerSecond'],
  ];
  for (const [options, field] of cases) {
    await assert.rejects(LinkProxy.start(options), (error: unknown) => error instanceof LinkConfigError && error.field === field, field);
  }
});
