import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { rttFitReport } from '../../src/catalog/latency.ts';

/** The README states the round-trip model's fit; this keeps the statement true when the data changes. */
test('the README states the current fit of the round-trip model', () => {
  const readme = readFileSync('README.md', 'utf8').replace(/\s+/g, ' ');
  const report = rttFitReport();
  const expected = [
    `RTT = ${report.model.interceptMs.toFixed(1)} ms + ${(report.model.msPerKm * 1000).toFixed(2)} ms per 1000 km`,
    `mean absolute error of ${report.linear.meanAbsoluteErrorMs.toFixed(1)} ms and a median error of ${report.linear.medianAbsolutePercentError.toFixed(1)} %`,
    `(R² ${report.linear.rSquared.toFixed(3)}) over the ${report.linear.samples} region pairs`,
    `mean absolute error of ${report.anchoredLeaveOneOut.meanAbsoluteErrorMs.toFixed(1)} ms and a median error of ${report.anchoredLeaveOneOut.medianAbsolutePercentError.toFixed(1)} %`,
    `${(report.model.msPerKm / report.fibreMsPerKm).toFixed(2)}× longer than fibre`,
  ];
  for (const statement of expected) assert.ok(readme.includes(statement), `README should say: ${statement}`);
});
