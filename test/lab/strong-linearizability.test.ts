/**
 * Strong (MRSC-like) tables through real region processes and WAN links: a recorded history of
 * concurrent reads (ConsistentRead) and writes on a few keys from every region, with a region cut off by
 * a partition and another killed with SIGKILL and restarted during the run, is linearizable; every
 * acknowledged write paid at least one inter-region round trip.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { regionRtt } from '../../src/catalog/latency.ts';
import { checkLinearizability, HistoryRecorder } from '../../src/core/replication/testing/linearizability.ts';
import { startLab, type Lab } from '../../src/lab/supervisor/lab.ts';
import { linkName } from '../../src/lab/wan/link-registry.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep } from './lab-support.ts';

const SPEC = `
name: strong-lab
regions:
  us-east-1: { role: primary }
  us-east-2: {}
  us-west-2: {}
populations:
  us: { countries: [US], requestsPerSecond: 10 }
data:
  payments: { consistency: strong, writesPerSecond: 1 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }
`;
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const KEYS = ['k0', 'k1', 'k2'];
const RUN_MS = 9000;

/** Seeded choices (mulberry32), so that the mix of operations is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function clientFor(lab: Lab, region: string): DynamoDBClient | undefined {
  const endpoint = lab.endpoints().find((candidate) => candidate.region === region);
  if (!endpoint) return undefined;
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region, maxAttempts: 1, requestHandler: { requestTimeout: 5000 }, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } });
}

/** Refusals after which the write certainly did not happen (core/replication: nothing applied). */
const DEFINITELY_NOT_APPLIED = new Set(['ReplicatedWriteConflictException', 'ServiceUnavailable', 'ThrottlingException', 'ValidationException']);

async function runClient(lab: Lab, region: string, name: string, recorder: HistoryRecorder, until: number, random: () => number, stats: { writeLatencyMs: number[] }): Promise<void> {
  let client = clientFor(lab, region);
  for (let index = 0; Date.now() < until && index < 10_000; index += 1) {
    if (client === undefined) {
      await sleep(100);
      client = clientFor(lab, region);
      continue;
    }
    const key = KEYS[Math.floor(random() * KEYS.length)]!;
    const itemKey = { pk: { S: key }, sk: { S: 'v' } };
    if (random() < 0.5) {
      const value = `${name}-${index}`;
      const handle = recorder.invoke(name, key, 'write', value);
      const startedMs = performance.now();
      try {
        await client.send(new PutItemCommand({ TableName: 'payments', Item: { ...itemKey, value: { S: value } } }));
        stats.writeLatencyMs.push(performance.now() - startedMs);
        recorder.ok(handle);
      } catch (error) {
        if (DEFINITELY_NOT_APPLIED.has((error as Error).name)) recorder.fail(handle);
        else recorder.unknown(handle);
        client = await reconnectAfter(error, client, lab, region);
      }
    } else {
      const handle = recorder.invoke(name, key, 'read');
      try {
        const got = await client.send(new GetItemCommand({ TableName: 'payments', Key: itemKey, ConsistentRead: true }));
        recorder.ok(handle, got.Item?.value?.S);
      } catch (error) {
        recorder.fail(handle);
        client = await reconnectAfter(error, client, lab, region);
      }
    }
  }
  client?.destroy();
}

/** After a refusal, waits a little; after a connection failure (a killed region) reconnects wherever it runs now. */
async function reconnectAfter(error: unknown, client: DynamoDBClient, lab: Lab, region: string): Promise<DynamoDBClient | undefined> {
  await sleep(50);
  if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) return client;
  client.destroy();
  return clientFor(lab, region);
}

test('strong tables: concurrent reads and writes with a partition and a kill -9 form a linearizable history', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-strong-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const lab = await startLab(spec, chooseArchitecture(spec, 'active-active'), { dataDir: join(directory, 'data'), log: () => {} });
  try {
    // The group elects a leader before the run starts.
    const probe = clientFor(lab, 'us-east-1')!;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      try {
        await probe.send(new PutItemCommand({ TableName: 'payments', Item: { pk: { S: 'warm-up' }, sk: { S: 'v' } } }));
        break;
      } catch {
        await sleep(100);
      }
    }
    probe.destroy();
    const recorder = new HistoryRecorder(() => performance.now());
    const stats = { writeLatencyMs: [] as number[] };
    const until = Date.now() + RUN_MS;
    const clients = REGIONS.flatMap((region, regionIndex) =>
      [0, 1].map((slot) => runClient(lab, region, `${region}/${slot}`, recorder, until, seeded(17 + regionIndex * 2 + slot), stats)),
    );
    // Faults during the run: us-west-2 cut off both ways, healed; then us-east-1 killed and restarted.
    const cut = ['us-east-1', 'us-east-2'].flatMap((other) => [linkName(other, 'us-west-2'), linkName('us-west-2', other)]);
    await sleep(1500);
    for (const name of cut) lab.wan.registry.get(name).setFaults({ upstream: { partition: 'drop' }, downstream: { partition: 'drop' } });
    await sleep(2000);
    for (const name of cut) lab.wan.registry.get(name).clearFaults();
    await sleep(1000);
    lab.killRegion('us-east-1');
    await sleep(1000);
    await lab.restartRegion('us-east-1');
    await Promise.all(clients);

    const history = recorder.operations();
    const okWrites = history.filter((operation) => operation.kind === 'write' && operation.outcome === 'ok').length;
    const okReads = history.filter((operation) => operation.kind === 'read' && operation.outcome === 'ok').length;
    const refused = history.filter((operation) => operation.outcome !== 'ok').length;
    const sorted = [...stats.writeLatencyMs].sort((a, b) => a - b);
    t.diagnostic(`${okWrites} writes and ${okReads} consistent reads acknowledged, ${refused} refused or unknown; write latency p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms`);
    assert.ok(okWrites >= 20 && okReads >= 20, `enough acknowledged operations: ${okWrites} writes, ${okReads} reads`);
    assert.ok(refused > 0, 'the faults refused some operations');
    const result = checkLinearizability(history);
    assert.ok(result.ok, result.ok ? '' : `${result.reason} on ${result.key}: ${result.explanation}`);

    // A write is acknowledged after a majority has it: at least the nearest member's round trip.
    const nearestRttMs = Math.min(...REGIONS.flatMap((a) => REGIONS.filter((b) => b !== a).map((b) => regionRtt(a, b).rttMs)));
    const fastestMs = Math.min(...stats.writeLatencyMs);
    assert.ok(fastestMs >= nearestRttMs, `fastest acknowledged write ${fastestMs.toFixed(1)} ms is below one round trip (${nearestRttMs} ms)`);
  } finally {
    await lab.stop();
  }
});
