/**
 * The lab honours an asynchronous class's replication lag, as the simulator does: with a 2 s lag, a
 * single-writer primary killed within the lag of its last writes has shipped none of them, and a failover
 * loses exactly those, while what the lag had let through survives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLab, type Lab } from '../../src/lab/supervisor/lab.ts';
import { failover } from '../../src/lab/supervisor/table-control.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

const SPEC = `
name: lag-lab
regions:
  us-east-1: { role: primary }
  us-east-2: {}
populations:
  us: { countries: [US], requestsPerSecond: 10 }
data:
  ledger: { consistency: single-writer, writesPerSecond: 1, replicationLagMs: 2000 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }
`;

function clientFor(lab: Lab, region: string): DynamoDBClient {
  const endpoint = lab.endpoints().find((candidate) => candidate.region === region)!;
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region, maxAttempts: 1, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } });
}

async function keysIn(lab: Lab, region: string): Promise<Set<string>> {
  const client = clientFor(lab, region);
  const page = await client.send(new ScanCommand({ TableName: 'ledger' }));
  client.destroy();
  return new Set((page.Items ?? []).map((item) => item.pk!.S!));
}

test('a failover loses the writes the lag had not shipped, and only those', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-lag-failover-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const lab = await startLab(spec, chooseArchitecture(spec, 'active-active'), { dataDir: join(directory, 'data'), log: () => {} });
  try {
    const client = clientFor(lab, 'us-east-1');
    const put = async (key: string) => client.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: key }, sk: { S: 'e' } } }));
    // A first batch, shipped: the lag has passed once the secondary shows its last write.
    const shipped = Array.from({ length: 20 }, (_, index) => `a-${index}`);
    for (const key of shipped) await put(key);
    const deadline = Date.now() + 15_000;
    while (!(await keysIn(lab, 'us-east-2')).has(shipped.at(-1)!) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    // A second batch, acknowledged in far less than the 2 s lag, then the primary dies.
    const unshipped = Array.from({ length: 20 }, (_, index) => `b-${index}`);
    for (const key of unshipped) await put(key);
    client.destroy();
    lab.killRegion('us-east-1');
    const result = await failover(lab, 'ledger', 'us-east-2');
    assert.equal(result.to, 'us-east-2');
    const kept = await keysIn(lab, 'us-east-2');
    assert.deepEqual(shipped.filter((key) => !kept.has(key)), [], 'the first batch had been shipped');
    assert.deepEqual(unshipped.filter((key) => kept.has(key)), [], 'the lag held back every write of the second batch');
  } finally {
    await lab.stop();
    rmSync(directory, { recursive: true, force: true });
  }
});
