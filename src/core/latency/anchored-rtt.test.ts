import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { greatCircleKm, type GeoPoint } from '../geo/great-circle.ts';
import { anchoredRttMs, nearestRegion, type MeasuredRtt } from './anchored-rtt.ts';
import type { RttModel } from './rtt-model.ts';

// Three regions on the equator, 10 degrees (about 1112 km) apart, with a symmetric measured matrix whose
// diagonal is an in-region connect time, as in the real catalog.
const REGIONS = [
  { code: 'west-1', lat: 0, lon: 0 },
  { code: 'middle-1', lat: 0, lon: 10 },
  { code: 'east-1', lat: 0, lon: 20 },
] as const;

const MEASURED_MS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'west-1': { 'west-1': 1.5, 'middle-1': 30, 'east-1': 70 },
  'middle-1': { 'west-1': 30, 'middle-1': 2, 'east-1': 25 },
  'east-1': { 'west-1': 70, 'middle-1': 25, 'east-1': 1 },
};

const matrix: MeasuredRtt = {
  regions: REGIONS,
  rttMs: (from, to) => MEASURED_MS[from]?.[to],
};

/** The intercept is deliberately large: the anchored estimate must not add it (the measured leg already has it). */
const MODEL: RttModel = { interceptMs: 500, msPerKm: 0.02 };

const DEGREE_ON_EQUATOR_KM = (2 * Math.PI * 6371.0088) / 360;

function assertNear(actual: number, expected: number, what: string, tolerance = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

describe('nearestRegion', () => {
  test('picks the closest region and its distance', () => {
    const cases: readonly (readonly [GeoPoint, string])[] = [
      [{ lat: 0, lon: 2 }, 'west-1'],
      [{ lat: 3, lon: 9 }, 'middle-1'],
      [{ lat: -5, lon: 14 }, 'middle-1'],
      [{ lat: 0, lon: 40 }, 'east-1'],
      [{ lat: 10, lon: -30 }, 'west-1'],
    ];
    for (const [point, expected] of cases) {
      const nearest = nearestRegion(point, matrix);
      assert.equal(nearest.code, expected, `nearest to ${JSON.stringify(point)}`);
      const region = REGIONS.find((candidate) => candidate.code === expected)!;
      assertNear(nearest.distanceKm, greatCircleKm(point, region), `distance to ${expected}`);
    }
  });

  test('a point on a region is at distance zero from it', () => {
    assert.deepEqual(nearestRegion({ lat: 0, lon: 10 }, matrix), { code: 'middle-1', distanceKm: 0 });
  });

  test('honours exclude, falling back to the next nearest', () => {
    const point = { lat: 0, lon: 2 };
    const nearest = nearestRegion(point, matrix, 'west-1');
    assert.equal(nearest.code, 'middle-1');
    assertNear(nearest.distanceKm, 8 * DEGREE_ON_EQUATOR_KM, 'distance to middle-1', 1e-6);
    // Excluding a region that is not the nearest changes nothing.
    assert.equal(nearestRegion(point, matrix, 'east-1').code, 'west-1');
  });
});

describe('anchoredRttMs', () => {
  test('is slope × distance to the nearest region plus the measured round trip from it', () => {
    const point = { lat: 0, lon: 2 };
    const distanceKm = greatCircleKm(point, REGIONS[0]);
    assertNear(distanceKm, 2 * DEGREE_ON_EQUATOR_KM, 'distance to west-1', 1e-6);
    for (const target of ['middle-1', 'east-1'] as const) {
      const estimate = anchoredRttMs(point, target, MODEL, matrix);
      assert.equal(estimate.anchorRegion, 'west-1');
      assertNear(estimate.anchorDistanceKm, distanceKm, 'anchorDistanceKm');
      assertNear(estimate.rttMs, MODEL.msPerKm * distanceKm + MEASURED_MS['west-1']![target]!, `to ${target}`);
    }
  });

  test('does not add the model intercept', () => {
    const point = { lat: 1, lon: 19 };
    const withIntercept = anchoredRttMs(point, 'west-1', MODEL, matrix);
    const withoutIntercept = anchoredRttMs(point, 'west-1', { ...MODEL, interceptMs: 0 }, matrix);
    assert.equal(withIntercept.rttMs, withoutIntercept.rttMs);
  });

  test('a target that is also the anchor uses the in-region diagonal', () => {
    const point = { lat: 0, lon: 21 };
    const estimate = anchoredRttMs(point, 'east-1', MODEL, matrix);
    assert.equal(estimate.anchorRegion, 'east-1');
    assertNear(estimate.rttMs, MODEL.msPerKm * DEGREE_ON_EQUATOR_KM + 1, 'to east-1', 1e-6);
  });

  test('honours exclude: leave-one-out anchors a region on its nearest other region', () => {
    // west-1 itself plays a population and must not be anchored on itself.
    const estimate = anchoredRttMs(REGIONS[0], 'east-1', MODEL, matrix, 'west-1');
    assert.equal(estimate.anchorRegion, 'middle-1');
    assertNear(estimate.anchorDistanceKm, 10 * DEGREE_ON_EQUATOR_KM, 'anchorDistanceKm', 1e-6);
    assertNear(estimate.rttMs, MODEL.msPerKm * estimate.anchorDistanceKm + 25, 'to east-1', 1e-9);
  });

  test('throws when the matrix has no round trip from the anchor to the target', () => {
    assert.throws(() => anchoredRttMs({ lat: 0, lon: 1 }, 'nowhere-1', MODEL, matrix), /no measured round trip west-1 -> nowhere-1/);
  });
});
