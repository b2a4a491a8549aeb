import {
  nextProbeDueAtMs as nextProbeDueForCheck,
  recordProbe,
  tickHealthCheck,
  type HealthChangedEffect,
  type HealthCheckState,
  type ProbeEffect,
} from './health-check.ts';
import type { HealthLookup } from './record-set.ts';
import { invariant, RoutingConfigError } from './routing-errors.ts';

/**
 * Every health check of a plan, keyed by id: one per health-checked record for Route 53, one per
 * endpoint group for Global Accelerator. It steps them together and turns their state into the
 * HealthLookup that routing answers read.
 */
export type HealthCheckSet = ReadonlyMap<string, HealthCheckState>;

export function createHealthCheckSet(checks: readonly HealthCheckState[]): HealthCheckSet {
  const set = new Map<string, HealthCheckState>();
  for (const check of checks) {
    if (set.has(check.healthCheckId)) throw new RoutingConfigError('healthCheckId', `duplicate health check "${check.healthCheckId}"`);
    set.set(check.healthCheckId, check);
  }
  return set;
}

export function tickHealthChecks(set: HealthCheckSet, nowMs: number): { state: HealthCheckSet; effects: readonly ProbeEffect[] } {
  const effects: ProbeEffect[] = [];
  const next = new Map<string, HealthCheckState>();
  for (const [healthCheckId, check] of set) {
    const ticked = tickHealthCheck(check, nowMs);
    next.set(healthCheckId, ticked.state);
    effects.push(...ticked.effects);
  }
  return { state: effects.length > 0 ? next : set, effects };
}

export function recordHealthCheckProbe(
  set: HealthCheckSet,
  healthCheckId: string,
  checkerId: number,
  ok: boolean,
  nowMs: number,
): { state: HealthCheckSet; effects: readonly HealthChangedEffect[] } {
  const check = set.get(healthCheckId);
  invariant(check !== undefined, `probe result for unknown health check "${healthCheckId}"`);
  const recorded = recordProbe(check, checkerId, ok, nowMs);
  const next = new Map(set);
  next.set(healthCheckId, recorded.state);
  return { state: next, effects: recorded.effects };
}

/** The lookup routing answers read. A record naming a health check the plan lacks is a configuration error. */
export function healthLookup(set: HealthCheckSet): HealthLookup {
  return (healthCheckId) => {
    const check = set.get(healthCheckId);
    if (check === undefined) throw new RoutingConfigError('healthCheckId', `no health check "${healthCheckId}"`);
    return check.healthy;
  };
}

/** The earliest due probe across the set, or undefined for an empty set. */
export function nextProbeDueAtMs(set: HealthCheckSet): number | undefined {
  let earliest: number | undefined;
  for (const check of set.values()) {
    const dueAtMs = nextProbeDueForCheck(check);
    if (earliest === undefined || dueAtMs < earliest) earliest = dueAtMs;
  }
  return earliest;
}
