/**
 * Faults on a WAN link at run time: partitions both ways and one way (held or black-holed), new
 * connections behind a partition, resets, and a disabled link. What is asserted is causality — nothing
 * crosses a partition, everything held crosses once it heals, no sooner than the link's delay — never
 * how fast.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinkProxy } from '../../src/lab/wan/link-proxy.ts';
import { dial, readBytes, startEchoServer } from '../../src/lab/wan/loopback-peers.ts';

/** No test may hang: a broken link fails within this. */
const BOUNDED = { timeout: 30_000 };

/** Every server, socket and timer a test opened is closed by its end (sockets finish closing within a tick or two). */
after(async () => {
  await sleep(50);
  const leaks = process.getActiveResourcesInfo().filter((resource) => /TCP|Timeout|Immediate/.test(resource));
  assert.deepEqual(leaks, []);
});

/** How long a test watches for bytes that must not come: long against the link's delays, short for CI. */
const STALL_WATCH_MS = 150;

function closed(socket: Socket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(undefined);
    let failure: Error | undefined;
    socket.on('error', (error) => (failure = error));
    socket.once('close', () => resolve(failure));
  });
}

/** Polls `condition` until it holds; a bound, so that a broken link fails the test instead of hanging it. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadlineMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** Everything a socket receives from now on, as it arrives. */
function record(socket: Socket): { text: () => string } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // readBytes() leaves the socket paused; a new 'data' listener does not resume an explicitly paused stream.
  socket.resume();
  return { text: () => Buffer.concat(chunks).toString() };
}

/** A server that hands each accepted socket to the test, for talking from the far side. */
async function startPeerServer(): Promise<{ server: Server; port: number; accepted: Socket[]; nextSocket: () => Promise<Socket> }> {
  const accepted: Socket[] = [];
  const waiting: ((socket: Socket) => void)[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    accepted.push(socket);
    waiting.shift()?.(socket);
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const nextSocket = () => new Promise<Socket>((resolve) => waiting.push(resolve));
  return { server, port, accepted, nextSocket };
}

async function stopPeerServer(peer: { server: Server; accepted: Socket[] }): Promise<void> {
  for (const socket of peer.accepted) socket.destroy();
  await new Promise<void>((resolve) => peer.server.close(() => resolve()));
}

test('a partition both ways stalls data; healed, it delivers everything in order, a round trip later at the soonest', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'split', targetPort: echo.port, roundTripMs: 20 });
  const client = await dial(link.address.port);
  try {
    client.write('warm');
    await readBytes(client, 4);
    link.setFaults({ upstream: { partition: 'hold' }, downstream: { partition: 'hold' } });
    const received = record(client);
    client.write('held-1 ');
    client.write('held-2');
    await sleep(STALL_WATCH_MS);
    assert.equal(received.text(), '', 'bytes crossed a partition');
    assert.equal(link.stats().upstream.bytesForwarded, 4);
    const healedMs = performance.now();
    link.clearFaults();
    await waitFor(() => received.text().length >= 13, 'the held bytes arrive');
    assert.ok(performance.now() - healedMs >= 20, 'held bytes arrived sooner than one round trip after the heal');
    assert.equal(received.text(), 'held-1 held-2');
    assert.equal(link.stats().connections.reset, 0, 'a held partition must stall connections, not reset them');
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('a one-way partition stops one direction and lets the other through', BOUNDED, async () => {
  const peer = await startPeerServer();
  const link = await LinkProxy.start({ name: 'one-way', targetPort: peer.port, roundTripMs: 4 });
  const serverSide = peer.nextSocket();
  const client = await dial(link.address.port);
  try {
    client.write('hi');
    const server = await serverSide;
    assert.equal((await readBytes(server, 2)).toString(), 'hi');
    const atServer = record(server);
    const atClient = record(client);
    link.setFaults({ upstream: { partition: 'hold' } });
    client.write('to-server');
    server.write('to-client');
    await sleep(STALL_WATCH_MS);
    assert.equal(atClient.text(), 'to-client', 'the open direction must flow');
    assert.equal(atServer.text(), '', 'the partitioned direction must not');
    link.setFaults({ downstream: { partition: 'hold' } });
    server.write(' again');
    await waitFor(() => atServer.text() === 'to-server', 'the healed upstream delivers');
    await sleep(STALL_WATCH_MS);
    assert.equal(atClient.text(), 'to-client');
    link.clearFaults();
    await waitFor(() => atClient.text() === 'to-client again', 'the healed downstream delivers');
  } finally {
    client.destroy();
    await link.close();
    await stopPeerServer(peer);
  }
});

test('a new connection behind a partition hangs, reaches nothing, and times out', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'cut', targetPort: echo.port, handshakeTimeoutMs: 300, faults: { downstream: { partition: 'hold' } } });
  try {
    const startedMs = performance.now();
    const client = await dial(link.address.port);
    const closing = closed(client);
    client.write('anyone there?');
    const error = await closing;
    assert.ok(performance.now() - startedMs >= 300, 'gave up before the handshake timeout');
    assert.equal((error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    assert.equal(echo.acceptedConnections(), 0, 'a handshake crossed a partition');
    assert.equal(link.stats().connections.handshakesTimedOut, 1);
  } finally {
    await link.close();
    await echo.close();
  }
});

test('a new connection behind a partition completes once the partition heals', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'cut-then-healed', targetPort: echo.port, roundTripMs: 10, faults: { upstream: { partition: 'drop' } } });
  const client = await dial(link.address.port);
  try {
    client.write('early');
    await sleep(STALL_WATCH_MS);
    assert.equal(echo.acceptedConnections(), 0);
    const healedMs = performance.now();
    link.clearFaults();
    // Bytes a client wrote before its handshake are in its own send buffer: even a drop partition keeps them.
    assert.equal((await readBytes(client, 5)).toString(), 'early');
    assert.ok(performance.now() - healedMs >= 20, 'handshake and first bytes took less than two round trips after the heal');
    assert.equal(link.stats().upstream.bytesDropped, 0);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('a drop partition black-holes bytes and counts them; healed, the holed connection is reset', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'black-hole', targetPort: echo.port, roundTripMs: 2 });
  const client = await dial(link.address.port);
  try {
    client.write('ok');
    await readBytes(client, 2);
    link.setFaults({ upstream: { partition: 'drop' } });
    const received = record(client);
    client.write(Buffer.alloc(1000, 1));
    await waitFor(() => link.stats().upstream.bytesDropped >= 1000, 'the link drops the bytes');
    await sleep(STALL_WATCH_MS);
    assert.equal(received.text(), '');
    assert.deepEqual(link.stats().upstream, { bytesForwarded: 2, bytesDropped: 1000 });
    const closing = closed(client);
    link.clearFaults();
    assert.equal(((await closing) as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    assert.equal(link.stats().connections.reset, 1);
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});

test('resetConnections resets every open connection on both sides', BOUNDED, async () => {
  const peer = await startPeerServer();
  const link = await LinkProxy.start({ name: 'reset-all', targetPort: peer.port });
  const clients: Socket[] = [];
  try {
    for (let index = 0; index < 3; index++) {
      const serverSide = peer.nextSocket();
      const client = await dial(link.address.port);
      client.write('x');
      await readBytes(await serverSide, 1);
      clients.push(client);
    }
    const clientsClosed = clients.map(closed);
    const serversClosed = peer.accepted.map(closed);
    assert.equal(link.resetConnections(), 3);
    for (const error of await Promise.all(clientsClosed)) assert.equal((error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    for (const error of await Promise.all(serversClosed)) assert.equal((error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    assert.equal(link.stats().connections.reset, 3);
    assert.equal(link.openConnections, 0);
  } finally {
    for (const client of clients) client.destroy();
    await link.close();
    await stopPeerServer(peer);
  }
});

test('with reset probability 1 every new connection is reset; with 0 none is', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'flaky', targetPort: echo.port, roundTripMs: 10, faults: { resetProbability: 1 } });
  try {
    const startedMs = performance.now();
    const client = await dial(link.address.port);
    const error = await closed(client);
    assert.equal((error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    assert.ok(performance.now() - startedMs >= 10, 'the reset came back sooner than the SYN could have gone and returned');
    assert.equal(echo.acceptedConnections(), 0);
    link.setFaults({ resetProbability: 0 });
    const healthy = await dial(link.address.port);
    healthy.write('fine');
    assert.equal((await readBytes(healthy, 4)).toString(), 'fine');
    healthy.destroy();
  } finally {
    await link.close();
    await echo.close();
  }
});

test('a disabled link refuses new connections and closes open ones; enabled again, it serves on the same port', BOUNDED, async () => {
  const echo = await startEchoServer();
  const link = await LinkProxy.start({ name: 'down', targetPort: echo.port });
  const port = link.address.port;
  const client = await dial(port);
  try {
    client.write('up');
    await readBytes(client, 2);
    const closing = closed(client);
    await link.setEnabled(false);
    await closing;
    assert.equal(link.enabled, false);
    await assert.rejects(dial(port), { code: 'ECONNREFUSED' });
    await link.setEnabled(true);
    assert.equal(link.address.port, port);
    const again = await dial(port);
    again.write('back');
    assert.equal((await readBytes(again, 4)).toString(), 'back');
    again.destroy();
  } finally {
    client.destroy();
    await link.close();
    await echo.close();
  }
});
