import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunReport } from '../../src/report/run-report.ts';
import type { ResolvedSpec } from '../../src/spec/resolved-spec.ts';
import { compressed, example, experiment, run } from './sim-fixtures.ts';

/** The region-outage experiment, its fault at 60 s and kept 4 minutes, at a fifth of the load by default. */
async function outageRun(spec: ResolvedSpec, architecture: string, seed = 11, loadScale = 0.2): Promise<RunReport> {
  const outage = compressed(await experiment('region-outage', spec), { startMs: 60_000, tailMs: 60_000, loadScale });
  const short = { ...outage, faults: outage.faults.map((fault) => ({ ...fault, endMs: fault.startMs + 240_000 })), durationMs: 60_000 + 240_000 + 60_000 };
  return run(spec, architecture, short, seed);
}

function usersRto(report: RunReport, population: string): number {
  const rto = report.recovery[0]!.byPopulation.find((row) => row.population === population)!.rtoSeconds;
  assert.ok(rto !== null, `${population} never recovered`);
  return rto;
}

function within(measured: number, predicted: number, tolerance: { share: number; seconds: number }, what: string): void {
  const allowed = Math.max(predicted * tolerance.share, tolerance.seconds);
  assert.ok(Math.abs(measured - predicted) <= allowed, `${what}: measured ${measured}, predicted ${predicted} (± ${allowed})`);
}

describe('region outage of the primary', () => {
  test('Route 53 failover: users wait interval × threshold + TTL; the single-writer class loses its replication lag', async () => {
    const spec = await example('global-shop');
    // Full load: the lost writes' span measures the lag only when writes come often (15/s here).
    const report = await outageRun(spec, 'active-passive', 11, 1);
    const check = spec.routing.healthCheck!;
    const predicted = check.intervalSeconds * check.failureThreshold + spec.routing.ttlSeconds;
    assert.equal(report.prediction!.trafficFailoverSeconds, predicted);
    for (const population of spec.populations) within(usersRto(report, population.name), predicted, { share: 0.25, seconds: 2 }, population.name);
    const orders = report.data.find((row) => row.dataClass === 'orders')!;
    const lagSeconds = spec.data.find((row) => row.name === 'orders')!.replicationLagMs / 1000;
    assert.ok(orders.acknowledgedWritesLost > 0, 'an unplanned failover of an asynchronous writer loses the writes in flight');
    within(orders.secondsOfDataLost, lagSeconds, { share: 0.25, seconds: 0 }, 'orders RPO');
    for (const row of report.data.filter((r) => r.consistency !== 'single-writer')) assert.equal(row.acknowledgedWritesLost, 0, row.dataClass);
    assert.ok(report.timeline.some((event) => /orders: .* promoted to writer/.test(event.event)), 'the report says the secondary was promoted');
  });

  test('Global Accelerator: users wait only for its health checks, with no TTL', async () => {
    const base = await example('global-shop');
    const spec: ResolvedSpec = { ...base, routing: { ...base.routing, edge: 'accelerator' } };
    const report = await outageRun(spec, 'active-passive');
    const check = spec.routing.healthCheck!;
    const predicted = check.intervalSeconds * check.failureThreshold;
    assert.equal(report.prediction!.trafficFailoverSeconds, predicted);
    for (const population of spec.populations) within(usersRto(report, population.name), predicted, { share: 0.25, seconds: 2 }, population.name);
    const route53 = await outageRun(base, 'active-passive');
    assert.ok(usersRto(route53, 'europe') - usersRto(report, 'europe') > 30, 'the accelerator fails over clearly sooner');
  });

  test('fast lab settings (1 s × 2, TTL 2 s): the simulator predicts and measures a failover of seconds', async () => {
    const spec = await example('fast-failover');
    const report = await outageRun(spec, 'active-active');
    const check = spec.routing.healthCheck!;
    const predicted = check.intervalSeconds * check.failureThreshold + spec.routing.ttlSeconds;
    assert.equal(predicted, 4);
    assert.equal(report.prediction!.trafficFailoverSeconds, predicted);
    // Only the failed primary's own users move, no later than the prediction (a bound: the last resolver
    // asks again at most one TTL after detection) and not before a streak of failed probes could trip.
    const measured = usersRto(report, 'north-america');
    assert.ok(measured >= (check.failureThreshold - 1) * check.intervalSeconds && measured <= predicted + 1, `north-america: measured ${measured} s, predicted ${predicted} s`);
    assert.equal(usersRto(report, 'europe'), 0);
    assert.equal(usersRto(report, 'asia'), 0);
  });

  test('the active-passive ledger loses nothing: its strong table keeps a majority', async () => {
    const spec = await example('ledger');
    const report = await outageRun(spec, 'active-passive');
    const ledger = report.data[0]!;
    assert.equal(ledger.acknowledgedWritesLost, 0);
    assert.equal(ledger.secondsOfDataLost, 0);
    assert.ok(ledger.replicasConverged);
    assert.equal(report.prediction!.dataClasses[0]!.rpoSeconds, 0);
    assert.match(report.prediction!.dataClasses[0]!.explanation, /majority/);
    within(usersRto(report, 'united-states'), 90, { share: 0.25, seconds: 2 }, 'united-states');
  });
});
