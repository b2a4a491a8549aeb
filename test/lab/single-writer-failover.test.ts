/**
 * Single-writer tables through real region processes, WAN links and the lab's control API: a switchover
 * during steady writes loses nothing; a failover after the primary is killed loses exactly the
 * acknowledged writes that the lag had not shipped to the promoted region, the old primary reports exactly
 * those when it comes back, and, fenced by the new epoch, accepts no write.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startControlServer } from '../../src/lab/supervisor/control-server.ts';
import { startLab, type Lab } from '../../src/lab/supervisor/lab.ts';
import { linkName } from '../../src/lab/wan/link-registry.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep } from './lab-support.ts';

const SPEC = `
name: single-writer-lab
regions:
  us-east-1: { role: primary }
  us-east-2: {}
  us-west-2: {}
populations:
  us: { countries: [US], requestsPerSecond: 10 }
data:
  ledger: { consistency: single-writer, writesPerSecond: 1 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }
`;

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await check().catch(() => undefined);
    if (result !== undefined && result !== false) return result;
    await sleep(100);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

function clientFor(lab: Lab, region: string): DynamoDBClient {
  const endpoint = lab.endpoints().find((candidate) => candidate.region === region)!;
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region, maxAttempts: 1, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } });
}

const put = (client: DynamoDBClient, key: string) => client.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: key }, sk: { S: 'e' } } }));

async function keysIn(lab: Lab, region: string): Promise<Set<string>> {
  const client = clientFor(lab, region);
  const keys = new Set<string>();
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: 'ledger', ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) keys.add(item.pk!.S!);
    start = page.LastEvaluatedKey as typeof start;
  } while (start !== undefined);
  client.destroy();
  return keys;
}

/** Writes distinct keys to `region` one after another while `running()`; returns the acknowledged keys. */
async function writeWhile(lab: Lab, region: string, prefix: string, running: () => boolean): Promise<string[]> {
  const client = clientFor(lab, region);
  const acknowledged: string[] = [];
  for (let index = 0; running() && index < 3000; index += 1) {
    try {
      await put(client, `${prefix}-${index}`);
      acknowledged.push(`${prefix}-${index}`);
    } catch {
      break;
    }
  }
  client.destroy();
  return acknowledged;
}

async function control(url: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, { method: body === undefined ? 'GET' : 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const answer = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, 200, `${path}: ${JSON.stringify(answer)}`);
  return answer;
}

test('single-writer: switchover loses nothing; failover loses exactly the unshipped writes, reported by the fenced old primary', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-single-writer-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const architecture = chooseArchitecture(spec, 'active-active');
  const lab = await startLab(spec, architecture, { dataDir: join(directory, 'data'), log: () => {} });
  const controlServer = await startControlServer(lab);
  const url = controlServer.url;
  try {
    const primary = 'us-east-1';
    // A write to a secondary names the writer.
    const secondaryClient = clientFor(lab, 'us-east-2');
    await assert.rejects(put(secondaryClient, 'x'), (error: Error) => error.name === 'NotPrimaryException' && /writer is us-east-1/.test(error.message));
    secondaryClient.destroy();

    // Switchover to us-east-2 during steady writes: every acknowledged write survives.
    let writing = true;
    const beforeSwitch = writeWhile(lab, primary, 'a', () => writing);
    await sleep(800);
    const switched = await control(url, '/tables/ledger/switchover', { target: 'us-east-2' });
    writing = false;
    const acknowledgedA = await beforeSwitch;
    assert.equal(switched.to, 'us-east-2');
    assert.ok(acknowledgedA.length > 5, `${acknowledgedA.length} writes before the switchover`);
    const onNewPrimary = await keysIn(lab, 'us-east-2');
    assert.deepEqual(acknowledgedA.filter((key) => !onNewPrimary.has(key)), [], 'no acknowledged write lost by the switchover');

    // Failover: us-west-2 stops hearing from the primary, the primary keeps acknowledging, then dies.
    const writer = 'us-east-2';
    const laggard = 'us-west-2';
    const shippedB = await writeWhile(lab, writer, 'b', ((count) => () => count++ < 30)(0));
    await waitFor('the laggard has the first writes', async () => (await keysIn(lab, laggard)).has(shippedB.at(-1)!), 15_000);
    lab.wan.registry.get(linkName(writer, laggard)).setFaults({ upstream: { partition: 'hold' }, downstream: { partition: 'hold' } });
    const unshippedB = await writeWhile(lab, writer, 'c', ((count) => () => count++ < 30)(0));
    lab.killRegion(writer);
    lab.wan.registry.get(linkName(writer, laggard)).clearFaults();
    const failed = await control(url, '/tables/ledger/failover', { target: laggard });
    assert.equal(failed.to, laggard);
    const promotedKeys = await keysIn(lab, laggard);
    const acknowledged = [...acknowledgedA, ...shippedB, ...unshippedB];
    const expectedLost = acknowledged.filter((key) => !promotedKeys.has(key)).sort();
    assert.ok(expectedLost.length > 0, 'the held link left acknowledged writes unshipped');
    assert.ok(expectedLost.every((key) => key.startsWith('c-')), 'only writes made while the link was held are lost');

    // The old primary comes back, learns of the new epoch, and reports exactly what it lost.
    await lab.restartRegion(writer);
    const status = await waitFor(
      'the old primary reports its lost writes',
      async () => {
        const members = (await control(url, '/tables/ledger')) as unknown as { region: string; role: string; lostWrites: { count: number; recent: { key: { pk: { S: string } } }[] } }[];
        const old = members.find((member) => member.region === writer);
        return old && old.role === 'secondary' && old.lostWrites.count > 0 ? old : undefined;
      },
      20_000,
    );
    assert.deepEqual(status.lostWrites.recent.map((lost) => lost.key.pk.S).sort(), expectedLost);
    assert.equal(status.lostWrites.count, expectedLost.length);

    // Fenced: the old primary accepts no write; the new one does, and it reaches the old one.
    const oldClient = clientFor(lab, writer);
    await assert.rejects(put(oldClient, 'after'), (error: Error) => error.name === 'NotPrimaryException');
    oldClient.destroy();
    const newClient = clientFor(lab, laggard);
    await put(newClient, 'after-failover');
    newClient.destroy();
    await waitFor('the new primary replicates to the old one', async () => (await keysIn(lab, writer)).has('after-failover'), 15_000);
  } finally {
    await controlServer.close();
    await lab.stop();
  }
});
