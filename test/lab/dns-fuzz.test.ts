/**
 * Hostile input for the DNS server, from one seeded PRNG (printed; replay with DNS_FUZZ_SEED=N): random
 * bytes, valid queries cut short, bit-flipped, with absurd counts, bad compression pointers and labels,
 * mangled EDNS and client-subnet options; TCP frames whose length lies, half frames and half length
 * prefixes followed by a disconnect. Afterwards the server must still answer correctly, every message
 * must be counted exactly once, and nothing may have reached the internal-error path.
 *
 * The parsers are also fuzzed without sockets: neither may throw, and whenever the fast path accepts a
 * message the full parser must read it the same way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeQuery, sendTcp, sendUdp, viewResponse, type QuerySpec } from '../../src/lab/dns/dns-client.ts';
import type { DnsDecision, DnsQuestionContext } from '../../src/lab/dns/dns-decision.ts';
import { parseConfiguredName } from '../../src/lab/dns/domain-name.ts';
import { parseQueryFast } from '../../src/lab/dns/fast-query-parser.ts';
import { parseQueryFull } from '../../src/lab/dns/full-query-parser.ts';
import { decodeMessage } from '../../src/lab/dns/message-decoder.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns/dns-server.ts';

const ZONE = 'shop.meridian.test';
const SEED = Number(process.env.DNS_FUZZ_SEED ?? 20_261_126);
const BOUNDED = { timeout: 30_000 };

/** mulberry32: small, seeded, good enough to pick mutations. */
class Fuzz {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  }
  int(limit: number): number {
    return Math.floor(this.next() * limit);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.int(256)));
  }
}

/** A routing policy that answers, denies, fails and misbehaves, by a hash of the name. */
function decide(question: DnsQuestionContext): DnsDecision {
  if (question.name.startsWith('big.')) return { kind: 'answer', addresses: Array.from({ length: 60 }, (_, index) => `10.2.0.${index}`), ttlSeconds: 5 };
  let hash = 0;
  for (let index = 0; index < question.name.length; index++) hash = (hash * 31 + question.name.charCodeAt(index)) >>> 0;
  switch (hash % 6) {
    case 0: return { kind: 'answer', addresses: ['10.0.0.1'], ttlSeconds: 60, scopePrefixLength: hash % 33 };
    case 1: return { kind: 'answer', addresses: Array.from({ length: 1 + (hash % 50) }, (_, index) => `10.1.0.${index}`), ttlSeconds: hash % 300 };
    case 2: return { kind: 'nxdomain' };
    case 3: return { kind: 'nodata' };
    case 4: throw new Error('policy failure');
    default: return { kind: 'answer', addresses: ['300.1.1.1'], ttlSeconds: 1 };
  }
}

function validQueries(fuzz: Fuzz): Buffer[] {
  const names = [`www.${ZONE}`, `WwW.${ZONE}`, ZONE, `a.b.c.${ZONE}`, `ns1.${ZONE}`, 'example.com', '', `under_score.${ZONE}`, `x-y.${ZONE}`, `big.${ZONE}`];
  const types = ['A', 'AAAA', 'SOA', 'NS', 'ANY', 'MX', 'TXT', 'AXFR', 'TYPE999'];
  const queries: Buffer[] = [];
  for (let index = 0; index < 60; index++) {
    const spec: QuerySpec = {
      id: fuzz.int(65_536),
      name: fuzz.pick(names),
      type: fuzz.pick(types),
      recursionDesired: fuzz.int(2) === 0,
      edns: fuzz.int(3) === 0 ? undefined : {
        udpPayloadSize: fuzz.pick([0, 512, 1232, 4096, 65_535]),
        dnssecOk: fuzz.int(2) === 0,
        clientSubnet: fuzz.int(2) === 0 ? { address: `${fuzz.int(256)}.${fuzz.int(256)}.${fuzz.int(256)}.1`, sourcePrefixLength: fuzz.int(33) } : undefined,
        options: fuzz.int(4) === 0 ? [{ code: 10, data: fuzz.bytes(8) }] : [],
      },
    };
    queries.push(encodeQuery(spec));
  }
  return queries;
}

function setCount(message: Buffer, field: number, value: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(value, 4 + 2 * field);
  return copy;
}

/** Where the question of a query from encodeQuery ends (its name is uncompressed): the OPT record starts there. */
function questionEnd(query: Buffer): number {
  let position = 12;
  while (query[position]! !== 0) position += 1 + query[position]!;
  return position + 5;
}

/** Every kind of mutation, in proportions that keep the run short. */
function hostileMessages(fuzz: Fuzz, valid: readonly Buffer[]): Buffer[] {
  const messages: Buffer[] = [];
  for (let index = 0; index < 600; index++) messages.push(fuzz.bytes(fuzz.int(index < 50 ? 14 : 600)));
  for (let index = 0; index < 600; index++) {
    const query = fuzz.pick(valid);
    messages.push(query.subarray(0, fuzz.int(query.length)));
  }
  for (let index = 0; index < 1500; index++) {
    const copy = Buffer.from(fuzz.pick(valid));
    for (let flip = 1 + fuzz.int(8); flip > 0; flip--) copy[fuzz.int(copy.length)]! ^= 1 << fuzz.int(8);
    messages.push(copy);
  }
  for (let index = 0; index < 400; index++) {
    messages.push(setCount(fuzz.pick(valid), fuzz.int(4), fuzz.pick([0, 1, 2, 3, 0xff, 0xffff, fuzz.int(65_536)])));
  }
  const header = Buffer.from([0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.from([0, 1, 0, 1]);
  const names = [
    [0xc0, 12], [0xc0, 13], [0xc0, 200], [0xff, 0xff], [0x01, 0x61, 0xc0, 12], [0x01, 0x61, 0xc0, 14],
    [0x40, 0x00], [0x80, 0x00], [0x3f, 0x61], [0x05, 0x61, 0x62], [0x01, 0x61, 0x01],
    [...Array.from({ length: 260 }, (_, position) => (position % 2 === 0 ? 1 : 0x61)), 0], // 130 labels: 261 bytes, over the 255 limit
  ];
  for (const name of names) messages.push(Buffer.concat([header, Buffer.from(name), tail]));
  for (let index = 0; index < 300; index++) {
    const query = Buffer.from(fuzz.pick(valid.filter((candidate) => candidate.readUInt16BE(10) === 1)));
    const optStart = questionEnd(query);
    const pointerAt = fuzz.int(2) === 0 ? optStart : 12;
    const pointer = fuzz.pick([[0xc0, 12], [0xc0, optStart & 0xff], [0xc0 | (query.length >> 8), query.length & 0xff]]);
    if (pointerAt < query.length - 1) Buffer.from(pointer).copy(query, pointerAt);
    messages.push(query);
  }
  for (let index = 0; index < 500; index++) {
    const data = fuzz.int(2) === 0 ? fuzz.bytes(fuzz.int(24)) : Buffer.from([0, 1 + fuzz.int(3), fuzz.int(140), fuzz.int(3) === 0 ? fuzz.int(256) : 0, ...fuzz.bytes(fuzz.int(18))]);
    const spec: QuerySpec = { id: index, name: `o${index}.${ZONE}`, edns: { version: fuzz.int(8) === 0 ? 1 : 0, options: [{ code: fuzz.pick([8, 8, 8, 10, 12, 65_001]), data }] } };
    const query = encodeQuery(spec);
    // Sometimes lie about the option's or the record's length.
    if (fuzz.int(4) === 0) query.writeUInt16BE(fuzz.int(80), query.length - data.length - 2);
    if (fuzz.int(6) === 0) query.writeUInt16BE(fuzz.int(80), query.length - data.length - 6);
    messages.push(query);
  }
  return messages;
}

let server: DnsServer;

before(async () => {
  process.stdout.write(`# dns fuzz seed ${SEED} (replay: DNS_FUZZ_SEED=${SEED})\n`);
  server = await startDnsServer({ zone: ZONE, decide, tcpIdleTimeoutMs: 500, maxTcpConnections: 64, maxCachedResponses: 500 });
});
after(() => server.close());

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  for (let waitedMs = 0; !condition(); waitedMs += 5) {
    if (waitedMs > timeoutMs) throw new Error(`seed ${SEED}: timed out waiting until ${what}`);
    await sleep(5);
  }
}

function assertEveryMessageCountedOnce(): void {
  const stats = server.stats();
  const outcomes = stats.answered + stats.nodata + stats.nxdomain + stats.refused + stats.formerr + stats.notimp + stats.servfail + stats.badvers + stats.dropped;
  assert.equal(outcomes, stats.queries, `seed ${SEED}: ${JSON.stringify(stats)}`);
  assert.equal(stats.internalErrors, 0, `seed ${SEED}: ${stats.lastError}`);
}

async function assertStillAnswers(): Promise<void> {
  const query = encodeQuery({ id: 31_337, name: `www.${ZONE}`, type: 'SOA' });
  for (const response of [await sendUdp(query, server.port), (await sendTcp([query], server.port))[0]]) {
    assert.ok(response !== undefined, `seed ${SEED}: no answer after the barrage`);
    const view = viewResponse(response);
    assert.equal(view.id, 31_337);
    assert.equal(view.authoritative, true);
    assert.deepEqual(view.question, { name: `www.${ZONE}`, type: 'SOA', class: 1 });
  }
}

test('the parsers never throw, and the fast path agrees with the full parser', () => {
  const fuzz = new Fuzz(SEED);
  const zoneLabels = parseConfiguredName(ZONE);
  assert.ok(typeof zoneLabels !== 'string');
  const zone = { zone: ZONE, dottedZone: `.${ZONE}` };
  const scratch = Buffer.alloc(256);
  const valid = validQueries(fuzz);
  let accepted = 0;
  for (let round = 0; round < 4; round++) {
    for (const message of [...valid, ...hostileMessages(fuzz, valid)]) {
      const fast = parseQueryFast(message, zone, scratch);
      const full = parseQueryFull(message, zoneLabels);
      if (fast === null) continue;
      accepted++;
      const hex = message.toString('hex');
      assert.equal(full.kind, 'query', `seed ${SEED}: fast path accepted what the full parser rejects: ${hex}`);
      if (full.kind !== 'query') continue;
      const { questionName: fastName, ...fastRest } = fast;
      const { questionName: fullName, ...fullRest } = full.query;
      assert.deepEqual(Buffer.from(fastName), Buffer.from(fullName), hex);
      assert.deepEqual(
        { ...fastRest, edns: fastRest.edns && { ...fastRest.edns, clientSubnet: fastRest.edns.clientSubnet && { ...fastRest.edns.clientSubnet, addressBytes: Buffer.from(fastRest.edns.clientSubnet.addressBytes) } } },
        { ...fullRest, edns: fullRest.edns && { ...fullRest.edns, clientSubnet: fullRest.edns.clientSubnet && { ...fullRest.edns.clientSubnet, addressBytes: Buffer.from(fullRest.edns.clientSubnet.addressBytes) } } },
        hex,
      );
    }
  }
  assert.ok(accepted > 200, `the fast path took only ${accepted} messages`);
});

test('thousands of hostile datagrams: every one counted once, no internal error, still answering', BOUNDED, async () => {
  const fuzz = new Fuzz(SEED + 1);
  // A few plain queries too large for 512 bytes, so that truncation is always among the outcomes.
  const messages = [...hostileMessages(fuzz, validQueries(fuzz)), ...Array.from({ length: 5 }, (_, id) => encodeQuery({ id, name: `big.${ZONE}` }))];
  const client = createSocket('udp4');
  const responses: Buffer[] = [];
  client.on('message', (response) => responses.push(response));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  const start = server.stats().queries;
  try {
    // Batches small enough for the socket buffers: a datagram the kernel dropped would spoil the count.
    for (let sent = 0; sent < messages.length; sent += 100) {
      const batch = messages.slice(sent, sent + 100);
      for (const message of batch) client.send(message, server.port, '127.0.0.1');
      await waitFor(() => server.stats().queries - start >= sent + batch.length, `the server read ${sent + batch.length} datagrams`);
    }
    await sleep(50);
  } finally {
    client.close();
  }
  assert.equal(server.stats().queries - start, messages.length);
  assertEveryMessageCountedOnce();
  for (const response of responses) {
    assert.doesNotThrow(() => decodeMessage(response), `seed ${SEED}: a malformed response ${response.toString('hex')}`);
    assert.ok(response.length <= 1232, 'no UDP response beyond the payload limit');
    assert.equal(response[2]! & 0x80, 0x80, 'QR set');
  }
  const stats = server.stats();
  for (const counter of ['formerr', 'dropped', 'answered', 'nxdomain', 'servfail', 'refused', 'badvers', 'decideErrors', 'invalidDecisions', 'truncated'] as const) {
    assert.ok(stats[counter] > 0, `seed ${SEED}: the barrage never produced ${counter}`);
  }
  process.stdout.write(`# after ${messages.length} datagrams: ${JSON.stringify(stats)}\n`);
  await assertStillAnswers();
});

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(length);
  return prefix;
}

function frame(message: Buffer): Buffer {
  return Buffer.concat([lengthPrefix(message.length), message]);
}

/** Writes `bytes` on a new connection, then ends it (or resets it) and waits until it is closed. */
async function tcpSession(port: number, chunks: readonly Buffer[], abort: boolean): Promise<number> {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  let received = 0;
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  await once(socket, 'connect');
  for (const chunk of chunks) socket.write(chunk);
  if (abort) socket.resetAndDestroy();
  else socket.end();
  if (!socket.closed) await once(socket, 'close');
  return received;
}

test('hostile TCP: lying lengths, half frames, half prefixes, resets; the server survives and counts', BOUNDED, async () => {
  const fuzz = new Fuzz(SEED + 2);
  const valid = validQueries(fuzz);
  const hostile = hostileMessages(fuzz, valid);
  const before = server.stats();
  let deliberatelyIncomplete = 0;
  const sessions: (() => Promise<number>)[] = [];
  for (let index = 0; index < 160; index++) {
    const frames = Array.from({ length: 1 + fuzz.int(6) }, () => frame(fuzz.int(2) === 0 ? fuzz.pick(valid) : fuzz.pick(hostile)));
    const kind = index % 4;
    if (kind === 1) {
      const query = fuzz.pick(valid);
      frames.push(Buffer.concat([lengthPrefix(query.length + 1 + fuzz.int(100)), query])); // promises more than it sends
      deliberatelyIncomplete++;
    } else if (kind === 2) {
      frames.push(Buffer.from([fuzz.int(256)])); // half a length prefix
      deliberatelyIncomplete++;
    } else if (kind === 3) {
      const query = fuzz.pick(valid);
      frames.push(Buffer.concat([lengthPrefix(Math.max(0, query.length - 1 - fuzz.int(10))), query])); // promises less
    }
    const bytes = Buffer.concat(frames);
    const cuts = [0, ...Array.from({ length: fuzz.int(4) }, () => fuzz.int(bytes.length)), bytes.length].sort((a, b) => a - b);
    const chunks = cuts.slice(1).map((end, position) => bytes.subarray(cuts[position]!, end));
    // A reset may discard bytes the server has not read yet: only complete sessions are reset.
    const abort = (kind === 0 || kind === 3) && fuzz.int(8) === 0;
    sessions.push(() => tcpSession(server.port, chunks, abort));
  }
  for (let start = 0; start < sessions.length; start += 16) await Promise.all(sessions.slice(start, start + 16).map((session) => session()));
  await waitFor(() => server.stats().tcpOpenConnections === 0, 'every connection is closed');
  const stats = server.stats();
  assert.equal(stats.tcpConnections - before.tcpConnections, sessions.length);
  assert.ok(stats.tcpIncompleteFrames - before.tcpIncompleteFrames >= deliberatelyIncomplete, `incomplete frames: ${stats.tcpIncompleteFrames - before.tcpIncompleteFrames} < ${deliberatelyIncomplete}`);
  assert.ok(stats.queries > before.queries);
  assertEveryMessageCountedOnce();
  await assertStillAnswers();
});
