import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createHealthCheck,
  healthyCheckerCount,
  isHealthy,
  nextProbeDueAtMs,
  recordProbe,
  resolveHealthCheckConfig,
  ROUTE53_REQUEST_INTERVALS_SECONDS,
  tickHealthCheck,
  timeToDetectMs,
  type HealthChangedEffect,
  type HealthCheckOptions,
  type HealthCheckState,
} from './health-check.ts';
import { RoutingConfigError } from './routing-errors.ts';
import { scriptedRandom } from './scripted-random.ts';

/** Drives the machine like the discrete-event simulator: tick at each due time, answer probes at once. */
function runUntil(initial: HealthCheckState, endMs: number, endpointUp: (atMs: number) => boolean) {
  let state = initial;
  const changes: HealthChangedEffect[] = [];
  for (let nowMs = nextProbeDueAtMs(state); nowMs <= endMs; nowMs = nextProbeDueAtMs(state)) {
    const ticked = tickHealthCheck(state, nowMs);
    state = ticked.state;
    for (const probe of ticked.effects) {
      const recorded = recordProbe(state, probe.checkerId, endpointUp(probe.atMs), probe.atMs);
      state = recorded.state;
      changes.push(...recorded.effects);
    }
  }
  return { state, changes };
}

function failCheckers(state: HealthCheckState, checkerIds: readonly number[]): HealthCheckState {
  return checkerIds.reduce((current, checkerId) => recordProbe(current, checkerId, false, 0).state, state);
}

describe('resolveHealthCheckConfig', () => {
  test('Route 53 defaults: 30 s interval, threshold 3, 8 checkers, HTTP timeouts 4 s + 2 s, 18 %', () => {
    assert.deepEqual(resolveHealthCheckConfig(), {
      intervalMs: 30_000,
      failureThreshold: 3,
      checkerCount: 8,
      protocol: 'http',
      connectTimeoutMs: 4_000,
      responseTimeoutMs: 2_000,
      healthyCheckerPercentAbove: 18,
      initiallyHealthy: true,
    });
    assert.equal(resolveHealthCheckConfig({ protocol: 'tcp' }).connectTimeoutMs, 10_000);
  });

  const invalid: [HealthCheckOptions, string][] = [
    [{ requestIntervalSeconds: 0 }, 'requestIntervalSeconds'],
    [{ requestIntervalSeconds: 0.5 }, 'requestIntervalSeconds'],
    [{ requestIntervalSeconds: 1.5 }, 'requestIntervalSeconds'],
    [{ requestIntervalSeconds: 31 }, 'requestIntervalSeconds'],
    [{ requestIntervalSeconds: -10 }, 'requestIntervalSeconds'],
    [{ failureThreshold: 0 }, 'failureThreshold'],
    [{ failureThreshold: 11 }, 'failureThreshold'],
    [{ checkerCount: 0 }, 'checkerCount'],
    [{ checkerCount: 65 }, 'checkerCount'],
    [{ healthyCheckerPercentAbove: 100 }, 'healthyCheckerPercentAbove'],
  ];
  for (const [options, path] of invalid) {
    test(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(() => resolveHealthCheckConfig(options), (error: unknown) => error instanceof RoutingConfigError && error.path === path);
    });
  }

  test('time to detect is interval × threshold', () => {
    assert.equal(timeToDetectMs(resolveHealthCheckConfig()), 90_000);
    assert.equal(timeToDetectMs(resolveHealthCheckConfig({ requestIntervalSeconds: 10, failureThreshold: 1 })), 10_000);
  });

  test('Route 53 offers 10 and 30 s; the model also takes any whole interval from 1 to 30 s for fast lab runs', () => {
    assert.deepEqual(ROUTE53_REQUEST_INTERVALS_SECONDS, [10, 30]);
    for (const requestIntervalSeconds of [1, 2, 5, 10, 15, 20, 30]) {
      assert.equal(resolveHealthCheckConfig({ requestIntervalSeconds }).intervalMs, requestIntervalSeconds * 1000);
    }
  });

  test('a fast lab setting, 1 s × threshold 2, detects a failure in about 2 s', () => {
    const config = resolveHealthCheckConfig({ requestIntervalSeconds: 1, failureThreshold: 2 });
    assert.equal(timeToDetectMs(config), 2_000);
  });
});

describe('health check timing', () => {
  const timings: HealthCheckOptions[] = [
    { requestIntervalSeconds: 30, failureThreshold: 3 },
    { requestIntervalSeconds: 10, failureThreshold: 3 },
    { requestIntervalSeconds: 10, failureThreshold: 1 },
    { requestIntervalSeconds: 30, failureThreshold: 10 },
    { requestIntervalSeconds: 1, failureThreshold: 2 },
    { requestIntervalSeconds: 1, failureThreshold: 1 },
  ];
  for (const options of timings) {
    test(`interval ${options.requestIntervalSeconds} s × threshold ${options.failureThreshold}: unhealthy after about interval × threshold, not before`, () => {
      const config = resolveHealthCheckConfig(options);
      const failAtMs = 100_000;
      const { state, changes } = runUntil(createHealthCheck('hc', 'us-east-1', config, 0), failAtMs + 2 * timeToDetectMs(config), (atMs) => atMs < failAtMs);
      assert.equal(isHealthy(state), false);
      assert.equal(changes.length, 1);
      const detectedAfterMs = changes[0]!.atMs - failAtMs;
      assert.ok(detectedAfterMs > (config.failureThreshold - 1) * config.intervalMs, `detected too early: ${detectedAfterMs} ms`);
      assert.ok(detectedAfterMs <= timeToDetectMs(config), `detected too late: ${detectedAfterMs} ms`);
    });
  }

  test('still healthy just before (threshold - 1) × interval has passed', () => {
    const config = resolveHealthCheckConfig();
    const failAtMs = 100_000;
    const { state, changes } = runUntil(createHealthCheck('hc', 'us-east-1', config, 0), failAtMs + 2 * config.intervalMs, (atMs) => atMs < failAtMs);
    assert.equal(isHealthy(state), true);
    assert.deepEqual(changes, []);
  });

  test('recovers after about interval × threshold of passing probes', () => {
    const config = resolveHealthCheckConfig({ requestIntervalSeconds: 10 });
    const recoverAtMs = 200_000;
    const { state, changes } = runUntil(createHealthCheck('hc', 'us-east-1', config, 0), recoverAtMs + 60_000, (atMs) => atMs < 50_000 || atMs >= recoverAtMs);
    assert.equal(isHealthy(state), true);
    assert.deepEqual(changes.map((change) => change.healthy), [false, true]);
    const recoveredAfterMs = changes[1]!.atMs - recoverAtMs;
    assert.ok(recoveredAfterMs > (config.failureThreshold - 1) * config.intervalMs && recoveredAfterMs <= timeToDetectMs(config), `${recoveredAfterMs} ms`);
  });

  test('a flapping endpoint that never fails threshold times in a row stays healthy', () => {
    const config = resolveHealthCheckConfig({ requestIntervalSeconds: 10, failureThreshold: 3 });
    const { state, changes } = runUntil(createHealthCheck('hc', 'us-east-1', config, 0), 600_000, (atMs) => Math.floor(atMs / 10_000) % 3 !== 0);
    assert.equal(isHealthy(state), true);
    assert.deepEqual(changes, []);
  });
});

describe('the 18 % rule', () => {
  test('8 checkers: 2 healthy (25 %) is healthy, 1 healthy (12.5 %) is not', () => {
    const config = resolveHealthCheckConfig({ failureThreshold: 1 });
    const six = failCheckers(createHealthCheck('hc', 't', config, 0), [0, 1, 2, 3, 4, 5]);
    assert.equal(healthyCheckerCount(six.checkers), 2);
    assert.equal(isHealthy(six), true);
    const seven = failCheckers(six, [6]);
    assert.equal(isHealthy(seven), false);
  });

  test('50 checkers: exactly 18 % healthy is unhealthy, one more is healthy', () => {
    const config = resolveHealthCheckConfig({ failureThreshold: 1, checkerCount: 50 });
    const atBoundary = failCheckers(createHealthCheck('hc', 't', config, 0), Array.from({ length: 41 }, (_, index) => index));
    assert.equal(healthyCheckerCount(atBoundary.checkers), 9);
    assert.equal(isHealthy(atBoundary), false);
    assert.equal(isHealthy(recordProbe(atBoundary, 0, true, 1).state), true);
  });

  test('health-changed effects carry the id, target and time', () => {
    const config = resolveHealthCheckConfig({ failureThreshold: 1, checkerCount: 1 });
    const { effects } = recordProbe(createHealthCheck('hc-use1', 'us-east-1', config, 0), 0, false, 1234);
    assert.deepEqual(effects, [{ kind: 'health-changed', healthCheckId: 'hc-use1', target: 'us-east-1', healthy: false, atMs: 1234 }]);
  });
});

describe('one checker', () => {
  const config = resolveHealthCheckConfig({ checkerCount: 1, failureThreshold: 3 });
  const view = (results: boolean[]) =>
    results.reduce((state, ok, index) => recordProbe(state, 0, ok, index).state, createHealthCheck('hc', 't', config, 0)).checkers[0]!.reportsHealthy;

  test('flips after threshold consecutive failures, and back after as many successes', () => {
    assert.equal(view([false, false]), true);
    assert.equal(view([false, false, false]), false);
    assert.equal(view([false, false, true, false, false]), true);
    assert.equal(view([false, false, false, true, true]), false);
    assert.equal(view([false, false, false, true, true, false, true, true, true]), true);
  });

  test('an unknown checker id is a programmer error', () => {
    assert.throws(() => recordProbe(createHealthCheck('hc', 't', config, 0), 1, true, 0), /invariant/);
  });
});

describe('probe scheduling', () => {
  test('checkers are staggered evenly over the interval', () => {
    const state = createHealthCheck('hc', 't', resolveHealthCheckConfig({ checkerCount: 4 }), 1_000);
    assert.deepEqual(state.checkers.map((checker) => checker.nextProbeAtMs), [1_000, 8_500, 16_000, 23_500]);
    assert.equal(nextProbeDueAtMs(state), 1_000);
  });

  test('with a Random, offsets are independent and inside the interval', () => {
    const state = createHealthCheck('hc', 't', resolveHealthCheckConfig({ checkerCount: 3 }), 0, scriptedRandom([0.5, 0.1, 0.99]));
    assert.deepEqual(state.checkers.map((checker) => checker.nextProbeAtMs), [15_000, 3_000, 29_700]);
  });

  test('a tick emits each due checker once, with the probe timeouts, and skips missed slots', () => {
    const config = resolveHealthCheckConfig({ checkerCount: 2, requestIntervalSeconds: 10 });
    const late = tickHealthCheck(createHealthCheck('hc', 'eu-west-1', config, 0), 47_000);
    assert.deepEqual(
      late.effects.map((effect) => [effect.checkerId, effect.atMs, effect.connectTimeoutMs, effect.responseTimeoutMs]),
      [
        [0, 47_000, 4_000, 2_000],
        [1, 47_000, 4_000, 2_000],
      ],
    );
    assert.deepEqual(late.state.checkers.map((checker) => checker.nextProbeAtMs), [50_000, 55_000]);
    assert.deepEqual(tickHealthCheck(late.state, 49_999).effects, []);
  });
});
