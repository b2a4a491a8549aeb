import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatDurationMs, parseDurationMs } from '../../src/experiments/duration.ts';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { SpecInvalidError, SpecLoadError } from '../../src/spec/spec-issue.ts';

const directory = mkdtempSync(join(tmpdir(), 'meridian-experiments-'));
function fixture(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('durations', () => {
  const cases: [string | number, number][] = [['500ms', 500], ['30s', 30_000], ['10m', 600_000], ['1h30m', 5_400_000], [90, 90_000], ['2.5', 2500]];
  for (const [text, ms] of cases) test(`${text} is ${ms} ms`, () => assert.equal(parseDurationMs(text), ms));
  for (const bad of ['10 minutes', '', 'm10', '5x', -1]) test(`'${bad}' is refused`, () => assert.throws(() => parseDurationMs(bad), /not a duration/));
  test('formatting is the inverse for whole units', () => {
    for (const ms of [500, 30_000, 600_000, 3_600_000]) assert.equal(parseDurationMs(formatDurationMs(ms)), ms);
  });
});

describe('the shipped experiments', () => {
  for (const name of ['region-outage', 'partition', 'latency-spike']) {
    test(`${name} loads against every example spec`, async () => {
      for (const example of ['global-shop', 'eu-saas', 'ledger']) {
        const { spec } = await loadSpec(`examples/${example}.yaml`);
        const experiment = await loadExperiment(`experiments/${name}.yaml`, spec);
        assert.equal(experiment.name, name);
        assert.ok(experiment.faults.length > 0);
        assert.ok(experiment.faults.every((fault) => fault.startMs < fault.endMs && fault.endMs <= experiment.durationMs));
      }
    });
  }
});

describe('bad experiments', () => {
  test('each problem is named with its path and line', async () => {
    const { spec } = await loadSpec('examples/global-shop.yaml');
    const file = fixture(
      'bad.yaml',
      [
        'name: bad',
        'duration: 10m',
        'faults:',
        '  - { at: 1m, duration: 2m, action: region-outage, region: mars-north-1 }',
        '  - { at: 1m, action: error-injection, region: eu-west-1, errorRate: 1.5 }',
        '  - { at: 11m, action: health-check-failure, region: primary }',
        '  - { at: 1m, action: partition }',
        '  - { at: 1m, action: replication-pause, dataClass: nothing }',
        'stop:',
        '  - { when: availability-below, threshold: 0, for: 1m, population: mars }',
      ].join('\n'),
    );
    const error = await loadExperiment(file, spec).catch((caught: unknown) => caught);
    assert.ok(error instanceof SpecInvalidError);
    const found = error.issues.map((issue) => `${issue.path}@${issue.line}`);
    for (const expected of ['faults[0].region@4', 'faults[1].errorRate@5', 'faults[2].at@6', 'faults[3]@7', 'faults[4].dataClass@8', 'stop[0].threshold@10', 'stop[0].population@10']) {
      assert.ok(found.includes(expected), `${expected} in ${found.join(', ')}`);
    }
  });

  test('an unknown action and a bad duration are schema-level issues with paths', async () => {
    const { spec } = await loadSpec('examples/global-shop.yaml');
    const unknownAction = fixture('action.yaml', 'name: x\nfaults:\n  - { at: 1m, action: meteor, region: primary }\n');
    const error = await loadExperiment(unknownAction, spec).catch((caught: unknown) => caught);
    assert.ok(error instanceof SpecInvalidError);
    assert.equal(error.issues[0]!.path, 'faults[0].action');
    const badDuration = fixture('duration.yaml', 'name: x\nfaults:\n  - { at: soon, action: region-outage, region: primary }\n');
    const durationError = await loadExperiment(badDuration, spec).catch((caught: unknown) => caught);
    assert.ok(durationError instanceof SpecInvalidError);
    assert.deepEqual(durationError.issues.map((issue) => [issue.path, issue.line]), [['faults[0].at', 3]]);
  });

  test('a missing file and a wrong extension are load errors', async () => {
    const { spec } = await loadSpec('examples/global-shop.yaml');
    await assert.rejects(loadExperiment('experiments/nope.yaml', spec), (error: unknown) => error instanceof SpecLoadError && error.code === 'SPEC_NOT_FOUND');
    await assert.rejects(loadExperiment('README.md', spec), (error: unknown) => error instanceof SpecLoadError && error.code === 'SPEC_UNSUPPORTED');
  });

  test('without a duration the run lasts until five minutes after the last fault', async () => {
    const { spec } = await loadSpec('examples/global-shop.yaml');
    const file = fixture('tail.yaml', 'name: x\nfaults:\n  - { at: 1m, duration: 2m, action: region-outage, region: primary }\n');
    const experiment = await loadExperiment(file, spec);
    assert.equal(experiment.durationMs, 8 * 60_000);
  });
});
