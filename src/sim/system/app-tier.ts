import { erlangC, meanWaitOfWaiting } from '../../core/slo/queueing.ts';
import type { Random } from '../../core/random.ts';
import { Lognormal } from '../engine/distributions.ts';
import type { RunPlan } from '../../workload/run-plan.ts';

/**
 * Each region's application tier as c instances serving `requestsPerSecondPerInstance` each (M/M/c).
 * The load is measured every second; below capacity an arrival waits with the Erlang C probability for
 * an exponential time of mean 1/(cμ − λ); above capacity a backlog builds up second by second and
 * every arrival waits for it, as a saturated fleet's latency climbs. The handler's own time (I/O waits
 * and so on) is a lognormal with the spec's app p50 and p99.
 */
export class AppTier {
  private readonly servers: number[];
  private readonly serviceRatePerMs: number[];
  private readonly arrivals: Float64Array;
  private readonly waitProbability: Float64Array;
  private readonly meanWaitMs: Float64Array;
  private readonly backlogMs: Float64Array;
  private readonly handler: Lognormal;

  constructor(plan: RunPlan, private readonly random: Random) {
    this.servers = plan.instances.map((count) => Math.max(1, count));
    this.serviceRatePerMs = plan.requestsPerSecondPerInstance.map((perSecond) => perSecond / 1000);
    const regions = plan.regions.length;
    this.arrivals = new Float64Array(regions);
    this.waitProbability = new Float64Array(regions);
    this.meanWaitMs = new Float64Array(regions);
    this.backlogMs = new Float64Array(regions);
    const { p50, p99 } = plan.spec.assumptions.appServiceTimeMs;
    this.handler = Lognormal.fromMedianP99(p50, Math.max(p99, p50 * 1.0001));
  }

  /** Queueing delay of one request arriving at the region. */
  admit(region: number): number {
    this.arrivals[region]! += 1;
    const backlog = this.backlogMs[region]!;
    if (backlog > 0) return backlog;
    const probability = this.waitProbability[region]!;
    if (probability === 0 || this.random.nextFloat() >= probability) return 0;
    return -this.meanWaitMs[region]! * Math.log(1 - this.random.nextFloat());
  }

  /** Called once per simulated second with the second's length: turns the arrivals counted into the next second's queueing. */
  endSecond(elapsedMs: number): void {
    for (let region = 0; region < this.servers.length; region++) {
      const servers = this.servers[region]!;
      const serviceRate = this.serviceRatePerMs[region]!;
      const arrivalRate = this.arrivals[region]! / elapsedMs;
      this.arrivals[region] = 0;
      const utilisation = arrivalRate / (servers * serviceRate);
      // Above capacity the excess work of the second queues up; below, the backlog drains at the spare rate.
      const backlog = this.backlogMs[region]! + (utilisation - 1) * elapsedMs;
      this.backlogMs[region] = Math.max(0, backlog);
      this.waitProbability[region] = utilisation >= 1 ? 1 : erlangC(servers, arrivalRate / serviceRate);
      this.meanWaitMs[region] = utilisation >= 1 ? 0 : meanWaitOfWaiting(servers, arrivalRate, serviceRate);
    }
  }

  handlerMs(): number {
    return this.handler.sample(this.random);
  }
}
