import { retransmitAfterMs as retransmitAfterMsFor } from '../../core/replication/replication-lag.ts';
import { createMultiWriterReplica, readValue, stepMultiWriter, type MultiWriterReplica } from '../../core/replication/multi-writer-replica.ts';
import { createQuorumMember, type QuorumMember } from '../../core/replication/quorum-state.ts';
import { stepQuorum } from '../../core/replication/quorum-member.ts';
import { stepSingleWriter } from '../../core/replication/single-writer-member.ts';
import { createSingleWriterMember, type SingleWriterMember } from '../../core/replication/single-writer-state.ts';
import type { Random } from '../../core/random.ts';
import type { PlanDataClass, RunPlan } from '../../workload/run-plan.ts';

/**
 * One data class's replicas as core/replication state machines, behind one shape: step a member with an
 * event, get its effects back. The engine is the architecture's choice for the class.
 */
export type EngineKind = 'multi-writer' | 'single-writer' | 'quorum';

export type Member = MultiWriterReplica | SingleWriterMember | QuorumMember;

/** An effect as the data plane handles it; engine-specific kinds pass through as `other`. */
export interface Effect {
  readonly kind: string;
  readonly to?: string;
  readonly message?: { readonly kind: string };
  readonly reply?: { readonly requestId: number; readonly ok: boolean; readonly error?: Error; readonly value?: string; readonly seq?: number; readonly epoch?: number };
  readonly [field: string]: unknown;
}

export interface ClassRuntime {
  readonly plan: PlanDataClass;
  readonly index: number;
  readonly engine: EngineKind;
  /** members[region]: the member in that region, if any (witnesses included). */
  readonly members: (Member | undefined)[];
  /** Regions that hold the table (witnesses excluded). */
  readonly dataRegions: readonly number[];
  step(region: number, event: object, nowMs: number): readonly Effect[];
  /** An eventually consistent local read, or undefined when the engine needs a round (quorum reads). */
  localRead(region: number, key: string): string | undefined;
}

/** Shorter than the default (1 s), so the preferred member's first election comes first. */
const PREFERRED_ELECTION_TIMEOUT_MS = 300;

function engineOf(plan: PlanDataClass): EngineKind {
  switch (plan.placement.engine) {
    case 'aurora-global-database':
      return 'single-writer';
    case 'dynamodb-mrsc':
      return 'quorum';
    default:
      // Regional tables are a one-member multi-writer group: local writes, nothing to ship.
      return 'multi-writer';
  }
}

export function createClassRuntime(runPlan: RunPlan, plan: PlanDataClass, index: number, random: Random, startMs: number): ClassRuntime {
  const engine = engineOf(plan);
  const regionCodes = plan.replicas.map((region) => runPlan.regions[region]!);
  const members: (Member | undefined)[] = runPlan.regions.map(() => undefined);
  // Acknowledgements come back after the class's replication lag; resending sooner would only duplicate.
  const retransmitAfterMs = retransmitAfterMsFor(plan.spec.replicationLagMs);
  // A region down for an hour must not make the others refuse writes: keep an hour of the class's writes.
  const logCapacity = Math.max(100_000, Math.ceil(plan.spec.writesPerSecond * 3600 * 1.2));
  if (engine === 'multi-writer') {
    for (const region of plan.replicas) members[region] = createMultiWriterReplica({ region: runPlan.regions[region]!, regions: regionCodes, retransmitAfterMs, logCapacity });
  } else if (engine === 'single-writer') {
    const primaryRegion = runPlan.regions[plan.writer]!;
    for (const region of plan.replicas) {
      members[region] = createSingleWriterMember({ region: runPlan.regions[region]!, regions: regionCodes, primaryRegion, writeForwarding: true, retransmitAfterMs, logCapacity });
    }
  } else {
    const witness = plan.witness >= 0 ? runPlan.regions[plan.witness]! : undefined;
    const all = witness ? [...plan.replicas, plan.witness] : [...plan.replicas];
    const codes = all.map((region) => runPlan.regions[region]!);
    // The placement's first replica (the primary, or the set's anchor) stands for election first, so the
    // group starts led from where most requests come from; after a failure leadership moves as it will.
    const preferred = plan.replicas[0];
    for (const region of all) {
      const electionTimeoutMs = region === preferred ? PREFERRED_ELECTION_TIMEOUT_MS : undefined;
      members[region] = createQuorumMember(
        { region: runPlan.regions[region]!, members: codes, ...(witness ? { witness } : {}), random, emitApplied: true, ...(electionTimeoutMs ? { electionTimeoutMs } : {}) },
        startMs,
      );
    }
  }
  const step = (region: number, event: object, nowMs: number): readonly Effect[] => {
    const member = members[region]!;
    if (engine === 'multi-writer') return stepMultiWriter(member as MultiWriterReplica, event as never, nowMs).effects as unknown as Effect[];
    if (engine === 'single-writer') return stepSingleWriter(member as SingleWriterMember, event as never, nowMs).effects as unknown as Effect[];
    return stepQuorum(member as QuorumMember, event as never, nowMs).effects as unknown as Effect[];
  };
  const localRead = (region: number, key: string): string | undefined => {
    const member = members[region]!;
    if (engine === 'multi-writer') return readValue(member as MultiWriterReplica, key);
    if (engine === 'single-writer') return (member as SingleWriterMember).items.get(key)?.value ?? undefined;
    return (member as QuorumMember).table.get(key)?.value ?? undefined;
  };
  return { plan, index, engine, members, dataRegions: plan.replicas, step, localRead };
}

/** The table's content at a member, for the convergence check: key -> value. */
export function tableOf(runtime: ClassRuntime, region: number): Map<string, string | null> {
  const member = runtime.members[region]!;
  const table = new Map<string, string | null>();
  if (runtime.engine === 'multi-writer') for (const [key, entry] of (member as MultiWriterReplica).items) table.set(key, entry.value);
  else if (runtime.engine === 'single-writer') for (const [key, entry] of (member as SingleWriterMember).items) table.set(key, entry.value);
  else for (const [key, item] of (member as QuorumMember).table) table.set(key, item.value);
  return table;
}
