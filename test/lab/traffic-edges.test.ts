/**
 * The lab's edges under load: with `edge: accelerator` every population place has a stable listener
 * and no DNS in the path, and after a region's app dies new flows go to the next region as soon as the
 * accelerator's own checks say so; with `edge: cdn` each place's edge sends requests to the primary
 * region's origin and fails over per request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLoad } from '../../src/lab/load/load-run.ts';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { TrafficPlane } from '../../src/lab/supervisor/traffic-plane.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep } from './lab-support.ts';

const spec = (edge: string) => `
name: edge-lab
domain: shop.edge.test
regions:
  us-east-1: { role: primary }
  eu-west-1: {}
populations:
  europe: { countries: [DE], requestsPerSecond: 10 }
  america: { countries: [US], requestsPerSecond: 10 }
services:
  shop: { app: sample-shop, healthPath: /health }
data:
  profiles: { consistency: multi-writer, writesPerSecond: 1, readsPerSecond: 5 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 1, path: /health }, ttlSeconds: 2, edge: ${edge} }
`;

const META = { backend: 'lab' as const, spec: 'test', experiment: undefined, architecture: 'x', architectureTitle: 'x', seed: undefined, durationSeconds: 4, stoppedEarly: undefined };
const COST = { runUsd: 0, monthlyUsdAtThisRate: 0, byCategory: {} };

async function withLab(edge: string, body: (context: { traffic: TrafficPlane; run: (durationMs: number) => ReturnType<typeof runLoad> }) => Promise<void>): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), `meridian-${edge}-`));
  writeFileSync(join(directory, 'spec.yaml'), spec(edge));
  const { spec: resolved } = await loadSpec(join(directory, 'spec.yaml'));
  const architecture = chooseArchitecture(resolved, 'active-active');
  const lab = await startLab(resolved, architecture, { dataDir: join(directory, 'data'), log: () => {} });
  const traffic = new TrafficPlane(lab, { specDirectory: directory, log: () => {} });
  try {
    await traffic.start();
    await body({ traffic, run: (durationMs) => runLoad(resolved, architecture, traffic.loadTargets(), { durationMs, requestsPerSecond: 30 }) });
  } finally {
    await traffic.stop();
    await lab.stop();
  }
}

test('accelerator: flows follow the nearest healthy region; after an app dies new flows go elsewhere', async (t) => {
  await withLab('accelerator', async ({ traffic, run }) => {
    assert.ok(traffic.accelerator, 'the accelerator edge runs');
    const steady = (await run(4000)).recorder.finish(META, [], [], COST);
    assert.equal(steady.requests.failed, 0);
    const routed = steady.routing.perMinute[0]!.byRegion;
    assert.ok((routed['eu-west-1'] ?? 0) > 0 && (routed['us-east-1'] ?? 0) > 0, `both regions serve their populations: ${JSON.stringify(routed)}`);
    const killedAtMs = Date.now();
    await traffic.apps.get('eu-west-1')!.kill();
    while (traffic.checkers!.isHealthy('eu-west-1') && Date.now() - killedAtMs < 20_000) await sleep(100);
    t.diagnostic(`the accelerator's check of eu-west-1 flipped after ${((Date.now() - killedAtMs) / 1000).toFixed(1)} s`);
    assert.equal(traffic.checkers!.isHealthy('eu-west-1'), false);
    const after = (await run(4000)).recorder.finish(META, [], [], COST);
    assert.equal(after.requests.failed, 0, 'new flows avoid the dead region at once (no TTL)');
    assert.equal(after.routing.perMinute[0]!.byRegion['eu-west-1'] ?? 0, 0);
  });
});

test('cdn: every place reaches the primary origin through its edge; with the primary app dead, requests fail over per request', async () => {
  await withLab('cdn', async ({ traffic, run }) => {
    assert.equal(traffic.cdn.size, traffic.places.length);
    const steady = (await run(4000)).recorder.finish(META, [], [], COST);
    assert.equal(steady.requests.failed, 0);
    assert.deepEqual(Object.keys(steady.routing.perMinute[0]!.byRegion).filter((region) => (steady.routing.perMinute[0]!.byRegion[region] ?? 0) > 0), ['us-east-1']);
    await traffic.apps.get('us-east-1')!.kill();
    const after = (await run(4000)).recorder.finish(META, [], [], COST);
    const reads = after.latency.filter((row) => row.operation.endsWith('.read') || row.operation === 'other');
    assert.ok(reads.every((row) => row.failed === 0), `GETs fail over to eu-west-1: ${JSON.stringify(reads)}`);
    assert.ok((after.routing.perMinute[0]!.byRegion['eu-west-1'] ?? 0) > 0);
  });
});
