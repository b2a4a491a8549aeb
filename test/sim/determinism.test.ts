import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRunReportJson } from '../../src/report/render-run-report.ts';
import { compressed, example, experiment, run } from './sim-fixtures.ts';

test('the same spec, experiment and seed give a byte-identical JSON report; another seed does not', async () => {
  const spec = await example('global-shop');
  const outage = compressed(await experiment('region-outage', spec), { startMs: 20_000, tailMs: 30_000, loadScale: 0.05 });
  const shortened = { ...outage, faults: outage.faults.map((fault) => ({ ...fault, endMs: fault.startMs + 40_000 })), durationMs: 90_000 };
  const first = renderRunReportJson(run(spec, 'active-active', shortened, 42));
  const second = renderRunReportJson(run(spec, 'active-active', shortened, 42));
  const other = renderRunReportJson(run(spec, 'active-active', shortened, 43));
  assert.equal(first, second);
  assert.notEqual(first, other);
  assert.ok(JSON.parse(first).requests.total > 1000);
});
