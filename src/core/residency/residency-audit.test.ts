import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditEvents, createAuditTrail, recordDenial, type ResidencyAuditEvent } from './residency-audit.ts';

function denial(atMs: number): ResidencyAuditEvent {
  return { kind: 'residency-denied', atMs, action: 'store', dataClass: 'c', region: 'us-east-1', sourceRegion: undefined, itemKey: undefined, zone: 'eu', zoneRegions: ['eu-west-1'], reason: 'region-outside-zone' };
}

describe('residency audit trail', () => {
  test('keeps events in order while under capacity', () => {
    const trail = createAuditTrail(3);
    recordDenial(trail, denial(1));
    recordDenial(trail, denial(2));
    assert.deepEqual(auditEvents(trail).map((event) => event.atMs), [1, 2]);
    assert.deepEqual([trail.denied, trail.dropped], [2, 0]);
  });

  test('is bounded: keeps the latest events and counts the dropped ones', () => {
    const trail = createAuditTrail(3);
    for (let atMs = 1; atMs <= 7; atMs += 1) recordDenial(trail, denial(atMs));
    assert.deepEqual(auditEvents(trail).map((event) => event.atMs), [5, 6, 7]);
    assert.deepEqual([trail.denied, trail.dropped], [7, 4]);
  });

  test('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => createAuditTrail(0), /positive integer/);
  });
});
