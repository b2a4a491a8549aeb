/**
 * The partition, latency-spike and error-injection experiments, and the region outage under the user's own app, run
 * live and compared with the simulator (shortened, with the fast health-check settings): every run
 * completes, lifts its fault, keeps every acknowledged write of the multi-writer and strong classes, and
 * ends with converged replicas; the own app serves again after the outage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { runLabChaos } from '../../src/lab/chaos/chaos-run.ts';
import { compareReports } from '../../src/report/compare-reports.ts';
import { chooseArchitecture, simulate } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

/** An experiment file of experiments/ with its timeline shortened to seconds. */
function shortened(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/^duration: .*$/m, 'duration: 30s')
    .replace(/^  - at: .*$/m, '  - at: 6s')
    .replace(/^    duration: .*$/m, '    duration: 14s');
}

async function runBoth(specPath: string, experimentText: string, specDirectory = dirname(specPath)) {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-experiment-'));
  writeFileSync(join(directory, 'experiment.yaml'), experimentText);
  const { spec } = await loadSpec(specPath);
  const architecture = chooseArchitecture(spec, undefined);
  const experiment = await loadExperiment(join(directory, 'experiment.yaml'), spec);
  assert.equal(experiment.durationMs, 30_000);
  const simulated = simulate(spec, architecture, experiment, { specLabel: specPath, experimentLabel: experiment.name, seed: 3 });
  const measured = await runLabChaos(spec, architecture, experiment, {
    dataDir: join(directory, 'data'),
    specDirectory,
    specLabel: specPath,
    experimentLabel: experiment.name,
    requestsPerSecond: 50,
    log: () => {},
  });
  return { measured, comparison: compareReports(simulated, measured) };
}

function assertDataKept(report: Awaited<ReturnType<typeof runBoth>>['measured']): void {
  for (const row of report.data) {
    assert.equal(row.replicasConverged, true, `${row.dataClass} converged`);
    if (row.consistency !== 'single-writer') assert.equal(row.acknowledgedWritesLost, 0, `${row.dataClass} kept every acknowledged write`);
  }
}

for (const name of ['partition', 'latency-spike', 'error-injection']) {
  test(`${name} runs live and compared`, async (t) => {
    const { measured, comparison } = await runBoth(resolve('examples/fast-failover.yaml'), shortened(`experiments/${name}.yaml`));
    t.diagnostic(`${name}: availability simulated ${String(comparison.availability[0]!.simulated)}, measured ${String(comparison.availability[0]!.measured)}`);
    assert.equal(measured.recovery.length, 1, 'the fault is in the report');
    if (name === 'error-injection') {
      // The gate in front of the primary's app answered a share of its requests with 503.
      assert.ok(measured.requests.failed > 0, 'injected errors reached the users');
      assert.ok(!measured.timeline.some((event) => /skipped/.test(event.event)), JSON.stringify(measured.timeline));
    }
    assert.ok(measured.timeline.some((event) => event.event.startsWith('fault:')) && measured.timeline.some((event) => event.event.startsWith('lifted:')), JSON.stringify(measured.timeline));
    assert.equal(comparison.recovery.length, 1);
    assertDataKept(measured);
  });
}

test('examples/own-app survives the region outage: traffic moves, then every population is served again', async (t) => {
  const experiment = `
name: own-app-outage
duration: 30s
faults:
  - { at: 6s, duration: 12s, action: region-outage, region: primary, scope: all }
`;
  const specText = readFileSync('examples/own-app/own-app.yaml', 'utf8').replace(/healthCheck: \{[^}]*\}/, 'healthCheck: { intervalSeconds: 1, failureThreshold: 2, path: /healthz }').replace(/ttlSeconds: \d+/, 'ttlSeconds: 2');
  // The spec with fast settings lives in a temporary directory; the app's command still runs in examples/own-app.
  const specPath = join(mkdtempSync(join(tmpdir(), 'meridian-own-app-chaos-')), 'own-app.yaml');
  writeFileSync(specPath, specText);
  {
    const { measured, comparison } = await runBoth(specPath, experiment, resolve('examples/own-app'));
    const row = comparison.recovery[0]!.rows.find((candidate) => candidate.figure.startsWith('users: europe'))!;
    t.diagnostic(`own app: europe RTO simulated ${String(row.simulated)} s, measured ${String(row.measured)} s; ${measured.requests.total} requests, ${measured.requests.failed} failed`);
    for (const population of measured.recovery[0]!.byPopulation) assert.notEqual(population.rtoSeconds, null, `${population.population} recovered`);
    assertDataKept(measured);
  }
});
