import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMeridian } from './run-meridian.ts';

test('simulate: JSON report on stdout, seed and progress on stderr, identical for the same seed', async () => {
  const args = ['simulate', 'examples/ledger.yaml', '--duration', '20s', '--seed', '9', '--json'];
  const [first, second] = await Promise.all([runMeridian(args), runMeridian(args)]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, second.stdout);
  const report = JSON.parse(first.stdout);
  assert.equal(report.meta.backend, 'sim');
  assert.equal(report.meta.seed, 9);
  assert.ok(report.requests.total > 1000);
  assert.match(first.stderr, /seed 9 \(replay with --seed 9\)/);
  assert.match(first.stderr, /simulating: \d+ of 20 s simulated/);
});

test('simulate with an experiment prints recovery, data and the timeline', async () => {
  const run = await runMeridian(['simulate', 'examples/ledger.yaml', '--experiment', 'experiments/region-outage.yaml', '--duration', '3m', '--seed', '4', '--no-progress']);
  assert.equal(run.code, 0, run.stderr);
  for (const heading of ['Recovery per fault', 'Data per class', 'Timeline', 'predicted traffic failover']) assert.match(run.stdout, new RegExp(heading));
  assert.match(run.stdout, /fault starts: region-outage \(all\) us-east-1/);
});

test('simulate refuses bad usage and bad input with exit 2 and one line', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-simulate-'));
  const badExperiment = join(directory, 'bad.yaml');
  writeFileSync(badExperiment, 'name: bad\nfaults:\n  - { at: 1m, action: region-outage, region: mars-1 }\n');
  const runs = await Promise.all([
    runMeridian(['simulate', '--seed', 'abc']),
    runMeridian(['simulate', '--duration', 'soon']),
    runMeridian(['simulate', '--architecture', 'nope']),
    runMeridian(['simulate', '--experiment', badExperiment]),
    runMeridian(['simulate', '--experiment', 'experiments/missing.yaml']),
  ]);
  for (const run of runs) {
    assert.equal(run.code, 2, run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.match(runs[0]!.stderr, /--seed/);
  assert.match(runs[1]!.stderr, /--duration/);
  assert.match(runs[2]!.stderr, /--architecture: no candidate architecture 'nope'/);
  assert.match(runs[3]!.stderr, /faults\[0\]\.region/);
  assert.match(runs[4]!.stderr, /missing\.yaml.*no such file/);
});
