/**
 * Replication lag of a multi-writer table in the live lab: two region processes, us-east-1 and eu-west-1,
 * joined by WAN links with the catalog's round trip between them (69.6 ms); 1,000 PutItem per second for
 * 10 s into us-east-1 through a lean HTTP client; then the lag of every entry eu-west-1 applied (from the
 * write's HLC time at the origin to its application, on the same machine clock). The class's
 * replicationLagMs is 0, so replication leaves as soon as it can: this measures the engine and the link,
 * not the configured lag the lab otherwise honours.
 *
 *   node --import tsx bench/data/replication-lag.ts [--rate 1000] [--seconds 10]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { regionRtt } from '../../src/catalog/latency.ts';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const ratePerSecond = option('rate', 1000);
const seconds = option('seconds', 10);
const directory = mkdtempSync(join(tmpdir(), 'meridian-lag-'));
writeFileSync(
  join(directory, 'spec.yaml'),
  `name: lag\nregions:\n  us-east-1: { role: primary }\n  eu-west-1: {}\npopulations:\n  users: { countries: [US], requestsPerSecond: 10 }\ndata:\n  profiles: { consistency: multi-writer, writesPerSecond: ${ratePerSecond}, replicationLagMs: 0 }\nrouting: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }\n`,
);
const { spec } = await loadSpec(join(directory, 'spec.yaml'));
const lab = await startLab(spec, chooseArchitecture(spec, 'active-active'), { dataDir: join(directory, 'data'), log: () => {} });
try {
  const source = lab.regions.get('us-east-1')!.current!;
  const target = lab.regions.get('eu-west-1')!.current!;
  const pool = new Pool(`http://127.0.0.1:${source.dataPort}`, { connections: 16 });
  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' };
  const body = (i: number) => JSON.stringify({ TableName: 'profiles', Item: { pk: { S: `user-${i % 5000}` }, sk: { S: 'profile' }, n: { N: String(i) } } });
  let sent = 0;
  let acknowledged = 0;
  const total = ratePerSecond * seconds;
  const startedMs = performance.now();
  // Paced in 10 ms ticks: the writer keeps the rate without bursts of a whole second.
  while (sent < total) {
    const dueCount = Math.min(total, Math.floor(((performance.now() - startedMs) / 1000) * ratePerSecond));
    for (; sent < dueCount; sent++) {
      void pool.request({ path: '/', method: 'POST', headers, body: body(sent) }).then(async (response) => {
        await response.body.dump();
        if (response.statusCode === 200) acknowledged++;
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await pool.close();
  const metrics = (await (await fetch(`http://127.0.0.1:${target.replicationPort}/metrics`)).json()) as {
    replicationLagMs: Record<string, Record<string, { entries: number; p50Ms: number; p99Ms: number; maxMs: number }>>;
    tables: { profiles: { stats: { replicatedApplied: number; duplicatesIgnored: number } } };
  };
  const lag = metrics.replicationLagMs.profiles!['us-east-1']!;
  const elapsedS = (performance.now() - startedMs) / 1000 - 3;
  console.log(`writes sent ${sent}, acknowledged ${acknowledged}, at ${(sent / elapsedS).toFixed(0)} writes/s into us-east-1`);
  console.log(`link us-east-1 -> eu-west-1: round trip ${regionRtt('us-east-1', 'eu-west-1').rttMs} ms (one way ${(regionRtt('us-east-1', 'eu-west-1').rttMs / 2).toFixed(1)} ms)`);
  console.log(`replication lag at eu-west-1 over ${lag.entries} entries: p50 ${lag.p50Ms.toFixed(1)} ms, p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms`);
  const { stats } = metrics.tables.profiles;
  console.log(`eu-west-1 applied ${stats.replicatedApplied} entries once; ${stats.duplicatesIgnored} resent entries recognised and ignored`);
} finally {
  await lab.stop();
}
