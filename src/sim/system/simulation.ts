import type { ResolvedExperiment, ResolvedFault } from '../../experiments/resolved-experiment.ts';
import { RequestOutcome, type RunRecorder } from '../../report/run-recorder.ts';
import { Exponential } from '../engine/distributions.ts';
import type { SeededRandom } from '../engine/seeded-random.ts';
import { SimClock } from '../engine/sim-clock.ts';
import { AppTier } from './app-tier.ts';
import { applyFault, createFaultState, type FaultState } from './fault-state.ts';
import { NetworkModel } from './network-model.ts';
import type { RunPlan } from '../../workload/run-plan.ts';
import type { DataPlane, SimRequest, SimulationHost, Task } from './sim-request.ts';
import { TrafficPlane } from './traffic-plane.ts';

const enum Kind {
  Arrival,
  Data,
  FaultStart,
  FaultEnd,
  Probe,
  Second,
}

type SimEvent =
  | { readonly kind: Kind.Arrival; readonly population: number }
  | { readonly kind: Kind.Data; readonly request: SimRequest }
  | { readonly kind: Kind.FaultStart | Kind.FaultEnd; readonly fault: ResolvedFault }
  | { readonly kind: Kind.Probe }
  | { readonly kind: Kind.Second }
  | (Task & { readonly kind?: undefined });

/** Virtual time before the first arrival in which only the data plane runs. */
export const WARMUP_MS = 5000;

/** After the run, replication drains for at most this long with traffic stopped and faults healed. */
const DRAIN_MS_MAX = 300_000;

export interface SimulationProgress {
  readonly simulatedMs: number;
  readonly durationMs: number;
  readonly events: number;
  readonly requests: number;
}

export interface SimulationOutcome {
  readonly stoppedEarly: { readonly atSeconds: number; readonly reason: string } | undefined;
  readonly simulatedMs: number;
  readonly events: number;
}

/**
 * The simulated system on virtual time: users arrive per population (Poisson), resolve through the
 * traffic plane, cross the simulated network, queue at their region's app tier and call the data plane;
 * the experiment's faults switch on and off on schedule. Every random choice comes from one seed.
 */
export class Simulation implements SimulationHost {
  /** Starts before 0 so that replication groups settle (elect leaders, open streams) before the first user arrives. */
  readonly clock = new SimClock<SimEvent>({ startMs: -WARMUP_MS });
  readonly faults: FaultState;
  readonly network: NetworkModel;
  readonly traffic: TrafficPlane;
  private readonly app: AppTier;
  private readonly arrivalGaps: (Exponential | undefined)[];
  private readonly arrivalsRandom: SeededRandom;
  private readonly choiceRandom: SeededRandom;
  private dataPlane: DataPlane | undefined;
  private arrivalsOpen = true;
  private stoppedEarly: SimulationOutcome['stoppedEarly'];
  private requests = 0;
  private liftedAtEnd = false;
  /** Data calls scheduled or under way, so draining knows when every request has finished. */
  private inFlight = 0;

  constructor(
    readonly plan: RunPlan,
    private readonly experiment: ResolvedExperiment,
    random: SeededRandom,
    private readonly recorder: RunRecorder,
  ) {
    this.faults = createFaultState(plan);
    this.network = new NetworkModel(plan, this.faults, random.fork('network'));
    this.traffic = new TrafficPlane(plan, random.fork('dns'));
    this.app = new AppTier(plan, random.fork('app'));
    this.arrivalsRandom = random.fork('arrivals');
    this.choiceRandom = random.fork('choices');
    this.arrivalGaps = plan.populations.map((population) => (population.requestsPerSecond > 0 ? Exponential.fromRate(population.requestsPerSecond / 1000) : undefined));
  }

  attachDataPlane(dataPlane: DataPlane): void {
    this.dataPlane = dataPlane;
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  at(atMs: number, task: Task | ((nowMs: number) => void)): void {
    this.clock.schedule(Math.max(atMs, this.clock.nowMs()), typeof task === 'function' ? { run: task } : task);
  }

  event(atMs: number, text: string): void {
    this.recorder.event(atMs, text);
  }

  complete(request: SimRequest, ok: boolean, dataDoneMs: number): void {
    const finishMs = ok ? dataDoneMs + request.remainingMs : dataDoneMs;
    const latencyMs = Math.min(finishMs - request.issueMs, this.plan.spec.assumptions.clientTimeoutMs);
    const timedOut = finishMs - request.issueMs > this.plan.spec.assumptions.clientTimeoutMs;
    const outcome = ok && !timedOut ? RequestOutcome.Ok : RequestOutcome.DataFailure;
    this.recorder.recordRequest(request.issueMs, request.population, request.operation, outcome === RequestOutcome.Ok ? request.region : -1, latencyMs, outcome);
  }

  /** Runs the experiment to its end (or a stop condition), then drains replication with traffic stopped. */
  run(onProgress?: (progress: SimulationProgress) => void): SimulationOutcome {
    const durationMs = this.experiment.durationMs;
    this.plan.populations.forEach((_, population) => this.scheduleArrival(population, 0));
    for (const fault of this.experiment.faults) {
      this.clock.schedule(fault.startMs, { kind: Kind.FaultStart, fault });
      this.clock.schedule(fault.endMs, { kind: Kind.FaultEnd, fault });
    }
    const firstProbe = this.traffic.nextProbeAtMs();
    if (firstProbe !== undefined) this.clock.schedule(firstProbe, { kind: Kind.Probe });
    this.clock.schedule(1000, { kind: Kind.Second });
    const handler = (event: SimEvent, nowMs: number) => this.handle(event, nowMs, onProgress);
    this.clock.runUntil(durationMs, handler);
    const endedMs = this.clock.nowMs();
    this.arrivalsOpen = false;
    this.restoreEverything(endedMs);
    // Drain: requests in flight finish and replication catches up; nothing new arrives and no fault runs.
    // Whether anything is left is checked once a simulated second: comparing replicas is not cheap.
    let nextCheckMs = endedMs + 1000;
    this.clock.runUntil(endedMs + DRAIN_MS_MAX, (event, nowMs) => {
      if (event.kind === undefined || event.kind === Kind.Data) this.handle(event, nowMs, undefined);
      if (nowMs < nextCheckMs) return;
      nextCheckMs = nowMs + 1000;
      if (!this.hasPendingWork() && !this.dataPlane?.busy()) this.clock.stop();
    });
    return { stoppedEarly: this.stoppedEarly, simulatedMs: endedMs, events: this.clock.deliveredTotal };
  }

  /** Lifts every fault still in force, whatever its schedule said: a run always ends restored. */
  private restoreEverything(nowMs: number): void {
    for (const fault of this.experiment.faults) {
      if (fault.startMs <= nowMs && nowMs < fault.endMs) this.onFault(fault, -1, nowMs);
    }
    this.liftedAtEnd = true;
  }

  private hasPendingWork(): boolean {
    return this.inFlight > 0;
  }

  private handle(event: SimEvent, nowMs: number, onProgress: ((progress: SimulationProgress) => void) | undefined): void {
    if (event.kind === undefined) return event.run(nowMs);
    switch (event.kind) {
      case Kind.Arrival:
        return this.onArrival(event.population, nowMs);
      case Kind.Data:
        this.inFlight--;
        return this.dataPlane!.execute(event.request, nowMs);
      case Kind.FaultStart:
      case Kind.FaultEnd:
        if (this.liftedAtEnd) return;
        return this.onFault(event.fault, event.kind === Kind.FaultStart ? 1 : -1, nowMs);
      case Kind.Probe:
        return this.onProbe(nowMs);
      case Kind.Second:
        return this.onSecond(nowMs, onProgress);
    }
  }

  private scheduleArrival(population: number, nowMs: number): void {
    const gap = this.arrivalGaps[population];
    if (!gap || !this.arrivalsOpen) return;
    const atMs = nowMs + gap.sample(this.arrivalsRandom);
    if (atMs < this.experiment.durationMs) this.clock.schedule(atMs, { kind: Kind.Arrival, population });
  }

  private draw(cumulative: Float64Array): number {
    const u = this.choiceRandom.nextFloat();
    let index = 0;
    while (index < cumulative.length - 1 && cumulative[index]! <= u) index++;
    return index;
  }

  private onArrival(population: number, nowMs: number): void {
    this.scheduleArrival(population, nowMs);
    this.requests++;
    const plan = this.plan.populations[population]!;
    const point = this.draw(plan.pointCumulative);
    const operation = this.draw(plan.operationCumulative);
    const region = this.traffic.route(population, point, nowMs);
    const timeoutMs = this.plan.spec.assumptions.clientTimeoutMs;
    if (region < 0) return this.failTraffic(nowMs, population, operation, 0);
    if (this.faults.appDown[region]! > 0) return this.failTraffic(nowMs, population, operation, timeoutMs);
    const roundTripMs = this.network.userRoundTripMs(population, point, region);
    const upMs = roundTripMs / 2;
    const downMs = roundTripMs / 2;
    const queueMs = this.app.admit(region);
    const handlerMs = this.app.handlerMs();
    const errorRate = this.faults.errorRate[region]!;
    if (errorRate > 0 && this.choiceRandom.nextFloat() < errorRate) return this.failTraffic(nowMs, population, operation, upMs + queueMs + handlerMs + downMs);
    const op = this.plan.operations[operation]!;
    if (op.dataClass < 0) {
      const latencyMs = upMs + queueMs + handlerMs + downMs;
      const ok = latencyMs <= timeoutMs;
      this.recorder.recordRequest(nowMs, population, operation, ok ? region : -1, Math.min(latencyMs, timeoutMs), ok ? RequestOutcome.Ok : RequestOutcome.TrafficFailure);
      return;
    }
    const key = Math.floor(this.choiceRandom.nextFloat() * this.plan.spec.assumptions.keysPerDataClass);
    const request: SimRequest = { issueMs: nowMs, population, point, operation, region, key, remainingMs: handlerMs / 2 + downMs };
    this.inFlight++;
    this.clock.schedule(nowMs + upMs + queueMs + handlerMs / 2, { kind: Kind.Data, request });
  }

  private failTraffic(nowMs: number, population: number, operation: number, afterMs: number): void {
    this.recorder.recordRequest(nowMs, population, operation, -1, afterMs, RequestOutcome.TrafficFailure);
  }

  private onFault(fault: ResolvedFault, sign: 1 | -1, nowMs: number): void {
    const what = applyFault(this.plan, this.faults, fault, sign);
    this.recorder.event(nowMs, `${sign > 0 ? 'fault starts' : 'fault ends'}: ${what}`);
    this.traffic.healthEpoch += 1;
    this.dataPlane?.onFaultsChanged(nowMs);
  }

  /** A region passes a health probe when its app and database are up, its health path is not failing and the app answers. */
  private probeOk(region: number): boolean {
    if (region < 0) return true;
    const faults = this.faults;
    if (faults.appDown[region]! > 0 || faults.databaseDown[region]! > 0 || faults.healthCheckFailing[region]! > 0) return false;
    return !(faults.errorRate[region]! > 0 && this.choiceRandom.nextFloat() < faults.errorRate[region]!);
  }

  private onProbe(nowMs: number): void {
    for (const probe of this.traffic.dueProbes(nowMs)) {
      const region = this.plan.regions.indexOf(probe.target);
      for (const change of this.traffic.recordProbe(probe, this.probeOk(region), nowMs)) {
        this.recorder.event(nowMs, `${this.traffic.usesAccelerator ? 'accelerator' : 'Route 53'} marks ${change.region} ${change.healthy ? 'healthy' : 'unhealthy'}`);
        this.dataPlane?.onHealthChanged(this.plan.regions.indexOf(change.region), change.healthy, nowMs);
      }
    }
    const next = this.traffic.nextProbeAtMs();
    if (next !== undefined && next < this.experiment.durationMs) this.clock.schedule(Math.max(next, nowMs), { kind: Kind.Probe });
  }

  private onSecond(nowMs: number, onProgress: ((progress: SimulationProgress) => void) | undefined): void {
    this.app.endSecond(1000);
    for (const stop of this.experiment.stop) {
      if (nowMs < stop.forMs) continue;
      const population = stop.population === undefined ? undefined : this.plan.populations.findIndex((p) => p.name === stop.population);
      const availability = this.recorder.windowAvailability(nowMs - stop.forMs, nowMs, population);
      if (availability < stop.threshold) {
        const reason = `availability ${(availability * 100).toFixed(2)} % < ${(stop.threshold * 100).toFixed(2)} % for ${stop.forMs / 1000} s${stop.population ? ` (${stop.population})` : ''}`;
        this.stoppedEarly = { atSeconds: nowMs / 1000, reason };
        this.recorder.event(nowMs, `stop condition: ${reason}`);
        this.clock.stop();
        return;
      }
    }
    onProgress?.({ simulatedMs: nowMs, durationMs: this.experiment.durationMs, events: this.clock.deliveredTotal, requests: this.requests });
    if (nowMs + 1000 <= this.experiment.durationMs) this.clock.schedule(nowMs + 1000, { kind: Kind.Second });
  }
}
