import { NotPrimaryError, PendingRequestsFullError, QuorumUnavailableError, WriteOutcomeUnknownError, WritesSuspendedError } from '../../core/replication/replication-errors.ts';
import type { TableEngine } from '../data/table-engine.ts';
import type { ItemKey } from '../data/values/attribute-value.ts';

/**
 * What the region process needs from a replicated table engine beyond the DynamoDB door (TableEngine):
 * a periodic tick (ships, acknowledges, times out — state machines advance on ticks, not on sockets),
 * delivery of the other regions' messages, its figures for the replication endpoint, and the control
 * commands of its mode. Every engine decides with core/replication (the code the simulator runs) and keeps
 * what a restart needs in the node's SQLite file (data/storage/replication-journal.ts), committed before
 * any acknowledgement.
 */
export interface ReplicatedTableEngine extends TableEngine {
  readonly mode: ReplicationMode;
  /** Called every REPLICATION_TICK_MS by the region process. */
  tick(): void;
  /** A message from the same table in region `from`, as the transport delivered it (maybe repeated, reordered or late). */
  receive(from: string, message: unknown): Promise<void>;
  /** Plain JSON for GET /metrics of the region's replication endpoint. */
  metrics(): Record<string, unknown>;
  /** A control-plane command (switchover, failover, fence …); rejects with ControlCommandError when it does not apply. */
  control?(command: ControlCommand): Promise<Record<string, unknown>>;
}

export type ReplicationMode = 'multi-writer' | 'single-writer' | 'strong';

export type ControlCommand =
  | { readonly kind: 'switchover'; readonly target: string; readonly epoch: number }
  | { readonly kind: 'failover'; readonly epoch: number }
  | { readonly kind: 'fence'; readonly epoch: number; readonly primaryRegion: string; readonly epochStartSeq: number }
  | { readonly kind: 'status' };

/** Where a replication message goes: the transport batches it and ships it through the WAN link to `toRegion`. */
export type Outbox = (toRegion: string, message: unknown) => void;

/** A control command that does not apply to this table or this member now. */
export class ControlCommandError extends Error {
  readonly code = 'CONTROL_COMMAND_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'ControlCommandError';
  }
}

/** An AWS-shaped error (see data/dynamodb/dynamodb-errors.ts) for a replication refusal. */
export class ReplicationRefusal extends Error {
  constructor(
    readonly awsType: string,
    readonly httpStatus: number,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ReplicationRefusal';
  }
}

/**
 * core/replication's refusals as the DynamoDB endpoint answers them. Writes to a read-only secondary have
 * no DynamoDB equivalent (Aurora answers them in SQL): they get a 400 that names the writer region, so a
 * client sees where to go. A member that cannot take the request now (no quorum, switchover in progress,
 * not yet confirmed after a restart) answers 503 ServiceUnavailable, which the SDKs retry; a full queue is
 * ThrottlingException; an unknown outcome is a 500 (the SDKs retry it, as DynamoDB's own 500s).
 */
export function toAwsError(error: unknown): unknown {
  if (error instanceof NotPrimaryError) return new ReplicationRefusal('NotPrimaryException', 400, error.message, false);
  if (error instanceof WritesSuspendedError || error instanceof QuorumUnavailableError) return new ReplicationRefusal('ServiceUnavailable', 503, error.message, true);
  if (error instanceof PendingRequestsFullError) return new ReplicationRefusal('ThrottlingException', 400, error.message, true);
  if (error instanceof WriteOutcomeUnknownError) return new ReplicationRefusal('InternalServerError', 500, error.message, true);
  return error;
}

/** Runs async work one piece at a time, in order: nothing lands between a read of an item and its write. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/** The item key as one string in the attributes' name order, so every region names an item the same way. */
export function canonicalKey(key: ItemKey): string {
  return JSON.stringify(Object.fromEntries(Object.keys(key).sort().map((name) => [name, key[name]])));
}
