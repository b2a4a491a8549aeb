import { answer } from '../../core/routing/answer-query.ts';
import { applicableRecords } from '../../core/routing/geolocation-routing.ts';
import { createHealthCheck, resolveHealthCheckConfig } from '../../core/routing/health-check.ts';
import { createHealthCheckSet, healthLookup, nextProbeDueAtMs, recordHealthCheckProbe, tickHealthChecks, type HealthCheckSet } from '../../core/routing/health-check-set.ts';
import { createAcceleratorHealthChecks, resolveAcceleratorConfig, routeFlow, type AcceleratorConfig } from '../../core/routing/global-accelerator.ts';
import { defineRecordSet, type DnsQuery, type RecordSet } from '../../core/routing/record-set.ts';
import { routingRecords } from '../../advise/routing-records.ts';
import { createResolverCache, lookup, resolverCacheKey, store, type ResolverCache } from '../../core/routing/resolver-cache.ts';
import type { ProbeEffect } from '../../core/routing/health-check.ts';
import type { Random } from '../../core/random.ts';
import type { RunPlan } from '../../workload/run-plan.ts';

/** Resolvers simulated per population; each caches answers for its TTL, so failover spreads over the TTL. */
const RESOLVERS_PER_POPULATION_MAX = 64;
/** Route 53 health-checker locations. */
const CHECKERS = 8;

export class InvariantViolation extends Error {
  readonly code = 'INVARIANT_VIOLATED';
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

/**
 * What users go through before reaching a region: Route 53 (record set, health checks, resolver caches)
 * or a Global Accelerator. The decisions are core/routing's; this shell feeds them virtual time and the
 * regions' state, and checks the routing invariant on every authoritative answer.
 */
export class TrafficPlane {
  readonly recordSet: RecordSet;
  private health: HealthCheckSet;
  private readonly resolvers: ResolverCache[][];
  private readonly queries: DnsQuery[][];
  private readonly accelerator: AcceleratorConfig | undefined;
  private readonly filled = new Set<string>();
  private readonly pointsMax: number;
  private readonly memoTargets: (readonly number[])[];
  private readonly memoExpiresAtMs: Float64Array;
  /** Bumped on every health change, so per-point decisions can be cached in between. */
  healthEpoch = 0;

  constructor(private readonly plan: RunPlan, private readonly random: Random) {
    const routing = plan.architecture.routing;
    const interval = routing.healthCheck?.intervalSeconds ?? 30;
    const threshold = routing.healthCheck?.failureThreshold ?? 3;
    this.recordSet = defineRecordSet({ name: plan.spec.domain, policy: routing.policy, ttlSeconds: routing.ttlSeconds, records: routingRecords(plan.architecture) });
    const routed = [...plan.serving, ...plan.standby];
    if (routing.edge === 'accelerator') {
      this.accelerator = resolveAcceleratorConfig({
        endpointGroups: routed.map((region) => ({ region: plan.regions[region]!, trafficDialPercent: plan.standby.includes(region) ? 0 : 100 })),
        healthCheckIntervalSeconds: interval,
        thresholdCount: threshold,
      });
      this.health = createAcceleratorHealthChecks(this.accelerator, 0, random);
    } else {
      const config = resolveHealthCheckConfig({ requestIntervalSeconds: interval, failureThreshold: threshold, checkerCount: CHECKERS });
      this.health = createHealthCheckSet(routing.healthCheck ? routed.map((region) => createHealthCheck(plan.regions[region]!, plan.regions[region]!, config, 0, random)) : []);
    }
    this.resolvers = plan.spec.populations.map((population) =>
      Array.from({ length: Math.max(1, Math.min(RESOLVERS_PER_POPULATION_MAX, population.dnsResolvers)) }, () => createResolverCache()),
    );
    this.pointsMax = Math.max(1, ...plan.populations.map((population) => population.points.length));
    const memoSize = plan.populations.length * RESOLVERS_PER_POPULATION_MAX * this.pointsMax;
    this.memoTargets = new Array(memoSize).fill([]);
    this.memoExpiresAtMs = new Float64Array(memoSize).fill(Number.NEGATIVE_INFINITY);
    this.queries = plan.populations.map((population) =>
      population.points.map((point, p) => ({
        name: plan.spec.domain,
        rttMsByRegion: Object.fromEntries(plan.regions.map((region, r) => [region, population.userRttMs[p]![r]!])),
        ...(point.country ? { countryCode: point.country } : {}),
        ...(point.continent ? { continentCode: point.continent } : {}),
      })),
    );
  }

  get usesAccelerator(): boolean {
    return this.accelerator !== undefined;
  }

  isHealthy(region: string): boolean {
    const check = this.health.get(region);
    return check === undefined || check.healthy;
  }

  /** The region a new request of this population point goes to, or -1 when DNS gives no answer. */
  route(population: number, point: number, nowMs: number): number {
    if (this.accelerator) {
      const flow = routeFlow(this.accelerator, { rttMsByRegion: this.queries[population]![point]!.rttMsByRegion! }, (region) => this.isHealthy(region), this.random);
      return this.plan.regions.indexOf(flow.region);
    }
    const resolvers = this.resolvers[population]!;
    const resolver = Math.floor(this.random.nextFloat() * resolvers.length);
    // Fast path: the answer this resolver cached for this place, until it expires. It mirrors the core
    // cache entry, which stays the model (and is consulted on every expiry).
    const memoKey = this.memoIndex(population, resolver, point);
    if (nowMs < this.memoExpiresAtMs[memoKey]!) return this.pick(this.memoTargets[memoKey]!);
    const subnet = `${population}/${point}`;
    const cached = lookup(resolvers[resolver]!, this.recordSet.name, nowMs, subnet);
    let targets = cached.kind === 'hit' ? cached.answer.targets : undefined;
    if (targets === undefined) {
      const fresh = this.authoritativeAnswer(population, point);
      // Real resolvers filled their caches at scattered times before the run began; without this their
      // entries would all expire together, every TTL, and a failover would look like a step.
      const key = `${population}/${resolver}/${point}`;
      const firstFill = !this.filled.has(key);
      this.filled.add(key);
      const storedAtMs = firstFill ? nowMs - this.random.nextFloat() * fresh.ttlSeconds * 1000 : nowMs;
      resolvers[resolver] = store(resolvers[resolver]!, this.recordSet.name, fresh, storedAtMs, subnet);
      targets = fresh.targets;
    }
    const entry = resolvers[resolver]!.entries.get(resolverCacheKey(this.recordSet.name, subnet));
    const indices = targets.map((target) => this.plan.regions.indexOf(target));
    this.memoTargets[memoKey] = indices;
    this.memoExpiresAtMs[memoKey] = entry?.expiresAtMs ?? nowMs;
    return this.pick(indices);
  }

  private memoIndex(population: number, resolver: number, point: number): number {
    return (population * RESOLVERS_PER_POPULATION_MAX + resolver) * this.pointsMax + point;
  }

  private pick(targets: readonly number[]): number {
    if (targets.length === 0) return -1;
    return targets.length === 1 ? targets[0]! : targets[Math.floor(this.random.nextFloat() * targets.length)]!;
  }

  private authoritativeAnswer(population: number, point: number) {
    const query = this.queries[population]![point]!;
    const result = answer(this.recordSet, query, healthLookup(this.health), this.random);
    const applicable = this.recordSet.policy === 'geolocation' ? applicableRecords(this.recordSet.records, query) : this.recordSet.records;
    const healthyAlternative = applicable.some((record) => this.isHealthy(record.targetRegion));
    const unhealthy = result.targets.find((target) => !this.isHealthy(target));
    if (unhealthy !== undefined && healthyAlternative) {
      throw new InvariantViolation(`DNS answered ${unhealthy}, detected unhealthy, while a healthy record existed (population ${this.plan.populations[population]!.name})`);
    }
    if (result.targets.length === 0 && this.recordSet.policy !== 'geolocation') {
      return { targets: result.targets, ttlSeconds: this.recordSet.negativeTtlSeconds };
    }
    return result;
  }

  /** When the next health probe is due, or undefined without health checks. */
  nextProbeAtMs(): number | undefined {
    return nextProbeDueAtMs(this.health);
  }

  /** Probes due now; the caller answers each with recordProbe. */
  dueProbes(nowMs: number): readonly ProbeEffect[] {
    const ticked = tickHealthChecks(this.health, nowMs);
    this.health = ticked.state;
    return ticked.effects;
  }

  /** Records one probe's outcome; returns the health changes it caused. */
  recordProbe(probe: ProbeEffect, ok: boolean, nowMs: number): { region: string; healthy: boolean }[] {
    const recorded = recordHealthCheckProbe(this.health, probe.healthCheckId, probe.checkerId, ok, nowMs);
    this.health = recorded.state;
    if (recorded.effects.length > 0) this.healthEpoch += 1;
    return recorded.effects.map((effect) => ({ region: effect.target, healthy: effect.healthy }));
  }
}
