/**
 * The lab honours an asynchronous class's replication lag, as the simulator does: with a 2 s lag, a
 * single-writer primary killed within the lag of its last writes has shipped none of them, and a failover
 * loses exactly those, while what the lag had let through survives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Lab } from '../../src/lab/supervisor/lab.ts';
import { failover } from '../../src/lab/supervisor/table-control.ts';
import { dataClient, startSpecLab, waitFor } from './lab-support.ts';

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

async function keysIn(lab: Lab, region: string): Promise<Set<string>> {
  const client = dataClient(lab, region);
  const page = await client.send(new ScanCommand({ TableName: 'ledger' }));
  client.destroy();
  return new Set((page.Items ?? []).map((item) => item.pk!.S!));
}

test('a failover loses the writes the lag had not shipped, and only those', async () => {
  const { lab, stop } = await startSpecLab('lag-failover', SPEC);
  try {
    const client = dataClient(lab, 'us-east-1');
    const put = async (key: string) => client.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: key }, sk: { S: 'e' } } }));
    // A first batch, shipped: the lag has passed once the secondary shows its last write.
    const shipped = Array.from({ length: 20 }, (_, index) => `a-${index}`);
    for (const key of shipped) await put(key);
    await waitFor('the first batch in us-east-2', async () => (await keysIn(lab, 'us-east-2')).has(shipped.at(-1)!), 15_000, 100);
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
    await stop();
  }
});
