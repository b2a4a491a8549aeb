import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fibreRttLowerBoundMs, FIBRE_KM_PER_MS, greatCircleKm, type GeoPoint } from './great-circle.ts';
import { interRegionSamples } from '../../catalog/rtt-matrix.ts';

const LONDON: GeoPoint = { lat: 51.5074, lon: -0.1278 };
const PARIS: GeoPoint = { lat: 48.8566, lon: 2.3522 };
const NEW_YORK: GeoPoint = { lat: 40.7128, lon: -74.006 };
const SYDNEY: GeoPoint = { lat: -33.8688, lon: 151.2093 };
const TOKYO: GeoPoint = { lat: 35.6762, lon: 139.6503 };

/** Half the circumference of the mean-radius sphere the module uses (IUGG 6371.0088 km). */
const HALF_CIRCUMFERENCE_KM = Math.PI * 6371.0088;

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

describe('greatCircleKm', () => {
  test('known distances between cities', () => {
    assertNear(greatCircleKm(LONDON, PARIS), 344, 2, 'London–Paris');
    // Published great-circle figures on the mean sphere, to within 0.5 %.
    assertNear(greatCircleKm(LONDON, NEW_YORK), 5570, 28, 'London–New York');
    assertNear(greatCircleKm(SYDNEY, TOKYO), 7820, 40, 'Sydney–Tokyo');
  });

  test('one degree along the equator or a meridian is 1/360 of the circumference', () => {
    const degreeKm = (2 * HALF_CIRCUMFERENCE_KM) / 360;
    assertNear(greatCircleKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 }), degreeKm, 1e-6, 'equator');
    assertNear(greatCircleKm({ lat: 10, lon: 30 }, { lat: 11, lon: 30 }), degreeKm, 1e-6, 'meridian');
  });

  test('antipodes are half the circumference apart, without NaN at the clamp', () => {
    assertNear(greatCircleKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }), HALF_CIRCUMFERENCE_KM, 1e-6, 'equator antipodes');
    assertNear(greatCircleKm({ lat: 90, lon: 0 }, { lat: -90, lon: 0 }), HALF_CIRCUMFERENCE_KM, 1e-6, 'pole to pole');
    assertNear(greatCircleKm(NEW_YORK, { lat: -NEW_YORK.lat, lon: NEW_YORK.lon + 180 }), 20015, 1, 'New York antipode');
  });

  test('is symmetric', () => {
    const points = [LONDON, PARIS, NEW_YORK, SYDNEY, TOKYO, { lat: 0, lon: 179.9 }, { lat: 0, lon: -179.9 }];
    for (const from of points) {
      for (const to of points) assertNear(greatCircleKm(from, to), greatCircleKm(to, from), 1e-9, `${JSON.stringify(from)} ↔ ${JSON.stringify(to)}`);
    }
  });

  test('is zero for the same point, and across the date line takes the short way', () => {
    for (const point of [LONDON, SYDNEY, { lat: 0, lon: 0 }]) assert.equal(greatCircleKm(point, point), 0);
    // Both poles are one point whatever the longitude says.
    assertNear(greatCircleKm({ lat: 90, lon: 0 }, { lat: 90, lon: 120 }), 0, 1e-6, 'north pole');
    // 0.2 degrees of longitude across the antimeridian, not 359.8.
    assertNear(greatCircleKm({ lat: 0, lon: 179.9 }, { lat: 0, lon: -179.9 }), (0.2 * 2 * HALF_CIRCUMFERENCE_KM) / 360, 1e-6, 'date line');
  });

  test('obeys the triangle inequality', () => {
    const points = [LONDON, PARIS, NEW_YORK, SYDNEY, TOKYO];
    for (const a of points) {
      for (const b of points) {
        for (const c of points) assert.ok(greatCircleKm(a, c) <= greatCircleKm(a, b) + greatCircleKm(b, c) + 1e-9);
      }
    }
  });
});

describe('fibreRttLowerBoundMs', () => {
  test('is the there-and-back distance at the speed of light in fibre', () => {
    assert.equal(fibreRttLowerBoundMs(0), 0);
    assertNear(fibreRttLowerBoundMs(FIBRE_KM_PER_MS), 2, 1e-12, 'one fibre-millisecond each way');
    assertNear(fibreRttLowerBoundMs(1000), 2000 / 199.86, 1e-12, '1000 km');
    // London–Paris: about 3.4 ms; nothing can go faster.
    assertNear(fibreRttLowerBoundMs(greatCircleKm(LONDON, PARIS)), 3.44, 0.02, 'London–Paris');
  });

  test('is about 2/3 of the speed of light in vacuum', () => {
    const vacuumKmPerMs = 299.792458;
    assertNear(FIBRE_KM_PER_MS / vacuumKmPerMs, 2 / 3, 0.01, 'fibre / vacuum');
  });

  test('no measured inter-region round trip beats light in fibre along the great circle', () => {
    const samples = interRegionSamples();
    assert.ok(samples.length > 0);
    for (const sample of samples) {
      const boundMs = fibreRttLowerBoundMs(sample.distanceKm);
      assert.ok(sample.rttMs >= boundMs, `${sample.from} → ${sample.to}: ${sample.rttMs} ms measured, below the ${boundMs.toFixed(1)} ms physical bound`);
    }
  });
});
