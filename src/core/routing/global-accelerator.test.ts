import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceleratorFailoverMs,
  createAcceleratorHealthChecks,
  dialShares,
  resolveAcceleratorConfig,
  routeFlow,
  type AcceleratorClient,
  type AcceleratorConfig,
  type AcceleratorOptions,
} from './global-accelerator.ts';
import { healthLookup, nextProbeDueAtMs, recordHealthCheckProbe, tickHealthChecks, type HealthCheckSet } from './health-check-set.ts';
import { RoutingConfigError, RoutingQueryError } from './routing-errors.ts';
import { counterRandom, scriptedRandom } from './scripted-random.ts';

const eastCoast: AcceleratorClient = { rttMsByRegion: { 'us-east-1': 10, 'us-west-2': 70, 'eu-west-1': 80, 'ap-northeast-1': 160, 'sa-east-1': 120 } };
const westCoast: AcceleratorClient = { rttMsByRegion: { 'us-east-1': 70, 'us-west-2': 10, 'eu-west-1': 140, 'ap-northeast-1': 100, 'sa-east-1': 180 } };
const allHealthy = () => true;

function countFlows(options: AcceleratorOptions, client: AcceleratorClient, flows: number, healthy: (region: string) => boolean = allHealthy) {
  const config = resolveAcceleratorConfig(options);
  const random = counterRandom(flows);
  const counts: Record<string, number> = {};
  for (let index = 0; index < flows; index++) {
    const { region } = routeFlow(config, client, healthy, random);
    counts[region] = (counts[region] ?? 0) + 1;
  }
  return counts;
}

/**
 * Drives the accelerator's health checks on a fixed step until us-east-1, failed at `failAtMs`, stops
 * receiving an east-coast client's new flows; returns that time, or undefined within 120 s.
 */
function firstFailoverOfEastCoast(config: AcceleratorConfig, failAtMs: number, stepMs: number): number | undefined {
  const regionUp = (region: string, atMs: number) => region !== 'us-east-1' || atMs < failAtMs;
  let checks: HealthCheckSet = createAcceleratorHealthChecks(config, 0);
  for (let nowMs = 0; nowMs <= 120_000; nowMs += stepMs) {
    while (nextProbeDueAtMs(checks)! <= nowMs) {
      const ticked = tickHealthChecks(checks, nowMs);
      checks = ticked.state;
      for (const probe of ticked.effects) checks = recordHealthCheckProbe(checks, probe.healthCheckId, probe.checkerId, regionUp(probe.target, nowMs), nowMs).state;
    }
    const route = routeFlow(config, eastCoast, healthLookup(checks), scriptedRandom([0]));
    if (route.region !== 'us-east-1') return nowMs;
  }
  return undefined;
}

describe('Global Accelerator traffic dials', () => {
  test('the documented example: two regions at 50 %, 50 requests per coast, each group serves a mix of 50', () => {
    const options: AcceleratorOptions = {
      endpointGroups: [
        { region: 'us-west-2', trafficDialPercent: 50 },
        { region: 'us-east-1', trafficDialPercent: 50 },
      ],
    };
    assert.deepEqual(countFlows(options, eastCoast, 50), { 'us-east-1': 25, 'us-west-2': 25 });
    assert.deepEqual(countFlows(options, westCoast, 50), { 'us-west-2': 25, 'us-east-1': 25 });
  });

  const shareCases: [string, AcceleratorOptions, [string, number][]][] = [
    ['all at 100 %: everything to the nearest', { endpointGroups: [{ region: 'eu-west-1' }, { region: 'us-east-1' }] }, [['us-east-1', 1]]],
    [
      'a cascade: 50 % stays, half of the spill stays at the next, the farthest takes the rest',
      { endpointGroups: [{ region: 'us-east-1', trafficDialPercent: 50 }, { region: 'us-west-2', trafficDialPercent: 50 }, { region: 'eu-west-1' }] },
      [
        ['us-east-1', 0.5],
        ['us-west-2', 0.25],
        ['eu-west-1', 0.25],
      ],
    ],
    ['dial 0 drains the nearest group', { endpointGroups: [{ region: 'us-east-1', trafficDialPercent: 0 }, { region: 'eu-west-1' }] }, [['eu-west-1', 1]]],
    ['a lone dialled group takes everything, whatever its dial', { endpointGroups: [{ region: 'us-east-1', trafficDialPercent: 20 }] }, [['us-east-1', 1]]],
    ['every dial at 0: nothing is directed', { endpointGroups: [{ region: 'us-east-1', trafficDialPercent: 0 }] }, []],
  ];
  for (const [what, options, expected] of shareCases) {
    test(what, () => {
      assert.deepEqual(
        dialShares(resolveAcceleratorConfig(options), eastCoast).map((entry) => [entry.region, entry.share]),
        expected,
      );
    });
  }
});

describe('Global Accelerator failover', () => {
  const fiveRegions = resolveAcceleratorConfig({
    endpointGroups: [{ region: 'us-east-1' }, { region: 'us-west-2' }, { region: 'eu-west-1', trafficDialPercent: 0 }, { region: 'sa-east-1' }, { region: 'ap-northeast-1' }],
  });
  const down = (...regions: string[]) => (region: string) => !regions.includes(region);
  // From the east coast the proximity order is us-east-1, us-west-2, eu-west-1, sa-east-1, ap-northeast-1.
  const cases: [string, (region: string) => boolean, string, string][] = [
    ['healthy nearest group', allHealthy, 'us-east-1', 'directed'],
    ['nearest unhealthy: next nearest healthy group', down('us-east-1'), 'us-west-2', 'failover'],
    ['failover ignores dials: a group dialled to 0 can take it', down('us-east-1', 'us-west-2'), 'eu-west-1', 'failover'],
    ['three additional groups tried', down('us-east-1', 'us-west-2', 'eu-west-1'), 'sa-east-1', 'failover'],
    ['beyond three, fail open to the nearest group', down('us-east-1', 'us-west-2', 'eu-west-1', 'sa-east-1'), 'us-east-1', 'fail-open'],
    ['all unhealthy: fail open to the nearest group', () => false, 'us-east-1', 'fail-open'],
  ];
  for (const [what, healthy, region, reason] of cases) {
    test(what, () => {
      assert.deepEqual(routeFlow(fiveRegions, eastCoast, healthy, scriptedRandom([0])), { region, reason });
    });
  }

  test('an unhealthy group hands its directed share to the closest healthy group, whatever that group\'s dial', () => {
    const options: AcceleratorOptions = { endpointGroups: [{ region: 'us-east-1', trafficDialPercent: 50 }, { region: 'us-west-2' }, { region: 'eu-west-1' }] };
    assert.deepEqual(countFlows(options, eastCoast, 100), { 'us-east-1': 50, 'us-west-2': 50 });
    assert.deepEqual(countFlows(options, eastCoast, 100, down('us-east-1')), { 'us-west-2': 100 });
    assert.deepEqual(countFlows(options, eastCoast, 100, down('us-west-2')), { 'us-east-1': 100 });
  });

  test('new flows leave a failed region about interval × threshold after it fails, with no TTL on top', () => {
    const config = resolveAcceleratorConfig({ endpointGroups: [{ region: 'us-east-1' }, { region: 'us-west-2' }], healthCheckIntervalSeconds: 10 });
    assert.equal(acceleratorFailoverMs(config), 30_000);
    const failAtMs = 65_000;
    const firstFailoverAtMs = firstFailoverOfEastCoast(config, failAtMs, 1_000);
    assert.ok(firstFailoverAtMs !== undefined);
    const afterMs = firstFailoverAtMs - failAtMs;
    assert.ok(afterMs > 20_000 && afterMs <= 30_000, `failover ${afterMs} ms after the failure`);
  });

  test('a fast lab setting, 1 s × threshold 2: new flows leave a failed region within about 2 s', () => {
    const config = resolveAcceleratorConfig({ endpointGroups: [{ region: 'us-east-1' }, { region: 'us-west-2' }], healthCheckIntervalSeconds: 1, thresholdCount: 2 });
    assert.equal(config.healthCheck.intervalMs, 1_000);
    assert.equal(acceleratorFailoverMs(config), 2_000);
    const failAtMs = 10_500;
    const firstFailoverAtMs = firstFailoverOfEastCoast(config, failAtMs, 100);
    assert.ok(firstFailoverAtMs !== undefined);
    const afterMs = firstFailoverAtMs - failAtMs;
    assert.ok(afterMs > 1_000 && afterMs <= 2_000, `failover ${afterMs} ms after the failure`);
  });

  test('default health checks (30 s × 3) detect in 90 s', () => {
    assert.equal(acceleratorFailoverMs(resolveAcceleratorConfig({ endpointGroups: [{ region: 'us-east-1' }] })), 90_000);
  });
});

describe('resolveAcceleratorConfig', () => {
  const invalid: [AcceleratorOptions, string][] = [
    [{ endpointGroups: [] }, 'endpointGroups.length'],
    [{ endpointGroups: [{ region: 'us-east-1' }, { region: 'us-east-1' }] }, 'endpointGroups[1].region'],
    [{ endpointGroups: [{ region: 'us-east-1', trafficDialPercent: 101 }] }, 'endpointGroups[0].trafficDialPercent'],
    [{ endpointGroups: [{ region: 'us-east-1' }], healthCheckIntervalSeconds: 0 }, 'healthCheckIntervalSeconds'],
    [{ endpointGroups: [{ region: 'us-east-1' }], healthCheckIntervalSeconds: 2.5 }, 'healthCheckIntervalSeconds'],
    [{ endpointGroups: [{ region: 'us-east-1' }], healthCheckIntervalSeconds: 60 }, 'healthCheckIntervalSeconds'],
    [{ endpointGroups: [{ region: 'us-east-1' }], thresholdCount: 0 }, 'thresholdCount'],
  ];
  for (const [options, path] of invalid) {
    test(`rejects ${path} in ${JSON.stringify(options)}`, () => {
      assert.throws(() => resolveAcceleratorConfig(options), (error: unknown) => error instanceof RoutingConfigError && error.path === path);
    });
  }

  test('takes the AWS intervals and, for fast lab runs, any whole interval from 1 to 30 s', () => {
    for (const healthCheckIntervalSeconds of [1, 5, 10, 30]) {
      const config = resolveAcceleratorConfig({ endpointGroups: [{ region: 'us-east-1' }], healthCheckIntervalSeconds });
      assert.equal(config.healthCheck.intervalMs, healthCheckIntervalSeconds * 1000);
      assert.equal(config.healthCheck.checkerCount, 1);
    }
  });

  test('a client without a round trip to a group region is a typed error', () => {
    const config = resolveAcceleratorConfig({ endpointGroups: [{ region: 'me-south-1' }] });
    assert.throws(() => routeFlow(config, eastCoast, allHealthy, scriptedRandom([0])), RoutingQueryError);
  });
});
