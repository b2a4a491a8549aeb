import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateArchitectures } from '../../src/advise/candidates.ts';
import type { ResolvedExperiment, ResolvedFault } from '../../src/experiments/resolved-experiment.ts';
import { SeededRandom } from '../../src/sim/engine/seeded-random.ts';
import { simulate } from '../../src/sim/simulate.ts';
import type { ResolvedSpec } from '../../src/spec/resolved-spec.ts';
import { example } from './sim-fixtures.ts';

/**
 * Seeded property test: random fault schedules against every candidate architecture of the examples,
 * checking the invariants on every run. The simulator itself throws on a residency breach or a DNS
 * answer naming an unhealthy region while a healthy one exists; this test adds: no acknowledged strong
 * write is lost, and every class's replicas converge once faults heal and traffic stops.
 */
const SEEDS = Number(process.env.MERIDIAN_INVARIANT_SEEDS ?? 200);
const ONLY_SEED = process.env.MERIDIAN_INVARIANT_SEED === undefined ? undefined : Number(process.env.MERIDIAN_INVARIANT_SEED);
const RUN_MS = 120_000;
/** Total requests per second of each run: enough traffic to exercise every path, small enough for 200 runs. */
const REQUESTS_PER_SECOND = 40;

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[Math.floor(random.nextFloat() * items.length)]!;
}

function randomFault(random: SeededRandom, spec: ResolvedSpec, regions: readonly string[], index: number): ResolvedFault {
  const startMs = Math.round(10_000 + random.nextFloat() * 50_000);
  const endMs = Math.min(RUN_MS, startMs + Math.round(5_000 + random.nextFloat() * 40_000));
  const base = { index, startMs, endMs, note: undefined };
  const region = pick(random, [...regions, 'primary', 'secondary']);
  const other = pick(random, regions.filter((code) => code !== region));
  switch (pick(random, ['region-outage', 'partition', 'link-latency', 'error-injection', 'replication-pause', 'health-check-failure'] as const)) {
    case 'region-outage':
      return { ...base, action: 'region-outage', region, scope: pick(random, ['all', 'app', 'database'] as const) };
    case 'partition':
      return other !== undefined && random.nextFloat() < 0.5
        ? { ...base, action: 'partition', between: [region, other], isolate: undefined, oneWay: random.nextFloat() < 0.3 }
        : { ...base, action: 'partition', between: undefined, isolate: region, oneWay: false };
    case 'link-latency':
      return { ...base, action: 'link-latency', between: [region, other ?? region], addMs: Math.round(random.nextFloat() * 400), jitterMs: Math.round(random.nextFloat() * 100) };
    case 'error-injection':
      return { ...base, action: 'error-injection', region, errorRate: random.nextFloat(), status: 503 };
    case 'replication-pause':
      return { ...base, action: 'replication-pause', region: random.nextFloat() < 0.5 ? region : undefined, dataClass: random.nextFloat() < 0.5 ? pick(random, spec.data).name : undefined };
    case 'health-check-failure':
      return { ...base, action: 'health-check-failure', region };
  }
}

function scheduleFor(seed: number, spec: ResolvedSpec, regions: readonly string[]): ResolvedExperiment {
  const random = SeededRandom.fromSeed(seed).fork('schedule');
  const faults = Array.from({ length: 1 + Math.floor(random.nextFloat() * 3) }, (_, index) => randomFault(random, spec, regions, index));
  const totalPerSecond = spec.populations.reduce((sum, population) => sum + population.requestsPerSecond, 0);
  return { name: `random-${seed}`, description: undefined, durationMs: RUN_MS, loadScale: REQUESTS_PER_SECOND / totalPerSecond, faults, stop: [] };
}

test(`invariants hold under random fault schedules (${ONLY_SEED === undefined ? `${SEEDS} seeds` : `seed ${ONLY_SEED}`})`, async () => {
  const specs = await Promise.all(['global-shop', 'eu-saas', 'ledger'].map(async (name) => ({ name, spec: await example(name) })));
  const seeds = ONLY_SEED === undefined ? Array.from({ length: SEEDS }, (_, i) => i + 1) : [ONLY_SEED];
  for (const seed of seeds) {
    const { name, spec } = specs[seed % specs.length]!;
    const architectures = candidateArchitectures(spec);
    const architecture = architectures[Math.floor(seed / specs.length) % architectures.length]!;
    const regions = [...new Set([...architecture.servingRegions, ...architecture.standbyRegions])];
    const schedule = scheduleFor(seed, spec, regions);
    const replay = `replay: MERIDIAN_INVARIANT_SEED=${seed} node --import tsx --test test/sim/invariants.test.ts (examples/${name}.yaml, ${architecture.kind}, faults ${schedule.faults.map((f) => f.action).join(', ')})`;
    let report;
    try {
      report = simulate(spec, architecture, schedule, { specLabel: name, experimentLabel: schedule.name, seed });
    } catch (error) {
      assert.fail(`seed ${seed}: ${(error as Error).message}\n${replay}`);
    }
    for (const outcome of report.data) {
      assert.ok(outcome.replicasConverged, `seed ${seed}: replicas of ${outcome.dataClass} did not converge\n${replay}`);
      if (outcome.consistency === 'strong') {
        assert.equal(outcome.acknowledgedWritesLost, 0, `seed ${seed}: ${outcome.acknowledgedWritesLost} acknowledged strong writes of ${outcome.dataClass} lost\n${replay}`);
      }
    }
  }
});
