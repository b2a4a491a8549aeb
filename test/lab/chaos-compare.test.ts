/**
 * The same experiment in the simulator and live, with fast health-check settings (interval 1 s,
 * threshold 2): the measured RTO of the affected population is within max(2 s, 25 %) of the simulated
 * one; the multi-writer and strong classes lose no acknowledged write; the single-writer class loses no
 * more than its fenced writer reports; Route 53 (detection + TTL) and the accelerator (detection only)
 * give clearly different RTOs in both backends.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { runLabChaos } from '../../src/lab/chaos/chaos-run.ts';
import { compareReports } from '../../src/report/compare-reports.ts';
import type { RunReport } from '../../src/report/run-report.ts';
import { chooseArchitecture, simulate } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

const EXPERIMENT = `
name: fast-outage
duration: 40s
faults:
  - at: 6s
    duration: 24s
    action: region-outage
    region: primary
    scope: all
`;

/** examples/fast-failover.yaml with the TTL raised to 10 s, so that DNS and the accelerator differ clearly. */
function specText(edge: 'none' | 'accelerator'): string {
  const text = readFileSync('examples/fast-failover.yaml', 'utf8');
  assert.match(text, /^  ttlSeconds: 2$/m);
  assert.match(text, /^  edge: none$/m);
  return text.replace(/^  ttlSeconds: 2$/m, '  ttlSeconds: 10').replace(/^  edge: none$/m, `  edge: ${edge}`);
}

async function bothBackends(edge: 'none' | 'accelerator') {
  const directory = mkdtempSync(join(tmpdir(), `meridian-chaos-${edge}-`));
  writeFileSync(join(directory, 'spec.yaml'), specText(edge));
  writeFileSync(join(directory, 'experiment.yaml'), EXPERIMENT);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  assert.equal(spec.routing.edge, edge);
  const architecture = chooseArchitecture(spec, undefined);
  const experiment = await loadExperiment(join(directory, 'experiment.yaml'), spec);
  const simulated = simulate(spec, architecture, experiment, { specLabel: 'fast', experimentLabel: 'fast-outage', seed: 11 });
  let lostReported: Readonly<Record<string, readonly string[]>> = {};
  const measured = await runLabChaos(spec, architecture, experiment, {
    dataDir: join(directory, 'data'),
    specDirectory: directory,
    specLabel: 'fast',
    experimentLabel: 'fast-outage',
    requestsPerSecond: 60,
    log: () => {},
    onLostWritesReported: (lost) => (lostReported = lost),
  });
  return { simulated, measured, lostReported, primary: architecture.primary };
}

function rtoOf(report: RunReport, population: string): number | null {
  return report.recovery[0]!.byPopulation.find((row) => row.population === population)!.rtoSeconds;
}

test('fast settings: measured RTO within tolerance of the simulated one; Route 53 and the accelerator differ in both backends', async (t) => {
  const dns = await bothBackends('none');
  const comparison = compareReports(dns.simulated, dns.measured);
  const population = 'north-america';
  const row = comparison.recovery[0]!.rows.find((candidate) => candidate.figure === `users: ${population}`)!;
  t.diagnostic(`Route 53: ${population} RTO simulated ${String(row.simulated)} s, measured ${String(row.measured)} s`);
  assert.equal(row.withinTolerance, true, JSON.stringify(row));
  for (const dataClass of dns.measured.data) {
    if (dataClass.consistency === 'single-writer') {
      assert.ok(dataClass.acknowledgedWritesLost <= (dns.lostReported[dataClass.dataClass]?.length ?? 0), `${dataClass.dataClass}: lost ${dataClass.acknowledgedWritesLost}, reported ${dns.lostReported[dataClass.dataClass]?.length ?? 0}`);
    } else {
      assert.equal(dataClass.acknowledgedWritesLost, 0, `${dataClass.dataClass} (${dataClass.consistency}) lost an acknowledged write`);
    }
  }

  const accelerator = await bothBackends('accelerator');
  const dnsRto = { sim: rtoOf(dns.simulated, population)!, lab: rtoOf(dns.measured, population)! };
  const gaRto = { sim: rtoOf(accelerator.simulated, population)!, lab: rtoOf(accelerator.measured, population)! };
  t.diagnostic(`RTO of ${population}: Route 53 sim ${dnsRto.sim} s / lab ${dnsRto.lab} s; accelerator sim ${gaRto.sim} s / lab ${gaRto.lab} s`);
  assert.ok(gaRto.sim + 5 <= dnsRto.sim, 'the simulator: the accelerator recovers clearly sooner (no TTL)');
  assert.ok(gaRto.lab + 5 <= dnsRto.lab, 'the lab: the accelerator recovers clearly sooner (no TTL)');
  assert.match(accelerator.measured.prediction!.trafficFailoverExplanation, /accelerator/i);
  assert.match(dns.measured.prediction!.trafficFailoverExplanation, /TTL/);
});
