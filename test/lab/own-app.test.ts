/**
 * examples/own-app under the lab: the user's plain Node service is started in each region with the lab's
 * environment, health-checked on its own path, and serves `meridian load`'s traffic (reads and writes of
 * both its data classes, the single-writer one written at its writer) without an error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { readFinalState } from '../../src/lab/load/final-state.ts';
import { loadReport } from '../../src/lab/load/load-report.ts';
import { runLoad } from '../../src/lab/load/load-run.ts';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { TrafficPlane } from '../../src/lab/supervisor/traffic-plane.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

const SPEC_PATH = resolve('examples/own-app/own-app.yaml');

test('examples/own-app runs under the lab and serves meridian load without an error', async (t) => {
  const { spec } = await loadSpec(SPEC_PATH);
  const architecture = chooseArchitecture(spec, undefined);
  const lab = await startLab(spec, architecture, { dataDir: join(mkdtempSync(join(tmpdir(), 'meridian-own-app-')), 'data'), log: () => {} });
  const logged: string[] = [];
  const traffic = new TrafficPlane(lab, { specDirectory: dirname(SPEC_PATH), log: (line) => logged.push(line) });
  try {
    await traffic.start();
    assert.equal(traffic.apps.size, architecture.servingRegions.length + architecture.standbyRegions.length);
    const targets = traffic.loadTargets();
    const result = await runLoad(spec, architecture, targets, { durationMs: 6000, requestsPerSecond: 40 });
    const report = loadReport(spec, architecture, result, await readFinalState(targets, 1500), { spec: 'own-app', experiment: undefined });
    t.diagnostic(`${report.requests.total} requests, ${report.requests.failed} failed; ${report.data.map((row) => `${row.dataClass}: ${row.acknowledgedWrites} writes, ${row.reads} reads`).join('; ')}`);
    assert.ok(report.requests.total > 150, `${report.requests.total} requests`);
    assert.equal(report.requests.failed, 0);
    for (const row of report.data) {
      assert.ok(row.reads > 0, `${row.dataClass} was read`);
      assert.equal(row.acknowledgedWritesLost, 0, `${row.dataClass} lost no write`);
      assert.equal(row.replicasConverged, true, `${row.dataClass} converged`);
    }
    assert.ok(logged.some((line) => line.includes('app]')), 'the app wrote to the lab log');
  } finally {
    await traffic.stop();
    await lab.stop();
  }
});
