import { nextEpoch } from '../../core/replication/managed-failover.ts';
import type { Lab } from './lab.ts';

/**
 * The control plane of single-writer tables, as Aurora Global Database offers it: a planned switchover
 * (no data loss) and an unplanned failover (promote a secondary with what it has; the old primary is
 * fenced by the new epoch and reports the acknowledged writes it loses). The supervisor picks the epoch:
 * one above any epoch a reachable member knows. It talks to each region's replication endpoint directly
 * on loopback (the control plane does not cross the simulated WAN).
 */
export class TableControlError extends Error {
  readonly code = 'TABLE_CONTROL_FAILED';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TableControlError';
  }
}

interface MemberStatus {
  readonly region: string;
  readonly role: 'primary' | 'recovering' | 'secondary';
  readonly epoch: number;
  readonly primaryRegion: string;
  readonly epochStartSeq: number;
  readonly lastSeq: number;
  readonly awaitingSnapshot: boolean;
}

/** How long a switchover may take before the answer says it is still in progress. */
const SWITCHOVER_WAIT_MS = 30_000;

/** Sends a control command for one table to a region's replication endpoint, on loopback. */
export async function regionControl(lab: Lab, region: string, table: string, body: unknown): Promise<{ status: number; answer: Record<string, unknown> }> {
  const endpoints = lab.regions.get(region)?.current;
  if (!endpoints) throw new TableControlError(`region ${region} is not running`, 409);
  const response = await fetch(`http://127.0.0.1:${endpoints.replicationPort}/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ table, command: body }),
  });
  return { status: response.status, answer: (await response.json()) as Record<string, unknown> };
}

async function required(lab: Lab, region: string, table: string, body: unknown): Promise<Record<string, unknown>> {
  const { status, answer } = await regionControl(lab, region, table, body);
  if (status !== 200) throw new TableControlError(`${region}: ${String(answer.error ?? `status ${status}`)}`, status === 409 ? 409 : 400);
  return answer;
}

/** The members of a single-writer table, from the lab's plan. */
function membersOf(lab: Lab, table: string): readonly string[] {
  for (const process of lab.regions.values()) {
    const found = process.options.tables.find((candidate) => candidate.name === table);
    if (found) {
      if (found.replication !== 'single-writer') throw new TableControlError(`table ${table} is ${found.replication}, not single-writer: it has no switchover or failover`, 400);
      return found.replicas;
    }
  }
  throw new TableControlError(`no table ${table} in this lab`, 404);
}

/** The status of every member that answers (a killed region does not). */
export async function tableStatus(lab: Lab, table: string): Promise<MemberStatus[]> {
  const statuses: MemberStatus[] = [];
  for (const region of membersOf(lab, table)) {
    if (!lab.regions.get(region)?.running) continue;
    try {
      statuses.push((await required(lab, region, table, { kind: 'status' })) as unknown as MemberStatus);
    } catch {
      // Unreachable right now: left out, as a control plane would.
    }
  }
  return statuses;
}

/** Planned switchover to `target`: returns once the target writes as primary. */
export async function switchover(lab: Lab, table: string, target: string): Promise<Record<string, unknown>> {
  const statuses = await tableStatus(lab, table);
  const primary = statuses.find((status) => status.role === 'primary');
  if (!primary) throw new TableControlError(`table ${table} has no reachable primary taking writes: use failover`, 409);
  if (primary.region === target) throw new TableControlError(`${target} is already the primary of ${table}`, 409);
  if (!statuses.some((status) => status.region === target)) throw new TableControlError(`switchover target ${target} is not a running member of ${table}`, 409);
  const epoch = nextEpoch(statuses.map((status) => status.epoch));
  await required(lab, primary.region, table, { kind: 'switchover', target, epoch });
  const deadline = Date.now() + SWITCHOVER_WAIT_MS;
  while (Date.now() < deadline) {
    const now = (await required(lab, target, table, { kind: 'status' })) as unknown as MemberStatus;
    if (now.role === 'primary' && now.epoch === epoch) return { table, kind: 'switchover', from: primary.region, to: target, epoch, lostWrites: 0 };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new TableControlError(`switchover of ${table} to ${target} did not complete within ${SWITCHOVER_WAIT_MS / 1000} s`, 409);
}

/**
 * Unplanned failover: promotes `target` (or the reachable secondary that applied the most), then fences
 * every other reachable member that still believes in an older epoch. A member that is down learns the
 * new epoch when it comes back (its first message is answered with it) and reports its loss then.
 */
export async function failover(lab: Lab, table: string, target?: string): Promise<Record<string, unknown>> {
  const statuses = await tableStatus(lab, table);
  const candidates = statuses.filter((status) => status.role === 'secondary' && !status.awaitingSnapshot && (target === undefined || status.region === target));
  const chosen = candidates.sort((a, b) => b.lastSeq - a.lastSeq)[0];
  if (!chosen) throw new TableControlError(`no running secondary of ${table}${target ? ` named ${target}` : ''} can be promoted`, 409);
  const epoch = nextEpoch(statuses.map((status) => status.epoch));
  const promoted = (await required(lab, chosen.region, table, { kind: 'failover', epoch })).promoted as { epochStartSeq: number } | null;
  if (!promoted) throw new TableControlError(`${chosen.region} was not promoted`, 409);
  const fenced: Record<string, unknown>[] = [];
  for (const status of statuses) {
    if (status.region === chosen.region) continue;
    const answer = await required(lab, status.region, table, { kind: 'fence', epoch, primaryRegion: chosen.region, epochStartSeq: promoted.epochStartSeq });
    fenced.push({ region: status.region, wasPrimary: status.role !== 'secondary', discarded: answer.discarded ?? null });
  }
  const down = membersOf(lab, table).filter((region) => !statuses.some((status) => status.region === region));
  return { table, kind: 'failover', to: chosen.region, epoch, epochStartSeq: promoted.epochStartSeq, fenced, notReachable: down };
}
