import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attemptOrigin,
  canFailOver,
  originGroupRequest,
  resolveOriginGroupConfig,
  type OriginBehaviour,
  type OriginGroupOptions,
  type OriginGroupResult,
} from './cloudfront-origin-group.ts';
import { RoutingConfigError } from './routing-errors.ts';

const defaults = resolveOriginGroupConfig();
const ok = (status = 200, connectMs = 20, responseMs = 80): OriginBehaviour => ({ kind: 'responds', connectMs, responseMs, status });
const unreachable: OriginBehaviour = { kind: 'unreachable' };
const refuses: OriginBehaviour = { kind: 'refuses', afterMs: 30 };
const silent: OriginBehaviour = { kind: 'responds', connectMs: 20, responseMs: 'never', status: 200 };

describe('resolveOriginGroupConfig', () => {
  test('documented defaults: 500/502/503/504, 10 s connection timeout, 3 attempts, 30 s response timeout', () => {
    assert.deepEqual(defaults, { failoverStatusCodes: [500, 502, 503, 504], connectionTimeoutMs: 10_000, connectionAttempts: 3, responseTimeoutMs: 30_000 });
  });

  const invalid: [OriginGroupOptions, string][] = [
    [{ connectionTimeoutSeconds: 0 }, 'connectionTimeoutSeconds'],
    [{ connectionTimeoutSeconds: 11 }, 'connectionTimeoutSeconds'],
    [{ connectionAttempts: 4 }, 'connectionAttempts'],
    [{ responseTimeoutSeconds: 61 }, 'responseTimeoutSeconds'],
    [{ failoverStatusCodes: [] }, 'failoverStatusCodes'],
    [{ failoverStatusCodes: [429] }, 'failoverStatusCodes'],
  ];
  for (const [options, path] of invalid) {
    test(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(() => resolveOriginGroupConfig(options), (error: unknown) => error instanceof RoutingConfigError && error.path === path);
    });
  }
});

describe('origin failover per method', () => {
  const methods: [string, boolean][] = [
    ['GET', true],
    ['HEAD', true],
    ['OPTIONS', true],
    ['get', true],
    ['POST', false],
    ['PUT', false],
    ['PATCH', false],
    ['DELETE', false],
  ];
  for (const [method, failsOver] of methods) {
    test(`${method} ${failsOver ? 'fails over' : 'never fails over'} on a 503`, () => {
      const result = originGroupRequest(defaults, method, ok(503), ok(200));
      assert.deepEqual([result.servedBy, result.status], failsOver ? ['secondary', 200] : ['primary', 503]);
      assert.equal(canFailOver(method), failsOver);
    });
  }
});

describe('origin group requests', () => {
  const cases: [string, string, OriginBehaviour | OriginBehaviour[], OriginBehaviour, OriginGroupResult, OriginGroupOptions?][] = [
    ['2xx from the primary is served', 'GET', ok(200), ok(200), { servedBy: 'primary', status: 200, elapsedMs: 100, failedOver: false }],
    ['3xx from the primary is served', 'GET', ok(301), ok(200), { servedBy: 'primary', status: 301, elapsedMs: 100, failedOver: false }],
    ['an unconfigured 404 is returned, not failed over', 'GET', ok(404), ok(200), { servedBy: 'primary', status: 404, elapsedMs: 100, failedOver: false }],
    ['a configured 404 fails over', 'GET', ok(404), ok(200), { servedBy: 'secondary', status: 200, elapsedMs: 200, failedOver: true }, { failoverStatusCodes: [404] }],
    ['500 fails over', 'GET', ok(500), ok(200), { servedBy: 'secondary', status: 200, elapsedMs: 200, failedOver: true }],
    [
      'unreachable primary: 3 attempts × 10 s before the secondary',
      'GET',
      unreachable,
      ok(200),
      { servedBy: 'secondary', status: 200, elapsedMs: 30_100, failedOver: true },
    ],
    [
      'faster failover with 1 attempt of 2 s',
      'GET',
      unreachable,
      ok(200),
      { servedBy: 'secondary', status: 200, elapsedMs: 2_100, failedOver: true },
      { connectionTimeoutSeconds: 2, connectionAttempts: 1 },
    ],
    ['refused connections are retried too, quickly', 'HEAD', refuses, ok(200), { servedBy: 'secondary', status: 200, elapsedMs: 190, failedOver: true }],
    [
      'a silent primary on GET: response timeout retried per attempt',
      'GET',
      silent,
      ok(200),
      { servedBy: 'secondary', status: 200, elapsedMs: 3 * 30_020 + 100, failedOver: true },
    ],
    [
      'a silent primary on OPTIONS: one response timeout, then failover',
      'OPTIONS',
      silent,
      ok(200),
      { servedBy: 'secondary', status: 200, elapsedMs: 30_020 + 100, failedOver: true },
    ],
    ['POST to an unreachable primary: 504 after all connection attempts', 'POST', unreachable, ok(200), { servedBy: 'primary', status: 504, elapsedMs: 30_000, failedOver: false }],
    ['POST to a silent primary: 504, not retried', 'POST', silent, ok(200), { servedBy: 'primary', status: 504, elapsedMs: 30_020, failedOver: false }],
    ['both down: 502 when the secondary refuses', 'GET', unreachable, refuses, { servedBy: 'secondary', status: 502, elapsedMs: 30_090, failedOver: true }],
    ['both down: 504 when the secondary times out', 'GET', ok(503), unreachable, { servedBy: 'secondary', status: 504, elapsedMs: 30_100, failedOver: true }],
    ['the secondary\'s error status reaches the viewer', 'GET', ok(503), ok(503), { servedBy: 'secondary', status: 503, elapsedMs: 200, failedOver: true }],
    [
      'a flaky primary that answers on the second attempt is not failed over',
      'GET',
      [unreachable, ok(200)],
      ok(200),
      { servedBy: 'primary', status: 200, elapsedMs: 10_100, failedOver: false },
    ],
  ];
  for (const [what, method, primary, secondary, expected, options] of cases) {
    test(what, () => {
      assert.deepEqual(originGroupRequest(resolveOriginGroupConfig(options), method, primary, secondary), expected);
    });
  }

  test('a connect slower than the connection timeout counts as a timeout', () => {
    assert.deepEqual(attemptOrigin(resolveOriginGroupConfig({ connectionAttempts: 1, connectionTimeoutSeconds: 1 }), 'GET', ok(200, 1_500)), {
      outcome: { kind: 'connection-timeout' },
      attempts: 1,
      elapsedMs: 1_000,
    });
  });
});
