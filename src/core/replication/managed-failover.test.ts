import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failoverTarget, nextEpoch } from './managed-failover.ts';

const RTT: Record<string, Record<string, number>> = {
  'us-east-1': { 'us-east-2': 12, 'us-west-2': 66, 'eu-west-1': 69 },
};
const rtt = (from: string, to: string) => RTT[from]?.[to] ?? 1000;

test('the nearest promotable secondary is chosen; ties go to the first; none, none', () => {
  const cases: { candidates: string[]; expected: string | undefined }[] = [
    { candidates: ['eu-west-1', 'us-west-2', 'us-east-2'], expected: 'us-east-2' },
    { candidates: ['eu-west-1', 'us-west-2'], expected: 'us-west-2' },
    { candidates: ['us-east-1', 'eu-west-1'], expected: 'eu-west-1' },
    { candidates: [], expected: undefined },
  ];
  for (const testCase of cases) assert.equal(failoverTarget('us-east-1', testCase.candidates, rtt), testCase.expected, testCase.candidates.join(','));
  assert.equal(failoverTarget(0, [2, 1], () => 5), 2, 'equal round trips: the first in order');
});

test('the new epoch is one above every known epoch', () => {
  assert.equal(nextEpoch([]), 1);
  assert.equal(nextEpoch([1, 3, 2]), 4);
});
