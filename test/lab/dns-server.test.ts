/**
 * The lab's authoritative DNS server against real queries on loopback: over UDP and TCP, from the
 * project's own client (general codec, not the server's fast path), from hand-written bytes, from Node's
 * resolver (c-ares, an independent implementation) and from dig when it is installed. What is asserted is
 * DNS behaviour — flags, sections, TTLs, rcodes, EDNS and client subnet — and the counters; never speed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { encodeQuery, sendTcp, sendUdp, viewResponse, type QuerySpec, type ResponseView } from '../../src/lab/dns/dns-client.ts';
import type { DnsDecision, DnsQuestionContext } from '../../src/lab/dns/dns-decision.ts';
import { DnsConfigError } from '../../src/lab/dns/dns-errors.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns/dns-server.ts';

const ZONE = 'shop.meridian.test';
const BOUNDED = { timeout: 20_000 };

const WWW: DnsDecision = Object.freeze({ kind: 'answer', addresses: Object.freeze(['10.0.0.1', '10.0.0.2']), ttlSeconds: 60 });
const manyAddresses = (count: number) => Array.from({ length: count }, (_, index) => `10.2.${index >> 8}.${index & 0xff}`);

/** Answers as a routing policy would, per name and client subnet; records every question it saw. */
function decide(question: DnsQuestionContext, seen: DnsQuestionContext[]): DnsDecision {
  seen.push(question);
  const label = question.name.slice(0, -(ZONE.length + 1));
  switch (label) {
    case 'www':
      return WWW;
    case 'geo': {
      const address = question.clientSubnet?.address ?? question.sourceAddress;
      if (address.startsWith('192.0.2.')) return { kind: 'answer', addresses: ['10.9.0.1'], ttlSeconds: 30 };
      if (address.startsWith('198.51.100.')) return { kind: 'answer', addresses: ['10.9.0.2'], ttlSeconds: 30, scopePrefixLength: 16 };
      return { kind: 'answer', addresses: ['10.9.0.3'], ttlSeconds: 30, scopePrefixLength: 0 };
    }
    case 'v6':
      return { kind: 'answer', addresses: ['10.6.0.1'], ttlSeconds: 30 };
    case 'big':
      return { kind: 'answer', addresses: manyAddresses(60), ttlSeconds: 20 };
    case 'huge':
      return { kind: 'answer', addresses: manyAddresses(100), ttlSeconds: 20 };
    case 'empty':
      return { kind: 'answer', addresses: [], ttlSeconds: 20 };
    case 'boom':
      throw new Error('the routing policy failed');
    case 'bad':
      return { kind: 'answer', addresses: ['not-an-address'], ttlSeconds: 20 };
    case 'sick':
      return { kind: 'servfail' };
    case 'gone':
      return { kind: 'nodata' };
    default:
      return { kind: 'nxdomain' };
  }
}

let server: DnsServer;
const seen: DnsQuestionContext[] = [];

before(async () => {
  server = await startDnsServer({ zone: ZONE, decide: (question) => decide(question, seen), tcpIdleTimeoutMs: 300, maxTcpConnections: 4 });
});
after(() => server.close());

/** Every socket and timer a test opened is closed by its end. */
after(async () => {
  await sleep(50);
  const leaks = process.getActiveResourcesInfo().filter((resource) => /TCP|UDP|Timeout|Immediate/.test(resource));
  assert.deepEqual(leaks, []);
});

async function askUdp(spec: QuerySpec): Promise<ResponseView> {
  const response = await sendUdp(encodeQuery(spec), server.port);
  assert.ok(response !== undefined, `no UDP response to ${JSON.stringify(spec)}`);
  return viewResponse(response);
}

async function askTcp(spec: QuerySpec): Promise<ResponseView> {
  const [response] = await sendTcp([encodeQuery(spec)], server.port);
  return viewResponse(response!);
}

/** Polls `condition` until it holds; a bound, so that a broken server fails the test instead of hanging it. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  for (let waitedMs = 0; !condition(); waitedMs += 5) {
    if (waitedMs > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

const NEGATIVE_SOA = { name: ZONE, type: 'SOA', class: 1, ttl: 60, data: `ns1.${ZONE} hostmaster.${ZONE} 1 7200 900 1209600 60` };

describe('answers', () => {
  test('A records with their TTL, AA set, RD copied, RA clear, id and question echoed', BOUNDED, async () => {
    for (const transport of [askUdp, askTcp]) {
      const response = await transport({ id: 4242, name: `www.${ZONE}` });
      assert.equal(response.id, 4242);
      assert.equal(response.rcode, 0);
      assert.equal(response.authoritative, true);
      assert.equal(response.recursionDesired, true);
      assert.equal(response.recursionAvailable, false);
      assert.deepEqual(response.question, { name: `www.${ZONE}`, type: 'A', class: 1 });
      assert.deepEqual(response.answers, [
        { name: `www.${ZONE}`, type: 'A', class: 1, ttl: 60, data: '10.0.0.1' },
        { name: `www.${ZONE}`, type: 'A', class: 1, ttl: 60, data: '10.0.0.2' },
      ]);
      assert.deepEqual(response.authorities, []);
      assert.equal(response.edns, undefined, 'no OPT record in the response to a query without one');
    }
    const noRecursion = await askUdp({ id: 7, name: `www.${ZONE}`, recursionDesired: false, checkingDisabled: true });
    assert.equal(noRecursion.recursionDesired, false);
    assert.equal(noRecursion.checkingDisabled, true);
    assert.equal(noRecursion.id, 7);
  });

  test('the question comes back spelled as asked (0x20), decide() sees it lower-cased', BOUNDED, async () => {
    seen.length = 0;
    const first = await askUdp({ name: `wWw.ShOp.meridian.TEST` });
    const second = await askUdp({ name: `WWW.SHOP.MERIDIAN.TEST` });
    assert.equal(first.questionNameText, 'wWw.ShOp.meridian.TEST');
    assert.equal(second.questionNameText, 'WWW.SHOP.MERIDIAN.TEST');
    assert.equal(second.answers.length, 2);
    assert.deepEqual(seen.map((question) => [question.name, question.type, question.transport, question.sourceAddress]), [
      [`www.${ZONE}`, 'A', 'udp', '127.0.0.1'],
      [`www.${ZONE}`, 'A', 'udp', '127.0.0.1'],
    ]);
  });

  test('NXDOMAIN and NODATA carry the SOA with the negative TTL', BOUNDED, async () => {
    const missing = await askUdp({ name: `nope.${ZONE}` });
    assert.equal(missing.rcode, 3);
    assert.equal(missing.authoritative, true);
    assert.deepEqual(missing.answers, []);
    assert.deepEqual(missing.authorities, [NEGATIVE_SOA]);
    for (const spec of [{ name: `www.${ZONE}`, type: 'AAAA' }, { name: `gone.${ZONE}` }, { name: `empty.${ZONE}` }, { name: `www.${ZONE}`, type: 'MX' }]) {
      const nodata = await askUdp(spec);
      assert.equal(nodata.rcode, 0, spec.name);
      assert.equal(nodata.authoritative, true);
      assert.deepEqual(nodata.answers, []);
      assert.deepEqual(nodata.authorities, [NEGATIVE_SOA]);
    }
    const any = await askUdp({ name: `www.${ZONE}`, type: 'ANY' });
    assert.deepEqual(any.answers.map((record) => record.data), ['10.0.0.1', '10.0.0.2']);
  });

  test('SOA, NS (with glue) and ANY at the apex; the name server answers its own address', BOUNDED, async () => {
    const soa = await askUdp({ name: ZONE, type: 'SOA' });
    assert.equal(soa.authoritative, true);
    assert.deepEqual(soa.answers, [{ ...NEGATIVE_SOA, ttl: 900 }]);
    const ns = await askTcp({ name: `${ZONE}.`, type: 'NS' });
    assert.deepEqual(ns.answers, [{ name: ZONE, type: 'NS', class: 1, ttl: 172_800, data: `ns1.${ZONE}` }]);
    assert.deepEqual(ns.additionals, [{ name: `ns1.${ZONE}`, type: 'A', class: 1, ttl: 172_800, data: '127.0.0.1' }]);
    const any = await askUdp({ name: ZONE, type: 'ANY' });
    assert.deepEqual(any.answers.map((record) => record.type), ['SOA', 'NS']);
    const glue = await askUdp({ name: `NS1.${ZONE}` });
    assert.deepEqual(glue.answers.map((record) => record.data), ['127.0.0.1']);
    const apexA = await askUdp({ name: ZONE });
    assert.equal(apexA.rcode, 0, 'the apex exists: decide() saying NXDOMAIN there becomes NODATA');
    assert.deepEqual(apexA.authorities, [NEGATIVE_SOA]);
  });

  test('REFUSED outside the zone, for other classes and for zone transfers; AA clear', BOUNDED, async () => {
    seen.length = 0;
    const outside = ['example.com', 'meridian.test', `xshop.meridian.test`, `shop.meridian.test.evil`, ''];
    for (const name of outside) {
      const response = await askUdp({ name });
      assert.equal(response.rcode, 5, JSON.stringify(name));
      assert.equal(response.authoritative, false);
      assert.deepEqual(response.answers, []);
    }
    assert.equal((await askUdp({ name: `www.${ZONE}`, class: 3 })).rcode, 5, 'CHAOS');
    assert.equal((await askTcp({ name: ZONE, type: 'AXFR' })).rcode, 5);
    assert.deepEqual(seen, [], 'decide() is not asked about names it does not own');
  });

  test('a dot inside a label does not put a name in the zone', BOUNDED, async () => {
    // One label "evil.shop" under meridian.test: its text ends with ".shop.meridian.test", its labels do not.
    const query = Buffer.concat([
      Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from('\u0009evil.shop\u0008meridian\u0004test\u0000', 'latin1'),
      Buffer.from([0, 1, 0, 1]),
    ]);
    const response = viewResponse((await sendUdp(query, server.port))!);
    assert.equal(response.rcode, 5);
    assert.equal(response.question?.name, 'evil\\.shop.meridian.test');
  });
});

describe('SERVFAIL', () => {
  test('when decide() throws, returns something invalid, or says servfail; each counted', BOUNDED, async () => {
    const before = server.stats();
    for (const label of ['boom', 'bad', 'sick']) {
      for (const ask of [askUdp, askTcp]) {
        const response = await ask({ name: `${label}.${ZONE}` });
        assert.equal(response.rcode, 2, label);
        assert.deepEqual(response.answers, []);
      }
    }
    const stats = server.stats();
    assert.equal(stats.decideErrors - before.decideErrors, 2);
    assert.equal(stats.invalidDecisions - before.invalidDecisions, 2);
    assert.equal(stats.servfail - before.servfail, 6);
    assert.equal(stats.internalErrors, 0);
    assert.match(stats.lastError ?? '', /not-an-address|routing policy failed/);
    assert.equal((await askUdp({ name: `www.${ZONE}` })).answers.length, 2, 'the server goes on answering');
  });
});

describe('EDNS', () => {
  test('an OPT record gets one back: our payload size, version 0, DO copied', BOUNDED, async () => {
    const plain = await askUdp({ name: `www.${ZONE}`, edns: { udpPayloadSize: 4096 } });
    assert.deepEqual(plain.edns, { udpPayloadSize: 1232, version: 0, dnssecOk: false, options: [] });
    const secure = await askUdp({ name: `nope.${ZONE}`, edns: { dnssecOk: true } });
    assert.equal(secure.edns?.dnssecOk, true);
    assert.equal(secure.rcode, 3);
  });

  test('EDNS version 1 gets BADVERS with an OPT of version 0', BOUNDED, async () => {
    const response = await askUdp({ name: `www.${ZONE}`, edns: { version: 1 } });
    assert.equal(response.rcode, 16);
    assert.equal(response.edns?.version, 0);
    assert.deepEqual(response.answers, []);
    assert.equal(server.stats().badvers, 1);
  });

  test('unknown options are ignored, not echoed', BOUNDED, async () => {
    const cookie = { code: 10, data: Buffer.from('0123456789abcdef', 'hex') };
    const response = await askUdp({ name: `www.${ZONE}`, edns: { options: [cookie] } });
    assert.equal(response.answers.length, 2);
    assert.deepEqual(response.edns?.options, []);
  });
});

describe('EDNS client subnet', () => {
  test('decide() sees the subnet; the answer depends on it; the option is echoed with the scope', BOUNDED, async () => {
    seen.length = 0;
    const first = await askUdp({ name: `geo.${ZONE}`, edns: { clientSubnet: { address: '192.0.2.77', sourcePrefixLength: 24 } } });
    assert.deepEqual(first.answers.map((record) => record.data), ['10.9.0.1']);
    assert.deepEqual(first.clientSubnet, { family: 1, sourcePrefixLength: 24, scopePrefixLength: 24, address: '192.0.2.0' });
    assert.deepEqual(seen[0]?.clientSubnet, { family: 4, address: '192.0.2.0', sourcePrefixLength: 24 });

    const second = await askUdp({ name: `geo.${ZONE}`, edns: { clientSubnet: { address: '198.51.100.9', sourcePrefixLength: 24 } } });
    assert.deepEqual(second.answers.map((record) => record.data), ['10.9.0.2']);
    assert.equal(second.clientSubnet?.scopePrefixLength, 16, "decide()'s scope wins");

    const full = await askTcp({ name: `geo.${ZONE}`, edns: { clientSubnet: { address: '192.0.2.200', sourcePrefixLength: 32 } } });
    assert.deepEqual(full.clientSubnet, { family: 1, sourcePrefixLength: 32, scopePrefixLength: 24, address: '192.0.2.200' }, 'the default scope is capped at /24');

    const other = await askUdp({ name: `geo.${ZONE}`, edns: { clientSubnet: { address: '203.0.113.1', sourcePrefixLength: 24 } } });
    assert.deepEqual(other.answers.map((record) => record.data), ['10.9.0.3']);
    assert.equal(other.clientSubnet?.scopePrefixLength, 0);

    const withoutSubnet = await askUdp({ name: `geo.${ZONE}`, edns: {} });
    assert.deepEqual(withoutSubnet.answers.map((record) => record.data), ['10.9.0.3'], 'the source address decides');
    assert.equal(withoutSubnet.clientSubnet, undefined, 'no ECS in the response to a query without one');
  });

  test('a /0 prefix hides the client: decide() gets no subnet and the scope is 0', BOUNDED, async () => {
    seen.length = 0;
    const response = await askUdp({ name: `geo.${ZONE}`, edns: { clientSubnet: { address: '0.0.0.0', sourcePrefixLength: 0 } } });
    assert.equal(seen[0]?.clientSubnet, undefined);
    assert.deepEqual(response.clientSubnet, { family: 1, sourcePrefixLength: 0, scopePrefixLength: 0, address: '0.0.0.0' });
  });

  test('answers the server owns and refusals echo the option with scope 0; negatives keep the tailored scope', BOUNDED, async () => {
    const subnet = { address: '192.0.2.1', sourcePrefixLength: 24 };
    const soa = await askUdp({ name: ZONE, type: 'SOA', edns: { clientSubnet: subnet } });
    assert.equal(soa.clientSubnet?.scopePrefixLength, 0);
    const refused = await askUdp({ name: 'example.com', edns: { clientSubnet: subnet } });
    assert.equal(refused.clientSubnet?.scopePrefixLength, 0);
    const missing = await askUdp({ name: `nope.${ZONE}`, edns: { clientSubnet: subnet } });
    assert.equal(missing.clientSubnet?.scopePrefixLength, 24);
  });

  test('an IPv6 subnet reaches decide() as family 6; its default scope is capped at /56', BOUNDED, async () => {
    seen.length = 0;
    const option = (prefix: number[]) => ({ code: 8, data: Buffer.from(prefix) });
    const response = await askUdp({ name: `v6.${ZONE}`, edns: { options: [option([0, 2, 48, 0, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01])] } });
    assert.deepEqual(seen[0]?.clientSubnet, { family: 6, address: '2001:db8:1::', sourcePrefixLength: 48 });
    assert.equal(response.clientSubnet?.scopePrefixLength, 48);
    const long = await askUdp({ name: `v6.${ZONE}`, edns: { options: [option([0, 2, 64, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2])] } });
    assert.equal(seen[1]?.clientSubnet?.address, '2001:db8:1:2::');
    assert.equal(long.clientSubnet?.scopePrefixLength, 56);
  });

  test('a malformed option is FORMERR (RFC 7871 7.1.1)', BOUNDED, async () => {
    const malformed = [
      [0, 1, 24, 8, 192, 0, 2], // scope must be 0 in a query
      [0, 1, 24, 0, 192, 0, 2, 0], // a byte more than /24 needs
      [0, 1, 23, 0, 192, 0, 3], // a bit set past the prefix
      [0, 3, 8, 0, 10], // no such family
      [0, 1, 33, 0, 1, 2, 3, 4, 5], // longer than an IPv4 address
      [0, 1], // cut short
    ];
    const before = server.stats().formerr;
    for (const data of malformed) {
      const response = await askUdp({ id: 99, name: `geo.${ZONE}`, edns: { options: [{ code: 8, data: Buffer.from(data) }] } });
      assert.equal(response.rcode, 1, JSON.stringify(data));
      assert.equal(response.id, 99);
    }
    assert.equal(server.stats().formerr - before, malformed.length);
  });
});

describe('truncation', () => {
  test('over 512 bytes without EDNS: TC with the question and no records; TCP gets it all', BOUNDED, async () => {
    const truncated = await askUdp({ name: `big.${ZONE}` });
    assert.equal(truncated.truncated, true);
    assert.equal(truncated.authoritative, true);
    assert.deepEqual(truncated.question, { name: `big.${ZONE}`, type: 'A', class: 1 });
    assert.deepEqual(truncated.answers, []);
    const whole = await askTcp({ name: `big.${ZONE}` });
    assert.equal(whole.truncated, false);
    assert.equal(whole.answers.length, 60);
  });

  test("with EDNS the limit is the client's size, at most the server's 1232", BOUNDED, async () => {
    const fits = await askUdp({ name: `big.${ZONE}`, edns: { udpPayloadSize: 4096 } });
    assert.equal(fits.truncated, false);
    assert.equal(fits.answers.length, 60);
    const small = await askUdp({ name: `big.${ZONE}`, edns: { udpPayloadSize: 600 } });
    assert.equal(small.truncated, true);
    assert.equal(small.edns?.udpPayloadSize, 1232, 'the truncated response keeps its OPT record');
    const tooBig = await askUdp({ name: `huge.${ZONE}`, edns: { udpPayloadSize: 4096 } });
    assert.equal(tooBig.truncated, true, '100 records (1.6 KB) exceed 1232 bytes');
    assert.equal((await askTcp({ name: `huge.${ZONE}`, edns: { udpPayloadSize: 4096 } })).answers.length, 100);
  });
});

describe('malformed and unsupported messages', () => {
  const header = (flags: number, counts: [number, number, number, number]) =>
    Buffer.from([0xab, 0xcd, flags >> 8, flags & 0xff, ...counts.flatMap((count) => [count >> 8, count & 0xff])]);
  const question = Buffer.concat([Buffer.from('\u0003www\u0004shop\u0008meridian\u0004test\u0000', 'latin1'), Buffer.from([0, 1, 0, 1])]);

  /** Waits 2 s for an answer; 300 ms where none should come. */
  async function rcodeOf(message: Buffer, timeoutMs = 2000): Promise<{ rcode: number; id: number; opcode: number } | undefined> {
    const response = await sendUdp(message, server.port, '127.0.0.1', timeoutMs);
    if (response === undefined) return undefined;
    return { rcode: response[3]! & 0x0f, id: response.readUInt16BE(0), opcode: (response[2]! >> 3) & 0x0f };
  }

  test('FORMERR keeps the id: no question, two questions, cut short, trailing bytes, records in a query, two OPTs, bad pointers', BOUNDED, async () => {
    const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
    const cases: Record<string, Buffer> = {
      'no question': header(0x0100, [0, 0, 0, 0]),
      'two questions': Buffer.concat([header(0x0100, [2, 0, 0, 0]), question, question]),
      'question cut short': Buffer.concat([header(0x0100, [1, 0, 0, 0]), question.subarray(0, 10)]),
      'trailing bytes': Buffer.concat([header(0x0100, [1, 0, 0, 0]), question, Buffer.from([1, 2, 3])]),
      'an answer record': Buffer.concat([header(0x0100, [1, 1, 0, 0]), question, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4])]),
      'two OPT records': Buffer.concat([header(0x0100, [1, 0, 0, 2]), question, opt, opt]),
      'a pointer to itself': Buffer.concat([header(0x0100, [1, 0, 0, 0]), Buffer.from([0xc0, 12, 0, 1, 0, 1])]),
      'a pointer forwards': Buffer.concat([header(0x0100, [1, 0, 0, 0]), Buffer.from([0xc0, 14, 0, 1, 0, 1])]),
      'a label type 0x40': Buffer.concat([header(0x0100, [1, 0, 0, 0]), Buffer.from([0x41, 0, 0, 1, 0, 1])]),
      'OPT as the question type': Buffer.concat([header(0x0100, [1, 0, 0, 0]), question.subarray(0, question.length - 4), Buffer.from([0, 41, 0, 1])]),
      'huge counts': Buffer.concat([header(0x0100, [1, 0xffff, 0xffff, 0xffff]), question]),
    };
    for (const [what, message] of Object.entries(cases)) {
      assert.deepEqual(await rcodeOf(message), { rcode: 1, id: 0xabcd, opcode: 0 }, what);
    }
  });

  test('a 255-byte name is answered; one byte more is FORMERR', BOUNDED, async () => {
    // 63 + 63 + 63 + 42 bytes of labels, each with its length byte, then the zone's 20 bytes: 255.
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(42)}.${ZONE}`;
    const answered = await askUdp({ name: longest });
    assert.equal(answered.rcode, 3);
    assert.equal(answered.question?.name, longest);
    const tooLong = await askUdp({ id: 8, name: `e${longest}` });
    assert.equal(tooLong.rcode, 1);
    assert.equal(tooLong.question, undefined);
  });

  test('NOTIMP for other opcodes (STATUS, NOTIFY, UPDATE), with the opcode echoed', BOUNDED, async () => {
    for (const opcode of [2, 4, 5]) {
      assert.deepEqual(await rcodeOf(Buffer.concat([header(opcode << 11, [1, 0, 0, 0]), question])), { rcode: 4, id: 0xabcd, opcode });
    }
  });

  test('dropped unanswered: shorter than a header, or a response', BOUNDED, async () => {
    const before = server.stats();
    assert.equal(await rcodeOf(Buffer.from([1, 2, 3]), 300), undefined);
    assert.equal(await rcodeOf(Buffer.alloc(0), 300), undefined);
    assert.equal(await rcodeOf(Buffer.concat([header(0x8400, [1, 0, 0, 0]), question]), 300), undefined);
    await waitFor(() => server.stats().dropped - before.dropped >= 3, 'three drops are counted');
    assert.equal(server.stats().dropped - before.dropped, 3);
  });
});

describe('TCP', () => {
  test('several queries on one connection, pipelined in one write, answered in order', BOUNDED, async () => {
    const names = ['www', 'nope', 'geo', 'big', 'www'];
    const responses = await sendTcp(names.map((label, index) => encodeQuery({ id: index, name: `${label}.${ZONE}` })), server.port);
    assert.deepEqual(responses.map((response) => viewResponse(response).id), [0, 1, 2, 3, 4]);
    assert.deepEqual(responses.map((response) => viewResponse(response).rcode), [0, 3, 0, 0, 0]);
  });

  test('a client that pipelines without reading is paused, not buffered without bound, and gets every answer', BOUNDED, async () => {
    const count = 2000;
    const frames = Array.from({ length: count }, (_, id) => {
      const query = encodeQuery({ id, name: `big.${ZONE}` });
      return Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
    });
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.pause();
    socket.write(Buffer.concat(frames));
    await sleep(200);
    const ids: number[] = [];
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        ids.push(buffered.readUInt16BE(2));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
    });
    socket.resume();
    await waitFor(() => ids.length === count, `${count} answers (got ${ids.length})`);
    assert.deepEqual(ids, Array.from({ length: count }, (_, id) => id));
    assert.equal(server.stats().tcpBufferOverflows, 0);
    socket.destroy();
  });

  test('a query sent one byte at a time is answered', BOUNDED, async () => {
    const query = encodeQuery({ id: 77, name: `www.${ZONE}` });
    const framed = Buffer.concat([Buffer.from([0, query.length]), query]);
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    await once(socket, 'connect');
    const answer = once(socket, 'data');
    for (const byte of framed) {
      socket.write(Buffer.from([byte]));
      await sleep(1);
    }
    const [chunk] = (await answer) as [Buffer];
    assert.equal(viewResponse(chunk.subarray(2)).id, 77);
    socket.destroy();
  });

  test('a half-close is answered before the server closes its side', BOUNDED, async () => {
    const query = encodeQuery({ id: 5, name: `www.${ZONE}` });
    const socket = connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.end(Buffer.concat([Buffer.from([0, query.length]), query]));
    await once(socket, 'end');
    assert.equal(viewResponse(Buffer.concat(chunks).subarray(2)).id, 5);
    socket.destroy();
  });

  test('an idle connection is closed after the timeout; half a frame is counted', BOUNDED, async () => {
    const before = server.stats();
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.write(Buffer.from([0, 40, 0x12]));
    socket.resume();
    await once(socket, 'close');
    // The server counts when its side's 'close' event runs, which may come a tick after ours.
    await waitFor(() => server.stats().tcpIncompleteFrames > before.tcpIncompleteFrames, 'the half frame is counted');
    const stats = server.stats();
    assert.equal(stats.tcpIdleTimeouts - before.tcpIdleTimeouts, 1);
    assert.equal(stats.tcpIncompleteFrames - before.tcpIncompleteFrames, 1);
  });

  test('connections beyond the limit are closed at once and counted', BOUNDED, async () => {
    const before = server.stats().tcpRejectedConnections;
    const sockets = await Promise.all(Array.from({ length: 6 }, async () => {
      const socket = connect({ port: server.port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      return socket;
    }));
    await waitFor(() => server.stats().tcpRejectedConnections - before >= 2, 'two connections are rejected');
    await sleep(20);
    assert.equal(server.stats().tcpRejectedConnections - before, 2);
    assert.ok(server.stats().tcpOpenConnections <= 4);
    for (const socket of sockets) socket.destroy();
    await sleep(50);
  });
});

describe('response cache', () => {
  test('repeats are served from the cache, byte for byte but the id', BOUNDED, async () => {
    const before = server.stats();
    const first = await sendUdp(encodeQuery({ id: 1, name: `www.${ZONE}` }), server.port);
    const second = await sendUdp(encodeQuery({ id: 2, name: `www.${ZONE}` }), server.port);
    assert.deepEqual(first!.subarray(2), second!.subarray(2));
    assert.ok(server.stats().cacheHits - before.cacheHits >= 1);
  });

  test('it stays bounded', BOUNDED, async () => {
    const small = await startDnsServer({ zone: ZONE, decide: () => WWW, maxCachedResponses: 4 });
    try {
      for (let index = 0; index < 20; index++) {
        const response = await sendUdp(encodeQuery({ name: `n${index}.${ZONE}` }), small.port);
        assert.equal(viewResponse(response!).answers.length, 2);
      }
      assert.ok(small.stats().cachedResponses <= 8, `${small.stats().cachedResponses} cached`);
      assert.equal(small.stats().cacheMisses, 20);
    } finally {
      await small.close();
    }
  });
});

describe('independent clients', () => {
  test("Node's resolver (c-ares): A with TTL, NXDOMAIN, NODATA, SOA, NS, REFUSED, SERVFAIL, TC then TCP", BOUNDED, async () => {
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    assert.deepEqual(await resolver.resolve4(`www.${ZONE}`, { ttl: true }), [{ address: '10.0.0.1', ttl: 60 }, { address: '10.0.0.2', ttl: 60 }]);
    await assert.rejects(resolver.resolve4(`nope.${ZONE}`), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve6(`www.${ZONE}`), { code: 'ENODATA' });
    await assert.rejects(resolver.resolve4('example.com'), { code: 'EREFUSED' });
    await assert.rejects(resolver.resolve4(`boom.${ZONE}`), { code: 'ESERVFAIL' });
    assert.deepEqual(await resolver.resolveNs(ZONE), [`ns1.${ZONE}`]);
    const soa = await resolver.resolveSoa(ZONE);
    assert.deepEqual(soa, { nsname: `ns1.${ZONE}`, hostmaster: `hostmaster.${ZONE}`, serial: 1, refresh: 7200, retry: 900, expire: 1_209_600, minttl: 60 });
    const before = server.stats().tcpConnections;
    assert.equal((await resolver.resolve4(`huge.${ZONE}`)).length, 100);
    assert.ok(server.stats().tcpConnections > before, 'c-ares retried over TCP after TC');
  });

  test('dig, when installed', BOUNDED, async (context) => {
    const dig = await promisify(execFile)('dig', ['-v']).then(() => true, () => false);
    if (!dig) return context.skip('dig is not installed (apt-get install bind9-dnsutils)');
    const run = (...args: string[]) => promisify(execFile)('dig', [`@127.0.0.1`, '-p', String(server.port), '+tries=1', '+time=2', ...args]);
    const { stdout } = await run('+subnet=192.0.2.1/24', `geo.${ZONE}`);
    assert.match(stdout, /flags: qr aa rd;/);
    assert.match(stdout, /CLIENT-SUBNET: 192\.0\.2\.0\/24\/24/);
    assert.match(stdout, /geo\.shop\.meridian\.test\.\s+30\s+IN\s+A\s+10\.9\.0\.1/);
    assert.equal((await run('+short', '+tcp', `www.${ZONE}`)).stdout, '10.0.0.1\n10.0.0.2\n');
  });
});

describe('options', () => {
  test('bad options are refused with the field at fault', async () => {
    const cases: [object, string][] = [
      [{ zone: 'not a zone' }, 'zone'],
      [{ zone: '' }, 'zone'],
      [{ zone: ZONE, host: '0.0.0.0' }, 'host'],
      [{ zone: ZONE, port: 70_000 }, 'port'],
      [{ zone: ZONE, soa: { minimumTtlSeconds: -1 } }, 'soa.minimumTtlSeconds'],
      [{ zone: ZONE, nameServers: [{ name: 'ns1.example', address: 'nope' }] }, 'nameServers[0].address'],
      [{ zone: ZONE, maxUdpPayloadBytes: 100 }, 'maxUdpPayloadBytes'],
    ];
    for (const [options, field] of cases) {
      await assert.rejects(startDnsServer({ decide: () => WWW, ...options } as never), (error: unknown) => error instanceof DnsConfigError && error.field === field);
    }
  });

  test('UDP and TCP share the one port; a second server on a taken port fails cleanly', BOUNDED, async () => {
    const response = await sendTcp([encodeQuery({ name: `www.${ZONE}` })], server.port);
    assert.equal(viewResponse(response[0]!).answers.length, 2);
    await assert.rejects(startDnsServer({ zone: ZONE, port: server.port, decide: () => WWW }), { code: 'DNS_LISTEN_FAILED' });
  });
});
