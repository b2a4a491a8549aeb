/**
 * kill -9 of a region in the middle of writes, then restart: every acknowledged write is present in every
 * region afterwards, and replication resumes without applying anything twice (each region applies each
 * entry of each origin exactly once: its count of applied entries equals the sum of its positions).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLab, type Lab } from '../../src/lab/supervisor/lab.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep } from './lab-support.ts';

const SPEC = `
name: kill-restart-lab
regions:
  us-east-1: { role: primary }
  us-east-2: {}
  us-west-2: {}
populations:
  us: { countries: [US], requestsPerSecond: 10 }
data:
  profiles: { consistency: multi-writer, writesPerSecond: 1 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }
`;
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const VICTIM = 'us-east-1';

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

function clientFor(lab: Lab, region: string): DynamoDBClient {
  const endpoint = lab.endpoints().find((candidate) => candidate.region === region)!;
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region, maxAttempts: 1, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } });
}

/** Writes distinct items to `region` one after another until `stop()`; returns the acknowledged keys. */
function writer(lab: Lab, region: string, prefix: string) {
  const acknowledged = new Map<string, string>();
  let running = true;
  const done = (async () => {
    let client = clientFor(lab, region);
    for (let index = 0; running && index < 5000; index += 1) {
      const key = `${prefix}-${index}`;
      try {
        await client.send(new PutItemCommand({ TableName: 'profiles', Item: { pk: { S: key }, sk: { S: 'p' }, value: { S: `v${index}` } } }));
        acknowledged.set(key, `v${index}`);
      } catch {
        // The region is down: this write was not acknowledged. Reconnect to wherever it is now.
        client.destroy();
        await sleep(50);
        if (lab.endpoints().some((endpoint) => endpoint.region === region)) client = clientFor(lab, region);
      }
    }
    client.destroy();
  })();
  return { acknowledged, stop: async () => ((running = false), await done) };
}

async function metricsOf(lab: Lab, region: string) {
  const endpoint = lab.endpoints().find((candidate) => candidate.region === region)!;
  const response = await fetch(`http://127.0.0.1:${endpoint.replicationPort}/metrics`);
  return (await response.json()) as { tables: { profiles: { restoredFromJournal: boolean; applied: Record<string, number>; stats: { replicatedApplied: number; duplicatesIgnored: number } } } };
}

test('kill -9 of a region during writes, then restart: every acknowledged write is everywhere, nothing applied twice', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-kill-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const lab = await startLab(spec, chooseArchitecture(spec, 'active-active'), { dataDir: join(directory, 'data'), log: () => {} });
  try {
    const writers = REGIONS.map((region) => writer(lab, region, region));
    await sleep(1500);
    lab.killRegion(VICTIM);
    await sleep(500);
    await lab.restartRegion(VICTIM);
    await sleep(1500);
    for (const each of writers) await each.stop();
    const victimAcknowledged = writers[0]!.acknowledged.size;
    assert.ok(victimAcknowledged > 10, `the victim acknowledged ${victimAcknowledged} writes`);

    const expected = new Map(writers.flatMap((each) => [...each.acknowledged]));
    const tableOf = async (region: string) => {
      const client = clientFor(lab, region);
      const items = new Map<string, string>();
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: 'profiles', ...(start ? { ExclusiveStartKey: start } : {}) }));
        for (const item of page.Items ?? []) items.set(item.pk!.S!, item.value!.S!);
        start = page.LastEvaluatedKey as typeof start;
      } while (start !== undefined);
      client.destroy();
      return items;
    };
    await waitFor('every acknowledged write in every region', async () => {
      for (const region of REGIONS) {
        const items = await tableOf(region);
        for (const [key, value] of expected) if (items.get(key) !== value) return false;
      }
      return true;
    }, 30_000);
    const tables = await Promise.all(REGIONS.map(tableOf));
    assert.deepEqual([...tables[1]!].sort(), [...tables[0]!].sort(), 'us-east-2 holds what us-east-1 holds');
    assert.deepEqual([...tables[2]!].sort(), [...tables[0]!].sort(), 'us-west-2 holds what us-east-1 holds');

    assert.equal((await metricsOf(lab, VICTIM)).tables.profiles.restoredFromJournal, true);
    for (const region of REGIONS.filter((candidate) => candidate !== VICTIM)) {
      const { applied, stats } = (await metricsOf(lab, region)).tables.profiles;
      const positions = Object.values(applied).reduce((sum, seq) => sum + seq, 0);
      assert.equal(stats.replicatedApplied, positions, `${region} applied each entry once (${stats.duplicatesIgnored} resent entries recognised)`);
    }
  } finally {
    await lab.stop();
  }
});
