import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { advise, type CandidateEstimate } from '../../src/advise/advise.ts';
import { candidateArchitectures } from '../../src/advise/candidates.ts';
import { pointToRegionRtt } from '../../src/catalog/latency.ts';
import { measuredRttMs } from '../../src/catalog/rtt-matrix.ts';
import { SERVICE_LEVELS } from '../../src/catalog/service-levels.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import type { ResolvedSpec } from '../../src/spec/resolved-spec.ts';

async function load(name: string): Promise<ResolvedSpec> {
  return (await loadSpec(`examples/${name}.yaml`)).spec;
}

function candidate(candidates: readonly CandidateEstimate[], kind: string): CandidateEstimate {
  const found = candidates.find((c) => c.architecture.kind === kind);
  assert.ok(found, `no ${kind} candidate`);
  return found;
}

describe('advise on the examples', () => {
  test('global shop: at least three candidates, each with every figure, and active-active recommended', async () => {
    const advice = advise(await load('global-shop'), 'global-shop.yaml');
    assert.ok(advice.candidates.length >= 3);
    for (const estimate of advice.candidates) {
      assert.equal(estimate.latency.length, 4, 'one latency entry per population');
      for (const population of estimate.latency) {
        assert.ok(population.p50Ms > 0 && population.p99Ms >= population.p50Ms);
        assert.ok(population.operations.length > 0);
      }
      assert.ok(estimate.availability.availability > 0.99 && estimate.availability.availability < 1);
      assert.deepEqual(estimate.recovery.dataClasses.map((c) => c.dataClass), ['profiles', 'orders', 'payments']);
      assert.ok(estimate.cost.lines.length > 0 && estimate.cost.totalMonthlyUsd > 0);
      assert.deepEqual(
        estimate.verdicts.map((v) => v.requirement),
        ['buildable', 'residency', 'availability', 'latency-p99', 'rpo', 'rto', 'budget'],
      );
    }
    assert.equal(advice.recommendation.kind, 'active-active');
    const rejected = advice.recommendation.rejectedSimpler.map((r) => r.kind);
    assert.deepEqual(rejected, ['single-region', 'active-passive']);
    for (const rejection of advice.recommendation.rejectedSimpler) {
      assert.ok(rejection.reasons.length > 0);
      assert.ok(rejection.reasons.every((reason) => /\d/.test(reason)), 'every reason quotes a number');
    }
  });

  test('ledger: a simpler candidate than the global shop, rejected single region for its RTO', async () => {
    const shop = advise(await load('global-shop'), 'shop').recommendation;
    const ledger = advise(await load('ledger'), 'ledger').recommendation;
    assert.equal(ledger.kind, 'active-passive');
    const order = ['single-region', 'active-passive', 'active-active', 'partitioned-active-active'];
    assert.ok(order.indexOf(ledger.kind!) < order.indexOf(shop.kind!));
    assert.match(ledger.rejectedSimpler[0]!.reasons.join(' '), /RTO .*7200 s > 600 s/);
  });

  test('fast-failover: active-active with latency routing, its failover estimate following the fast lab settings', async () => {
    const advice = advise(await load('fast-failover'), 'fast-failover.yaml');
    assert.equal(advice.recommendation.kind, 'active-active');
    const activeActive = candidate(advice.candidates, 'active-active');
    assert.equal(activeActive.architecture.routing.policy, 'latency');
    for (const population of activeActive.latency) {
      const home = { 'north-america': 'us-east-1', europe: 'eu-west-1', asia: 'ap-northeast-1' }[population.population];
      assert.deepEqual(Object.keys(population.servedBy), [home], population.population);
    }
    // 1 s × threshold 2 to detect, + TTL 2 s for resolvers.
    assert.equal(activeActive.recovery.traffic.seconds, 1 * 2 + 2);
    assert.equal(activeActive.recovery.traffic.detectionSeconds, 1 * 2);
    // A 1 s interval does not exist on AWS; it is priced as the nearest one sold, the 10 s fast interval.
    assert.ok(activeActive.cost.lines.some((line) => /10-second interval/.test(line.description)));
  });

  test('eu-saas: resident health records never leave the EU zone in any candidate that is buildable', async () => {
    const spec = await load('eu-saas');
    const advice = advise(spec, 'eu-saas');
    for (const estimate of advice.candidates) {
      const records = estimate.architecture.placements.find((p) => p.dataClass === 'health-records')!;
      assert.ok(records.replicas.every((region) => spec.zones.eu!.includes(region)), `${estimate.architecture.kind}: ${records.replicas.join(',')}`);
    }
    assert.ok(advice.candidates.some((c) => c.architecture.kind === 'partitioned-active-active'));
  });
});

describe('odd but valid specs', () => {
  test('a population with no traffic still gets latencies, not NaN', async () => {
    const spec = await load('global-shop');
    const idle: ResolvedSpec = { ...spec, populations: spec.populations.map((p, i) => (i === 0 ? { ...p, requestsPerSecond: 0 } : p)) };
    for (const estimate of advise(idle, 'idle').candidates) {
      for (const population of estimate.latency) assert.ok(Number.isFinite(population.p99Ms), `${estimate.architecture.kind} ${population.population}`);
    }
  });

  test('one region and no data: only the single-region candidate, and no crash', async () => {
    const spec = await load('global-shop');
    const advice = advise({ ...spec, regions: [spec.regions[0]!], data: [] }, 'one');
    assert.deepEqual(advice.candidates.map((c) => c.architecture.kind), ['single-region']);
    assert.equal(advice.recommendation.kind, undefined);
    assert.match(advice.recommendation.reason, /RTO/);
  });
});

describe('figures trace to the catalog', () => {
  test('a forwarded write pays the measured inter-region round trip', async () => {
    const spec = await load('global-shop');
    const estimate = candidate(advise(spec, 'shop').candidates, 'active-active');
    const europe = estimate.latency.find((p) => p.population === 'europe')!;
    assert.deepEqual(Object.keys(europe.servedBy), ['eu-west-1']);
    const ordersWrite = europe.operations.find((o) => o.dataClass === 'orders' && o.operation === 'write')!;
    const profilesRead = europe.operations.find((o) => o.dataClass === 'profiles' && o.operation === 'read')!;
    const aurora = SERVICE_LEVELS.aurora_request_latency_ms.p50;
    const dynamo = SERVICE_LEVELS.dynamodb_request_latency_ms.p50;
    // The two operations differ by the writer's round trip and the engines' service times only.
    const difference = ordersWrite.p50Ms - profilesRead.p50Ms;
    assert.ok(Math.abs(difference - (measuredRttMs('eu-west-1', 'us-east-1')! + aurora - dynamo)) < 1e-9);
    assert.equal(ordersWrite.interRegionRoundTrips, 1);
  });

  test('a user round trip is the access network plus the anchored estimate from the shipped matrix', async () => {
    const spec = await load('ledger');
    const estimate = candidate(advise(spec, 'ledger').candidates, 'single-region');
    const population = spec.populations[0]!;
    const point = population.points[0]!;
    const expected = population.accessRttMs + pointToRegionRtt(point, 'us-east-1').rttMs;
    assert.ok(Math.abs(estimate.latency[0]!.userRttMs['us-east-1']! - expected) < 1e-9);
    const app = spec.assumptions.appServiceTimeMs.p50;
    const otherRequests = estimate.latency[0]!.p50Ms;
    assert.ok(otherRequests >= expected + app, 'p50 includes the user round trip and the app');
  });

  test('a strong write on an MRSC table pays the round trip to its nearest quorum peer', async () => {
    const spec = await load('ledger');
    const estimate = candidate(advise(spec, 'ledger').candidates, 'active-passive');
    const placement = estimate.architecture.placements[0]!;
    assert.equal(placement.engine, 'dynamodb-mrsc');
    assert.deepEqual([...placement.replicas].sort(), ['us-east-1', 'us-east-2', 'us-west-2']);
    const write = estimate.latency[0]!.operations.find((o) => o.operation === 'write')!;
    const single = candidate(advise(spec, 'ledger').candidates, 'single-region').latency[0]!.operations.find((o) => o.operation === 'write')!;
    assert.ok(Math.abs(write.p50Ms - single.p50Ms - measuredRttMs('us-east-1', 'us-east-2')!) < 1e-9);
  });
});

describe('recovery and availability', () => {
  test('Route 53 failover takes interval × threshold + TTL; an accelerator interval × threshold, with no TTL', async () => {
    const spec = await load('global-shop');
    const activeActive = candidate(advise(spec, 'shop').candidates, 'active-active');
    assert.equal(activeActive.recovery.traffic.seconds, 10 * 3 + 60);
    const withAccelerator: ResolvedSpec = { ...spec, routing: { ...spec.routing, edge: 'accelerator' } };
    const accelerated = candidate(advise(withAccelerator, 'shop').candidates, 'active-active');
    assert.equal(accelerated.recovery.traffic.seconds, 10 * 3);
    assert.ok(accelerated.availability.availability > activeActive.availability.availability);
  });

  test('RPO is the replication lag for asynchronous classes and 0 for strong data', async () => {
    const spec = await load('global-shop');
    const activeActive = candidate(advise(spec, 'shop').candidates, 'active-active');
    const rpo = Object.fromEntries(activeActive.recovery.dataClasses.map((c) => [c.dataClass, c.rpoSeconds]));
    assert.deepEqual(rpo, { profiles: 1, orders: 1, payments: 0 });
    const orders = activeActive.recovery.dataClasses.find((c) => c.dataClass === 'orders')!;
    assert.equal(orders.writeRtoSeconds, 10 * 3 + SERVICE_LEVELS.aurora_global_database.managed_failover_seconds);
  });

  test('a single region is exactly as available as its region', async () => {
    const spec = await load('ledger');
    const single = candidate(advise(spec, 'ledger').candidates, 'single-region');
    assert.ok(Math.abs(single.availability.availability - single.availability.regionAvailability) < 1e-12);
    assert.equal(single.recovery.rtoSeconds, spec.assumptions.regionalIncidentMinutes * 60);
  });

  test('candidates are generated simplest first', async () => {
    const kinds = candidateArchitectures(await load('eu-saas')).map((c) => c.complexity);
    assert.deepEqual(kinds, [...kinds].sort((a, b) => a - b));
  });
});
