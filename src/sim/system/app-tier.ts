import type { Random } from '../../core/random.ts';
import { Lognormal } from '../engine/distributions.ts';
import type { RunPlan } from './run-plan.ts';

/**
 * Each region's application tier as a pool of instances: an instance is busy for 1 / (requests per
 * second per instance) of CPU per request, so a region that receives more than its capacity queues
 * (and its latency grows) exactly as a saturated fleet does. The handler's own time (waiting on I/O
 * and so on) is a lognormal with the spec's app p50 and p99.
 */
export class AppTier {
  /** freeAtMs[region][instance]: when each instance can take its next request. */
  private readonly freeAtMs: Float64Array[];
  private readonly cpuMs: Float64Array;
  private readonly handler: Lognormal;

  constructor(plan: RunPlan, private readonly random: Random) {
    this.freeAtMs = plan.instances.map((count) => new Float64Array(Math.max(1, count)));
    this.cpuMs = Float64Array.from(plan.requestsPerSecondPerInstance, (perSecond) => 1000 / perSecond);
    const { p50, p99 } = plan.spec.assumptions.appServiceTimeMs;
    this.handler = Lognormal.fromMedianP99(p50, Math.max(p99, p50 * 1.0001));
  }

  /** Queueing delay for a request arriving at `nowMs`, taking the instance that frees first. */
  admit(region: number, nowMs: number): number {
    const instances = this.freeAtMs[region]!;
    let best = 0;
    for (let i = 1; i < instances.length; i++) if (instances[i]! < instances[best]!) best = i;
    const startMs = Math.max(nowMs, instances[best]!);
    instances[best] = startMs + this.cpuMs[region]!;
    return startMs - nowMs;
  }

  handlerMs(): number {
    return this.handler.sample(this.random);
  }

  /** Instances that could run, for adding capacity after a failover (not modelled: fleets are static). */
  instanceCount(region: number): number {
    return this.freeAtMs[region]!.length;
  }
}
