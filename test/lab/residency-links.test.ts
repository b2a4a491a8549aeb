/**
 * Residency, checked on the wire: during a mixed workload, the WAN links count every byte of each table
 * under the table's name, and not one byte of the EU-resident table crosses a link with an end outside
 * the EU zone; a request for it outside the zone gets AccessDeniedException.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep } from './lab-support.ts';

const SPEC = `
name: residency-lab
regions:
  eu-central-1: { role: primary }
  eu-west-1: {}
  us-east-1: {}
zones:
  eu: [eu-central-1, eu-west-1]
populations:
  europe: { countries: [DE], requestsPerSecond: 10 }
  us: { countries: [US], requestsPerSecond: 10, mix: { patients: 0 } }
data:
  patients: { consistency: multi-writer, residency: eu, writesPerSecond: 1 }
  catalog: { consistency: multi-writer, writesPerSecond: 1 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }
`;
const ZONE = new Set(['eu-central-1', 'eu-west-1']);

test('no byte of a resident table leaves its zone on the links; out-of-zone requests are denied', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-residency-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const lab = await startLab(spec, chooseArchitecture(spec, 'active-active'), { dataDir: join(directory, 'data'), log: () => {} });
  const clients = new Map(
    lab.endpoints().map((endpoint) => [
      endpoint.region,
      new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region: endpoint.region, maxAttempts: 1, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } }),
    ]),
  );
  const put = (region: string, table: string, key: string) =>
    clients.get(region)!.send(new PutItemCommand({ TableName: table, Item: { pk: { S: key }, sk: { S: 'x' }, body: { S: 'y'.repeat(500) } } }));
  try {
    // Mixed workload: the catalog written everywhere, patients written in both EU regions.
    for (let round = 0; round < 40; round += 1) {
      await Promise.all([
        ...[...clients.keys()].map((region) => put(region, 'catalog', `c-${region}-${round}`)),
        ...[...ZONE].map((region) => put(region, 'patients', `p-${region}-${round}`)),
      ]);
    }
    await assert.rejects(put('us-east-1', 'patients', 'p-us'), (error: Error) => error.name === 'AccessDeniedException' && /patients may not be stored in us-east-1/.test(error.message));
    await assert.rejects(
      clients.get('us-east-1')!.send(new GetItemCommand({ TableName: 'patients', Key: { pk: { S: 'p-eu-west-1-0' }, sk: { S: 'x' } } })),
      (error: Error) => error.name === 'AccessDeniedException',
    );
    // Let replication finish, then read every link's counters.
    await sleep(1500);
    const replicationLinks = lab.wan.registry.list().filter((link) => !link.name.startsWith('data:'));
    const links = replicationLinks.map((link) => ({ name: link.name, stats: lab.wan.registry.get(link.name).stats() }));
    assert.equal(links.length, 6);
    for (const { name, stats } of links) {
      const [source, target] = name.split('->');
      const patients = stats.byTag.patients;
      const tagged = Object.values(stats.byTag).reduce((sum, tag) => sum + tag.upstreamBytes + tag.downstreamBytes, 0);
      const total = stats.upstream.bytesForwarded + stats.downstream.bytesForwarded;
      assert.equal(tagged, total, `${name}: every byte is attributed to a table`);
      assert.ok((stats.byTag.catalog?.upstreamBytes ?? 0) > 0, `${name} carried catalog bytes`);
      if (ZONE.has(source!) && ZONE.has(target!)) assert.ok((patients?.upstreamBytes ?? 0) > 20_000, `${name} carried patients within the zone`);
      else assert.equal((patients?.upstreamBytes ?? 0) + (patients?.downstreamBytes ?? 0), 0, `${name} carried patient bytes out of the zone`);
    }
  } finally {
    for (const client of clients.values()) client.destroy();
    await lab.stop();
  }
});
