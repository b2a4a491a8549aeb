import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedExperiment } from '../../src/experiments/resolved-experiment.ts';
import { example, run } from './sim-fixtures.ts';

/**
 * advise estimates analytically what simulate measures. In steady state they must agree within these
 * tolerances (README, "advise and simulate"): p50 within 25 % or 10 ms, since advise takes medians of
 * each leg while the simulation draws every leg; and the measured p99 at most advise's, because advise
 * sums the tails of every leg, an upper bound.
 */
const P50_SHARE = 0.25;
const P50_MS = 10;
const P99_SLACK = 1.05;

function steady(durationMs: number, loadScale: number): ResolvedExperiment {
  return { name: 'steady-state', description: undefined, durationMs, loadScale, faults: [], stop: [] };
}

for (const [name, architecture] of [['global-shop', 'active-active'], ['global-shop', 'active-passive'], ['ledger', 'active-passive'], ['eu-saas', 'partitioned-active-active']] as const) {
  test(`${name}, ${architecture}: simulated latencies agree with advise`, async () => {
    const spec = await example(name);
    const report = run(spec, architecture, steady(90_000, 0.3), 5);
    assert.equal(report.requests.failed, 0, 'steady state loses nothing');
    for (const predicted of report.prediction!.latency) {
      const measured = report.latency.find((row) => row.population === predicted.population && row.operation === 'all')!;
      const allowed = Math.max(predicted.p50Ms * P50_SHARE, P50_MS);
      assert.ok(Math.abs(measured.p50Ms - predicted.p50Ms) <= allowed, `${predicted.population} p50: measured ${measured.p50Ms}, advise ${predicted.p50Ms} (± ${allowed})`);
      assert.ok(measured.p99Ms <= predicted.p99Ms * P99_SLACK, `${predicted.population} p99: measured ${measured.p99Ms} above advise's bound ${predicted.p99Ms}`);
    }
  });
}
