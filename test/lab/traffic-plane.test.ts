/**
 * The live traffic plane end to end, through real processes: the DNS router answers each population's
 * subnet with the region the latency policy says; when that region's app is killed the answer changes
 * within the health check's interval × threshold; and `meridian load`'s client measures per-population
 * latencies that follow the catalog: Europe reaches eu-west-1 faster than us-east-1 by about the
 * difference of their round trips, with no error in steady state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { queryA } from '../../src/lab/load/dns-resolver.ts';
import { runLoad } from '../../src/lab/load/load-run.ts';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { TrafficPlane } from '../../src/lab/supervisor/traffic-plane.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { sleep } from './lab-support.ts';

const INTERVAL_SECONDS = 10;
const THRESHOLD = 1;
const SPEC = `
name: traffic-lab
domain: shop.traffic.test
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
routing: { policy: latency, healthCheck: { intervalSeconds: ${INTERVAL_SECONDS}, failureThreshold: ${THRESHOLD}, path: /health }, ttlSeconds: 2 }
`;

test('DNS answers per subnet, failover within interval × threshold, load latencies that follow the catalog', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-traffic-'));
  writeFileSync(join(directory, 'spec.yaml'), SPEC);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const architecture = chooseArchitecture(spec, 'active-active');
  const lab = await startLab(spec, architecture, { dataDir: join(directory, 'data'), log: () => {} });
  const traffic = new TrafficPlane(lab, { specDirectory: directory, log: () => {} });
  try {
    await traffic.start();
    const targets = traffic.loadTargets();
    const europe = traffic.places.find((place) => place.population === 'europe')!;
    const america = traffic.places.find((place) => place.population === 'america')!;
    const ask = async (subnet: string) => targets.ingress[(await queryA(targets.dns, `api.${spec.domain}`, subnet)).addresses[0]!];
    assert.equal(await ask(europe.subnet), 'eu-west-1');
    assert.equal(await ask(america.subnet), 'us-east-1');

    // Steady state: every request succeeds, Europe is served by eu-west-1.
    const before = await runLoad(spec, architecture, targets, { durationMs: 6000, requestsPerSecond: 30 });
    const beforeReport = before.recorder.finish({ backend: 'lab', spec: 'test', experiment: undefined, architecture: 'x', architectureTitle: 'x', seed: undefined, durationSeconds: 6, stoppedEarly: undefined }, [], [], { runUsd: 0, monthlyUsdAtThisRate: 0, byCategory: {} });
    assert.equal(beforeReport.requests.failed, 0, 'no error in steady state');
    assert.ok(beforeReport.requests.total > 100, `${beforeReport.requests.total} requests`);
    const europeBefore = beforeReport.latency.find((row) => row.population === 'europe' && row.operation === 'all')!;

    // Kill eu-west-1's app: Europe's answer moves to us-east-1 within interval × threshold (plus a probe's connect and a tick).
    const killedAtMs = Date.now();
    await traffic.apps.get('eu-west-1')!.kill();
    let movedAfterMs = Number.POSITIVE_INFINITY;
    while (Date.now() - killedAtMs < (INTERVAL_SECONDS * THRESHOLD + 10) * 1000) {
      if ((await ask(europe.subnet)) === 'us-east-1') {
        movedAfterMs = Date.now() - killedAtMs;
        break;
      }
      await sleep(200);
    }
    t.diagnostic(`Europe's DNS answer moved to us-east-1 ${(movedAfterMs / 1000).toFixed(1)} s after the app was killed`);
    assert.ok(movedAfterMs <= (INTERVAL_SECONDS * THRESHOLD + 2) * 1000, `answer changed after ${movedAfterMs} ms`);

    // Europe is now served from us-east-1 (after its resolver's TTL): slower by about the round-trip difference.
    await sleep(2500);
    const after = await runLoad(spec, architecture, targets, { durationMs: 6000, requestsPerSecond: 30 });
    const afterReport = after.recorder.finish({ backend: 'lab', spec: 'test', experiment: undefined, architecture: 'x', architectureTitle: 'x', seed: undefined, durationSeconds: 6, stoppedEarly: undefined }, [], [], { runUsd: 0, monthlyUsdAtThisRate: 0, byCategory: {} });
    assert.equal(afterReport.requests.failed, 0, 'no error once the answer moved');
    const europeAfter = afterReport.latency.find((row) => row.population === 'europe' && row.operation === 'all')!;
    const expectedMs = europe.rttMsByRegion['us-east-1']! - europe.rttMsByRegion['eu-west-1']!;
    const measuredMs = europeAfter.p50Ms - europeBefore.p50Ms;
    t.diagnostic(`Europe p50: ${europeBefore.p50Ms} ms to eu-west-1, ${europeAfter.p50Ms} ms to us-east-1; difference ${measuredMs.toFixed(1)} ms, catalog ${expectedMs.toFixed(1)} ms`);
    assert.ok(Math.abs(measuredMs - expectedMs) <= Math.max(10, 0.25 * expectedMs), `difference ${measuredMs} ms vs catalog ${expectedMs} ms`);
  } finally {
    await traffic.stop();
    await lab.stop();
  }
});
