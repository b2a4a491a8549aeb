import type { Random } from '../../core/random.ts';
import { Lognormal } from '../engine/distributions.ts';
import type { FaultState } from './fault-state.ts';
import type { RunPlan } from '../../workload/run-plan.ts';

/**
 * Delays on the simulated network: half the catalog round trip each way, times a lognormal jitter
 * whose median is 1 and whose p99 is the spec's network tail factor (the same factor advise uses),
 * plus whatever latency faults add. A blocked inter-region direction has no delay: it drops.
 */
export class NetworkModel {
  private readonly jitter: Lognormal;
  private readonly regions: number;

  constructor(
    private readonly plan: RunPlan,
    private readonly faults: FaultState,
    private readonly random: Random,
  ) {
    const tail = Math.max(1.0001, plan.spec.assumptions.networkP99OverP50);
    this.jitter = Lognormal.fromMedianP99(1, tail);
    this.regions = plan.regions.length;
  }

  private extraMs(addMs: number, jitterMs: number): number {
    if (addMs === 0 && jitterMs === 0) return 0;
    return (addMs + jitterMs * this.random.nextFloat()) / 2;
  }

  /** A round trip between a population's place and a region (one jitter draw for both ways). */
  userRoundTripMs(population: number, point: number, region: number): number {
    const base = this.plan.populations[population]!.userRttMs[point]![region]!;
    const link = population * this.regions + region;
    return base * this.jitter.sample(this.random) + 2 * this.extraMs(this.faults.userLinkAddMs[link]!, this.faults.userLinkJitterMs[link]!);
  }

  /** Whether `from` can send to `to` right now. */
  reachable(from: number, to: number): boolean {
    return from === to || this.faults.blocked[from * this.regions + to]! === 0;
  }

  /** One way between two regions; -1 when the direction is partitioned. */
  regionOneWayMs(from: number, to: number): number {
    if (from === to) return 0;
    if (!this.reachable(from, to)) return -1;
    const link = from * this.regions + to;
    const base = this.plan.regionRttMs[from]![to]! / 2;
    return base * this.jitter.sample(this.random) + this.extraMs(this.faults.regionLinkAddMs[link]!, this.faults.regionLinkJitterMs[link]!);
  }

  /** A round trip between two regions (both directions reachable), or -1. */
  regionRoundTripMs(from: number, to: number): number {
    const there = this.regionOneWayMs(from, to);
    if (there < 0) return -1;
    const back = this.regionOneWayMs(to, from);
    return back < 0 ? -1 : there + back;
  }
}
