import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { linkName } from '../../src/lab/wan/link-registry.ts';
import { regionRtt } from '../../src/catalog/latency.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep, waitFor } from './lab-support.ts';

const SPEC = `
name: mrec-lab
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

test('multi-writer tables replicate through the WAN links and converge after a partition', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-mrec-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const lab = await startLab(spec, chooseArchitecture(spec, 'active-active'), { dataDir: join(directory, 'data'), log: () => {} });
  const clients = new Map(
    lab.endpoints().map((endpoint) => [
      endpoint.region,
      new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region: endpoint.region, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } }),
    ]),
  );
  const client = (region: string) => clients.get(region)!;
  const item = (pk: string, value: string) => ({ pk: { S: pk }, sk: { S: 'profile' }, value: { S: value } });
  try {
    // A write in us-east-1 reaches us-west-2 after at least the link's one-way delay.
    const startedMs = performance.now();
    await client('us-east-1').send(new PutItemCommand({ TableName: 'profiles', Item: item('alice', 'v1') }));
    await waitFor('alice in us-west-2', async () => {
      const got = await client('us-west-2').send(new GetItemCommand({ TableName: 'profiles', Key: { pk: { S: 'alice' }, sk: { S: 'profile' } } }));
      return got.Item?.value?.S === 'v1';
    }, 10_000);
    const lagMs = performance.now() - startedMs;
    assert.ok(lagMs >= regionRtt('us-east-1', 'us-west-2').rttMs / 2, `replication lag ${lagMs.toFixed(0)} ms shorter than the link's one-way delay`);

    // Cut us-west-2 off both ways, write the same items everywhere, heal, and wait for one answer everywhere.
    const cut = ['us-east-1', 'us-east-2'].flatMap((other) => [linkName(other, 'us-west-2'), linkName('us-west-2', other)]);
    for (const name of cut) lab.wan.registry.get(name).setFaults({ upstream: { partition: 'hold' }, downstream: { partition: 'hold' } });
    for (let round = 0; round < 5; round++) {
      await Promise.all([...clients.keys()].map((region) => client(region).send(new PutItemCommand({ TableName: 'profiles', Item: item(`key-${round}`, `${region}-${round}`) }))));
    }
    await sleep(300);
    for (const name of cut) lab.wan.registry.get(name).clearFaults();
    const snapshot = async (region: string) => {
      const page = await client(region).send(new ScanCommand({ TableName: 'profiles', ConsistentRead: true }));
      return JSON.stringify((page.Items ?? []).map((i) => [i.pk!.S, i.value!.S]).sort());
    };
    await waitFor('identical tables in the three regions', async () => {
      const [a, b, c] = await Promise.all(['us-east-1', 'us-east-2', 'us-west-2'].map(snapshot));
      return a === b && b === c && a!.includes('key-4');
    }, 20_000);
  } finally {
    for (const c of clients.values()) c.destroy();
    await lab.stop();
  }
});
