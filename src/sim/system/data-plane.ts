import { canBePromoted, lostOnFailover } from '../../core/replication/single-writer-handover.ts';
import { failoverTarget, nextEpoch } from '../../core/replication/managed-failover.ts';
import { replicationPipelineMs } from '../../core/replication/replication-lag.ts';
import type { SingleWriterMember } from '../../core/replication/single-writer-state.ts';
import type { Random } from '../../core/random.ts';
import type { DataClassOutcome } from '../../report/run-report.ts';
import { SERVICE_LEVELS } from '../../catalog/service-levels.ts';
import { Lognormal } from '../engine/distributions.ts';
import { createClassRuntime, tableOf, type ClassRuntime, type Effect } from './class-runtime.ts';
import type { RunPlan } from '../../workload/run-plan.ts';
import type { CostCounters } from '../../workload/run-cost.ts';
import type { DataPlane, SimRequest, SimulationHost } from './sim-request.ts';
import { WARMUP_MS, type Simulation } from './simulation.ts';
import { InvariantViolation } from './traffic-plane.ts';
import { WriteOracle, type AcknowledgedWrite } from '../../workload/write-oracle.ts';

/** Members step their timers (shipping batches, heartbeats, elections) this often. */
const TICK_MS = 50;
/** A database that is down answers the app's call with an error this fast. */
const DATABASE_ERROR_MS = 5;

interface PendingOperation {
  readonly request: SimRequest;
  readonly runtime: ClassRuntime;
  readonly isWrite: boolean;
  readonly writeId: number;
  /** One-way delay back to the app when the call was forwarded to another region. */
  readonly backMs: number;
  readonly dbMs: number;
}

interface ClassState {
  readonly runtime: ClassRuntime;
  readonly oracle: WriteOracle;
  conflictErrors: number;
  lost: AcknowledgedWrite[];
  /** Age of the oldest lost write when the region holding it failed. */
  secondsOfDataLost: number;
  /** Data operations executed per region, for the cost of the run. */
  readonly reads: Float64Array;
  readonly writes: Float64Array;
  /** Strong classes: every write id some member applied from the committed log. */
  readonly committed: Set<number>;
}

export interface SimDataPlane extends DataPlane {
  outcomes(): DataClassOutcome[];
  costCounters(): Omit<CostCounters, 'requestsByRegion'>;
}

/**
 * The data layer of the simulated system: every class's replicas are core/replication state machines;
 * this shell gives them virtual time (ticks), the simulated network (delays, partitions, paused
 * replication), failing regions, the control plane's failover, and checks residency on every message.
 */
class DataPlaneShell implements SimDataPlane {
  private readonly classes: ClassState[];
  private readonly pending = new Map<number, PendingOperation>();
  private nextRequestId = 1;
  private readonly db: Lognormal[];
  private readonly downSinceMs: number[];
  private readonly tickTask: TickTask;
  /** Item keys as the replicas store them, made once rather than per operation. */
  private readonly keys: readonly string[];

  constructor(
    private readonly plan: RunPlan,
    private readonly simulation: Simulation,
    private readonly host: SimulationHost,
    private readonly random: Random,
  ) {
    this.classes = plan.dataClasses.map((dataClass, index) => ({
      runtime: createClassRuntime(plan, dataClass, index, random, -WARMUP_MS),
      oracle: new WriteOracle(),
      conflictErrors: 0,
      lost: [],
      secondsOfDataLost: 0,
      reads: new Float64Array(plan.regions.length),
      writes: new Float64Array(plan.regions.length),
      committed: new Set<number>(),
    }));
    this.db = plan.dataClasses.map((dataClass) => Lognormal.fromMedianP99(dataClass.dbLatencyMs.p50, dataClass.dbLatencyMs.p99));
    this.downSinceMs = plan.regions.map(() => -1);
    this.keys = Array.from({ length: plan.spec.assumptions.keysPerDataClass }, (_, key) => `k${key}`);
    this.tickTask = new TickTask(this);
    host.at(-WARMUP_MS + TICK_MS, this.tickTask);
  }

  private databaseUp(region: number): boolean {
    return this.simulation.faults.databaseDown[region]! === 0;
  }

  /** The user gives up at the client timeout, whatever the replicas do later; swept on every tick. */
  private expirePending(nowMs: number): void {
    const timeoutMs = this.plan.spec.assumptions.clientTimeoutMs;
    for (const [requestId, operation] of this.pending) {
      if (nowMs - operation.request.issueMs < timeoutMs) continue;
      this.pending.delete(requestId);
      this.host.complete(operation.request, false, operation.request.issueMs + timeoutMs);
    }
  }

  tick(nowMs: number): void {
    this.expirePending(nowMs);
    for (const state of this.classes) {
      state.runtime.members.forEach((member, region) => {
        if (member && this.databaseUp(region)) this.handleEffects(state, region, state.runtime.step(region, { kind: 'tick' }, nowMs), nowMs);
      });
    }
    this.host.at(nowMs + TICK_MS, this.tickTask);
  }

  /** The member region that serves a call made from `from`: its own if it holds the table, else the nearest reachable one. */
  private targetRegion(runtime: ClassRuntime, from: number): number {
    if (runtime.dataRegions.includes(from)) return from;
    let best = -1;
    // The app's client tries the nearest replica that answers, as an SDK configured with several endpoints does.
    for (const region of runtime.dataRegions) {
      if (!this.simulation.network.reachable(from, region) || !this.databaseUp(region)) continue;
      if (best < 0 || this.plan.regionRttMs[from]![region]! < this.plan.regionRttMs[from]![best]!) best = region;
    }
    return best;
  }

  execute(request: SimRequest, nowMs: number): void {
    const operation = this.plan.operations[request.operation]!;
    const state = this.classes[operation.dataClass]!;
    const runtime = state.runtime;
    this.checkResidency(runtime, request.region, 'served');
    const target = this.targetRegion(runtime, request.region);
    if (target < 0) return this.host.complete(request, false, nowMs + this.plan.spec.assumptions.clientTimeoutMs);
    const outMs = target === request.region ? 0 : this.simulation.network.regionOneWayMs(request.region, target);
    const backMs = target === request.region ? 0 : this.simulation.network.regionOneWayMs(target, request.region);
    if (outMs < 0 || backMs < 0) return this.host.complete(request, false, nowMs + this.plan.spec.assumptions.clientTimeoutMs);
    if (outMs === 0) this.call(state, request, target, operation.isWrite, backMs, nowMs);
    else this.host.at(nowMs + outMs, new ForwardedCall(this, state, request, target, operation.isWrite, backMs));
  }

  call(state: ClassState, request: SimRequest, region: number, isWrite: boolean, backMs: number, nowMs: number): void {
    if (!this.databaseUp(region)) return this.host.complete(request, false, nowMs + DATABASE_ERROR_MS + backMs);
    const runtime = state.runtime;
    const dbMs = this.db[runtime.index]!.sample(this.random);
    const key = this.keys[request.key]!;
    (isWrite ? state.writes : state.reads)[region]! += 1;
    const quorumRead = !isWrite && runtime.engine === 'quorum' && runtime.plan.spec.consistentReads;
    if (!isWrite && !quorumRead) {
      state.oracle.read(request.key, request.issueMs, runtime.localRead(region, key));
      return this.host.complete(request, true, nowMs + dbMs + backMs);
    }
    const requestId = this.nextRequestId++;
    const writeId = isWrite ? state.oracle.newWriteId() : 0;
    this.pending.set(requestId, { request, runtime, isWrite, writeId, backMs, dbMs });
    const event = isWrite
      ? { kind: 'write', requestId, key, value: String(writeId), dataClass: runtime.plan.name }
      : { kind: 'read', requestId, key };
    this.handleEffects(state, region, runtime.step(region, event, nowMs), nowMs);
  }

  private handleEffects(state: ClassState, region: number, effects: readonly Effect[], nowMs: number): void {
    for (const effect of effects) {
      if (effect.kind === 'send') this.send(state, region, effect, nowMs);
      else if (effect.kind === 'reply') this.reply(state, effect.reply!, nowMs);
      else if (effect.kind === 'promoted') this.onPromoted(state, effect, nowMs);
      else if (effect.kind === 'applied') this.onApplied(state, effect);
      else if (effect.kind === 'became-leader') this.host.event(nowMs, `${state.runtime.plan.name}: ${effect.region as string} leads the strongly consistent group`);
    }
  }

  private send(state: ClassState, from: number, effect: Effect, nowMs: number): void {
    const to = this.plan.regions.indexOf(effect.to!);
    this.checkResidency(state.runtime, to, 'replicated');
    const classes = this.plan.dataClasses.length;
    const message = effect.message!;
    if (message.kind === 'replicate' && this.simulation.faults.replicationPaused[from * classes + state.runtime.index]! > 0) return;
    if (message.kind !== 'replicate') return this.travel(state, from, to, message, nowMs);
    // Asynchronous replication leaves the source after the engine's pipeline delay, so that its lag, network
    // included, is the class's configured lag: what has not left when the source fails is what a failover loses.
    const pipelineMs = replicationPipelineMs(state.runtime.plan.spec.replicationLagMs, this.plan.regionRttMs[from]![to]! / 2);
    if (pipelineMs === 0) return this.travel(state, from, to, message, nowMs);
    this.host.at(nowMs + pipelineMs, new MessageTask(this, state, from, to, message, 'depart'));
  }

  /** A replication batch leaving its source once the pipeline delay is over, if the source still runs. */
  depart(state: ClassState, from: number, to: number, message: object, nowMs: number): void {
    const classes = this.plan.dataClasses.length;
    if (this.databaseUp(from) && this.simulation.faults.replicationPaused[from * classes + state.runtime.index]! === 0) this.travel(state, from, to, message, nowMs);
  }

  private travel(state: ClassState, from: number, to: number, message: object, nowMs: number): void {
    const oneWayMs = this.simulation.network.regionOneWayMs(from, to);
    if (oneWayMs >= 0) this.host.at(nowMs + oneWayMs, new MessageTask(this, state, from, to, message, 'deliver'));
  }

  deliver(state: ClassState, from: number, to: number, message: object, nowMs: number): void {
    if (!this.databaseUp(to) || !this.simulation.network.reachable(from, to)) return;
    this.handleEffects(state, to, state.runtime.step(to, { kind: 'receive', from: this.plan.regions[from]!, message }, nowMs), nowMs);
  }

  private reply(state: ClassState, reply: NonNullable<Effect['reply']>, nowMs: number): void {
    const operation = this.pending.get(reply.requestId);
    if (!operation) return;
    this.pending.delete(reply.requestId);
    const doneMs = nowMs + operation.dbMs + operation.backMs;
    const request = operation.request;
    if (!reply.ok) {
      if (reply.error?.name === 'ReplicatedWriteConflictError') state.conflictErrors += 1;
      return this.host.complete(request, false, doneMs);
    }
    if (operation.isWrite) {
      state.oracle.acknowledge({ id: operation.writeId, key: request.key, ackMs: doneMs, commitMs: nowMs - operation.backMs, seq: reply.seq ?? 0, epoch: reply.epoch ?? 0 });
    } else {
      state.oracle.read(request.key, request.issueMs, reply.value);
    }
    this.host.complete(request, true, doneMs);
  }

  private onApplied(state: ClassState, effect: Effect): void {
    const command = (effect.entry as { command: { kind: string; value?: string | null } }).command;
    if (command.kind === 'write' && command.value) state.committed.add(Number(command.value));
  }

  /** Strong classes: acknowledged writes that no member ever applied from the committed log. */
  private strongLost(state: ClassState): AcknowledgedWrite[] {
    if (state.runtime.engine !== 'quorum') return [];
    return state.oracle.acknowledged.filter((write) => !state.committed.has(write.id));
  }

  private checkResidency(runtime: ClassRuntime, region: number, what: 'served' | 'replicated'): void {
    const zone = runtime.plan.zone;
    if (zone && !zone.includes(region)) {
      throw new InvariantViolation(`residency broken: ${runtime.plan.name} ${what} in ${this.plan.regions[region]}, outside its zone`);
    }
  }

  private onPromoted(state: ClassState, effect: Effect, nowMs: number): void {
    const promoted = { epoch: effect.epoch as number, epochStartSeq: effect.epochStartSeq as number };
    this.host.event(nowMs, `${state.runtime.plan.name}: ${effect.region as string} promoted to writer (epoch ${promoted.epoch}${effect.planned ? ', switchover' : ', failover'})`);
    if (effect.planned) return;
    const lost = lostOnFailover(state.oracle.acknowledged, promoted);
    if (lost.length === 0) return;
    state.lost.push(...lost);
    // The data lost spans from the oldest lost write's commit to the failure of the writer's region.
    const failedAtMs = Math.max(0, ...this.downSinceMs);
    const oldestCommitMs = Math.min(...lost.map((write) => write.commitMs));
    state.secondsOfDataLost = Math.max(state.secondsOfDataLost, Math.max(0, failedAtMs - oldestCommitMs) / 1000);
    this.host.event(nowMs, `${state.runtime.plan.name}: ${lost.length} acknowledged writes lost in the failover`);
  }

  /** Control plane: when a single-writer group's primary region is detected down, promote the nearest healthy secondary. */
  onHealthChanged(region: number, healthy: boolean, nowMs: number): void {
    if (healthy) return;
    const delayMs = SERVICE_LEVELS.aurora_global_database.managed_failover_seconds * 1000;
    for (const state of this.classes) {
      if (state.runtime.engine !== 'single-writer') continue;
      const primary = state.runtime.members[region] as SingleWriterMember | undefined;
      if (!primary || primary.role !== 'primary') continue;
      this.host.at(nowMs + delayMs, (atMs) => this.failOver(state, region, atMs));
    }
  }

  private failOver(state: ClassState, failed: number, nowMs: number): void {
    if (this.databaseUp(failed)) return;
    const runtime = state.runtime;
    const candidates = runtime.dataRegions.filter((region) => region !== failed && this.databaseUp(region) && canBePromoted(runtime.members[region] as SingleWriterMember));
    if (candidates.length === 0) return;
    const target = failoverTarget(failed, candidates, (from, to) => this.plan.regionRttMs[from]![to]!);
    if (target === undefined) return;
    const epoch = nextEpoch(runtime.dataRegions.map((region) => (runtime.members[region] as SingleWriterMember).epoch));
    this.handleEffects(state, target, runtime.step(target, { kind: 'failover', epoch }, nowMs), nowMs);
  }

  onFaultsChanged(nowMs: number): void {
    this.plan.regions.forEach((_, region) => {
      const up = this.databaseUp(region);
      if (!up && this.downSinceMs[region]! < 0) this.downSinceMs[region] = nowMs;
      if (up && this.downSinceMs[region]! >= 0) {
        this.downSinceMs[region] = -1;
        this.fenceStalePrimaries(region, nowMs);
      }
    });
  }

  /** A former primary that comes back learns of the newer epoch and rejoins as a secondary. */
  private fenceStalePrimaries(region: number, nowMs: number): void {
    for (const state of this.classes) {
      const runtime = state.runtime;
      if (runtime.engine !== 'single-writer') continue;
      const member = runtime.members[region] as SingleWriterMember | undefined;
      const current = runtime.dataRegions.map((r) => runtime.members[r] as SingleWriterMember).find((m) => m.role === 'primary' && m.region !== member?.region);
      if (!member || !current || current.epoch <= member.epoch) continue;
      this.handleEffects(state, region, runtime.step(region, { kind: 'fence', epoch: current.epoch, primaryRegion: current.region, epochStartSeq: current.epochStartSeq }, nowMs), nowMs);
    }
  }

  busy(): boolean {
    return this.pending.size > 0 || this.classes.some((state) => !this.converged(state));
  }

  private converged(state: ClassState): boolean {
    const regions = state.runtime.dataRegions;
    if (regions.length <= 1) return true;
    const reference = tableOf(state.runtime, regions[0]!);
    return regions.slice(1).every((region) => {
      const table = tableOf(state.runtime, region);
      if (table.size !== reference.size) return false;
      for (const [key, value] of reference) if (table.get(key) !== value) return false;
      return true;
    });
  }

  outcomes(): DataClassOutcome[] {
    return this.classes.map((state) => ({
      dataClass: state.runtime.plan.name,
      consistency: state.runtime.plan.consistency,
      acknowledgedWrites: state.oracle.acknowledged.length,
      acknowledgedWritesLost: state.lost.length + this.strongLost(state).length,
      secondsOfDataLost: Math.round(state.secondsOfDataLost * 1000) / 1000,
      conflictsResolvedByLastWriterWins: conflictsOf(state.runtime),
      writesRejectedAsConflicts: state.conflictErrors,
      reads: state.oracle.reads,
      staleReads: state.oracle.staleReads,
      replicasConverged: this.converged(state),
    }));
  }

  costCounters(): Omit<CostCounters, 'requestsByRegion'> {
    const byRegion = (counts: Float64Array) => Object.fromEntries(this.plan.regions.map((region, r) => [region, counts[r]!]));
    return {
      readsByClassRegion: Object.fromEntries(this.classes.map((state) => [state.runtime.plan.name, byRegion(state.reads)])),
      writesByClassRegion: Object.fromEntries(this.classes.map((state) => [state.runtime.plan.name, byRegion(state.writes)])),
    };
  }
}

function conflictsOf(runtime: ClassRuntime): number {
  if (runtime.engine !== 'multi-writer') return 0;
  return runtime.members.reduce((sum, member) => sum + ((member as { stats?: { conflictsResolved?: number } } | undefined)?.stats?.conflictsResolved ?? 0), 0);
}

export function createDataPlane(plan: RunPlan, simulation: Simulation, random: Random): SimDataPlane {
  return new DataPlaneShell(plan, simulation, simulation, random);
}

/** Scheduled work of the data plane as small objects rather than closures: cheaper on the hot path. */
class TickTask {
  constructor(private readonly plane: DataPlaneShell) {}
  run(nowMs: number): void {
    this.plane.tick(nowMs);
  }
}

class ForwardedCall {
  constructor(
    private readonly plane: DataPlaneShell,
    private readonly state: ClassState,
    private readonly request: SimRequest,
    private readonly target: number,
    private readonly isWrite: boolean,
    private readonly backMs: number,
  ) {}
  run(nowMs: number): void {
    this.plane.call(this.state, this.request, this.target, this.isWrite, this.backMs, nowMs);
  }
}

/** A replication message between two regions: leaving its source after the pipeline delay, or arriving. */
class MessageTask {
  constructor(
    private readonly plane: DataPlaneShell,
    private readonly state: ClassState,
    private readonly from: number,
    private readonly to: number,
    private readonly message: object,
    private readonly stage: 'depart' | 'deliver',
  ) {}
  run(nowMs: number): void {
    if (this.stage === 'depart') this.plane.depart(this.state, this.from, this.to, this.message, nowMs);
    else this.plane.deliver(this.state, this.from, this.to, this.message, nowMs);
  }
}
