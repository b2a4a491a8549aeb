/**
 * Meridian's DNS server in its own process for the benchmark (bench/lab/dns-qps.ts), answering the
 * static data of dns-static-zone.ts through decide(), as a routing policy would: a Map lookup returning
 * pre-computed frozen decisions. Prints `{"url":"dns://127.0.0.1:PORT"}` once listening (what
 * src/lab/server-process.ts waits for) and the server's stats as JSON on stderr when it gets SIGTERM.
 *
 *   node --import tsx bench/lab/dns-server-main.ts [--port N]
 */
import { parseArgs } from 'node:util';
import type { DnsDecision } from '../../src/lab/dns/dns-decision.ts';
import { startDnsServer } from '../../src/lab/dns/dns-server.ts';
import { BENCH_SOA, BENCH_TTL_SECONDS, BENCH_ZONE, benchRecords } from './dns-static-zone.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const decisions = new Map<string, DnsDecision>();
for (const [name, addresses] of benchRecords()) {
  decisions.set(name, Object.freeze({ kind: 'answer', addresses: Object.freeze([...addresses]), ttlSeconds: BENCH_TTL_SECONDS }));
}
const NXDOMAIN: DnsDecision = Object.freeze({ kind: 'nxdomain' });

const server = await startDnsServer({
  zone: BENCH_ZONE,
  port: Number(values.port),
  soa: { responsiblePerson: BENCH_SOA.responsiblePerson, ttlSeconds: BENCH_SOA.ttlSeconds, minimumTtlSeconds: BENCH_SOA.minimumTtlSeconds },
  decide: (question) => decisions.get(question.name) ?? NXDOMAIN,
});
process.stdout.write(`${JSON.stringify({ url: `dns://${server.host}:${server.port}` })}\n`);
process.on('SIGTERM', () => {
  process.stderr.write(`meridian dns server stats: ${JSON.stringify(server.stats())}\n`);
  void server.close().then(() => process.exit(0));
});
