/**
 * The benchmark's far side, run as a child process so that the link proxy under test has its event loop
 * to itself, as in the lab. It serves a ping echo and a byte sink, and runs clients against any port it
 * is given. Both ends of every measurement are in this process, on one clock, so one-way delays are
 * measured directly: up = server receive − client send, down = client receive − server receive.
 *
 * Protocol: one JSON command per stdin line, one JSON answer per stdout line.
 *   {"command":"serve"}                                         → {"pingPort":…, "sinkPort":…}
 *   {"command":"ping","port":…,"connections":…,"pingsPerConnection":…,"deadlineInMs":…}
 *                                                               → {"samples":[[upMs,downMs],…], "firstExchangeMs":[…]}
 *   {"command":"bulk","port":…,"bytes":…}                       → {"bytes":…, "elapsedMs":…}
 *   {"command":"exit"}
 */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { dial } from '../../src/lab/wan/loopback-peers.ts';

const FRAME_BYTES = 16;
const BULK_CHUNK_BYTES = 64 * 1024;

/** Answers each 16-byte ping frame with its sequence number and the time the frame arrived. */
function pingServer(): Server {
  return createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const arrivedMs = performance.now();
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= FRAME_BYTES) {
        const reply = Buffer.alloc(FRAME_BYTES);
        reply.writeUInt32LE(pending.readUInt32LE(0), 0);
        reply.writeDoubleLE(arrivedMs, 8);
        socket.write(reply);
        pending = pending.subarray(FRAME_BYTES);
      }
    });
  });
}

/** Counts bytes and answers one byte once it has the `bytes` announced in the first 8 bytes. */
function sinkServer(): Server {
  return createServer((socket) => {
    socket.on('error', () => undefined);
    let expected = -1;
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      if (expected < 0) expected = Number(chunk.readBigUInt64LE(0));
      received += chunk.length;
      if (received >= expected + 8) socket.write(Buffer.from([1]));
    });
  });
}

async function listen(server: Server): Promise<number> {
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** Sequential pings on one connection; the first also pays the handshake and is reported apart. */
async function pingConnection(port: number, pings: number, deadlineMs: number): Promise<{ samples: [number, number][]; firstExchangeMs: number }> {
  const startedMs = performance.now();
  const socket = await dial(port);
  const samples: [number, number][] = [];
  let firstExchangeMs = Number.NaN;
  let waiting: ((reply: { serverMs: number; receivedMs: number }) => void) | null = null;
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const receivedMs = performance.now();
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (pending.length >= FRAME_BYTES && waiting !== null) {
      const serverMs = pending.readDoubleLE(8);
      pending = pending.subarray(FRAME_BYTES);
      const resolve = waiting;
      waiting = null;
      resolve({ serverMs, receivedMs });
    }
  });
  for (let sequence = 0; sequence <= pings && performance.now() < deadlineMs; sequence++) {
    const frame = Buffer.alloc(FRAME_BYTES);
    frame.writeUInt32LE(sequence, 0);
    const reply = new Promise<{ serverMs: number; receivedMs: number }>((resolve) => (waiting = resolve));
    const sentMs = performance.now();
    socket.write(frame);
    const { serverMs, receivedMs } = await reply;
    if (sequence === 0) firstExchangeMs = receivedMs - startedMs;
    else samples.push([serverMs - sentMs, receivedMs - serverMs]);
  }
  socket.destroy();
  return { samples, firstExchangeMs };
}

async function ping(command: { port: number; connections: number; pingsPerConnection: number; deadlineInMs: number }): Promise<object> {
  const deadlineMs = performance.now() + command.deadlineInMs;
  const results = await Promise.all(
    Array.from({ length: command.connections }, () => pingConnection(command.port, command.pingsPerConnection, deadlineMs)),
  );
  return { samples: results.flatMap((result) => result.samples), firstExchangeMs: results.map((result) => result.firstExchangeMs) };
}

async function bulk(command: { port: number; bytes: number }): Promise<object> {
  const socket = await dial(command.port);
  const acknowledged = once(socket, 'data');
  const startedMs = performance.now();
  const header = Buffer.alloc(8);
  header.writeBigUInt64LE(BigInt(command.bytes));
  socket.write(header);
  const chunk = Buffer.alloc(BULK_CHUNK_BYTES, 0x5a);
  for (let sent = 0; sent < command.bytes; sent += BULK_CHUNK_BYTES) {
    const piece = sent + BULK_CHUNK_BYTES <= command.bytes ? chunk : chunk.subarray(0, command.bytes - sent);
    if (!socket.write(piece)) await once(socket, 'drain');
  }
  await acknowledged;
  const elapsedMs = performance.now() - startedMs;
  socket.destroy();
  return { bytes: command.bytes, elapsedMs };
}

async function main(): Promise<void> {
  const servers = [pingServer(), sinkServer()];
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = JSON.parse(line) as { command: string } & Record<string, number>;
    let answer: object;
    if (command.command === 'serve') answer = { pingPort: await listen(servers[0]!), sinkPort: await listen(servers[1]!) };
    else if (command.command === 'ping') answer = await ping(command as never);
    else if (command.command === 'bulk') answer = await bulk(command as never);
    else break;
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  lines.close();
  for (const server of servers) server.close();
  process.exit(0);
}

await main();
