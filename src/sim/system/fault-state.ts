import { regionOfReference } from '../../experiments/fault-references.ts';
import type { ResolvedFault } from '../../experiments/resolved-experiment.ts';
import type { RunPlan } from '../../workload/run-plan.ts';

/**
 * The faults in force at the current virtual time, as counters so that overlapping faults on the same
 * target end independently. Plain data, changed only at fault start and end events.
 */
export interface FaultState {
  readonly appDown: Int32Array;
  readonly databaseDown: Int32Array;
  readonly healthCheckFailing: Int32Array;
  /** Share of requests failing at each region's app (the largest injected rate in force). */
  readonly errorRate: Float64Array;
  readonly errorRates: number[][];
  /** replicationPaused[region * classes + class] */
  readonly replicationPaused: Int32Array;
  /** Blocked inter-region direction: blocked[from * regions + to]. */
  readonly blocked: Int32Array;
  /** Added one-way delay on an inter-region direction, and its jitter bound. */
  readonly regionLinkAddMs: Float64Array;
  readonly regionLinkJitterMs: Float64Array;
  /** Added delay on a population-region path (both directions), and its jitter bound. */
  readonly userLinkAddMs: Float64Array;
  readonly userLinkJitterMs: Float64Array;
}

export function createFaultState(plan: RunPlan): FaultState {
  const regions = plan.regions.length;
  return {
    appDown: new Int32Array(regions),
    databaseDown: new Int32Array(regions),
    healthCheckFailing: new Int32Array(regions),
    errorRate: new Float64Array(regions),
    errorRates: plan.regions.map(() => []),
    replicationPaused: new Int32Array(regions * Math.max(1, plan.dataClasses.length)),
    blocked: new Int32Array(regions * regions),
    regionLinkAddMs: new Float64Array(regions * regions),
    regionLinkJitterMs: new Float64Array(regions * regions),
    userLinkAddMs: new Float64Array(plan.populations.length * regions),
    userLinkJitterMs: new Float64Array(plan.populations.length * regions),
  };
}

/** A region named by code or by role: `primary`, or `secondary` (the first standby, else the first other serving region). */
export function resolveRegion(plan: RunPlan, reference: string): number {
  const region = regionOfReference(plan.architecture, reference);
  return region === undefined ? -1 : plan.regions.indexOf(region);
}

/** A path end: a region index, or a population as `-(index + 1)`; undefined when neither. */
function resolveEnd(plan: RunPlan, reference: string): number | undefined {
  const region = resolveRegion(plan, reference);
  if (region >= 0) return region;
  const population = plan.populations.findIndex((p) => p.name === reference);
  return population >= 0 ? -(population + 1) : undefined;
}

/** Applies (sign +1) or lifts (sign -1) one fault; returns what it touched, for the timeline. */
export function applyFault(plan: RunPlan, state: FaultState, fault: ResolvedFault, sign: 1 | -1): string {
  const regions = plan.regions.length;
  const name = (region: number) => (region >= 0 ? plan.regions[region]! : 'no such region in this architecture');
  switch (fault.action) {
    case 'region-outage': {
      const region = resolveRegion(plan, fault.region);
      if (region < 0) return `region-outage ${fault.region}: not part of this architecture`;
      if (fault.scope !== 'database') state.appDown[region]! += sign;
      if (fault.scope !== 'app') state.databaseDown[region]! += sign;
      return `region-outage (${fault.scope}) ${name(region)}`;
    }
    case 'health-check-failure': {
      const region = resolveRegion(plan, fault.region);
      if (region >= 0) state.healthCheckFailing[region]! += sign;
      return `health checks failing for ${name(region)}`;
    }
    case 'error-injection': {
      const region = resolveRegion(plan, fault.region);
      if (region < 0) return `error-injection ${fault.region}: not part of this architecture`;
      const rates = state.errorRates[region]!;
      if (sign > 0) rates.push(fault.errorRate);
      else rates.splice(rates.indexOf(fault.errorRate), 1);
      state.errorRate[region] = rates.length === 0 ? 0 : Math.max(...rates);
      return `error-injection ${Math.round(fault.errorRate * 100)} % (${fault.status}) at ${name(region)}`;
    }
    case 'replication-pause': {
      const classes = plan.dataClasses.length;
      const from = fault.region === undefined ? undefined : resolveRegion(plan, fault.region);
      plan.regions.forEach((_, region) => {
        if (from !== undefined && region !== from) return;
        plan.dataClasses.forEach((dataClass, c) => {
          if (fault.dataClass === undefined || dataClass.name === fault.dataClass) state.replicationPaused[region * classes + c]! += sign;
        });
      });
      return `replication paused${from !== undefined ? ` out of ${name(from)}` : ''}${fault.dataClass ? ` for ${fault.dataClass}` : ''}`;
    }
    case 'partition':
      return applyPartition(plan, state, fault, sign, regions);
    case 'link-latency':
      return applyLinkLatency(plan, state, fault, sign, regions);
  }
}

function applyPartition(plan: RunPlan, state: FaultState, fault: Extract<ResolvedFault, { action: 'partition' }>, sign: 1 | -1, regions: number): string {
  const block = (from: number, to: number) => {
    if (from >= 0 && to >= 0 && from !== to) state.blocked[from * regions + to]! += sign;
  };
  if (fault.isolate !== undefined) {
    const region = resolveRegion(plan, fault.isolate);
    for (let other = 0; other < regions; other++) {
      block(region, other);
      block(other, region);
    }
    return `partition isolating ${region >= 0 ? plan.regions[region] : fault.isolate} from the other regions`;
  }
  const [a, b] = fault.between!.map((end) => resolveRegion(plan, end)) as [number, number];
  block(a, b);
  if (!fault.oneWay) block(b, a);
  return `partition ${plan.regions[a] ?? fault.between![0]} ${fault.oneWay ? '→' : '↔'} ${plan.regions[b] ?? fault.between![1]}`;
}

function applyLinkLatency(plan: RunPlan, state: FaultState, fault: Extract<ResolvedFault, { action: 'link-latency' }>, sign: 1 | -1, regions: number): string {
  const [a, b] = fault.between.map((end) => resolveEnd(plan, end));
  if (a === undefined || b === undefined) return `link-latency ${fault.between.join(' ↔ ')}: not part of this architecture`;
  if (a >= 0 && b >= 0) {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      state.regionLinkAddMs[from * regions + to]! += sign * fault.addMs;
      state.regionLinkJitterMs[from * regions + to]! += sign * fault.jitterMs;
    }
  } else {
    const population = a < 0 ? -a - 1 : -b! - 1;
    const region = a < 0 ? b! : a;
    if (region < 0) return `link-latency ${fault.between.join(' ↔ ')}: a path needs a region end`;
    state.userLinkAddMs[population * regions + region]! += sign * fault.addMs;
    state.userLinkJitterMs[population * regions + region]! += sign * fault.jitterMs;
  }
  return `+${fault.addMs} ms (±${fault.jitterMs}) on ${fault.between.join(' ↔ ')}`;
}
