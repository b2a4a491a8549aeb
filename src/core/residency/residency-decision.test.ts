import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditEvents, createAuditTrail, recordDenial } from './residency-audit.ts';
import { decideResidency, requireResidency, type ResidencyAction } from './residency-decision.ts';
import { allowedRegions, createResidencyPolicy, regionAllowed } from './residency-policy.ts';
import { ResidencyViolation } from './residency-violation.ts';

const EU = ['eu-west-1', 'eu-central-1'];
const policy = createResidencyPolicy([
  { dataClass: 'health-records', zone: 'eu', regions: EU },
  { dataClass: 'catalog', zone: undefined, regions: [] },
]);

describe('residency decisions', () => {
  test('a zone-bound class may be stored, replicated and served inside its zone', () => {
    for (const action of ['store', 'replicate', 'serve'] as const) {
      assert.deepEqual(decideResidency(policy, { action, dataClass: 'health-records', region: 'eu-central-1', sourceRegion: 'eu-west-1' }, 0), { allowed: true });
    }
  });

  test('outside its zone it is denied, with an audit event saying what, where and why', () => {
    const decision = decideResidency(policy, { action: 'replicate', dataClass: 'health-records', region: 'us-east-1', sourceRegion: 'eu-west-1', itemKey: 'patient#7' }, 1234);
    assert.deepEqual(decision, {
      allowed: false,
      audit: {
        kind: 'residency-denied',
        atMs: 1234,
        action: 'replicate',
        dataClass: 'health-records',
        region: 'us-east-1',
        sourceRegion: 'eu-west-1',
        itemKey: 'patient#7',
        zone: 'eu',
        zoneRegions: EU,
        reason: 'region-outside-zone',
      },
    });
  });

  test('serving a copy that lives outside the zone is denied too', () => {
    const decision = decideResidency(policy, { action: 'serve', dataClass: 'health-records', region: 'eu-west-1', sourceRegion: 'us-east-1' }, 0);
    assert.ok(!decision.allowed && decision.audit.reason === 'source-outside-zone');
  });

  test('a class with no residency goes anywhere; an unknown class is denied', () => {
    assert.ok(decideResidency(policy, { action: 'store', dataClass: 'catalog', region: 'ap-south-1' }, 0).allowed);
    const unknown = decideResidency(policy, { action: 'store', dataClass: 'mystery', region: 'eu-west-1' }, 0);
    assert.ok(!unknown.allowed && unknown.audit.reason === 'unknown-data-class');
  });

  test('replica placement keeps only the zone', () => {
    assert.deepEqual(allowedRegions(policy, 'health-records', ['us-east-1', 'eu-central-1', 'eu-west-1']), ['eu-central-1', 'eu-west-1']);
    assert.ok(regionAllowed(policy, 'catalog', 'sa-east-1'));
  });

  test('requireResidency records the denial and throws a typed AccessDenied-shaped error', () => {
    const trail = createAuditTrail();
    requireResidency(policy, { action: 'store', dataClass: 'health-records', region: 'eu-west-1' }, 0, trail);
    assert.throws(
      () => requireResidency(policy, { action: 'serve', dataClass: 'health-records', region: 'us-west-2', itemKey: 'patient#1' }, 5, trail),
      (error: unknown) => {
        assert.ok(error instanceof ResidencyViolation);
        assert.deepEqual([error.code, error.awsType, error.httpStatus, error.retryable], ['RESIDENCY_VIOLATION', 'AccessDeniedException', 400, false]);
        assert.match(error.message, /health-records may not be served in us-west-2: zone eu \(eu-west-1, eu-central-1\)/);
        return true;
      },
    );
    assert.equal(trail.denied, 1);
    assert.equal(auditEvents(trail)[0]?.itemKey, 'patient#1');
  });

  test('a policy with two rules for one class, or an empty zone, is a programmer error', () => {
    assert.throws(() => createResidencyPolicy([{ dataClass: 'a', zone: undefined, regions: [] }, { dataClass: 'a', zone: undefined, regions: [] }]), /two residency rules/);
    assert.throws(() => createResidencyPolicy([{ dataClass: 'a', zone: 'eu', regions: [] }]), /no region/);
  });

  test('property: allowed exactly when every region involved is in the zone, and every denial is audited (200 seeds)', () => {
    const regions = ['eu-west-1', 'eu-central-1', 'eu-west-3', 'us-east-1', 'ap-south-1'];
    const actions: ResidencyAction[] = ['store', 'replicate', 'serve'];
    for (let seed = 1; seed <= 200; seed += 1) {
      let state = seed;
      const next = (n: number): number => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      const zone = regions.filter(() => next(2) === 0);
      if (zone.length === 0) zone.push(regions[next(regions.length)]!);
      const seeded = createResidencyPolicy([{ dataClass: 'c', zone: 'z', regions: zone }]);
      const trail = createAuditTrail(50);
      let denials = 0;
      for (let draw = 0; draw < 100; draw += 1) {
        const region = regions[next(regions.length)]!;
        const sourceRegion = next(2) === 0 ? regions[next(regions.length)] : undefined;
        const request = { action: actions[next(3)]!, dataClass: 'c', region, sourceRegion };
        const expected = zone.includes(region) && (sourceRegion === undefined || zone.includes(sourceRegion));
        const decision = decideResidency(seeded, request, draw);
        assert.equal(decision.allowed, expected, `seed ${seed}: ${JSON.stringify(request)} against ${zone.join(',')}`);
        if (!decision.allowed) {
          denials += 1;
          recordDenial(trail, decision.audit);
        }
      }
      assert.equal(trail.denied, denials, `seed ${seed}: a denial went unaudited`);
      assert.equal(trail.events.length, Math.min(denials, 50), `seed ${seed}: the trail is not bounded`);
    }
  });
});
